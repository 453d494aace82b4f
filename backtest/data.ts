/**
 * Kline files for backtests: Binance's REST `klines` answer saved as a JSON array (rows or the
 * objects binance-api-node's `candles()` returns), and CSV files as seed 001 writes them (pandas
 * `to_csv` of the klines with a header `open_time,open,high,...`) or as data.binance.vision ships
 * them (no header, open times in ms or µs). Prices stay the exchange's decimal strings.
 *
 * Parsing is pure (`parseKlines`); `loadKlines` reads the file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CANDLE_INTERVALS, type Candle, type CandleInterval, SYMBOL_PATTERN, intervalMs } from '../core/market';
import { MarketDb, MarketDbError } from './db/market-db';

export class KlineFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KlineFileError';
  }
}

/** Canonical kline row: [openTime, open, high, low, close, volume, closeTime?, quoteVolume?]. */
type Row = readonly unknown[];

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

export interface ParseOptions {
  /** Symbol of the candles; default: guessed from the file name, else 'BTCUSDT'. */
  readonly symbol?: string;
  /** Interval; default: inferred from the spacing of the candles. */
  readonly interval?: CandleInterval;
  /** Label for error messages. */
  readonly source?: string;
}

export interface ParsedKlines {
  readonly candles: Candle[];
  readonly symbol: string;
  readonly interval: CandleInterval;
  /** Duplicated open times dropped, gaps seen (missing candles), rows out of order fixed. */
  readonly warnings: readonly string[];
}

/** Parse a kline file's text. Throws KlineFileError with the line at fault. */
export function parseKlines(text: string, options: ParseOptions = {}): ParsedKlines {
  const source = options.source ?? 'klines';
  const trimmed = text.trimStart();
  const rows = trimmed.startsWith('[') ? jsonRows(trimmed, source) : csvRows(text, source);
  return candlesFromRows(rows, options);
}

/** Rows (whatever they came from) to checked candles: the same checks, sorting and warnings. */
function candlesFromRows(rows: readonly RawRow[], options: ParseOptions): ParsedKlines {
  const source = options.source ?? 'klines';
  if (rows.length === 0) throw new KlineFileError(`${source}: no candles found`);
  const symbol = options.symbol ?? 'BTCUSDT';
  const warnings: string[] = [];
  let candles = rows.map((row, i) => toCandle(row.cells, symbol, row.where ?? `${source}: row ${i + 1}`));
  if (!isSorted(candles)) {
    candles = [...candles].sort((a, b) => a.openTime - b.openTime);
    warnings.push('candles were not in time order: sorted');
  }
  const unique: Candle[] = [];
  let duplicates = 0;
  for (const c of candles) {
    if (unique.length > 0 && unique[unique.length - 1]!.openTime === c.openTime) duplicates++;
    else unique.push(c);
  }
  if (duplicates > 0) warnings.push(`${duplicates} duplicated candle(s) dropped`);
  const interval = options.interval ?? inferInterval(unique, source);
  const step = intervalMs(interval);
  let missing = 0;
  const out = unique.map((c) => ({
    ...c,
    interval,
    closeTime: c.closeTime > c.openTime ? c.closeTime : c.openTime + step - 1,
  }));
  for (let i = 1; i < out.length; i++) {
    const gap = out[i]!.openTime - out[i - 1]!.openTime;
    if (gap > step) missing += Math.round(gap / step) - 1;
  }
  if (missing > 0) warnings.push(`${missing} candle(s) missing (gaps in the data)`);
  return { candles: out, symbol, interval, warnings };
}

/** Read and parse a kline file; the symbol defaults to one found in the file name (BTCUSDT-1m-2024-01.csv). */
export function loadKlines(file: string, options: Omit<ParseOptions, 'source'> = {}): ParsedKlines {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KlineFileError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseKlines(text, { ...options, symbol: options.symbol ?? symbolFromFileName(file), source: file });
}

export interface DbKlineOptions {
  readonly symbol: string;
  readonly interval: CandleInterval;
  /** Open times in [from, to). */
  readonly from?: number;
  readonly to?: number;
}

