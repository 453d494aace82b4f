/** Kline building: one forming candle plus a bounded history per symbol and interval. */
import { type Dec, d, str } from '../../core/decimal';
import { type CandleInterval, intervalMs } from '../../core/market';
import { comparePrices, fastNumber } from '../../venue';

export interface Kline {
  symbol: string;
  interval: CandleInterval;
  openTime: number;
  closeTime: number;
  open: Dec;
  high: Dec;
  low: Dec;
  close: Dec;
  volume: Dec;
  quoteVolume: Dec;
  trades: number;
  takerBuyBase: Dec;
  takerBuyQuote: Dec;
  firstTradeId: number;
  lastTradeId: number;
  closed: boolean;
}

export function alignedOpen(time: number, interval: CandleInterval): number {
  const ms = intervalMs(interval);
  return Math.floor(time / ms) * ms;
}

export function emptyKline(symbol: string, interval: CandleInterval, openTime: number, price: Dec): Kline {
  return {
    symbol,
    interval,
    openTime,
    closeTime: openTime + intervalMs(interval) - 1,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: '0',
    quoteVolume: '0',
    trades: 0,
    takerBuyBase: '0',
    takerBuyQuote: '0',
    firstTradeId: -1,
    lastTradeId: -1,
    closed: false,
  };
}

/** Add one trade to a forming candle. */
export function addTrade(k: Kline, price: Dec, qty: Dec | null, tradeId: number, buyerIsTaker: boolean): void {
  const pn = fastNumber(price);
  if (k.trades === 0 && k.volume === '0') {
    // The first trade of a candle sets its open (a candle opened without trades carries the last close).
    k.open = price;
    k.high = price;
    k.low = price;
  } else {
    if (comparePrices(price, pn, k.high, fastNumber(k.high)) > 0) k.high = price;
    if (comparePrices(price, pn, k.low, fastNumber(k.low)) < 0) k.low = price;
  }
  k.close = price;
  if (qty !== null && qty !== '0') {
    const q = d(qty);
    const quote = q.times(price);
    k.volume = str(d(k.volume).plus(q));
    k.quoteVolume = str(d(k.quoteVolume).plus(quote));
    if (buyerIsTaker) {
      k.takerBuyBase = str(d(k.takerBuyBase).plus(q));
      k.takerBuyQuote = str(d(k.takerBuyQuote).plus(quote));
    }
  }
  k.trades += 1;
  if (k.firstTradeId < 0) k.firstTradeId = tradeId;
  k.lastTradeId = tradeId;
}

/** REST kline row: [openTime, o, h, l, c, v, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, "0"]. */
export function klineRow(k: Kline, pricePrecision: number, qtyPrecision: number): Array<string | number> {
  return [
    k.openTime,
    d(k.open).toFixed(pricePrecision),
    d(k.high).toFixed(pricePrecision),
    d(k.low).toFixed(pricePrecision),
    d(k.close).toFixed(pricePrecision),
    d(k.volume).toFixed(qtyPrecision),
    k.closeTime,
    d(k.quoteVolume).toFixed(pricePrecision),
    k.trades,
    d(k.takerBuyBase).toFixed(qtyPrecision),
    d(k.takerBuyQuote).toFixed(pricePrecision),
    '0',
  ];
}

/** Stream payload of `<symbol>@kline_<interval>`. */
export function klineEvent(k: Kline, eventTime: number, pricePrecision: number, qtyPrecision: number): string {
  return JSON.stringify({
    e: 'kline',
    E: eventTime,
    s: k.symbol,
    k: {
      t: k.openTime,
      T: k.closeTime,
      s: k.symbol,
      i: k.interval,
      f: k.firstTradeId,
      L: k.lastTradeId,
      o: d(k.open).toFixed(pricePrecision),
      c: d(k.close).toFixed(pricePrecision),
      h: d(k.high).toFixed(pricePrecision),
      l: d(k.low).toFixed(pricePrecision),
      v: d(k.volume).toFixed(qtyPrecision),
      n: k.trades,
      x: k.closed,
      q: d(k.quoteVolume).toFixed(pricePrecision),
      V: d(k.takerBuyBase).toFixed(qtyPrecision),
      Q: d(k.takerBuyQuote).toFixed(pricePrecision),
      B: '0',
    },
  });
}

/** Candles of one symbol and interval: the forming one and up to `limit` closed ones. */
export class KlineSeries {
  current: Kline | null = null;
  readonly history: Kline[] = [];

  constructor(
    readonly symbol: string,
    readonly interval: CandleInterval,
    private readonly limit: number,
  ) {}

  pushClosed(k: Kline): void {
    k.closed = true;
    const last = this.history[this.history.length - 1];
    if (last && last.openTime >= k.openTime) return; // never rewrite history
    this.history.push(k);
    if (this.history.length > this.limit) this.history.splice(0, this.history.length - this.limit);
  }

  /** Closed candles plus the forming one, filtered like GET /api/v3/klines. */
  query(opts: { startTime?: number; endTime?: number; limit: number }): Kline[] {
    const all = this.current ? [...this.history, this.current] : [...this.history];
    const filtered = all.filter(
      (k) =>
        (opts.startTime === undefined || k.openTime >= opts.startTime) &&
        (opts.endTime === undefined || k.openTime <= opts.endTime),
    );
    // With a start time the earliest candles come first; otherwise the most recent.
    return opts.startTime !== undefined ? filtered.slice(0, opts.limit) : filtered.slice(-opts.limit);
  }
}
