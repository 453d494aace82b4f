/**
 * The market of the paper exchange: last prices, the public trade tape (the synthetic market's
 * prints and our accounts' fills, one trade-id sequence per symbol), klines of every interval, the
 * book (the venue's synthetic book: order-book.ts, streamed by depth-feed.ts), 24h statistics
 * (tickers.ts) and the market-stream payloads. Every price move goes through the venue first
 * (`venue.onPrice`), so resting orders fill on the same path the backtester uses. Our fills are
 * trades on the tape and streams, but do not move the price or the candles: the synthetic market
 * absorbs them.
 *
 * Candle clocks:
 * - 'clock' (random walk, mirror): candles close on wall-clock boundaries (a timer calls
 *   `advanceAll(now)`); a gap (e.g. a freeze) is filled with flat candles in the REST history.
 * - 'data' (replay): the same, driven by the replayed data's timestamps.
 * - 'manual': candles close only through `closeCandle`; the next opens one interval later.
 */
import { type Dec, d } from '../../core/decimal';
import { CANDLE_INTERVALS, type CandleInterval, intervalMs } from '../../core/market';
import type { BookModel, FillView, PricePoint, Venue, VenueEvent, VenueSymbol } from '../../venue';
import { type Kline, KlineSeries, addTrade, alignedOpen, emptyKline, klineEvent } from './candles';
import { type Cadence, DepthFeed } from './depth-feed';
import { type Level, OrderBookView } from './order-book';
import { type Stats24h, miniTickerEvent, stats24h, tickerEvent } from './tickers';
import { type TapeTrade, TradeTape } from './trade-tape';

export interface StreamSink {
  hasSubscribers(stream: string): boolean;
  publish(stream: string, payload: string): void;
}

export type CandleMode = 'clock' | 'data' | 'manual';

export interface MarketOptions {
  readonly venue: Venue;
  readonly now: () => number;
  readonly sink: StreamSink;
  readonly onVenueEvents: (events: readonly VenueEvent[]) => void;
  readonly mode: CandleMode;
  readonly historyLimit: number;
  /** The book shown: the venue's (a finite one), or a flat display book when its depth is unlimited. */
  readonly book: BookModel;
  /** Trades kept per symbol for trades/historicalTrades/aggTrades. Default 10,000. */
  readonly tapeSize?: number;
  /** Manual mode: how far ahead of the wall clock the first candle opens (see the 'manual' price source). */
  readonly manualLeadMs?: number;
}

interface SymbolMarket {
  readonly spec: VenueSymbol;
  readonly lower: string;
  readonly series: Map<CandleInterval, KlineSeries>;
  readonly tape: TradeTape;
  readonly feed: DepthFeed;
  /** Trade id of the last ticker push (the all-market arrays carry only symbols that changed). */
  tickerSeenId: number;
}