/**
 * Candles of a market database (`npm run record`, `npm run download -- --db`), checked like a
 * file's: the same candles give the same backtest whichever way they were stored.
 */
export function loadKlinesFromDb(file: string, o: DbKlineOptions): ParsedKlines {
  const db = new MarketDb(file, { readonly: true });
  try {
    const rows = db.klines(o.symbol, o.interval, o.from, o.to);
    const source = `${file} (${o.symbol} ${o.interval})`;
    if (rows.length === 0) {
      const held = db
        .summary()
        .filter((s) => s.table === 'klines')
        .map((s) => `${s.symbol} ${s.detail} (${s.rows})`);
      throw new KlineFileError(
        `${source}: no candles${o.from !== undefined || o.to !== undefined ? ' in the requested period' : ''}; the database holds ${held.join(', ') || 'no klines'}`,
      );
    }
    const raw: RawRow[] = rows.map((r) => ({
      cells: [r.openTime, r.open, r.high, r.low, r.close, r.volume, r.closeTime, r.quoteVolume],
      where: `${source}: open time ${r.openTime}`,
    }));
    return candlesFromRows(raw, { symbol: o.symbol, interval: o.interval, source });
  } catch (err) {
    if (err instanceof MarketDbError) throw new KlineFileError(err.message);
    throw err;
  } finally {
    db.close();
  }
}

/** BTCUSDT-1m-2024-01.csv, btcusdt_2022_Jun.csv → BTCUSDT. */
export function symbolFromFileName(file: string): string | undefined {
  const name = path.basename(file).toUpperCase();
  const m = /^([A-Z0-9]{5,20}?)(?=[-_.])/.exec(name);
  // Only a name that ends with a quote asset is taken for a symbol ("klines.csv" is not one).
  return m && SYMBOL_PATTERN.test(m[1]!) && QUOTE_ASSETS.some((q) => m[1]!.endsWith(q) && m[1]!.length > q.length)
    ? m[1]
    : undefined;
}

const QUOTE_ASSETS = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'DAI', 'EUR', 'TRY', 'BRL', 'BTC', 'ETH', 'BNB'];

/** Interval of a file name such as BTCUSDT-1m-2024-01.csv, when present. */
export function intervalFromFileName(file: string): CandleInterval | undefined {
  const m = /[-_](1s|1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d|3d|1w)[-_.]/.exec(path.basename(file));
  return m ? (m[1] as CandleInterval) : undefined;
}

interface RawRow {
  readonly cells: Row;
  readonly where?: string;
}

function jsonRows(text: string, source: string): RawRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new KlineFileError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new KlineFileError(`${source}: expected a JSON array of klines`);
  return parsed.map((r, i) => {
    const where = `${source}: element ${i}`;
    if (Array.isArray(r)) return { cells: r, where };
    if (r !== null && typeof r === 'object') {
      const o = r as Record<string, unknown>;
      return {
        cells: [o.openTime, o.open, o.high, o.low, o.close, o.volume, o.closeTime, o.quoteVolume ?? o.quoteAssetVolume],
        where,
      };
    }
    throw new KlineFileError(`${where}: expected an array or an object`);
  });
}

/** Column positions from a header line (seed 001: open_time,open,high,low,close,volume,close_time,qav,...). */
function headerColumns(cells: string[]): number[] | null {
  const names = cells.map((c) =>
    c
      .trim()
      .toLowerCase()
      .replace(/[^a-z]/g, ''),
  );
  const find = (...candidates: string[]) => names.findIndex((n) => candidates.includes(n));
  const cols = [
    find('opentime', 'timestamp', 'time', 'date'),
    find('open'),
    find('high'),
    find('low'),
    find('close'),
    find('volume'),
    find('closetime'),
    find('qav', 'quoteassetvolume', 'quotevolume'),
  ];
  return cols.slice(0, 6).every((c) => c >= 0) ? cols : null;
}

