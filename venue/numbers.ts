/**
 * Fast price comparison for the matching hot path.
 *
 * Money arithmetic always uses exact decimals (core/decimal). Comparing two prices, though, can use
 * JS numbers when both are decimal strings with at most 15 significant digits: IEEE-754 doubles
 * guarantee that any decimal of at most 15 significant digits survives a decimal→double→decimal
 * round trip (DBL_DIG = 15), so two different such decimals never map to the same double, and
 * round-to-nearest is monotonic, so the order of the doubles is the order of the decimals.
 * Anything longer falls back to an exact decimal comparison. Pure.
 */
import { cmp } from '../core/decimal';

/** Number(s) when `s` has at most 15 significant digits (comparisons are then exact), else NaN. */
export function fastNumber(s: string): number {
  // 15 characters hold at most 15 digits: the common case costs one length check.
  if (s.length <= 15) return Number(s);
  let first = -1;
  let last = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 49 && c <= 57) {
      // '1'..'9'
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return 0;
  let digits = 0;
  for (let i = first; i <= last; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits <= 15 ? Number(s) : Number.NaN;
}

/** Compare two decimal strings given their fastNumber() values (NaN = not fast). */
export function comparePrices(a: string, an: number, b: string, bn: number): -1 | 0 | 1 {
  // NaN !== NaN: both must be fast to trust the doubles.
  if (an === an && bn === bn) return an < bn ? -1 : an > bn ? 1 : 0;
  return cmp(a, b);
}
