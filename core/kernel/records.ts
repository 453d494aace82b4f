/** Small helpers that keep records plain JSON: states and payloads compare equal after a round trip. */

/** A copy of the record without one key. */
export function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** Drop undefined fields so states and payloads stay plain JSON and compare equal after a round trip. */
export function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
