/**
 * Depth recording for backtests of book strategies (seed 004): every `everyMs` the exchange appends
 * one snapshot per symbol to a JSON Lines file in the format of core/analysis/book-replay.ts, which
 * `npm run backtest -- --depth <file>` replays. Kline files have no order book, so a book strategy
 * can only be backtested on books recorded while its market ran.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { depthRecordingLine } from '../core/analysis/book-replay';

export interface DepthRecordingOptions {
  readonly file: string;
  /** Snapshot period (default 10 s: a book strategy on 1m candles asks once per candle). */
  readonly everyMs?: number;
  /** Levels per side (default 100, the seed's request). */
  readonly limit?: number;
  /** Default: every symbol of the exchange. */
  readonly symbols?: readonly string[];
}

type DepthOf = (
  symbol: string,
  limit: number,
) => { lastUpdateId: number; bids: Array<[string, string]>; asks: Array<[string, string]> };

export class DepthRecorder {
  private timer: NodeJS.Timeout | null = null;
  private readonly limit: number;

  constructor(
    private readonly options: DepthRecordingOptions,
    private readonly symbols: readonly string[],
    private readonly depthOf: DepthOf,
    private readonly now: () => number,
  ) {
    this.limit = options.limit ?? 100;
    mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  }

  /** Append a snapshot of every symbol with a book now; returns how many were written. */
  recordNow(): number {
    const time = this.now();
    const lines: string[] = [];
    for (const symbol of this.symbols) {
      const { lastUpdateId, bids, asks } = this.depthOf(symbol, this.limit);
      if (bids.length === 0 || asks.length === 0) continue; // no price yet
      lines.push(depthRecordingLine({ symbol, time, lastUpdateId, bids, asks }));
    }
    // One write per tick: a crash leaves whole lines (a torn last line is refused by its number).
    if (lines.length > 0) appendFileSync(this.options.file, `${lines.join('\n')}\n`);
    return lines.length;
  }

  start(): void {
    const every = this.options.everyMs ?? 10_000;
    this.timer = setInterval(() => this.recordNow(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
