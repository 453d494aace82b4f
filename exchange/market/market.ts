/**
 * The market of the paper exchange: last prices, public trades, klines of every interval, the
 * synthetic book shown by bookTicker/depth, and the market-stream payloads. Every price move goes
 * through the venue first (`venue.onPrice`), so resting orders fill on the same path the
 * backtester uses.
 *
 * Candle clocks:
 * - 'clock' (random walk, mirror): candles close on wall-clock boundaries (a timer calls
 *   `advanceAll(now)`); a gap (e.g. a freeze) is filled with flat candles in the REST history.
 * - 'data' (replay): the same, driven by the replayed data's timestamps.
 * - 'manual': candles close only through `closeCandle`; the next opens one interval later.
 */
import { type Dec, d, str } from '../../core/decimal';
import { CANDLE_INTERVALS, type CandleInterval, intervalMs } from '../../core/market';
import type { Venue, VenueEvent, VenueSymbol } from '../../core/venue';
import { type Kline, KlineSeries, addTrade, alignedOpen, emptyKline, klineEvent } from './candles';

export interface StreamSink {
  hasSubscribers(stream: string): boolean;
  publish(stream: string, payload: string): void;
}

export type CandleMode = 'clock' | 'data' | 'manual';

export interface DisplayBook {
  readonly spreadTicks: number;
  readonly levels: number;
  readonly levelStepTicks: number;
  readonly levelQty: Dec;
}

export interface MarketOptions {
  readonly venue: Venue;
  readonly now: () => number;
  readonly sink: StreamSink;
  readonly onVenueEvents: (events: readonly VenueEvent[]) => void;
  readonly mode: CandleMode;
  readonly historyLimit: number;
  readonly book: DisplayBook;
}

interface SymbolMarket {
  readonly spec: VenueSymbol;
  readonly lower: string;
  readonly series: Map<CandleInterval, KlineSeries>;
  publicTradeId: number;
  bookUpdateId: number;
}

export class Market {
  private readonly symbols = new Map<string, SymbolMarket>();
  /** Time of the latest trade fed in (the replayed data's clock in 'data' mode). */
  private lastTradeTime: number | null = null;
  /** Streams that are never filled when nobody listens: checked before building payloads. */
  constructor(private readonly o: MarketOptions) {
    for (const spec of o.venue.symbols()) {
      const name = spec.filters.symbol;
      const series = new Map<CandleInterval, KlineSeries>();
      for (const i of CANDLE_INTERVALS) series.set(i, new KlineSeries(name, i, o.historyLimit));
      this.symbols.set(name, { spec, lower: name.toLowerCase(), series, publicTradeId: 0, bookUpdateId: 1 });
    }
  }

  get mode(): CandleMode {
    return this.o.mode;
  }

  /** The market's own clock: the latest trade time fed in, or null before any. */
  dataTime(): number | null {
    return this.lastTradeTime;
  }

  symbolNames(): string[] {
    return [...this.symbols.keys()];
  }

  has(symbol: string): boolean {
    return this.symbols.has(symbol);
  }

  price(symbol: string): Dec | null {
    return this.o.venue.lastPrice(symbol);
  }

  /** A public trade at `price`: matches resting orders, updates klines, publishes trade/bookTicker/depth/kline. */
  trade(symbol: string, price: Dec, qty: Dec | null, time: number, opts: { buyerIsTaker?: boolean; sweep?: boolean } = {}): void {
    const m = this.symbols.get(symbol);
    if (!m) throw new Error(`unknown symbol ${symbol}`);
    if (this.o.mode !== 'manual') this.advanceTo(symbol, time);
    this.lastTradeTime = this.lastTradeTime === null ? time : Math.max(this.lastTradeTime, time);
    m.publicTradeId += 1;
    const tradeId = m.publicTradeId;
    const events = this.o.venue.onPrice(symbol, { price, time, qty, sweep: opts.sweep ?? false });
    if (events.length > 0) this.o.onVenueEvents(events);
    const buyerIsTaker = opts.buyerIsTaker ?? true;
    const { baseAssetPrecision: qp, quoteAssetPrecision: pp } = m.spec;
    for (const [interval, series] of m.series) {
      if (!series.current) series.current = emptyKline(symbol, interval, this.firstOpenTime(interval, time), price);
      addTrade(series.current, price, qty, tradeId, buyerIsTaker);
      const stream = `${m.lower}@kline_${interval}`;
      if (this.o.sink.hasSubscribers(stream)) this.o.sink.publish(stream, klineEvent(series.current, time, pp, qp));
    }
    const tradeStream = `${m.lower}@trade`;
    if (this.o.sink.hasSubscribers(tradeStream)) {
      this.o.sink.publish(
        tradeStream,
        JSON.stringify({ e: 'trade', E: time, s: symbol, t: tradeId, p: d(price).toFixed(pp), q: d(qty ?? '0').toFixed(qp), T: time, m: !buyerIsTaker, M: true }),
      );
    }
    this.publishBook(m, time);
  }

