/**
 * Recorded depth snapshots for seed-004 backtests: the paper exchange (or a recorder on the real
 * one) appends one snapshot per line to a JSON Lines file, and the backtester replays them, giving
 * the bot at time t the summary of the latest snapshot taken at or before t. Pure (the caller reads
 * the file).
 *
 * One line per snapshot, exactly what `GET /api/v3/depth` returns plus the symbol and the time:
 *
 *   {"symbol":"BTCUSDT","time":1700000060000,"lastUpdateId":4123,"bids":[["42000.10","1.25"],...],"asks":[["42000.11","0.40"],...]}
 *
 * `time` is the exchange time of the snapshot (ms); bids best (highest) first, asks best (lowest)
 * first; prices and quantities are decimal strings as the exchange sent them; lines are in time
 * order; blank lines and lines starting with `#` are ignored.
 */
import { isDecimalString, lt, gt } from '../decimal';
import type { BookSnapshot } from '../market';

export interface RecordedBook extends BookSnapshot {
  readonly lastUpdateId?: number;
}

export class DepthRecordingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DepthRecordingError';
  }
}

function levels(raw: unknown, where: string, side: 'bids' | 'asks'): Array<readonly [string, string]> {
  if (!Array.isArray(raw)) throw new DepthRecordingError(`${where}: ${side} must be an array of [price, quantity]`);
  return raw.map((level, i) => {
    if (!Array.isArray(level) || level.length < 2 || !isDecimalString(level[0]) || !isDecimalString(level[1])) {
      throw new DepthRecordingError(`${where}: ${side}[${i}] must be ["price", "quantity"] as decimal strings`);
    }
    if (i > 0) {
      const prev = (raw[i - 1] as string[])[0]!;
      const ordered = side === 'bids' ? lt(level[0], prev) : gt(level[0], prev);
      if (!ordered)
        throw new DepthRecordingError(
          `${where}: ${side} are not in book order at level ${i} (${prev} then ${level[0]})`,
        );
    }
    return [level[0], level[1]] as const;
  });
}

/** Serialise one snapshot as a recording line (what the recorder appends). */
export function depthRecordingLine(book: RecordedBook): string {
  return JSON.stringify({
    symbol: book.symbol,
    time: book.time,
    ...(book.lastUpdateId !== undefined ? { lastUpdateId: book.lastUpdateId } : {}),
    bids: book.bids,
    asks: book.asks,
  });
}

export function parseDepthRecording(text: string, source = 'depth recording'): RecordedBook[] {
  const out: RecordedBook[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(trimmed) as Record<string, unknown>;
    } catch (err) {
      throw new DepthRecordingError(`${where}: not JSON (${(err as Error).message})`);
    }
    if (typeof obj.symbol !== 'string' || typeof obj.time !== 'number')
      throw new DepthRecordingError(`${where}: needs "symbol" (string) and "time" (ms)`);
    const prev = out[out.length - 1];
    if (prev && obj.time < prev.time)
      throw new DepthRecordingError(`${where}: time ${obj.time} goes back (previous ${prev.time})`);
    out.push({
      symbol: obj.symbol,
      time: obj.time,
      ...(typeof obj.lastUpdateId === 'number' ? { lastUpdateId: obj.lastUpdateId } : {}),
      bids: levels(obj.bids, where, 'bids'),
      asks: levels(obj.asks, where, 'asks'),
    });
  });
  return out;
}

/** The latest snapshot of `symbol` taken at or before `time`, or null (binary search). */
export function snapshotAt(snapshots: readonly RecordedBook[], symbol: string, time: number): RecordedBook | null {
  let lo = 0;
  let hi = snapshots.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (snapshots[mid]!.time <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  for (let i = found; i >= 0; i--) if (snapshots[i]!.symbol === symbol) return snapshots[i]!;
  return null;
}
