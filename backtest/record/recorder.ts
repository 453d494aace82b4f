/**
 * The market-data recorder (seed 004's streamer): one combined WebSocket stream per process
 * (`/stream?streams=<sym>@kline_<i>/<sym>@trade/<sym>@depth<n>@100ms/...`) written to the market
 * database, with REST filling every hole the stream leaves:
 *
 * - Klines: stored when final (`k.x`). On every (re)connect, and whenever a final candle arrives
 *   more than one interval after the last stored one, the missing candles are fetched from
 *   `GET /api/v3/klines` (closed ones only) — so a cut, a dropped message or a restart leaves no
 *   hole. Keyed on open time: a candle received twice is stored once.
 * - Trades (`--trades`: `<sym>@trade`, ids consecutive; `--agg-trades`: `<sym>@aggTrade`): a jump
 *   in ids, or the ids since the last stored one on (re)connect, are fetched from
 *   `GET /api/v3/historicalTrades` / `GET /api/v3/aggTrades` (public, `fromId` inclusive, 1000 a
 *   page); ids the server cannot give (older than the history it keeps, or no such endpoint) are
 *   written to the `gaps` table instead (and said in the log).
 * - Depth (`--depth n`): a snapshot every `--depth-every` ms, from the partial-depth stream for
 *   n ≤ 20 levels, else (or while the stream is down) from `GET /api/v3/depth?limit=n`. A book
 *   cannot be fetched for the past: a sample missed is missed.
 *
 * Reconnects with capped exponential backoff; a connection silent (no message, no ping) for
 * `staleMs` is dropped and reopened. A restart resumes from what the database holds.
 */
import WebSocket from 'ws';
import { type CandleInterval, intervalMs } from '../../core/market';
import type { KlineRow, MarketDb, TradeRow } from '../db/market-db';
import { type PublicRest, UnsupportedEndpoint } from './rest';
import { wsText } from '../../infra/ws-text';

export interface RecorderOptions {
  /** Stream base: wss://stream.binance.com:9443 (with or without a trailing /ws). */
  readonly wsBase: string;
  readonly symbols: readonly string[];
  readonly intervals: readonly CandleInterval[];
  readonly trades?: 'raw' | 'agg' | null;
  /** Depth levels per side (null: no depth). */
  readonly depth?: number | null;
  readonly depthEveryMs?: number;
  /** Backfill klines from this time when the database has none for a series. */
  readonly from?: number;
  readonly staleMs?: number;
  readonly maxBackoffMs?: number;
  readonly log?: (message: string) => void;
}

export interface RecorderStats {
  connects: number;
  klines: number;
  klinesBackfilled: number;
  trades: number;
  tradesBackfilled: number;
  depth: number;
  gaps: number;
}

type Book = { lastUpdateId: number; bids: Array<[string, string]>; asks: Array<[string, string]>; at: number };

export function combinedStreamUrl(wsBase: string, streams: readonly string[]): string {
  const base = wsBase.replace(/\/+$/, '').replace(/\/(ws|stream)$/, '');
  return `${base}/stream?streams=${streams.join('/')}`;
}

