/**
 * `npm run download -- --db`: klines downloaded over the REST API (the paper exchange replaying a
 * fixture file) go into the market database the recorder writes — twice over the same range they
 * are stored once — and a backtest from the database equals the backtest of the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as backtest } from '../../backtest/cli';
import { MarketDb } from '../../backtest/db/market-db';
import { loadKlines } from '../../backtest/data';
import { main as download } from '../../backtest/download';
import { startPaperExchange } from '../../exchange';

const FIXTURE = path.resolve(__dirname, '../fixtures/klines/BTCUSDT-1h-2024-01.csv');
const expected = loadKlines(FIXTURE).candles;
let exchange: Awaited<ReturnType<typeof startPaperExchange>>;
const dir = mkdtempSync(path.join(os.tmpdir(), 'download-db-'));

beforeAll(async () => {
  exchange = await startPaperExchange({ port: 0, prices: { kind: 'replay', file: FIXTURE, symbol: 'BTCUSDT', interval: '1h', manual: true } });
  for (let i = 0; i < expected.length; i++) expect(exchange.market.replayNext()).toBe(true);
});
afterAll(async () => {
  await exchange?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run download -- --db', () => {
  it('writes the candles once however often downloaded, and the database backtests like the file', async () => {
    const db = path.join(dir, 'market.db');
    const args = ['--symbol', 'BTCUSDT', '--interval', '1h', '--from', '2024-01-01', '--to', '2024-01-21', '--db', db, '--base-url', exchange.httpBase, '--page-size', '200'];
    let stdout = '';
    expect(await download(args, { out: (s) => (stdout += s), err: () => {} })).toBe(0);
    expect(stdout).toMatch(/480 candles of BTCUSDT 1h written to .*market\.db \(480 new, 0 already there\)/);
    stdout = '';
    expect(await download(args, { out: (s) => (stdout += s), err: () => {} })).toBe(0);
    expect(stdout).toMatch(/\(0 new, 480 already there\)/);
    const m = new MarketDb(db, { readonly: true });
    expect(m.countKlines('BTCUSDT', '1h')).toBe(480);
    expect(m.klines('BTCUSDT', '1h').map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.volume].join(' '))).toEqual(expected.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume].join(' ')));
    m.close();

    const out = path.join(dir, 'bt');
    const run = (extra: string[], name: string) => {
      expect(backtest(['--strategy', 'grid', '--params', '{"low":"38000","high":"46000","levels":12,"quantity":"0.01"}', '--out', out, '--name', name, '--quiet', ...extra], { out: () => {}, err: () => {}, isTty: false })).toBe(0);
      const { file: _f, elapsedMs: _e, ...rest } = JSON.parse(readFileSync(path.join(out, `${name}.json`), 'utf8')) as Record<string, unknown>;
      return rest;
    };
    const fromDb = run(['--db', db, '--symbol', 'BTCUSDT', '--interval', '1h'], 'db');
    expect(fromDb).toEqual(run(['--file', FIXTURE], 'file'));
    expect((fromDb.metrics as { trades: number }).trades).toBeGreaterThan(0);
    // A series the database does not hold: a clear error naming what it holds.
    const errs: string[] = [];
    expect(backtest(['--strategy', 'grid', '--params', '{"low":"38000","high":"46000","quantity":"0.01"}', '--db', db, '--symbol', 'ETHUSDT', '--interval', '1h', '--quiet'], { out: () => {}, err: (s) => errs.push(s), isTty: false })).toBe(1);
    expect(errs.join('')).toMatch(/no candles; the database holds BTCUSDT 1h \(480\)/);
  });
});