  /** Close every candle of the symbol that ended before `time` (clock and data modes). */
  advanceTo(symbol: string, time: number): void {
    const m = this.symbols.get(symbol);
    if (!m) return;
    for (const series of m.series.values()) {
      const k = series.current;
      if (!k || k.closeTime >= time) continue;
      this.close(m, series, time);
      // Quiet periods (no trade, a freeze) still get candles, flat at the last close, so a REST
      // backfill finds no hole. Bounded by the history size.
      const ms = intervalMs(series.interval);
      let next = emptyKline(symbol, series.interval, k.openTime + ms, k.close);
      let filled = 0;
      while (next.closeTime < time && filled < this.o.historyLimit) {
        series.pushClosed(next);
        next = emptyKline(symbol, series.interval, next.openTime + ms, k.close);
        filled++;
      }
      if (next.closeTime < time) next = emptyKline(symbol, series.interval, alignedOpen(time, series.interval), k.close);
      series.current = next;
    }
  }

  advanceAll(time: number): void {
    for (const name of this.symbols.keys()) this.advanceTo(name, time);
  }

  /**
   * Close the forming candle of one interval now (manual mode; also used by replay) and open the
   * next one interval later. `replaceWith` overwrites its values first (replayed file candle).
   */
  closeCandle(symbol: string, interval: CandleInterval, replaceWith?: Omit<Kline, 'symbol' | 'interval' | 'closed'>): Kline {
    const m = this.symbols.get(symbol);
    if (!m) throw new Error(`unknown symbol ${symbol}`);
    const series = m.series.get(interval) as KlineSeries;
    const time = this.o.now();
    if (!series.current) {
      const price = this.price(symbol) ?? '0';
      series.current = emptyKline(symbol, interval, this.firstOpenTime(interval, time), price);
    }
    if (replaceWith) Object.assign(series.current, replaceWith);
    const closed = series.current;
    this.close(m, series, Math.max(time, closed.closeTime + 1));
    series.current = emptyKline(symbol, interval, closed.openTime + intervalMs(interval), closed.close);
    return closed;
  }

  /** Replay: start the forming candle of `interval` at the file's open time (files need not be aligned). */
  openCandleAt(symbol: string, interval: CandleInterval, openTime: number, price: Dec): void {
    const series = this.symbols.get(symbol)?.series.get(interval);
    if (!series) return;
    if (series.current && series.current.openTime !== openTime && series.current.trades > 0) series.pushClosed(series.current);
    series.current = emptyKline(symbol, interval, openTime, price);
  }

  klines(symbol: string, interval: CandleInterval, opts: { startTime?: number; endTime?: number; limit: number }): Kline[] {
    return this.symbols.get(symbol)?.series.get(interval)?.query(opts) ?? [];
  }

  /** The forming candle (for tests and tools). */
  currentKline(symbol: string, interval: CandleInterval): Kline | null {
    return this.symbols.get(symbol)?.series.get(interval)?.current ?? null;
  }

  bookTop(symbol: string): { bid: Dec; ask: Dec; bidQty: Dec; askQty: Dec } | null {
    const m = this.symbols.get(symbol);
    const last = this.price(symbol);
    if (!m || last === null) return null;
    const offset = d(m.spec.filters.tickSize).times(this.o.book.spreadTicks);
    const bid = d(last).minus(offset);
    return { bid: str(bid.greaterThan(0) ? bid : d(m.spec.filters.tickSize)), ask: str(d(last).plus(offset)), bidQty: this.o.book.levelQty, askQty: this.o.book.levelQty };
  }

