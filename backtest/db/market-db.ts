/**
 * The market-data database (SQLite through better-sqlite3): what `npm run record` streams and
 * `npm run download` fetches, and what `npm run backtest -- --db` and `npm run optimize -- --db`
 * read. Seed 004's streamer saves "price, orderbook, klines" to an SQL .db for backtests; this is
 * that database.
 *
 * Rows are keyed the way Binance identifies them, so nothing is ever stored twice however often it
 * is received (a stream and a REST backfill overlapping, a restart replaying):
 *   klines      (symbol, interval, open_time)   — a later copy of the same candle replaces it
 *   trades      (symbol, id)                    — `<sym>@trade` / GET /api/v3/historicalTrades
 *   agg_trades  (symbol, id)                    — `<sym>@aggTrade` / GET /api/v3/aggTrades
 *   depth       (symbol, time)                  — order-book snapshots (bids/asks as JSON text)
 *   gaps        what could not be backfilled (e.g. trades from a server without a trades endpoint)
 * Prices and quantities stay the exchange's decimal strings. WAL mode: a reader (a backtest) never
 * blocks the recorder, and a crash loses at most the transaction being written.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RecordedBook } from '../../core/analysis/book-replay';
import type { CandleInterval } from '../../core/market';

export const SCHEMA_VERSION = 1;

export interface KlineRow {
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly openTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly closeTime: number;
  readonly quoteVolume: string;
  readonly trades: number;
  readonly takerBuyBase: string;
  readonly takerBuyQuote: string;
}

export interface TradeRow {
  readonly symbol: string;
  readonly id: number;
  readonly price: string;
  readonly qty: string;
  readonly time: number;
  readonly buyerIsMaker: boolean;
  /** Aggregate trades: the first and last trade ids they cover. */
  readonly firstId?: number;
  readonly lastId?: number;
}

export interface GapRow {
  readonly kind: 'klines' | 'trades' | 'aggTrades' | 'depth';
  readonly symbol: string;
  readonly detail: string;
  /** Ids (trades) or ms (klines, depth) missing, inclusive. */
  readonly from: number;
  readonly to: number;
  readonly reason: string;
  readonly at: number;
}

