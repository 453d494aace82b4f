/**
 * The download command pages through GET /api/v3/klines with binance-api-node's candles(). Real
 * Binance needs the internet; here it runs against the paper exchange (127.0.0.1) replaying the
 * fixture file, so every candle downloaded can be checked against the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Binance from 'binance-api-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as backtest } from '../../backtest/cli';
import { loadKlines } from '../../backtest/data';
import { MarketDb } from '../../backtest/db/market-db';
import { type KlineSource, downloadKlines, main } from '../../backtest/download';
import { startPaperExchange } from '../../exchange';

const FIXTURE = path.resolve(__dirname, '../support/fixtures/klines/BTCUSDT-1h-2024-01.csv');
const expected = loadKlines(FIXTURE).candles;
const ohlcv = (c: {
  openTime: number;
  closeTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}) => [c.openTime, c.closeTime, c.open, c.high, c.low, c.close, c.volume].join(' ');

let exchange: Awaited<ReturnType<typeof startPaperExchange>>;
const dir = mkdtempSync(path.join(os.tmpdir(), 'backtest-download-'));

beforeAll(async () => {
  exchange = await startPaperExchange({
    port: 0,
    prices: { kind: 'replay', file: FIXTURE, symbol: 'BTCUSDT', interval: '1h', manual: true },
  });
  // Play the whole file: the exchange then serves its 480 closed candles.
  for (let i = 0; i < expected.length; i++) expect(exchange.market.replayNext()).toBe(true);
});
afterAll(async () => {
  await exchange?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('downloading klines', () => {
  it('pages through the REST API and gets every candle once, in order', async () => {
    const client = Binance({ httpBase: exchange.httpBase }) as unknown as KlineSource;
    const pages: number[] = [];
    const rows = await downloadKlines(client, {
      symbol: 'BTCUSDT',
      interval: '1h',
      startTime: expected[0]!.openTime,
      endTime: expected.at(-1)!.closeTime,
      pageSize: 100,
      onPage: (got) => pages.push(got),
    });
    expect(pages).toEqual([100, 200, 300, 400, 480]);
    expect(rows.map(ohlcv)).toEqual(expected.map(ohlcv));
  });

  it('starts mid-file and stops at the end of the range', async () => {
    const client = Binance({ httpBase: exchange.httpBase }) as unknown as KlineSource;
    const rows = await downloadKlines(client, {
      symbol: 'BTCUSDT',
      interval: '1h',
      startTime: expected[10]!.openTime,
      endTime: expected[29]!.openTime,
      pageSize: 7,
    });
    expect(rows.map((r) => r.openTime)).toEqual(expected.slice(10, 30).map((c) => c.openTime));
  });

  it('retries a transient failure and gives up on a permanent one', async () => {
    let calls = 0;
    const flaky: KlineSource = {
      candles: async (p) => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        return await (Binance({ httpBase: exchange.httpBase }) as unknown as KlineSource).candles(p);
      },
    };
    const rows = await downloadKlines(flaky, {
      symbol: 'BTCUSDT',
      interval: '1h',
      startTime: expected[0]!.openTime,
      endTime: expected[4]!.openTime,
      sleep: async () => {},
    });
    expect(rows).toHaveLength(5);
    expect(calls).toBe(2);
    const broken: KlineSource = {
      candles: async () => Promise.reject(Object.assign(new Error('Invalid symbol.'), { code: -1121 })),
    };
    await expect(
      downloadKlines(broken, {
        symbol: 'BTCUSDT',
        interval: '1h',
        startTime: 0,
        endTime: 3_600_000,
        sleep: async () => {},
      }),
    ).rejects.toThrow('Invalid symbol.');
  });

  it('`npm run download` writes the CSV seed 001 uses, which the backtester reads back', async () => {
    const out = path.join(dir, 'BTCUSDT-1h-2024-01.csv');
    let stdout = '';
    const code = await main(
      [
        '--symbol',
        'BTCUSDT',
        '--interval',
        '1h',
        '--from',
        '2024-01-01',
        '--to',
        '2024-01-21',
        '--out',
        out,
        '--base-url',
        exchange.httpBase,
        '--page-size',
        '250',
      ],
      { out: (s) => (stdout += s), err: () => {} },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^480 candles of BTCUSDT 1h written to /);
    const back = loadKlines(out);
    expect(back.interval).toBe('1h');
    expect(back.candles.map(ohlcv)).toEqual(expected.map(ohlcv));
  });
});

// `npm run download -- --db`: into the market database the recorder writes; stored once however
// often downloaded, and a backtest from the database equals the backtest of the file.
describe('npm run download -- --db', () => {
  it('writes the candles once however often downloaded, and the database backtests like the file', async () => {
    const db = path.join(dir, 'market.db');
    const args = [
      '--symbol',
      'BTCUSDT',
      '--interval',
      '1h',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-21',
      '--db',
      db,
      '--base-url',
      exchange.httpBase,
      '--page-size',
      '200',
    ];
    let stdout = '';
    expect(await main(args, { out: (s) => (stdout += s), err: () => {} })).toBe(0);
    expect(stdout).toMatch(/480 candles of BTCUSDT 1h written to .*market\.db \(480 new, 0 already there\)/);
    stdout = '';
    expect(await main(args, { out: (s) => (stdout += s), err: () => {} })).toBe(0);
    expect(stdout).toMatch(/\(0 new, 480 already there\)/);
    const m = new MarketDb(db, { readonly: true });
    expect(m.countKlines('BTCUSDT', '1h')).toBe(480);
    expect(
      m.klines('BTCUSDT', '1h').map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.volume].join(' ')),
    ).toEqual(expected.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume].join(' ')));
    m.close();

    const out = path.join(dir, 'bt');
    const run = (extra: string[], name: string) => {
      expect(
        backtest(
          [
            '--strategy',
            'grid',
            '--params',
            '{"low":"38000","high":"46000","levels":12,"quantity":"0.01"}',
            '--out',
            out,
            '--name',
            name,
            '--quiet',
            ...extra,
          ],
          { out: () => {}, err: () => {}, isTty: false },
        ),
      ).toBe(0);
      const {
        file: _f,
        elapsedMs: _e,
        ...rest
      } = JSON.parse(readFileSync(path.join(out, `${name}.json`), 'utf8')) as Record<string, unknown>;
      return rest;
    };
    const fromDb = run(['--db', db, '--symbol', 'BTCUSDT', '--interval', '1h'], 'db');
    expect(fromDb).toEqual(run(['--file', FIXTURE], 'file'));
    expect((fromDb.metrics as { trades: number }).trades).toBeGreaterThan(0);
    // A series the database does not hold: a clear error naming what it holds.
    const errs: string[] = [];
    expect(
      backtest(
        [
          '--strategy',
          'grid',
          '--params',
          '{"low":"38000","high":"46000","quantity":"0.01"}',
          '--db',
          db,
          '--symbol',
          'ETHUSDT',
          '--interval',
          '1h',
          '--quiet',
        ],
        { out: () => {}, err: (s) => errs.push(s), isTty: false },
      ),
    ).toBe(1);
    expect(errs.join('')).toMatch(/no candles; the database holds BTCUSDT 1h \(480\)/);
  });
});