export class Recorder {
  readonly stats: RecorderStats = {
    connects: 0,
    klines: 0,
    klinesBackfilled: 0,
    trades: 0,
    tradesBackfilled: 0,
    depth: 0,
    gaps: 0,
  };
  private ws: WebSocket | null = null;
  private stopped = false;
  private backoff = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private staleTimer: NodeJS.Timeout | null = null;
  private depthTimer: NodeJS.Timeout | null = null;
  private lastSeen = 0;
  private clockOffset = 0;
  private readonly books = new Map<string, Book>();
  /** Open time of the last stored candle per `symbol interval`. */
  private readonly lastKline = new Map<string, number | null>();
  private readonly lastTrade = new Map<string, number | null>();
  /** One backfill at a time per series, in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly unsupportedSaid = new Set<string>();
  private connected: (() => void) | null = null;

  constructor(
    private readonly o: RecorderOptions,
    private readonly db: MarketDb,
    private readonly rest: PublicRest,
  ) {
    for (const s of o.symbols) {
      for (const i of o.intervals) this.lastKline.set(`${s} ${i}`, db.lastKlineOpen(s, i));
      if (o.trades) this.lastTrade.set(s, db.lastTradeId(s, o.trades === 'agg'));
    }
  }

  get streams(): string[] {
    const out: string[] = [];
    for (const s of this.o.symbols) {
      const l = s.toLowerCase();
      for (const i of this.o.intervals) out.push(`${l}@kline_${i}`);
      if (this.o.trades === 'raw') out.push(`${l}@trade`);
      if (this.o.trades === 'agg') out.push(`${l}@aggTrade`);
      if (this.o.depth && this.o.depth <= 20)
        out.push(`${l}@depth${this.o.depth <= 5 ? 5 : this.o.depth <= 10 ? 10 : 20}@100ms`);
    }
    return out;
  }

  private log(m: string): void {
    this.o.log?.(m);
  }

  private now(): number {
    return Date.now() + this.clockOffset;
  }

  /** Start streaming; resolves once the first connection is open. */
  async start(): Promise<void> {
    try {
      this.clockOffset = (await this.rest.serverTime()) - Date.now();
    } catch (err) {
      this.log(`server time unknown (${(err as Error).message}): using the local clock`);
    }
    const opened = new Promise<void>((resolve) => (this.connected = resolve));
    this.connect();
    if (this.o.depth) {
      this.depthTimer = setInterval(() => void this.sampleDepth(), this.o.depthEveryMs ?? 10_000);
    }
    await opened;
  }

