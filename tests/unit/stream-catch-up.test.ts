/**
 * The candle catch-up (workers/stream-catch-up.ts) sends a newcomer only a candle that closed after
 * its run started: when this process saw it close, else by its closeTime. A candle closed before
 * the run (a fresh bot, a run made by a reset) would be taken as a new decision: a second lot.
 */
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../core/market';
import type { RunningBot } from '../../workers/directory';
import { ClosedCandleLog, catchUpTargets } from '../../workers/stream-catch-up';

const BASE = 'ws://127.0.0.1:1';
const MINUTE = 60_000;
const candleAt = (openTime: number): Candle => ({
  symbol: 'BTCUSDT',
  interval: '1m',
  openTime,
  closeTime: openTime + MINUTE - 1,
  open: '1',
  high: '1',
  low: '1',
  close: '1',
  volume: '0',
});
const botStartedAt = (runStartedAt: number): RunningBot =>
  ({
    workflowId: `bot-${runStartedAt}`,
    runStartedAt,
    symbol: 'BTCUSDT',
    interval: '1m',
    account: 'paper',
    watches: {},
  }) as unknown as RunningBot;

describe('which newcomers get the last closed candle', () => {
  it('by closeTime when this process did not see the candle close (a worker replacing a dead one)', () => {
    const c = candleAt(10 * MINUTE);
    expect(
      catchUpTargets(c, [botStartedAt(c.closeTime - 5_000), botStartedAt(c.closeTime + 5_000)]).map(
        (b) => b.runStartedAt,
      ),
    ).toEqual([c.closeTime - 5_000]);
  });

  it('by when it was seen closing, when the candle clock leads the wall clock (candles closed by hand)', () => {
    const log = new ClosedCandleLog();
    const c = candleAt(100 * MINUTE); // closeTime far ahead of the moments below
    log.record(BASE, c, 5_000);
    const seenAt = log.seenAt(BASE, c);
    expect(seenAt).toBe(5_000);
    // Started after it was seen closing: not this run's candle, whatever its closeTime says.
    expect(catchUpTargets(c, [botStartedAt(6_000)], seenAt)).toEqual([]);
    // Started before, and the relay missed it (not listed yet): caught up.
    expect(catchUpTargets(c, [botStartedAt(4_000)], seenAt)).toHaveLength(1);
  });

  it('the record is of the very candle: another open time falls back to closeTime; an older candle never replaces a newer one', () => {
    const log = new ClosedCandleLog();
    log.record(BASE, candleAt(2 * MINUTE), 9_000);
    log.record(BASE, candleAt(MINUTE), 10_000);
    expect(log.seenAt(BASE, candleAt(2 * MINUTE))).toBe(9_000);
    expect(log.seenAt(BASE, candleAt(MINUTE))).toBeNull();
    expect(log.seenAt(BASE, candleAt(3 * MINUTE))).toBeNull();
    expect(log.seenAt('ws://other', candleAt(2 * MINUTE))).toBeNull();
  });
});
