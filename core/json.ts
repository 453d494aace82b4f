/**
 * Plain JSON: the only shape workflow state, payloads and API bodies take. `Json` is the type,
 * `stripUndefined` drops the fields a caller left out, so an object built from optional values
 * serialises without `undefined` keys and compares equal after a round trip. Pure.
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Drop undefined fields so states and payloads stay plain JSON and compare equal after a round trip. */
export function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