function csvRows(text: string, source: string): RawRow[] {
  const lines = text.split(/\r?\n/);
  const rows: RawRow[] = [];
  let columns: number[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const cells = line.split(',');
    if (!/^[0-9]/.test(cells[0]!.trim())) {
      // A header (or a title line): the first one decides the column order.
      if (rows.length === 0 && columns === null) {
        columns = headerColumns(cells);
        if (columns) continue;
      }
      throw new KlineFileError(`${source}:${i + 1}: not a kline row: ${line.slice(0, 80)}`);
    }
    const picked = columns ? columns.map((c) => (c >= 0 ? cells[c] : undefined)) : cells;
    rows.push({ cells: picked, where: `${source}:${i + 1}` });
  }
  return rows;
}

function toMs(v: unknown, where: string, what: string): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || n < 0) throw new KlineFileError(`${where}: ${what} is not a time in ms: ${String(v)}`);
  // data.binance.vision switched spot files to microseconds in 2025.
  return n > 1e14 ? Math.floor(n / 1000) : n;
}

/** A cell as text (CSV cells are strings, JSON cells numbers or strings); a missing one is empty. */
function cellText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return v === undefined || v === null ? '' : (JSON.stringify(v) ?? '');
}

function dec(v: unknown, where: string, what: string): string {
  const s = typeof v === 'number' ? String(v) : cellText(v).trim();
  if (!DECIMAL.test(s)) throw new KlineFileError(`${where}: ${what} is not a decimal: ${JSON.stringify(v)}`);
  return s;
}

function toCandle(r: Row, symbol: string, where: string): Candle {
  if (r.length < 6)
    throw new KlineFileError(
      `${where}: expected at least 6 columns (openTime, open, high, low, close, volume), got ${r.length}`,
    );
  const openTime = toMs(r[0], where, 'open time');
  const open = dec(r[1], where, 'open');
  const high = dec(r[2], where, 'high');
  const low = dec(r[3], where, 'low');
  const close = dec(r[4], where, 'close');
  const volume = dec(r[5], where, 'volume');
  const closeTime = cellText(r[6]).trim() !== '' ? toMs(r[6], where, 'close time') : -1;
  // Floats are enough to check the candle is consistent (this is validation, not money).
  const [o, h, l, c] = [Number(open), Number(high), Number(low), Number(close)];
  if (h < Math.max(o, c, l) || l > Math.min(o, c))
    throw new KlineFileError(`${where}: inconsistent candle (open ${open}, high ${high}, low ${low}, close ${close})`);
  const quote = DECIMAL.test(cellText(r[7]).trim()) ? cellText(r[7]).trim() : undefined;
  return {
    symbol,
    interval: '1m',
    openTime,
    closeTime,
    open,
    high,
    low,
    close,
    volume,
    ...(quote !== undefined ? { quoteVolume: quote } : {}),
  };
}

function isSorted(candles: readonly Candle[]): boolean {
  for (let i = 1; i < candles.length; i++) if (candles[i]!.openTime < candles[i - 1]!.openTime) return false;
  return true;
}

/** The interval is the most common spacing between consecutive candles (robust to gaps). */
function inferInterval(candles: readonly Candle[], source: string): CandleInterval {
  const first = candles[0]!;
  if (candles.length === 1) {
    if (first.closeTime > first.openTime) return byMs(first.closeTime - first.openTime + 1, source);
    throw new KlineFileError(`${source}: a single candle without close time: give the interval`);
  }
  const counts = new Map<number, number>();
  const n = Math.min(candles.length, 1000);
  for (let i = 1; i < n; i++) {
    const gap = candles[i]!.openTime - candles[i - 1]!.openTime;
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  const [ms] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
  return byMs(ms, source);
}

function byMs(ms: number, source: string): CandleInterval {
  const found = CANDLE_INTERVALS.find((i) => intervalMs(i) === ms);
  if (!found) throw new KlineFileError(`${source}: candles are ${ms} ms apart, which is no Binance interval`);
  return found;
}