  depth(symbol: string, limit: number): { lastUpdateId: number; bids: Array<[string, string]>; asks: Array<[string, string]> } {
    const m = this.symbols.get(symbol);
    const last = this.price(symbol);
    if (!m || last === null) return { lastUpdateId: m?.bookUpdateId ?? 0, bids: [], asks: [] };
    const tick = d(m.spec.filters.tickSize);
    const { quoteAssetPrecision: pp, baseAssetPrecision: qp } = m.spec;
    const qty = d(this.o.book.levelQty).toFixed(qp);
    const bids: Array<[string, string]> = [];
    const asks: Array<[string, string]> = [];
    const n = Math.min(limit, Math.max(1, this.o.book.levels));
    for (let i = 0; i < n; i++) {
      const off = tick.times(this.o.book.spreadTicks + i * Math.max(1, this.o.book.levelStepTicks));
      const bid = d(last).minus(off);
      if (bid.greaterThan(0)) bids.push([bid.toFixed(pp), qty]);
      asks.push([d(last).plus(off).toFixed(pp), qty]);
    }
    return { lastUpdateId: m.bookUpdateId, bids, asks };
  }

  /** Closed and forming candles of every series, for persistence. */
  exportCandles(limitPerSeries: number): Kline[] {
    const out: Kline[] = [];
    for (const m of this.symbols.values()) {
      for (const s of m.series.values()) {
        out.push(...s.history.slice(-limitPerSeries));
        if (s.current) out.push({ ...s.current });
      }
    }
    return out;
  }

  /** Closed candles from before the start (synthetic warm-up history). */
  importHistory(klines: readonly Kline[]): void {
    this.importCandles(klines);
  }

  importCandles(klines: readonly Kline[]): void {
    for (const k of klines) {
      const series = this.symbols.get(k.symbol)?.series.get(k.interval);
      if (!series) continue;
      if (k.closed) series.pushClosed({ ...k });
      else series.current = { ...k };
    }
  }

  private firstOpenTime(interval: CandleInterval, time: number): number {
    return alignedOpen(time, interval);
  }

  private close(m: SymbolMarket, series: KlineSeries, eventTime: number): void {
    const k = series.current;
    if (!k) return;
    series.pushClosed(k);
    const stream = `${m.lower}@kline_${series.interval}`;
    if (this.o.sink.hasSubscribers(stream)) this.o.sink.publish(stream, klineEvent(k, eventTime, m.spec.quoteAssetPrecision, m.spec.baseAssetPrecision));
  }

  private publishBook(m: SymbolMarket, time: number): void {
    m.bookUpdateId += 1;
    const bt = `${m.lower}@bookTicker`;
    const wantsTop = this.o.sink.hasSubscribers(bt);
    const depthStreams = [`${m.lower}@depth`, `${m.lower}@depth@100ms`, `${m.lower}@depth5`, `${m.lower}@depth10`, `${m.lower}@depth20`, `${m.lower}@depth5@100ms`, `${m.lower}@depth10@100ms`, `${m.lower}@depth20@100ms`].filter((s) =>
      this.o.sink.hasSubscribers(s),
    );
    if (!wantsTop && depthStreams.length === 0) return;
    const symbol = m.spec.filters.symbol;
    const { quoteAssetPrecision: pp, baseAssetPrecision: qp } = m.spec;
    if (wantsTop) {
      const top = this.bookTop(symbol);
      if (top) {
        this.o.sink.publish(
          bt,
          JSON.stringify({ u: m.bookUpdateId, s: symbol, b: d(top.bid).toFixed(pp), B: d(top.bidQty).toFixed(qp), a: d(top.ask).toFixed(pp), A: d(top.askQty).toFixed(qp) }),
        );
      }
    }
    for (const stream of depthStreams) {
      const levelMatch = /@depth(5|10|20)/.exec(stream);
      if (levelMatch) {
        const book = this.depth(symbol, Number(levelMatch[1]));
        this.o.sink.publish(stream, JSON.stringify(book));
      } else {
        const book = this.depth(symbol, 20);
        this.o.sink.publish(stream, JSON.stringify({ e: 'depthUpdate', E: time, s: symbol, U: m.bookUpdateId, u: m.bookUpdateId, b: book.bids, a: book.asks }));
      }
    }
  }
}
