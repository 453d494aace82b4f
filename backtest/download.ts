/**
 * `npm run download -- --symbol BTCUSDT --interval 1m --from 2024-01-01 [--to 2024-02-01] --out data/BTCUSDT-1m-2024-01.csv`
 *
 * Downloads klines over Binance's public REST API (`GET /api/v3/klines`, no key needed) with
 * binance-api-node's `candles()`, 1,000 per request, paging on the open time, and writes them as
 * the CSV seed 001 produces (header `open_time,open,...,ignore`) or, for a `.json` file, as the
 * REST answer's array of rows. The candle still forming at the end is left out. `--base-url`
 * points it at another Binance-compatible server (the spot testnet, the paper exchange).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Binance from 'binance-api-node';
import { CANDLE_INTERVALS, type CandleInterval, SYMBOL_PATTERN, intervalMs } from '../core/market';
import { parseTime } from './cli-options';
import { type KlineRow, MarketDb } from './db/market-db';

/** One kline as binance-api-node's `candles()` returns it. */
export interface RestCandle {
  readonly openTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly closeTime: number;
  readonly quoteVolume: string;
  readonly trades: number;
  /** Taker buy base volume (binance-api-node's naming). */
  readonly baseAssetVolume: string;
  /** Taker buy quote volume. */
  readonly quoteAssetVolume: string;
}

/** The part of a binance-api-node client the download uses. */
export interface KlineSource {
  candles(payload: {
    symbol: string;
    interval: string;
    startTime?: number;
    endTime?: number;
    limit?: number;
  }): Promise<RestCandle[]>;
  time?(): Promise<number>;
}

export interface DownloadOptions {
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly startTime: number;
  /** Inclusive; default: now (the server's time when it tells it). */
  readonly endTime?: number;
  /** Candles per request, at most 1,000 (Binance's maximum). */
  readonly pageSize?: number;
  /** Attempts per page on network errors and 5xx/429 answers. */
  readonly attempts?: number;
  readonly onPage?: (got: number, lastOpenTime: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Transient: network errors (string codes), Binance's "unknown" codes, rate limits. */
function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string };
  if (typeof e.code === 'string') return true;
  if (typeof e.code === 'number') return [-1000, -1001, -1003, -1006, -1007, -1008].includes(e.code);
  return /^(5\d\d|429|418)\b/.test(e.message ?? '');
}

/** Fetch every closed kline of [startTime, endTime], page after page. */
export async function downloadKlines(source: KlineSource, o: DownloadOptions): Promise<RestCandle[]> {
  const step = intervalMs(o.interval);
  const pageSize = Math.min(1000, Math.max(1, o.pageSize ?? 1000));
  const attempts = o.attempts ?? 4;
  const sleep = o.sleep ?? realSleep;
  const serverNow = source.time ? await source.time() : Date.now();
  const endTime = Math.min(o.endTime ?? serverNow, serverNow);
  const out: RestCandle[] = [];
  let start = o.startTime;
  // Bounded: one page per pageSize candles of the range, plus slack for gaps in the data.
  const maxPages = Math.ceil((endTime - o.startTime + 1) / (step * pageSize)) + 10;
  for (let page = 0; page < maxPages && start <= endTime; page++) {
    let rows: RestCandle[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        rows = await source.candles({
          symbol: o.symbol,
          interval: o.interval,
          startTime: start,
          endTime,
          limit: pageSize,
        });
        break;
      } catch (err) {
        if (attempt >= attempts || !isTransient(err)) throw err;
        await sleep(500 * 2 ** (attempt - 1));
      }
    }
    const fresh = rows.filter((r) => r.openTime >= start && r.openTime <= endTime);
    if (fresh.length === 0) break;
    for (const r of fresh) if (out.length === 0 || r.openTime > out[out.length - 1]!.openTime) out.push(r);
    const last = out[out.length - 1]!;
    o.onPage?.(out.length, last.openTime);
    start = last.openTime + step;
    if (rows.length < pageSize) break;
  }
  // The last candle may still be forming: keep closed candles only.
  while (out.length > 0 && out[out.length - 1]!.closeTime >= serverNow) out.pop();
  return out;
}

