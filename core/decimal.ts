/**
 * Exact decimal arithmetic for money. Prices, quantities and balances travel as decimal strings
 * (never JS floats) in workflow state, payloads and on the wire; this module is the only place that
 * turns them into numbers to compute with.
 *
 * Pure and deterministic: safe inside the Temporal workflow sandbox.
 */
import DecimalJs from 'decimal.js';

/** A private Decimal constructor so no other module can change our precision or rounding. */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Decimal = InstanceType<typeof Decimal>;

/** A decimal number written as a string, e.g. "0.00120000". */
export type Dec = string;

export type DecLike = Dec | Decimal | number;

const PLAIN_DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const LENIENT_DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;

/** True for a plain decimal string such as "12", "0.5" or "-3.25" (no exponent, no spaces). */
export function isDecimalString(value: unknown): value is Dec {
  return typeof value === 'string' && LENIENT_DECIMAL.test(value);
}

/** True when the string is canonical: no leading zeros except "0.x". */
export function isCanonicalDecimal(value: string): boolean {
  return PLAIN_DECIMAL.test(value);
}

export function d(value: DecLike): Decimal {
  return value instanceof Decimal ? value : new Decimal(value);
}

/** Render a decimal as a plain string without exponent and without trailing zeros. */
export function str(value: DecLike): Dec {
  const v = d(value);
  return v.isZero() ? '0' : v.toFixed();
}

/** Render with a fixed number of decimals, as Binance does ("0.10000000"). */
export function fixed(value: DecLike, decimals: number): Dec {
  return d(value).toFixed(decimals, Decimal.ROUND_DOWN);
}

export const add = (a: DecLike, b: DecLike): Dec => str(d(a).plus(d(b)));
export const sub = (a: DecLike, b: DecLike): Dec => str(d(a).minus(d(b)));
export const mul = (a: DecLike, b: DecLike): Dec => str(d(a).times(d(b)));
export const div = (a: DecLike, b: DecLike): Dec => str(d(a).dividedBy(d(b)));
export const neg = (a: DecLike): Dec => str(d(a).negated());
export const abs = (a: DecLike): Dec => str(d(a).abs());
export const cmp = (a: DecLike, b: DecLike): -1 | 0 | 1 => d(a).comparedTo(d(b)) as -1 | 0 | 1;
export const eq = (a: DecLike, b: DecLike): boolean => cmp(a, b) === 0;
export const gt = (a: DecLike, b: DecLike): boolean => cmp(a, b) > 0;
export const gte = (a: DecLike, b: DecLike): boolean => cmp(a, b) >= 0;
export const lt = (a: DecLike, b: DecLike): boolean => cmp(a, b) < 0;
export const lte = (a: DecLike, b: DecLike): boolean => cmp(a, b) <= 0;
export const isZero = (a: DecLike): boolean => d(a).isZero();
export const isPositive = (a: DecLike): boolean => d(a).greaterThan(0);
export const isNegative = (a: DecLike): boolean => d(a).lessThan(0);
export const min = (a: DecLike, b: DecLike): Dec => (lte(a, b) ? str(a) : str(b));
export const max = (a: DecLike, b: DecLike): Dec => (gte(a, b) ? str(a) : str(b));
export const sum = (values: readonly DecLike[]): Dec =>
  str(values.reduce<Decimal>((acc, v) => acc.plus(d(v)), new Decimal(0)));

/** Number of decimals in a step such as "0.00100000" → 3. */
export function stepDecimals(step: DecLike): number {
  const v = d(step);
  return v.isZero() ? 0 : v.decimalPlaces();
}

/** Round down to a multiple of `step` (quantities: never buy or sell more than asked). */
export function floorToStep(value: DecLike, step: DecLike): Dec {
  const s = d(step);
  if (s.isZero()) return str(value);
  return str(d(value).dividedBy(s).floor().times(s));
}

/** Round up to a multiple of `step`. */
export function ceilToStep(value: DecLike, step: DecLike): Dec {
  const s = d(step);
  if (s.isZero()) return str(value);
  return str(d(value).dividedBy(s).ceil().times(s));
}

/** Round to the nearest multiple of `step` (ties to even). */
export function roundToStep(value: DecLike, step: DecLike): Dec {
  const s = d(step);
  if (s.isZero()) return str(value);
  return str(d(value).dividedBy(s).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).times(s));
}

/** True when `value` is an exact multiple of `step` (a zero step allows anything). */
export function isMultipleOf(value: DecLike, step: DecLike): boolean {
  const s = d(step);
  return s.isZero() || d(value).modulo(s).isZero();
}

/**
 * Convert a float computed by an indicator into a decimal string at a given precision. Indicator
 * math runs on floats (it is not money); anything that becomes an order price goes through here and
 * then through the exchange filters.
 */
export function fromFloat(value: number, decimals = 8): Dec {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return str(new Decimal(value).toDecimalPlaces(decimals, Decimal.ROUND_HALF_EVEN));
}

/** Float view of a decimal, for indicators and charts only. Never feed the result back into money. */
export const toFloat = (value: DecLike): number => (typeof value === 'number' ? value : Number(value));
