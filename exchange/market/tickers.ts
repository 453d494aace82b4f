/**
 * 24-hour rolling statistics of a symbol — REST `GET /api/v3/ticker/24hr` (FULL and MINI) and the
 * `<s>@ticker`, `<s>@miniTicker`, `!ticker@arr`, `!miniTicker@arr` streams (pushed every 1000 ms,
 * like Binance). Open, high, low and volumes come from the hourly candles of the last 24 hours
 * (the forming one included); last price/quantity and trade ids from the trade tape.
 */
import { type Dec, d, fixed } from '../../core/decimal';
import type { Json } from '../format';
import type { Kline } from './candles';
import type { Level } from './order-book';
import type { TapeTrade } from './trade-tape';

export interface StatsInput {
  readonly symbol: string;
  readonly now: number;
  /** Hourly candles opened within the last 24 hours, oldest first, the forming one last. */
  readonly hours: readonly Kline[];
  readonly last: Dec | null;
  readonly lastTrade: TapeTrade | undefined;
  readonly bid: Level | null;
  readonly ask: Level | null;
  readonly pricePrecision: number;
  readonly qtyPrecision: number;
}

export interface Stats24h {
  readonly symbol: string;
  readonly priceChange: string;
  readonly priceChangePercent: string;
  readonly weightedAvgPrice: string;
  readonly prevClosePrice: string;
  readonly lastPrice: string;
  readonly lastQty: string;
  readonly bidPrice: string;
  readonly bidQty: string;
  readonly askPrice: string;
  readonly askQty: string;
  readonly openPrice: string;
  readonly highPrice: string;
  readonly lowPrice: string;
  readonly volume: string;
  readonly quoteVolume: string;
  readonly openTime: number;
  readonly closeTime: number;
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

export function stats24h(i: StatsInput): Stats24h {
  const px = (v: Dec) => fixed(v, i.pricePrecision);
  const qx = (v: Dec) => fixed(v, i.qtyPrecision);
  const last = i.last ?? '0';
  const open = i.hours[0]?.open ?? last;
  let high = d(last);
  let low = d(last);
  let volume = d(0);
  let quoteVolume = d(0);
  let firstId = -1;
  for (const k of i.hours) {
    if (d(k.high).greaterThan(high)) high = d(k.high);
    if (d(k.low).lessThan(low)) low = d(k.low);
    volume = volume.plus(k.volume);
    quoteVolume = quoteVolume.plus(k.quoteVolume);
    if (firstId < 0 && k.firstTradeId >= 0) firstId = k.firstTradeId;
  }
  const lastId = i.lastTrade?.id ?? -1;
  if (firstId < 0 && lastId >= 0 && i.lastTrade && i.lastTrade.time >= i.now - 86_400_000) firstId = lastId;
  const change = d(last).minus(open);
  return {
    symbol: i.symbol,
    priceChange: px(change.toFixed()),
    priceChangePercent: d(open).isZero() ? '0.000' : change.dividedBy(open).times(100).toFixed(3),
    weightedAvgPrice: volume.isZero() ? px(last) : px(quoteVolume.dividedBy(volume).toFixed()),
    prevClosePrice: px(open),
    lastPrice: px(last),
    lastQty: qx(i.lastTrade?.qty ?? '0'),
    bidPrice: i.bid?.[0] ?? px('0'),
    bidQty: i.bid?.[1] ?? qx('0'),
    askPrice: i.ask?.[0] ?? px('0'),
    askQty: i.ask?.[1] ?? qx('0'),
    openPrice: px(open),
    highPrice: px(high.toFixed()),
    lowPrice: px(low.toFixed()),
    volume: qx(volume.toFixed()),
    quoteVolume: px(quoteVolume.toFixed()),
    openTime: i.now - 86_400_000,
    closeTime: i.now,
    firstId: firstId >= 0 && lastId >= firstId ? firstId : -1,
    lastId: firstId >= 0 && lastId >= firstId ? lastId : -1,
    count: firstId >= 0 && lastId >= firstId ? lastId - firstId + 1 : 0,
  };
}

/** REST `type=MINI`. */
export function miniJson(s: Stats24h): Json {
  return {
    symbol: s.symbol,
    openPrice: s.openPrice,
    highPrice: s.highPrice,
    lowPrice: s.lowPrice,
    lastPrice: s.lastPrice,
    volume: s.volume,
    quoteVolume: s.quoteVolume,
    openTime: s.openTime,
    closeTime: s.closeTime,
    firstId: s.firstId,
    lastId: s.lastId,
    count: s.count,
  };
}

/** `<s>@ticker` payload (and an element of `!ticker@arr`). */
export function tickerEvent(s: Stats24h, time: number): Record<string, Json> {
  return {
    e: '24hrTicker',
    E: time,
    s: s.symbol,
    p: s.priceChange,
    P: s.priceChangePercent,
    w: s.weightedAvgPrice,
    x: s.prevClosePrice,
    c: s.lastPrice,
    Q: s.lastQty,
    b: s.bidPrice,
    B: s.bidQty,
    a: s.askPrice,
    A: s.askQty,
    o: s.openPrice,
    h: s.highPrice,
    l: s.lowPrice,
    v: s.volume,
    q: s.quoteVolume,
    O: s.openTime,
    C: s.closeTime,
    F: s.firstId,
    L: s.lastId,
    n: s.count,
  };
}

/** `<s>@miniTicker` payload (and an element of `!miniTicker@arr`). */
export function miniTickerEvent(s: Stats24h, time: number): Record<string, Json> {
  return {
    e: '24hrMiniTicker',
    E: time,
    s: s.symbol,
    c: s.lastPrice,
    o: s.openPrice,
    h: s.highPrice,
    l: s.lowPrice,
    v: s.volume,
    q: s.quoteVolume,
  };
}
