/**
 * The public trade tape of one symbol: the synthetic market's prints and our accounts' fills, in
 * trade-id order (one id sequence per symbol, the venue's, so `myTrades` ids are public trade ids
 * as on Binance). Bounded: the most recent `capacity` trades (up to a quarter more between
 * trims); older ones are gone from trades/historicalTrades/aggTrades (candles keep the
 * history). Each trade is its own aggregate
 * trade (`a` = the trade id): our taker orders fill at distinct prices, so nothing aggregates.
 */
import type { Dec } from '../../core/decimal';

export interface TapeTrade {
  readonly id: number;
  readonly price: Dec;
  readonly qty: Dec;
  readonly quoteQty: Dec;
  readonly time: number;
  readonly isBuyerMaker: boolean;
}

export class TradeTape {
  private readonly trades: TapeTrade[] = [];

  constructor(private readonly capacity = 10_000) {}

  add(t: TapeTrade): void {
    // Ids only grow; a trade recorded out of order (a fill dispatched after a later print) is put in place.
    let i = this.trades.length;
    while (i > 0 && (this.trades[i - 1] as TapeTrade).id > t.id) i--;
    if (i === this.trades.length) this.trades.push(t);
    else this.trades.splice(i, 0, t);
    // Trimmed in batches: dropping one trade per trade would shift the whole array every time.
    if (this.trades.length > this.capacity * 1.25) this.trades.splice(0, this.trades.length - this.capacity);
  }

  last(): TapeTrade | undefined {
    return this.trades[this.trades.length - 1];
  }

  /** The most recent `limit` trades, oldest first. */
  recent(limit: number): TapeTrade[] {
    return this.trades.slice(Math.max(0, this.trades.length - limit));
  }

  /** From trade id `fromId` (inclusive), oldest first, at most `limit`. */
  fromId(fromId: number, limit: number): TapeTrade[] {
    const start = this.lowerBound((t) => t.id >= fromId);
    return this.trades.slice(start, start + limit);
  }

  /** Trades with startTime ≤ time ≤ endTime (either bound optional), oldest first, at most `limit`. */
  between(startTime: number | undefined, endTime: number | undefined, limit: number): TapeTrade[] {
    const start = startTime === undefined ? 0 : this.lowerBound((t) => t.time >= startTime);
    const out: TapeTrade[] = [];
    for (let i = start; i < this.trades.length && out.length < limit; i++) {
      const t = this.trades[i] as TapeTrade;
      if (endTime !== undefined && t.time > endTime) break;
      out.push(t);
    }
    // Only an end: the most recent trades up to it.
    if (startTime === undefined && endTime !== undefined) {
      const upTo = this.trades.filter((t) => t.time <= endTime);
      return upTo.slice(Math.max(0, upTo.length - limit));
    }
    return out;
  }

  /** Index of the first trade satisfying a monotone predicate (ids and times only grow). */
  private lowerBound(ok: (t: TapeTrade) => boolean): number {
    let lo = 0;
    let hi = this.trades.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ok(this.trades[mid] as TapeTrade)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
