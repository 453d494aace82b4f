/**
 * `npm run record` against the paper exchange (Binance's public endpoints on 127.0.0.1): the
 * market-stream connection is cut in the middle while candles keep closing, and a final candle is
 * dropped from the stream; the recorder reconnects, backfills every missing candle from REST,
 * stores none twice, resumes after a restart, and a backtest from the database equals a backtest
 * of the same candles from a file. Trades missed during the cut come from the exchange's public
 * GET /api/v3/historicalTrades (fromId, as Binance documents it): none missing, none twice; trades
 * older than the exchange still keeps are written to the gaps table.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as backtestCli, loadDepthRecording } from '../../backtest/cli';
import { MarketDb } from '../../backtest/db/market-db';
import { Recorder } from '../../backtest/record/recorder';
import { PublicRest } from '../../backtest/record/rest';
import { startPaperExchange } from '../../exchange';
import { waitFor } from '../support/exchange-client';
import { parseDepthRecording, depthRecordingLine } from '../../core/analysis/book-replay';

type Ex = Awaited<ReturnType<typeof startPaperExchange>>;
let ex: Ex;
let dir: string;
let dbFile: string;

beforeAll(async () => {
  ex = await startPaperExchange({ port: 0, prices: { kind: 'manual' }, rateLimits: false });
  ex.market.setPrice('BTCUSDT', '30000');
  dir = mkdtempSync(path.join(os.tmpdir(), 'recorder-'));
  dbFile = path.join(dir, 'market.db');
});
afterAll(() => ex?.close());

/** A deterministic walk: two trades per candle, then the candle closes (`beforeClose` just before). */
let step = 0;
function candle(beforeClose?: () => void): void {
  step++;
  const p = 30000 + Math.round(Math.sin(step / 3) * 300 + step * 7);
  ex.market.setPrice('BTCUSDT', String(p + 15), { qty: '0.5' });
  ex.market.setPrice('BTCUSDT', String(p), { qty: '0.25' });
  beforeClose?.();
  ex.market.closeCandle('BTCUSDT', '1m');
}

function recorder(db: MarketDb): Recorder {
  return new Recorder(
    {
      wsBase: ex.wsBase,
      symbols: ['BTCUSDT'],
      intervals: ['1m'],
      trades: 'raw',
      depth: 5,
      depthEveryMs: 150,
      maxBackoffMs: 500,
    },
    db,
    new PublicRest({ httpBase: ex.httpBase }),
  );
}

const exchangeCandles = () => ex.market.klines('BTCUSDT', '1m', { limit: 1000 }).filter((k) => k.closed);