export class Market {
  private readonly symbols = new Map<string, SymbolMarket>();
  /** Time of the latest trade fed in (the replayed data's clock in 'data' mode). */
  private lastTradeTime: number | null = null;
  /** Told of every trade after the spot venue (the futures side: the same price point for the perpetual). */
  tradeListener: ((symbol: string, point: PricePoint) => void) | null = null;
  /** Streams that are never filled when nobody listens: checked before building payloads. */
  constructor(private readonly o: MarketOptions) {
    for (const spec of o.venue.symbols()) {
      const name = spec.filters.symbol;
      const series = new Map<CandleInterval, KlineSeries>();
      for (const i of CANDLE_INTERVALS) series.set(i, new KlineSeries(name, i, o.historyLimit));
      const lower = name.toLowerCase();
      const feed = new DepthFeed(new OrderBookView(spec, o.book), name, lower, o.sink, o.now());
      this.symbols.set(name, {
        spec,
        lower,
        series,
        tape: new TradeTape(o.tapeSize ?? 10_000),
        feed,
        tickerSeenId: -1,
      });
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

  /** A public trade at `price`: matches resting orders, updates klines, publishes trade/aggTrade/book/kline. */
  trade(
    symbol: string,
    price: Dec,
    qty: Dec | null,
    time: number,
    opts: { buyerIsTaker?: boolean; sweep?: boolean } = {},
  ): void {
    const m = this.symbols.get(symbol);
    if (!m) throw new Error(`unknown symbol ${symbol}`);
    if (this.o.mode !== 'manual') this.advanceTo(symbol, time);
    this.lastTradeTime = this.lastTradeTime === null ? time : Math.max(this.lastTradeTime, time);
    // The print takes its id before the fills it causes, so the tape and the streams stay in id order.
    const tradeId = this.o.venue.nextTradeId(symbol);
    const buyerIsTaker = opts.buyerIsTaker ?? true;
    const { baseAssetPrecision: qp, quoteAssetPrecision: pp } = m.spec;
    this.recordTrade(m, {
      id: tradeId,
      price,
      qty: qty ?? '0',
      quoteQty: qty === null ? '0' : d(qty).times(price).toFixed(),
      time,
      isBuyerMaker: !buyerIsTaker,
    });
    const events = this.o.venue.onPrice(symbol, { price, time, qty, sweep: opts.sweep ?? false });
    if (events.length > 0) this.o.onVenueEvents(events);
    this.tradeListener?.(symbol, { price, time, qty, sweep: opts.sweep ?? false });
    for (const [interval, series] of m.series) {
      if (!series.current) series.current = emptyKline(symbol, interval, this.firstOpenTime(interval, time), price);
      addTrade(series.current, price, qty, tradeId, buyerIsTaker);
      const stream = `${m.lower}@kline_${interval}`;
      if (this.o.sink.hasSubscribers(stream)) this.o.sink.publish(stream, klineEvent(series.current, time, pp, qp));
    }
    this.bookChanged(symbol, time);
  }

  /** One of our accounts' fills: a trade on the tape and the trade streams (the book changes with it). */
  recordFill(fill: FillView): void {
    const m = this.symbols.get(fill.symbol);
    if (!m) return;
    this.recordTrade(m, {
      id: fill.tradeId,
      price: fill.price,
      qty: fill.qty,
      quoteQty: fill.quoteQty,
      time: fill.time,
      isBuyerMaker: (fill.side === 'BUY') === fill.isMaker,
    });
  }

  /** The book of `symbol` may have changed (a trade, a fill): new update id, diff, bookTicker. */
  bookChanged(symbol: string, time: number): void {
    const m = this.symbols.get(symbol);
    const last = this.price(symbol);
    if (!m || last === null) return;
    m.feed.update({ reference: last, seq: this.o.venue.bookSeq(symbol) }, time);
  }

  private recordTrade(m: SymbolMarket, t: TapeTrade): void {
    m.tape.add(t);
    const { baseAssetPrecision: qp, quoteAssetPrecision: pp } = m.spec;
    const tradeStream = `${m.lower}@trade`;
    const aggStream = `${m.lower}@aggTrade`;
    const wantTrade = this.o.sink.hasSubscribers(tradeStream);
    const wantAgg = this.o.sink.hasSubscribers(aggStream);
    if (!wantTrade && !wantAgg) return;
    const p = d(t.price).toFixed(pp);
    const q = d(t.qty).toFixed(qp);
    const symbol = m.spec.filters.symbol;
    if (wantTrade)
      this.o.sink.publish(
        tradeStream,
        JSON.stringify({ e: 'trade', E: t.time, s: symbol, t: t.id, p, q, T: t.time, m: t.isBuyerMaker, M: true }),
      );
    if (wantAgg)
      this.o.sink.publish(
        aggStream,
        JSON.stringify({
          e: 'aggTrade',
          E: t.time,
          s: symbol,
          a: t.id,
          p,
          q,
          f: t.id,
          l: t.id,
          T: t.time,
          m: t.isBuyerMaker,
          M: true,
        }),
      );
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
      if (next.closeTime < time)
        next = emptyKline(symbol, series.interval, alignedOpen(time, series.interval), k.close);
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
  closeCandle(
    symbol: string,
    interval: CandleInterval,
    replaceWith?: Omit<Kline, 'symbol' | 'interval' | 'closed'>,
  ): Kline {
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
    if (series.current && series.current.openTime !== openTime && series.current.trades > 0)
      series.pushClosed(series.current);
    series.current = emptyKline(symbol, interval, openTime, price);
  }

  klines(
    symbol: string,
    interval: CandleInterval,
    opts: { startTime?: number; endTime?: number; limit: number },
  ): Kline[] {
    return this.symbols.get(symbol)?.series.get(interval)?.query(opts) ?? [];
  }

  /** The forming candle (for tests and tools). */
  currentKline(symbol: string, interval: CandleInterval): Kline | null {
    return this.symbols.get(symbol)?.series.get(interval)?.current ?? null;
  }

  /** Best bid and ask (padded price and size), null before the first price. */
  bookTop(symbol: string): { bid: Level | null; ask: Level | null } | null {
    const m = this.symbols.get(symbol);
    const state = this.bookState(symbol);
    return m && state ? m.feed.view.best(state) : null;
  }

  /** GET /api/v3/depth: up to `limit` levels a side and the update id the diff stream continues from. */
  depth(symbol: string, limit: number): { lastUpdateId: number; bids: Level[]; asks: Level[] } {
    const m = this.symbols.get(symbol);
    if (!m) return { lastUpdateId: 0, bids: [], asks: [] };
    // The book follows the last price even when it was set without a trade (start prices).
    if (m.feed.current() === null) this.bookChanged(symbol, this.o.now());
    return m.feed.snapshot(limit);
  }

  /** The public trade tape of a symbol (trades, historicalTrades, aggTrades). */
  tape(symbol: string): TradeTape | null {
    return this.symbols.get(symbol)?.tape ?? null;
  }

  /** Rolling 24-hour statistics (REST ticker/24hr and the ticker streams). */
  stats(symbol: string, now: number): Stats24h | null {
    const m = this.symbols.get(symbol);
    if (!m) return null;
    const top = this.bookTop(symbol);
    return stats24h({
      symbol,
      now,
      hours: this.klines(symbol, '1h', { startTime: now - 86_400_000, limit: 25 }),
      last: this.price(symbol),
      lastTrade: m.tape.last(),
      bid: top?.bid ?? null,
      ask: top?.ask ?? null,
      pricePrecision: m.spec.quoteAssetPrecision,
      qtyPrecision: m.spec.baseAssetPrecision,
    });
  }

  /**
   * Interval tick of the streams Binance pushes on a clock: diff and partial depth every 100 ms
   * ('fast') or 1000 ms ('slow'); on the slow tick also @ticker, @miniTicker and the all-market
   * arrays (which carry only the symbols that traded since the last push).
   */
  tick(cadence: Cadence, time: number): void {
    for (const m of this.symbols.values()) m.feed.flush(cadence, time);
    if (cadence !== 'slow') return;
    const sink = this.o.sink;
    const wantArr = sink.hasSubscribers('!ticker@arr');
    const wantMiniArr = sink.hasSubscribers('!miniTicker@arr');
    const arr: unknown[] = [];
    const miniArr: unknown[] = [];
    for (const m of this.symbols.values()) {
      const ticker = `${m.lower}@ticker`;
      const mini = `${m.lower}@miniTicker`;
      const lastId = m.tape.last()?.id ?? -1;
      const changed = lastId !== m.tickerSeenId;
      const wantOne = sink.hasSubscribers(ticker) || sink.hasSubscribers(mini);
      if (!wantOne && !((wantArr || wantMiniArr) && changed)) continue;
      const s = this.stats(m.spec.filters.symbol, time);
      if (!s || this.price(m.spec.filters.symbol) === null) continue;
      if (sink.hasSubscribers(ticker)) sink.publish(ticker, JSON.stringify(tickerEvent(s, time)));
      if (sink.hasSubscribers(mini)) sink.publish(mini, JSON.stringify(miniTickerEvent(s, time)));
      if (changed) {
        if (wantArr) arr.push(tickerEvent(s, time));
        if (wantMiniArr) miniArr.push(miniTickerEvent(s, time));
        m.tickerSeenId = lastId;
      }
    }
    if (arr.length > 0) sink.publish('!ticker@arr', JSON.stringify(arr));
    if (miniArr.length > 0) sink.publish('!miniTicker@arr', JSON.stringify(miniArr));
  }

  private bookState(symbol: string): { reference: Dec; seq: number } | null {
    const last = this.price(symbol);
    return last === null ? null : { reference: last, seq: this.o.venue.bookSeq(symbol) };
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
    const lead = this.o.mode === 'manual' ? (this.o.manualLeadMs ?? 0) : 0;
    return alignedOpen(time + lead, interval);
  }

  private close(m: SymbolMarket, series: KlineSeries, eventTime: number): void {
    const k = series.current;
    if (!k) return;
    series.pushClosed(k);
    const stream = `${m.lower}@kline_${series.interval}`;
    if (this.o.sink.hasSubscribers(stream))
      this.o.sink.publish(stream, klineEvent(k, eventTime, m.spec.quoteAssetPrecision, m.spec.baseAssetPrecision));
  }
}
