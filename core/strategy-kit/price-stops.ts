/**
 * Price stops of a whole bot: stop it when a candle closes at or below a stop-loss price, or at or
 * above a take-profit price, outside the range it trades (a grid's); the bot's `onStop` policy
 * then cancels its orders or closes the position. The params fields, their check against the
 * range they protect, and the check of each close. Pure.
 */
import { type Dec, gte, lt, lte } from '../decimal';
import { positiveDecimal } from '../schema';
import type { Intent } from '../strategy';
import { stop } from './orders';

/** Params fields, spread into a strategy's params object. */
export const priceStopFields = {
  /** Stop the bot when a candle closes at or below this price. */
  stopLossPrice: positiveDecimal.optional(),
  /** Stop the bot when a candle closes at or above this price. */
  takeProfitPrice: positiveDecimal.optional(),
};

export interface PriceStops {
  readonly stopLossPrice?: Dec | undefined;
  readonly takeProfitPrice?: Dec | undefined;
}

/** For `issues`: the stop-loss must lie below the range's `low`, the take-profit above its `high`. */
export function priceStopIssues(
  p: PriceStops,
  range: { readonly low: Dec; readonly high: Dec },
): [boolean, string, string][] {
  return [
    [
      p.stopLossPrice !== undefined && !lt(p.stopLossPrice, range.low),
      'stopLossPrice',
      `must be below low (${range.low})`,
    ],
    [
      p.takeProfitPrice !== undefined && !lt(range.high, p.takeProfitPrice),
      'takeProfitPrice',
      `must be above high (${range.high})`,
    ],
  ];
}

/** The stop when `close` reached a stop price ("grid stop-loss: close 38485 at or below 38500"); null otherwise. */
export function priceStopHit(label: string, close: Dec, p: PriceStops): Intent | null {
  if (p.stopLossPrice !== undefined && lte(close, p.stopLossPrice))
    return stop(`${label} stop-loss: close ${close} at or below ${p.stopLossPrice}`);
  if (p.takeProfitPrice !== undefined && gte(close, p.takeProfitPrice))
    return stop(`${label} take-profit: close ${close} at or above ${p.takeProfitPrice}`);
  return null;
}