describe('market-data recorder', () => {
  it('a cut stream and a dropped candle: every gap backfilled from REST (candles and trades), no duplicate, no gap left', async () => {
    const db = new MarketDb(dbFile);
    const rec = recorder(db);
    await rec.start();
    await waitFor(
      () => ex.listening.market('btcusdt@kline_1m') && ex.listening.market('btcusdt@trade'),
      5000,
      'streams',
    );
    for (let i = 0; i < 8; i++) candle();
    await waitFor(() => db.countKlines('BTCUSDT', '1m') === 8, 5000, '8 candles from the stream');
    const tradesBefore = db.trades('BTCUSDT').length;
    expect(tradesBefore).toBe(16);
    const lastIdBefore = Math.max(...db.trades('BTCUSDT').map((t) => t.id));

    // The cut: the connection drops, five candles (and their ten trades) close before it is back.
    expect(ex.faults.cutConnections('market')).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) candle();
    await waitFor(() => rec.stats.connects === 2 && ex.listening.market('btcusdt@kline_1m'), 10_000, 'reconnected');
    await waitFor(() => db.countKlines('BTCUSDT', '1m') === 13, 10_000, 'the cut candles backfilled');

    // A final candle lost by the stream (market-drop): found missing when the next one arrives.
    for (let i = 0; i < 3; i++) candle();
    candle(() => ex.faults.add({ kind: 'market-drop', match: { stream: 'btcusdt@kline_1m' }, count: 1 }));
    for (let i = 0; i < 4; i++) candle();
    await waitFor(() => db.countKlines('BTCUSDT', '1m') === 21, 10_000, '21 candles');
    await waitFor(() => rec.stats.depth >= 3, 5000, 'depth samples');
    await rec.stop();

    const stored = db.klines('BTCUSDT', '1m');
    const expected = exchangeCandles();
    expect(stored.map((k) => k.openTime)).toEqual(expected.map((k) => k.openTime));
    expect(stored.map((k) => [k.open, k.high, k.low, k.close, k.closeTime])).toEqual(
      expected.map((k) =>
        [k.open, k.high, k.low, k.close, k.closeTime].map((x) => (typeof x === 'number' ? x : expect.any(String))),
      ),
    );
    // Consecutive open times: no hole.
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.openTime - stored[i - 1]!.openTime).toBe(60_000);
    // Each candle once; six came from REST (five cut, one dropped).
    const sources = db.db
      .prepare('SELECT source, count(*) AS n FROM klines GROUP BY source ORDER BY source')
      .all() as Array<{ source: string; n: number }>;
    expect(sources).toEqual([
      { source: 'rest', n: 6 },
      { source: 'stream', n: 15 },
    ]);
    expect(rec.stats.klinesBackfilled).toBe(6);
    // Trades: all 42 the exchange printed, each once, exactly as its tape has them; the ten of the
    // cut from REST; no gap left anywhere.
    const trades = db.trades('BTCUSDT');
    expect(new Set(trades.map((t) => t.id)).size).toBe(trades.length);
    expect(trades).toHaveLength(42);
    // (The tape's first print, the opening setPrice, came before the recorder started.)
    const tape = ex.market.raw
      .tape('BTCUSDT')!
      .recent(1000)
      .filter((t) => t.id >= trades[0]!.id);
    expect(trades.map((t) => [t.id, Number(t.price), Number(t.qty), t.time])).toEqual(
      tape.map((t) => [t.id, Number(t.price), Number(t.qty), t.time]),
    );
    for (let i = 1; i < trades.length; i++) expect(trades[i]!.id).toBe(trades[i - 1]!.id + 1);
    const sourceOf = new Map(
      (db.db.prepare('SELECT id, source FROM trades').all() as Array<{ id: number; source: string }>).map((r) => [
        r.id,
        r.source,
      ]),
    );
    const cut = Array.from({ length: 10 }, (_, i) => lastIdBefore + 1 + i);
    expect(cut.map((id) => sourceOf.get(id))).toEqual(cut.map(() => 'rest'));
    // Those before the cut came by the stream; those after it by the stream, or by the reconnect's
    // REST backfill when its answer came first (the same trade either way, stored once).
    expect(trades.filter((t) => t.id <= lastIdBefore).every((t) => sourceOf.get(t.id) === 'stream')).toBe(true);
    expect(rec.stats.tradesBackfilled).toBe([...sourceOf.values()].filter((x) => x === 'rest').length);
    expect(db.gaps()).toEqual([]);
    // Depth snapshots, in the backtester's recording format.
    const books = db.depth('BTCUSDT');
    expect(books.length).toBeGreaterThanOrEqual(3);
    expect(parseDepthRecording(books.map(depthRecordingLine).join('\n'))).toEqual(books);
    expect(books[0]!.bids).toHaveLength(5);
    db.close();
  });

  it('a restart resumes: candles closed while it was down are backfilled, nothing doubled', async () => {
    for (let i = 0; i < 3; i++) candle();
    const db = new MarketDb(dbFile);
    const rec = recorder(db);
    await rec.start();
    await waitFor(() => db.countKlines('BTCUSDT', '1m') === 24, 10_000, 'resumed');
    candle();
    await waitFor(() => db.countKlines('BTCUSDT', '1m') === 25, 5000, 'streaming again');
    await rec.stop();
    expect(db.klines('BTCUSDT', '1m').map((k) => k.openTime)).toEqual(exchangeCandles().map((k) => k.openTime));
    db.close();
  });

  it('a backtest from the database equals a backtest of the same candles from a file; depth from the database too', async () => {
    // The file: the exchange's own candles, as npm run download writes them.
    const csv = path.join(dir, 'BTCUSDT-1m-paper.csv');
    const header =
      'open_time,open,high,low,close,volume,close_time,qav,num_trades,taker_base_vol,taker_quote_vol,ignore';
    writeFileSync(
      csv,
      `${header}\n${exchangeCandles()
        .map((k) =>
          [
            k.openTime,
            k.open,
            k.high,
            k.low,
            k.close,
            k.volume,
            k.closeTime,
            k.quoteVolume,
            k.trades,
            '0',
            '0',
            '0',
          ].join(','),
        )
        .join('\n')}\n`,
    );
    const run = async (args: string[], name: string) => {
      const out = path.join(dir, 'bt');
      const code = backtestCli(
        [
          '--strategy',
          'dca-take-profit',
          '--params',
          '{"everyCandles":1,"quantity":"0.01","takeProfitPct":"0.3","maxLots":3}',
          '--out',
          out,
          '--name',
          name,
          '--quiet',
          ...args,
        ],
        { out: () => {}, err: () => {}, isTty: false },
      );
      expect(code).toBe(0);
      const {
        file: _f,
        elapsedMs: _e,
        ...rest
      } = JSON.parse(readFileSync(path.join(out, `${name}.json`), 'utf8')) as Record<string, unknown>;
      return rest;
    };
    const fromFile = await run(['--file', csv], 'file');
    const fromDb = await run(['--db', dbFile, '--symbol', 'BTCUSDT', '--interval', '1m'], 'db');
    expect(fromDb).toEqual(fromFile);
    expect((fromDb.metrics as { trades: number }).trades).toBeGreaterThan(0);
    // --from/--to select the same period from either.
    const t = exchangeCandles();
    const period = ['--from', String(t[5]!.openTime), '--to', String(t[15]!.openTime)];
    expect(await run(['--db', dbFile, '--symbol', 'BTCUSDT', '--interval', '1m', ...period], 'db-period')).toEqual(
      await run(['--file', csv, ...period], 'file-period'),
    );
    // Depth: the database's snapshots are what --depth reads from it (the same as a JSON Lines copy).
    const db = new MarketDb(dbFile, { readonly: true });
    const jsonl = path.join(dir, 'depth.jsonl');
    writeFileSync(jsonl, `${db.depth('BTCUSDT').map(depthRecordingLine).join('\n')}\n`);
    db.close();
    expect(loadDepthRecording(dbFile, 'BTCUSDT')).toEqual(loadDepthRecording(jsonl));
    const book = (args: string[], name: string) =>
      run(['--strategy', 'book-imbalance', '--params', '{}', ...args], name);
    expect(
      await book(['--db', dbFile, '--symbol', 'BTCUSDT', '--interval', '1m', '--depth', dbFile], 'book-db'),
    ).toEqual(await book(['--file', csv, '--depth', jsonl], 'book-file'));
  });

  it('trades the exchange no longer keeps: the rest backfilled, the missing ids listed as a gap', async () => {
    // An exchange that keeps only its last few public trades (Binance keeps a bounded history too).
    const small = await startPaperExchange({ port: 0, prices: { kind: 'manual' }, rateLimits: false, tapeSize: 4 });
    const db = new MarketDb(path.join(dir, 'small.db'));
    const rec = new Recorder(
      { wsBase: small.wsBase, symbols: ['BTCUSDT'], intervals: ['1m'], trades: 'raw', maxBackoffMs: 500 },
      db,
      new PublicRest({ httpBase: small.httpBase }),
    );
    try {
      let price = 30000;
      const print = (n: number) => {
        for (let i = 0; i < n; i++) small.market.setPrice('BTCUSDT', String((price += 3)), { qty: '0.1' });
      };
      small.market.setPrice('BTCUSDT', '30000');
      await rec.start();
      await waitFor(() => small.listening.market('btcusdt@trade'), 5000, 'trade stream');
      print(3);
      await waitFor(() => db.trades('BTCUSDT').length === 3, 5000, '3 trades from the stream');
      const lastIdBefore = db.trades('BTCUSDT').at(-1)!.id;

      expect(small.faults.cutConnections('market')).toBeGreaterThan(0);
      print(12); // while cut: more than the exchange keeps
      const kept = small.market.raw
        .tape('BTCUSDT')!
        .recent(1000)
        .map((t) => t.id);
      expect(kept[0]!).toBeGreaterThan(lastIdBefore + 1);
      await waitFor(
        () => rec.stats.connects === 2 && db.trades('BTCUSDT').length === 3 + kept.length,
        10_000,
        'the kept trades backfilled',
      );
      await rec.stop();

      const ids = db.trades('BTCUSDT').map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.slice(3)).toEqual(kept);
      const gaps = db.gaps();
      expect(gaps).toHaveLength(1);
      expect(gaps[0]).toMatchObject({ kind: 'trades', symbol: 'BTCUSDT', from: lastIdBefore + 1, to: kept[0]! - 1 });
      expect(gaps[0]!.reason).toMatch(/historicalTrades no longer has these ids/);
      // Every id from the first to the last is stored or listed as missing.
      expect(ids.length + (gaps[0]!.to - gaps[0]!.from + 1)).toBe(ids.at(-1)! - ids[0]! + 1);
    } finally {
      await rec.stop();
      db.close();
      await small.close();
    }
  });
});
