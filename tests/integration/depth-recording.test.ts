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
import { twoSidedWallsRecordingLines, wallsRecordingLines } from '../support/fixtures/depth';

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

  it('seed 004 on the perpetual from its config file: shorts and longs placed and filled, exits reduce-only, never OCO', () => {
    const { candles } = parseKlines(readFileSync(FIXTURE, 'utf8'), { symbol: 'BTCUSDT' });
    const file = path.join(dir, 'two-sided.jsonl');
    writeFileSync(file, `${twoSidedWallsRecordingLines(candles).join('\n')}\n`);
    const config = path.resolve(__dirname, '../../configs/seed-004-minerva-perp.json');
    const args = ['--config', config, '--file', FIXTURE, '--interval', '1h', '--depth', file, '--to', '2024-01-06'];
    const r = backtest([...args, '--out', dir, '--name', 'perp']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/perpetual: 50x ISOLATED/);
    const result = JSON.parse(readFileSync(path.join(dir, 'perp.json'), 'utf8'));
    type O = { tag: string; status: string; reason?: string; request: Record<string, unknown> };
    const orders: O[] = result.orders;
    const entries = (side: string) => orders.filter((o) => o.tag.startsWith('entry-') && o.request.side === side);
    const shorts = entries('SELL');
    expect(shorts.filter((o) => o.status === 'FILLED').length).toBeGreaterThan(3);
    expect(entries('BUY').filter((o) => o.status === 'FILLED').length).toBeGreaterThan(3);
    for (const o of shorts) expect(o.reason).toMatch(/^ask share 0\.8\d* >= short pressure 0\.75: short at/);
    // The first short, from the wallet of 10000: margin 300 at 50x, 300 / (42061.93 × 0.0205) = 0.3479 → 0.347.
    expect(shorts[0]!.request).toMatchObject({ side: 'SELL', type: 'LIMIT', quantity: '0.347', price: '42062' });
    // Every exit is reduce-only (or the protective closePosition stop); nothing is refused as spot-only.
    const exits = orders.filter((o) => !o.tag.startsWith('entry-'));
    expect(exits.length).toBeGreaterThan(0);
    for (const o of exits) expect(o.request.reduceOnly === true || o.request.closePosition === true).toBe(true);
    expect(orders.filter((o) => o.tag.startsWith('tp-') && o.status === 'FILLED').length).toBeGreaterThan(0);
    const notes: string[] = result.notifications.map((n: { message: string }) => n.message);
    expect(notes.filter((m) => /-2010|OCO|-1116|-2019/.test(m))).toEqual([]);
    // The same file refuses a bad variant naming the field, before any candle runs.
    const bad = path.join(dir, 'bad-perp.json');
    const raw = JSON.parse(readFileSync(config, 'utf8'));
    writeFileSync(bad, JSON.stringify([{ ...raw[0], params: { ...raw[0].params, leverage: 500 } }]));
    const refused = backtest(['--config', bad, '--file', FIXTURE, '--interval', '1h', '--out', dir]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/params\.leverage: must be a whole number 1-125/);
  });
});