/** Seed 001's CSV: pandas' to_csv of the klines with their column names. */
export function toCsv(rows: readonly RestCandle[]): string {
  const header = 'open_time,open,high,low,close,volume,close_time,qav,num_trades,taker_base_vol,taker_quote_vol,ignore';
  const lines = rows.map((r) =>
    [
      r.openTime,
      r.open,
      r.high,
      r.low,
      r.close,
      r.volume,
      r.closeTime,
      r.quoteVolume,
      r.trades,
      r.baseAssetVolume,
      r.quoteAssetVolume,
      '0',
    ].join(','),
  );
  return `${header}\n${lines.join('\n')}\n`;
}

/** The REST answer's shape: an array of 12-element rows. */
export function toJson(rows: readonly RestCandle[]): string {
  return `${JSON.stringify(rows.map((r) => [r.openTime, r.open, r.high, r.low, r.close, r.volume, r.closeTime, r.quoteVolume, r.trades, r.baseAssetVolume, r.quoteAssetVolume, '0']))}\n`;
}

/** Write through a temporary file and a rename, so a crash never leaves half a file. */
export function writeAtomically(file: string, content: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

const USAGE = `usage: npm run download -- --symbol BTCUSDT --interval 1m --from 2024-01-01 [--to 2024-02-01] --out <file.csv|file.json>
       npm run download -- ... --db <market.db>     (into the market database npm run record writes; rows keyed on open time)
  [--base-url https://api.binance.com] [--page-size 1000]`;

/** binance-api-node's candle as a market-database row. */
export function toKlineRow(symbol: string, interval: CandleInterval, r: RestCandle): KlineRow {
  return {
    symbol,
    interval,
    openTime: r.openTime,
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    closeTime: r.closeTime,
    quoteVolume: r.quoteVolume,
    trades: r.trades,
    takerBuyBase: r.baseAssetVolume,
    takerBuyQuote: r.quoteAssetVolume,
  };
}

export async function main(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: [...argv],
      options: {
        symbol: { type: 'string' },
        interval: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        db: { type: 'string' },
        'base-url': { type: 'string' },
        'page-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (v.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  try {
    if (!v.symbol || !SYMBOL_PATTERN.test(v.symbol))
      throw new Error('--symbol: a Binance spot symbol in capitals, such as BTCUSDT');
    if (!v.interval || !(CANDLE_INTERVALS as readonly string[]).includes(v.interval))
      throw new Error(`--interval: one of ${CANDLE_INTERVALS.join(', ')}`);
    if (!v.from) throw new Error('--from is required');
    if (!v.out && !v.db) throw new Error('--out (.csv or .json) or --db (market database) is required');
    if (v.out && v.db) throw new Error('give --out or --db, not both');
    const client = Binance(
      v['base-url'] ? { httpBase: v['base-url'].replace(/\/$/, '') } : {},
    ) as unknown as KlineSource;
    const started = Date.now();
    const rows = await downloadKlines(client, {
      symbol: v.symbol,
      interval: v.interval as CandleInterval,
      startTime: parseTime(v.from, '--from'),
      ...(v.to ? { endTime: parseTime(v.to, '--to') - 1 } : {}),
      ...(v['page-size'] ? { pageSize: Number(v['page-size']) } : {}),
      onPage: (got, last) =>
        io.err(`\r${got.toLocaleString('en-US')} candles, up to ${new Date(last).toISOString().slice(0, 16)}`),
    });
    io.err('\n');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (v.db) {
      const db = new MarketDb(v.db);
      try {
        const added = db.upsertKlines(
          rows.map((r) => toKlineRow(v.symbol!, v.interval as CandleInterval, r)),
          'download',
        );
        io.out(
          `${rows.length} candles of ${v.symbol} ${v.interval} written to ${v.db} (${added} new, ${rows.length - added} already there) in ${seconds} s\n`,
        );
      } finally {
        db.close();
      }
      return 0;
    }
    writeAtomically(v.out!, v.out!.endsWith('.json') ? toJson(rows) : toCsv(rows));
    io.out(`${rows.length} candles of ${v.symbol} ${v.interval} written to ${v.out} in ${seconds} s\n`);
    return 0;
  } catch (err) {
    io.err(`download failed: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  main(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`download failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
