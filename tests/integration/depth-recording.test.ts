/**
 * Seed 004's backtest path: the paper exchange records depth snapshots to a file while its market
 * runs, and `npm run backtest -- --depth <file>` answers the book strategy's requests from them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../backtest/cli';
import { parseKlines } from '../../backtest/data';
import { depthRecordingLine, parseDepthRecording } from '../../core/analysis/book-replay';
import { startPaperExchange } from '../../exchange';
import { wallsRecordingLines } from '../support/fixtures/depth';

const FIXTURE = path.resolve(__dirname, '../support/fixtures/klines/BTCUSDT-1h-2024-01.csv');
const dir = mkdtempSync(path.join(os.tmpdir(), 'depth-recording-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function backtest(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, { out: (s) => (out += s), err: (s) => (err += s), isTty: false });
  return { code, out, err };
}

describe('depth recordings: paper exchange -> file -> backtester', () => {
  it('the exchange writes one snapshot per symbol with a price, at the replayed data time, in the recording format', async () => {
    const file = path.join(dir, 'exchange-depth.jsonl');
    const ex = await startPaperExchange({
      prices: { kind: 'replay', file: FIXTURE, symbol: 'BTCUSDT', interval: '1h', manual: true },
      depthRecording: { file, everyMs: 3_600_000, limit: 10 },
      book: { levels: 10, levelQty: '0.5', spreadTicks: 1 },
    });
    try {
      for (let i = 0; i < 24; i++) {
        expect(ex.market.replayNext()).toBe(true);
        expect(ex.recordDepth()).toBe(1); // only BTCUSDT has a price
      }
    } finally {
      await ex.close();
    }
    const recording = parseDepthRecording(readFileSync(file, 'utf8'), file);
    const { candles } = parseKlines(readFileSync(FIXTURE, 'utf8'), { symbol: 'BTCUSDT' });
    expect(recording.length).toBe(24);
    recording.forEach((snap, i) => {
      expect(snap.symbol).toBe('BTCUSDT');
      expect(snap.time).toBe(candles[i]!.closeTime);
      expect(snap.bids.length).toBe(10);
      expect(snap.asks.length).toBe(10);
      // One tick each side of the candle's close.
      expect(Number(snap.asks[0]![0]).toFixed(2)).toBe((Number(candles[i]!.close) + 0.01).toFixed(2));
      expect(Number(snap.bids[0]![0]).toFixed(2)).toBe((Number(candles[i]!.close) - 0.01).toFixed(2));
    });

    // The backtester accepts the exchange's file: the bot gets a summary at every candle, no failure.
    const r = backtest([
      '--strategy',
      'book-imbalance',
      '--file',
      FIXTURE,
      '--to',
      '2024-01-02',
      '--depth',
      file,
      '--out',
      dir,
      '--name',
      'flat-book',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(path.join(dir, 'flat-book.json'), 'utf8'));
    expect(
      result.notifications.filter((n: { message: string }) => /summary failed|no depth snapshot/.test(n.message)),
    ).toEqual([]);
    expect(result.orders).toEqual([]); // an even book is balanced: no trade, as the seed says
  });

  it('a recording with walls makes the bot trade through the command: limit entries at the ask, exits at the walls', () => {
    const { candles } = parseKlines(readFileSync(FIXTURE, 'utf8'), { symbol: 'BTCUSDT' });
    const lines = wallsRecordingLines(candles);
    const file = path.join(dir, 'walls.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = backtest([
      '--strategy',
      'book-imbalance',
      '--file',
      FIXTURE,
      '--depth',
      file,
      '--params',
      '{"entryTimeoutCandles":2}',
      '--out',
      dir,
      '--name',
      'walls',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(path.join(dir, 'walls.json'), 'utf8'));
    const entries = result.orders.filter((o: { tag: string }) => o.tag.startsWith('entry-'));
    expect(entries.length).toBeGreaterThan(0);
    for (const o of entries) expect(o.reason).toMatch(/^ask share 0\.\d+ <= long pressure 0\.25: long at/);
    expect(result.fills.length).toBeGreaterThan(entries.length); // exits filled too
  });

  it('a bad recording is refused with the file and line', () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      `${depthRecordingLine({ symbol: 'BTCUSDT', time: 1, bids: [['1', '1']], asks: [['2', '1']] })}\nnot json\n`,
    );
    const r = backtest(['--strategy', 'book-imbalance', '--file', FIXTURE, '--depth', file, '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:2: not JSON`);
    const missing = backtest([
      '--strategy',
      'book-imbalance',
      '--file',
      FIXTURE,
      '--depth',
      path.join(dir, 'nope.jsonl'),
      '--out',
      dir,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot read the depth recording');
  });
});
