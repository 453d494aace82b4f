/**
 * Request parameters the way Binance reads them: query string and form body, the query string
 * winning; typed getters that fail with Binance's codes and messages.
 */
import { isDecimalString } from '../../core/decimal';
import type { VenueEvent } from '../../venue';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly status = 400,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra `data` in the body (cancelReplace failures). */
    readonly data?: unknown,
  ) {
    super(msg);
  }
}

/**
 * A request that failed after changing state (cancelReplace: one side done, the other refused):
 * the error Binance answers, plus what did happen, so the caller still dispatches its events and
 * records the orders it created.
 */
export class PartialExecutionError extends ApiError {
  constructor(
    code: number,
    msg: string,
    status: number,
    data: unknown,
    readonly events: readonly VenueEvent[],
    readonly createdOrderIds: readonly number[],
  ) {
    super(code, msg, status, {}, data);
  }
}

export const err = (code: number, msg: string, status = 400): ApiError => new ApiError(code, msg, status);

export const Api = {
  mandatory: (name: string) => err(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  empty: (name: string) => err(-1105, `Parameter '${name}' was empty.`),
  illegal: (name: string, range: string) =>
    err(-1100, `Illegal characters found in parameter '${name}'; legal range is '${range}'.`),
  duplicateParam: () => err(-1101, 'Duplicate values for a parameter detected.'),
  unread: (read: number, sent: number) =>
    err(-1104, `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${sent}'.`),
  invalidSymbol: () => err(-1121, 'Invalid symbol.'),
  badInterval: () => err(-1120, 'Invalid interval.'),
  invalidData: (name: string) => err(-1130, `Data sent for parameter '${name}' is not valid.`),
  invalidJson: (name: string) => err(-1135, `JSON sent for parameter '${name}' is not valid`),
};

/** Binance's integer parameters (ids, times, limits) are unsigned: `-1` is an illegal character. */
const INTEGER = /^[0-9]{1,20}$/;

export class Params {
  private readonly read = new Set<string>();

  constructor(readonly values: ReadonlyMap<string, string>) {}

  /** Parse `a=1&b=2` pairs from the query string and the body; -1101 on a duplicate name within one part. */
  static parse(query: string, body: string): Params {
    const merged = new Map<string, string>();
    const fromQuery = parsePairs(query);
    const fromBody = parsePairs(body);
    for (const [k, v] of fromBody) merged.set(k, v);
    // "If a parameter is sent in both the query string and the request body, the query string wins."
    for (const [k, v] of fromQuery) merged.set(k, v);
    return new Params(merged);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  raw(name: string): string | undefined {
    this.read.add(name);
    return this.values.get(name);
  }

  /** Optional string; '' counts as sent-but-empty (-1105) unless `allowEmpty`. */
  str(name: string, opts: { required?: boolean; allowEmpty?: boolean } = {}): string | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (opts.required) throw Api.mandatory(name);
      return undefined;
    }
    if (v === '' && !opts.allowEmpty) throw opts.required ? Api.mandatory(name) : Api.empty(name);
    return v;
  }

  req(name: string): string {
    return this.str(name, { required: true }) as string;
  }

  int(name: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const v = this.str(name, opts);
    if (v === undefined) return undefined;
    if (!INTEGER.test(v)) throw Api.illegal(name, '^[0-9]{1,20}$');
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw err(-1108, `Parameter '${name}' overflowed.`);
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max))
      throw Api.invalidData(name);
    return n;
  }

  /** A decimal string as sent (the venue checks precision and filters). */
  dec(name: string, opts: { required?: boolean } = {}): string | undefined {
    const v = this.str(name, opts);
    if (v === undefined) return undefined;
    if (!/^([0-9]{1,20})(\.[0-9]{1,20})?$/.test(v) || !isDecimalString(v))
      throw Api.illegal(name, '^([0-9]{1,20})(\\.[0-9]{1,20})?$');
    return v;
  }

  /** An enum parameter; `onInvalid` builds the error lazily (an Error captures a stack: costly on every request). */
  oneOf<T extends string>(
    name: string,
    allowed: readonly T[],
    onInvalid: () => ApiError,
    opts: { required?: boolean } = {},
  ): T | undefined {
    const v = this.str(name, opts);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw onInvalid();
    return v as T;
  }

  /** Binance rejects parameters an endpoint does not read (-1104). */
  assertAllRead(alwaysAllowed: readonly string[] = []): void {
    for (const a of alwaysAllowed) this.read.add(a);
    const unread = [...this.values.keys()].filter((k) => !this.read.has(k));
    if (unread.length > 0) throw Api.unread(this.values.size - unread.length, this.values.size);
  }
}

function parsePairs(s: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!s) return out;
  for (const part of s.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let k: string;
    let v: string;
    try {
      k = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      v = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw err(-1100, 'Illegal characters found in a parameter.');
    }
    if (out.has(k)) throw Api.duplicateParam();
    out.set(k, v);
  }
  return out;
}
