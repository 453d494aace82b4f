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
import { d, str } from '../core/decimal';
import type { Candle } from '../core/market';
import type { PricePoint } from './types';

export type PathCandle = Pick<Candle, 'open' | 'high' | 'low' | 'close' | 'volume' | 'openTime' | 'closeTime'>;

/** True when the path visits the low before the high: open - low < high - open ⇔ 2·open < high + low. */
export function lowFirst(candle: Pick<Candle, 'open' | 'high' | 'low'>): boolean {
  // Doubles decide when the two sides are clearly apart: the sum of two doubles errs by at most
  // one unit in the last place (~2e-16 relative), far below the 1e-12 margin required here.
  // Closer calls (and anything not representable, e.g. > 15 digits) go to exact decimals.
  const o = Number(candle.open);
  const h = Number(candle.high);
  const l = Number(candle.low);
  const diff = o * 2 - (h + l);
  const scale = Math.max(Math.abs(o), Math.abs(h), Math.abs(l));
  if (Number.isFinite(diff) && Math.abs(diff) > scale * 1e-12) return diff < 0;
  return d(candle.open)
    .times(2)
    .lessThan(d(candle.high).plus(d(candle.low)));
}

/**
 * The path of one candle. `withQty: false` leaves quantities null (for a venue that ignores
 * volume: same fills, no decimal division).
 */
export function candlePricePath(candle: PathCandle, withQty = true): PricePoint[] {
  // Hot in backtests with open orders: no closures, no destructuring.
  const start = candle.openTime;
  const span = candle.closeTime - start;
  const qty = withQty ? str(d(candle.volume).dividedBy(4)) : null;
  const low = lowFirst(candle);
  return [
    { price: candle.open, time: start, qty, sweep: false },
    { price: low ? candle.low : candle.high, time: start + Math.floor(span / 3), qty, sweep: true },
    { price: low ? candle.high : candle.low, time: start + Math.floor((2 * span) / 3), qty, sweep: true },
    { price: candle.close, time: start + span, qty, sweep: true },
  ];
}