export type Source = 'stream' | 'rest' | 'download';

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS klines (
  symbol TEXT NOT NULL, interval TEXT NOT NULL, open_time INTEGER NOT NULL,
  open TEXT NOT NULL, high TEXT NOT NULL, low TEXT NOT NULL, close TEXT NOT NULL, volume TEXT NOT NULL,
  close_time INTEGER NOT NULL, quote_volume TEXT NOT NULL, trades INTEGER NOT NULL,
  taker_buy_base TEXT NOT NULL, taker_buy_quote TEXT NOT NULL, source TEXT NOT NULL,
  PRIMARY KEY (symbol, interval, open_time)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trades (
  symbol TEXT NOT NULL, id INTEGER NOT NULL, price TEXT NOT NULL, qty TEXT NOT NULL, time INTEGER NOT NULL,
  buyer_is_maker INTEGER NOT NULL, source TEXT NOT NULL, PRIMARY KEY (symbol, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agg_trades (
  symbol TEXT NOT NULL, id INTEGER NOT NULL, price TEXT NOT NULL, qty TEXT NOT NULL, first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL, time INTEGER NOT NULL, buyer_is_maker INTEGER NOT NULL, source TEXT NOT NULL,
  PRIMARY KEY (symbol, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS depth (
  symbol TEXT NOT NULL, time INTEGER NOT NULL, last_update_id INTEGER, bids TEXT NOT NULL, asks TEXT NOT NULL,
  source TEXT NOT NULL, PRIMARY KEY (symbol, time)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gaps (
  kind TEXT NOT NULL, symbol TEXT NOT NULL, detail TEXT NOT NULL, from_key INTEGER NOT NULL, to_key INTEGER NOT NULL,
  reason TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (kind, symbol, detail, from_key)) WITHOUT ROWID;
`;

export class MarketDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarketDbError';
  }
}

export class MarketDb {
  readonly db: Database.Database;
  private readonly putKline: Database.Statement;
  private readonly putTrade: Database.Statement;
  private readonly putAggTrade: Database.Statement;
  private readonly putDepth: Database.Statement;
  private readonly putGap: Database.Statement;

  constructor(
    readonly file: string,
    options: { readonly readonly?: boolean } = {},
  ) {
    if (!options.readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    try {
      this.db = new Database(file, options.readonly ? { readonly: true, fileMustExist: true } : {});
    } catch (err) {
      throw new MarketDbError(`${file}: cannot open the market database (${(err as Error).message})`);
    }
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(DDL);
      const v = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined;
      if (v && Number(v.value) !== SCHEMA_VERSION)
        throw new MarketDbError(`${file}: schema version ${v.value}, this code reads ${SCHEMA_VERSION}`);
      this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA_VERSION));
    } else {
      const t = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'klines'").get();
      if (!t)
        throw new MarketDbError(
          `${file}: not a market database (no klines table; write one with npm run record or npm run download -- --db)`,
        );
    }
    const ro = options.readonly === true;
    const noop = this.db.prepare('SELECT 1');
    this.putKline = ro
      ? noop
      : this.db
          .prepare(`INSERT INTO klines VALUES (@symbol, @interval, @openTime, @open, @high, @low, @close, @volume, @closeTime, @quoteVolume, @trades, @takerBuyBase, @takerBuyQuote, @source)
        ON CONFLICT (symbol, interval, open_time) DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
        volume = excluded.volume, close_time = excluded.close_time, quote_volume = excluded.quote_volume, trades = excluded.trades,
        taker_buy_base = excluded.taker_buy_base, taker_buy_quote = excluded.taker_buy_quote`);
    this.putTrade = ro
      ? noop
      : this.db.prepare(
          'INSERT OR IGNORE INTO trades VALUES (@symbol, @id, @price, @qty, @time, @buyerIsMaker, @source)',
        );
    this.putAggTrade = ro
      ? noop
      : this.db.prepare(
          'INSERT OR IGNORE INTO agg_trades VALUES (@symbol, @id, @price, @qty, @firstId, @lastId, @time, @buyerIsMaker, @source)',
        );
    this.putDepth = ro
      ? noop
      : this.db.prepare('INSERT OR IGNORE INTO depth VALUES (@symbol, @time, @lastUpdateId, @bids, @asks, @source)');
    this.putGap = ro
      ? noop
      : this.db.prepare('INSERT OR REPLACE INTO gaps VALUES (@kind, @symbol, @detail, @from, @to, @reason, @at)');
  }

  /** Insert or replace candles (same open time: the newer copy wins); returns how many were new. */
  upsertKlines(rows: readonly KlineRow[], source: Source): number {
    if (rows.length === 0) return 0;
    const tx = this.db.transaction((list: readonly KlineRow[]) => {
      const first = list[0]!;
      const before = this.countKlines(first.symbol, first.interval);
      for (const r of list) this.putKline.run({ ...r, source });
      return this.countKlines(first.symbol, first.interval) - before;
    });
    return tx(rows);
  }

  /** Insert trades not yet stored; returns how many were new. */
  insertTrades(rows: readonly TradeRow[], source: Source, aggregate = false): number {
    if (rows.length === 0) return 0;
    const stmt = aggregate ? this.putAggTrade : this.putTrade;
    const tx = this.db.transaction((list: readonly TradeRow[]) => {
      let n = 0;
      for (const r of list)
        n += stmt.run({
          symbol: r.symbol,
          id: r.id,
          price: r.price,
          qty: r.qty,
          time: r.time,
          buyerIsMaker: r.buyerIsMaker ? 1 : 0,
          firstId: r.firstId ?? r.id,
          lastId: r.lastId ?? r.id,
          source,
        }).changes;
      return n;
    });
    return tx(rows);
  }

  insertDepth(book: RecordedBook, source: Source): boolean {
    return (
      this.putDepth.run({
        symbol: book.symbol,
        time: book.time,
        lastUpdateId: book.lastUpdateId ?? null,
        bids: JSON.stringify(book.bids),
        asks: JSON.stringify(book.asks),
        source,
      }).changes > 0
    );
  }

  recordGap(g: GapRow): void {
    this.putGap.run(g);
  }

  countKlines(symbol: string, interval: string): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM klines WHERE symbol = ? AND interval = ?').get(symbol, interval) as {
        n: number;
      }
    ).n;
  }

  /** Open time of the latest stored candle, or null. */
  lastKlineOpen(symbol: string, interval: string): number | null {
    const r = this.db
      .prepare('SELECT max(open_time) AS t FROM klines WHERE symbol = ? AND interval = ?')
      .get(symbol, interval) as { t: number | null };
    return r.t;
  }

  lastTradeId(symbol: string, aggregate = false): number | null {
    const r = this.db
      .prepare(`SELECT max(id) AS id FROM ${aggregate ? 'agg_trades' : 'trades'} WHERE symbol = ?`)
      .get(symbol) as { id: number | null };
    return r.id;
  }

  /** Candles in [from, to) of open time, in time order. */
  klines(symbol: string, interval: string, from = 0, to = Number.MAX_SAFE_INTEGER): KlineRow[] {
    const rows = this.db
      .prepare(
        'SELECT * FROM klines WHERE symbol = ? AND interval = ? AND open_time >= ? AND open_time < ? ORDER BY open_time',
      )
      .all(symbol, interval, from, to) as Array<Record<string, string | number>>;
    return rows.map((r) => ({
      symbol: String(r.symbol),
      interval: r.interval as CandleInterval,
      openTime: Number(r.open_time),
      open: String(r.open),
      high: String(r.high),
      low: String(r.low),
      close: String(r.close),
      volume: String(r.volume),
      closeTime: Number(r.close_time),
      quoteVolume: String(r.quote_volume),
      trades: Number(r.trades),
      takerBuyBase: String(r.taker_buy_base),
      takerBuyQuote: String(r.taker_buy_quote),
    }));
  }

  trades(symbol: string, aggregate = false): TradeRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM ${aggregate ? 'agg_trades' : 'trades'} WHERE symbol = ? ORDER BY id`)
      .all(symbol) as Array<Record<string, string | number>>;
    return rows.map((r) => ({
      symbol: String(r.symbol),
      id: Number(r.id),
      price: String(r.price),
      qty: String(r.qty),
      time: Number(r.time),
      buyerIsMaker: Number(r.buyer_is_maker) === 1,
      ...(aggregate ? { firstId: Number(r.first_id), lastId: Number(r.last_id) } : {}),
    }));
  }

  /** Depth snapshots in time order (every symbol unless one is given), as the backtester replays them. */
  depth(symbol?: string, from = 0, to = Number.MAX_SAFE_INTEGER): RecordedBook[] {
    const rows = (
      symbol
        ? this.db
            .prepare('SELECT * FROM depth WHERE symbol = ? AND time >= ? AND time < ? ORDER BY time')
            .all(symbol, from, to)
        : this.db.prepare('SELECT * FROM depth WHERE time >= ? AND time < ? ORDER BY time, symbol').all(from, to)
    ) as Array<Record<string, string | number | null>>;
    return rows.map((r) => ({
      symbol: String(r.symbol),
      time: Number(r.time),
      ...(r.last_update_id !== null ? { lastUpdateId: Number(r.last_update_id) } : {}),
      bids: JSON.parse(String(r.bids)) as Array<[string, string]>,
      asks: JSON.parse(String(r.asks)) as Array<[string, string]>,
    }));
  }

  gaps(): GapRow[] {
    const rows = this.db.prepare('SELECT * FROM gaps ORDER BY at').all() as Array<Record<string, string | number>>;
    return rows.map((r) => ({
      kind: r.kind as GapRow['kind'],
      symbol: String(r.symbol),
      detail: String(r.detail),
      from: Number(r.from_key),
      to: Number(r.to_key),
      reason: String(r.reason),
      at: Number(r.at),
    }));
  }

  /** What the database holds, per series (for `npm run record -- --status` and messages). */
  summary(): Array<{
    table: string;
    symbol: string;
    detail: string;
    rows: number;
    from: number | null;
    to: number | null;
  }> {
    const k = this.db
      .prepare(
        'SELECT symbol, interval AS detail, count(*) AS n, min(open_time) AS a, max(open_time) AS b FROM klines GROUP BY symbol, interval',
      )
      .all() as Array<Record<string, string | number>>;
    const t = this.db
      .prepare("SELECT symbol, '' AS detail, count(*) AS n, min(id) AS a, max(id) AS b FROM trades GROUP BY symbol")
      .all() as Array<Record<string, string | number>>;
    const a = this.db
      .prepare("SELECT symbol, '' AS detail, count(*) AS n, min(id) AS a, max(id) AS b FROM agg_trades GROUP BY symbol")
      .all() as Array<Record<string, string | number>>;
    const d = this.db
      .prepare("SELECT symbol, '' AS detail, count(*) AS n, min(time) AS a, max(time) AS b FROM depth GROUP BY symbol")
      .all() as Array<Record<string, string | number>>;
    const row = (table: string) => (r: Record<string, string | number>) => ({
      table,
      symbol: String(r.symbol),
      detail: String(r.detail),
      rows: Number(r.n),
      from: r.a === null ? null : Number(r.a),
      to: r.b === null ? null : Number(r.b),
    });
    return [...k.map(row('klines')), ...t.map(row('trades')), ...a.map(row('agg_trades')), ...d.map(row('depth'))];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** True when the file starts with SQLite's header (a database, not a JSON Lines recording). */
export function isSqliteFile(head: Buffer): boolean {
  return head.subarray(0, 16).toString('latin1') === 'SQLite format 3\u0000';
}
