/**
 * The intra-candle price path shared by the paper exchange (replaying candles) and the backtester,
 * so both produce identical fills from the same candles. Pure.
 *
 * Rule: four points, open → first extreme → second extreme → close. The first extreme is the one
 * nearer to the open: open → low → high → close when the low is strictly closer to the open than
 * the high, otherwise (including ties) open → high → low → close. A candle rarely visits its far
 * extreme first, and the rule is deterministic, which is what parity needs.
 *
 * Times: point k (k = 0..3) is at openTime + floor(k * (closeTime - openTime) / 3), so the close
 * point is at closeTime. Quantity: each point carries volume / 4 (exact: division by 4 always
 * terminates). The open point is a jump from the previous close (`sweep: false`); the other three
 * are continuous moves (`sweep: true`), so a stop crossed inside the candle fills at its stop price
 * while a stop gapped over at the open fills at the open.
 */
import { d, str } from '../decimal';
import type { Candle } from '../market';
import type { PricePoint } from './types';

export type PathCandle = Pick<Candle, 'open' | 'high' | 'low' | 'close' | 'volume' | 'openTime' | 'closeTime'>;

/** True when the path visits the low before the high. */
export function lowFirst(candle: Pick<Candle, 'open' | 'high' | 'low'>): boolean {
  const open = d(candle.open);
  // open - low < high - open  ⇔  2·open < high + low  (exact decimals, no float rounding)
  return open.times(2).lessThan(d(candle.high).plus(d(candle.low)));
}

export function candlePricePath(candle: PathCandle): PricePoint[] {
  const span = candle.closeTime - candle.openTime;
  const t = (k: number): number => candle.openTime + Math.floor((k * span) / 3);
  const qty = str(d(candle.volume).dividedBy(4));
  const [first, second] = lowFirst(candle) ? [candle.low, candle.high] : [candle.high, candle.low];
  return [
    { price: candle.open, time: t(0), qty, sweep: false },
    { price: first, time: t(1), qty, sweep: true },
    { price: second, time: t(2), qty, sweep: true },
    { price: candle.close, time: t(3), qty, sweep: true },
  ];
}