  private connect(): void {
    if (this.stopped) return;
    const url = combinedStreamUrl(this.o.wsBase, this.streams);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.on('open', () => {
      this.stats.connects++;
      this.backoff = 0;
      this.lastSeen = Date.now();
      this.log(
        `stream open (${this.streams.length} streams)${this.stats.connects > 1 ? `, reconnect #${this.stats.connects - 1}` : ''}`,
      );
      this.connected?.();
      this.connected = null;
      this.watchStaleness();
      // Whatever happened while we were away (or before this process started) comes from REST.
      // Fire and forget: each queue's chain logs its own failures and never rejects.
      for (const s of this.o.symbols) {
        for (const i of this.o.intervals) void this.queue(`k ${s} ${i}`, () => this.backfillKlines(s, i, null));
        if (this.o.trades) void this.queue(`t ${s}`, () => this.backfillTrades(s, null));
      }
    });
    ws.on('message', (data) => {
      this.lastSeen = Date.now();
      this.onMessage(wsText(data));
    });
    ws.on('ping', () => (this.lastSeen = Date.now()));
    ws.on('error', (err) => this.log(`stream error: ${err.message}`));
    ws.on('close', () => {
      if (this.ws === ws) this.ws = null;
      if (this.staleTimer) clearInterval(this.staleTimer);
      if (this.stopped) return;
      const delay = Math.min(this.o.maxBackoffMs ?? 30_000, 250 * 2 ** this.backoff) * (0.75 + Math.random() * 0.5);
      this.backoff = Math.min(this.backoff + 1, 10);
      this.log(`stream closed; reconnecting in ${Math.round(delay)} ms`);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private watchStaleness(): void {
    if (this.staleTimer) clearInterval(this.staleTimer);
    const staleMs = this.o.staleMs ?? 75_000;
    this.staleTimer = setInterval(
      () => {
        if (Date.now() - this.lastSeen > staleMs) {
          this.log(`stream silent for ${staleMs} ms: reconnecting`);
          this.ws?.terminate();
        }
      },
      Math.min(5_000, staleMs / 3),
    );
  }

  private queue(key: string, job: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve())
      .then(job)
      .catch((err: unknown) => this.log(`${key}: ${(err as Error).message}`));
    this.chains.set(key, next);
    return next;
  }

  private onMessage(text: string): void {
    let msg: { stream?: string; data?: Record<string, unknown> };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    const data = msg.data;
    const stream = msg.stream ?? '';
    if (!data || typeof data !== 'object') return;
    if (data.e === 'kline') this.onKline(data);
    else if (data.e === 'trade' || data.e === 'aggTrade') this.onTrade(data);
    else if (stream.includes('@depth') && Array.isArray(data.bids)) {
      const symbol = stream.split('@')[0]!.toUpperCase();
      this.books.set(symbol, {
        lastUpdateId: Number(data.lastUpdateId),
        bids: data.bids as Array<[string, string]>,
        asks: data.asks as Array<[string, string]>,
        at: Date.now(),
      });
    }
  }

  private onKline(data: Record<string, unknown>): void {
    const k = data.k as Record<string, unknown>;
    if (!k || k.x !== true) return;
    const symbol = String(k.s ?? data.s);
    const interval = String(k.i) as CandleInterval;
    const row: KlineRow = {
      symbol,
      interval,
      openTime: Number(k.t),
      open: String(k.o),
      high: String(k.h),
      low: String(k.l),
      close: String(k.c),
      volume: String(k.v),
      closeTime: Number(k.T),
      quoteVolume: String(k.q),
      trades: Number(k.n),
      takerBuyBase: String(k.V),
      takerBuyQuote: String(k.Q),
    };
    const key = `${symbol} ${interval}`;
    // In order behind any backfill of the series: the hole before this candle is filled first.
    void this.queue(`k ${key}`, async () => {
      const last = this.lastKline.get(key) ?? null;
      if (last !== null && row.openTime > last + intervalMs(interval))
        await this.backfillKlines(symbol, interval, row.openTime);
      this.stats.klines += this.db.upsertKlines([row], 'stream');
      this.lastKline.set(key, Math.max(this.lastKline.get(key) ?? row.openTime, row.openTime));
    });
  }

  /** Fetch the closed candles after the last stored one (up to `before`, exclusive). */
  private async backfillKlines(symbol: string, interval: CandleInterval, before: number | null): Promise<void> {
    const key = `${symbol} ${interval}`;
    const step = intervalMs(interval);
    const last = this.lastKline.get(key) ?? null;
    let start = last !== null ? last + step : this.o.from;
    if (start === undefined) return;
    const serverNow = this.now();
    for (let page = 0; page < 10_000; page++) {
      const rows = await this.rest.klines(symbol, interval, start, 1000, before !== null ? before - 1 : undefined);
      // Closed: before a candle the stream gave as final, followed by another candle, or ended by the server's clock.
      const closed = rows.filter(
        (r, i) =>
          r.openTime >= start! &&
          (before !== null ? r.openTime < before : i < rows.length - 1 || r.closeTime < serverNow),
      );
      if (closed.length > 0) {
        const added = this.db.upsertKlines(closed, 'rest');
        this.stats.klinesBackfilled += added;
        const lastOpen = closed[closed.length - 1]!.openTime;
        this.lastKline.set(key, Math.max(this.lastKline.get(key) ?? lastOpen, lastOpen));
        if (added > 0) this.log(`${key}: ${added} candle(s) backfilled from REST`);
        start = lastOpen + step;
      }
      if (rows.length < 1000 || closed.length === 0) break;
    }
    if (before !== null && (this.lastKline.get(key) ?? -1) < before - step) {
      const from = (this.lastKline.get(key) ?? before - step) + step;
      this.db.recordGap({
        kind: 'klines',
        symbol,
        detail: interval,
        from,
        to: before - 1,
        reason: 'the server returned no candles for this period',
        at: Date.now(),
      });
      this.stats.gaps++;
    }
  }

  private onTrade(data: Record<string, unknown>): void {
    const agg = data.e === 'aggTrade';
    const row: TradeRow = agg
      ? {
          symbol: String(data.s),
          id: Number(data.a),
          price: String(data.p),
          qty: String(data.q),
          time: Number(data.T),
          buyerIsMaker: data.m === true,
          firstId: Number(data.f),
          lastId: Number(data.l),
        }
      : {
          symbol: String(data.s),
          id: Number(data.t),
          price: String(data.p),
          qty: String(data.q),
          time: Number(data.T),
          buyerIsMaker: data.m === true,
        };
    void this.queue(`t ${row.symbol}`, async () => {
      const last = this.lastTrade.get(row.symbol) ?? null;
      if (last !== null && row.id > last + 1) await this.backfillTrades(row.symbol, row.id);
      this.stats.trades += this.db.insertTrades([row], 'stream', agg);
      this.lastTrade.set(row.symbol, Math.max(this.lastTrade.get(row.symbol) ?? row.id, row.id));
    });
  }

  /**
   * Fetch the trades after the last stored id (up to `before`, exclusive; null: up to now) with
   * `fromId` (inclusive on Binance). Ids REST cannot give — the server keeps a bounded history, or
   * has no such endpoint — are written to the gaps table, never skipped silently.
   */
  private async backfillTrades(symbol: string, before: number | null): Promise<void> {
    const last = this.lastTrade.get(symbol) ?? null;
    if (last === null) return; // nothing stored yet: start with the stream
    const agg = this.o.trades === 'agg';
    const endpoint = agg ? 'GET /api/v3/aggTrades' : 'GET /api/v3/historicalTrades';
    const gap = (from: number, to: number, reason: string) => {
      this.db.recordGap({ kind: agg ? 'aggTrades' : 'trades', symbol, detail: '', from, to, reason, at: Date.now() });
      this.stats.gaps++;
      this.log(`${symbol} trades ${from}..${to} missing: ${reason}`);
    };
    let from = last + 1;
    let why = `${endpoint} did not return these ids`;
    try {
      for (let page = 0; page < 10_000 && (before === null || from < before); page++) {
        const rows = (agg ? await this.rest.aggTrades(symbol, from) : await this.rest.trades(symbol, from)).filter(
          (r) => r.id >= from && (before === null || r.id < before),
        );
        if (rows.length === 0) break;
        // Ids are consecutive: any step over one is trades the server no longer has (or skipped).
        let expected = from;
        for (const r of rows) {
          if (r.id > expected)
            gap(
              expected,
              r.id - 1,
              expected === from
                ? `${endpoint} no longer has these ids (its answer from ${from} began at ${r.id})`
                : `${endpoint} skipped these ids`,
            );
          expected = r.id + 1;
        }
        this.stats.tradesBackfilled += this.db.insertTrades(rows, 'rest', agg);
        from = rows[rows.length - 1]!.id + 1;
        this.lastTrade.set(symbol, Math.max(this.lastTrade.get(symbol) ?? from - 1, from - 1));
      }
    } catch (err) {
      if (!(err instanceof UnsupportedEndpoint)) throw err;
      why = `${err.message}`;
      if (!this.unsupportedSaid.has(err.endpoint)) {
        this.unsupportedSaid.add(err.endpoint);
        this.log(`${err.message}: trade gaps are written to the gaps table, not filled`);
      }
    }
    if (before !== null && from < before) gap(from, before - 1, why);
  }

  private async sampleDepth(): Promise<void> {
    const levels = this.o.depth!;
    const every = this.o.depthEveryMs ?? 10_000;
    for (const symbol of this.o.symbols) {
      let book = this.books.get(symbol);
      const fresh =
        book &&
        this.ws?.readyState === WebSocket.OPEN &&
        Date.now() - book.at < Math.max(2 * every, 5_000) &&
        levels <= 20;
      try {
        if (!fresh) {
          const d = await this.rest.depth(symbol, levels);
          book = { lastUpdateId: d.lastUpdateId, bids: d.bids, asks: d.asks, at: Date.now() };
        }
      } catch (err) {
        this.log(`${symbol} depth: ${(err as Error).message}`);
        continue;
      }
      if (!book || book.bids.length === 0 || book.asks.length === 0) continue;
      if (
        this.db.insertDepth(
          {
            symbol,
            time: this.now(),
            lastUpdateId: book.lastUpdateId,
            bids: book.bids.slice(0, levels),
            asks: book.asks.slice(0, levels),
          },
          fresh ? 'stream' : 'rest',
        )
      )
        this.stats.depth++;
    }
  }

  /** Wait until the backfills and writes queued so far are done. */
  async settled(): Promise<void> {
    let pending = [...this.chains.values()];
    while (pending.length > 0) {
      await Promise.all(pending);
      const now = [...this.chains.values()];
      pending = now.filter((p) => !pending.includes(p));
    }
  }

  isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.staleTimer) clearInterval(this.staleTimer);
    if (this.depthTimer) clearInterval(this.depthTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((r) => ws.once('close', () => r()));
      ws.terminate();
      await closed;
    }
    await this.settled();
  }
}
