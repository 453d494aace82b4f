/**
 * Funding of the perpetual: at every funding time (multiples of the funding interval since the
 * epoch: 00:00, 08:00 and 16:00 UTC for Binance's 8 h) each position pays or receives
 * position × mark × rate: with a positive rate longs pay and shorts receive, with a negative
 * rate the reverse. The mark is the last one known before the funding time. Pure.
 */
import { type Dec, d, str } from '../../core/decimal';

export const EIGHT_HOURS_MS = 8 * 3_600_000;
export const DEFAULT_FUNDING_RATE: Dec = '0.0001';

/** The first funding time strictly after `time`. */
export function nextFundingTime(time: number, intervalMs: number): number {
  return (Math.floor(time / intervalMs) + 1) * intervalMs;
}

/** Wallet change of a position at a funding: −amount × mark × rate (amount signed). */
export function fundingPayment(amount: Dec, mark: Dec, rate: Dec): Dec {
  return str(d(amount).times(mark).times(rate).negated());
}
