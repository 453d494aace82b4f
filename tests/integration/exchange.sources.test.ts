/**
 * Price sources: the seeded random walk (wall-clock candle closes, warm-up history), replay of a
 * Binance kline file (JSON and CSV) whose fills match the shared venue fed candle by candle — the
 * backtester's path — and the WebSocket heartbeat.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { Candle } from '../../core/market';
import { DEFAULT_SYMBOLS, type FillView, Venue } from '../../venue';
import { type PaperExchange, REALISTIC_BOOK, parseKlineFile, startPaperExchange } from '../../exchange';
import { RandomWalk } from '../../exchange/market/sources';
import { type Wire, clientFor, waitFor } from '../support/exchange-client';

const KEY = 'src-key';
const SECRET = 'src-secret';
const dir = mkdtempSync(path.join(os.tmpdir(), 'paper-sources-'));
let ex: PaperExchange | undefined;

afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

describe('random walk', () => {
  it('is reproducible from its seed and stays on the tick and step grid', () => {
    const a = new RandomWalk(42, 'BTCUSDT', '30000', '0.01', '0.00001', 0.001);
    const b = new RandomWalk(42, 'BTCUSDT', '30000', '0.01', '0.00001', 0.001);
    const c = new RandomWalk(43, 'BTCUSDT', '30000', '0.01', '0.00001', 0.001);
    const sa = Array.from({ length: 200 }, () => a.next());
    expect(Array.from({ length: 200 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 200 }, () => c.next())).not.toEqual(sa);
    for (const t of sa) {
      expect(t.price).toMatch(/^\d+(\.\d{1,2})?$/);
      expect(t.qty).toMatch(/^\d+(\.\d{1,5})?$/);
    }
  });

  it('closes 1s candles on wall-clock boundaries and serves warm-up history', async () => {
    ex = await startPaperExchange({
      prices: { kind: 'random-walk', seed: 7, tickMs: 50, history: 50 },
      accounts: [{ apiKey: KEY, apiSecret: SECRET }],
    });
    const client = clientFor(ex, KEY, SECRET);
    const history = await client.candles({ symbol: 'BTCUSDT', interval: '1h', limit: 1000 });
    expect(history.length).toBeGreaterThanOrEqual(50);
    for (let i = 1; i < history.length; i++) expect(history[i].openTime - history[i - 1].openTime).toBe(3_600_000);
    const finals: Wire[] = [];
    const clean = client.ws.candles('BTCUSDT', '1s', (k: Wire) => k.isFinal && finals.push(k));
    try {
      await waitFor(() => finals.length >= 2, 10_000, 'two closed 1s candles');
      const [first, second] = finals as [Wire, Wire];
      expect(first.startTime % 1000).toBe(0);
      expect(first.closeTime).toBe(first.startTime + 999);
      expect(second.startTime).toBe(first.startTime + 1000);
      expect(Number(first.volume)).toBeGreaterThan(0);
    } finally {
      clean();
    }
  }, 20_000);
});

describe('replay of a kline file', () => {
  const candles: Array<[number, string, string, string, string, string]> = [
    [1_700_000_040_000, '30000', '30100', '29800', '29900', '12'],
    [1_700_000_100_000, '29900', '29950', '29400', '29500', '8'],
    [1_700_000_160_000, '29500', '30500', '29450', '30400', '20'],
    [1_700_000_220_000, '30400', '30450', '29000', '29100', '30'],
    [1_700_000_280_000, '29100', '29200', '28500', '28600', '5'],
  ];
  const row = ([t, o, h, l, c, v]: (typeof candles)[number]) => [t, o, h, l, c, v, t + 59_999, '0', 10, '0', '0', '0'];

  it('parses JSON arrays and CSV (microsecond timestamps too) the same way', () => {
    const json = parseKlineFile(JSON.stringify(candles.map(row)), 'BTCUSDT');
    const csv = parseKlineFile(
      [
        'open_time,open,high,low,close,volume,close_time',
        ...candles.map((c) =>
          row(c)
            .map((x, i) => (i === 0 || i === 6 ? Number(x) * 1000 : x))
            .join(','),
        ),
      ].join('\n'),
      'BTCUSDT',
    );
    expect(csv).toEqual(json);
    expect(json[0]).toMatchObject({
      interval: '1m',
      openTime: 1_700_000_040_000,
      closeTime: 1_700_000_099_999,
      open: '30000',
      volume: '12',
    });
  });

  it('streams the file candles and fills orders exactly like the venue fed candle by candle', async () => {
    const file = path.join(dir, 'klines.json');
    writeFileSync(file, JSON.stringify(candles.map(row)));
    const parsed: Candle[] = parseKlineFile(JSON.stringify(candles.map(row)), 'BTCUSDT');
    ex = await startPaperExchange({
      prices: { kind: 'replay', file, manual: true },
      accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '100000', BTC: '1' } }],
      participation: '0.1',
    });
    const client = clientFor(ex, KEY, SECRET);
    const finals: Wire[] = [];
    const clean = client.ws.candles('BTCUSDT', '1m', (k: Wire) => k.isFinal && finals.push(k));

    // The same orders at the same points, on the exchange and on a bare venue (the backtester)
    // given the exchange's book: the spread and the levels a taker order walks are the same.
    const venue = new Venue({ symbols: DEFAULT_SYMBOLS, participation: '0.1', book: REALISTIC_BOOK });
    venue.addAccount('bt', { USDT: '100000', BTC: '1' }, 0);
    const plan: Array<Array<Record<string, string>>> = [
      [{ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '2', price: '29600', newClientOrderId: 'r-buy' }],
      [{ side: 'SELL', type: 'STOP_LOSS', quantity: '0.5', stopPrice: '29200', newClientOrderId: 'r-stop' }],
      [{ side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '30300', newClientOrderId: 'r-tp' }],
      [],
      [],
    ];
    try {
      // Subscribed before the first replayed candle: a kline pushed before that reaches nobody.
      await waitFor(() => ex && ex.listening.market('btcusdt@kline_1m'), 5000, 'kline subscription');
      for (let i = 0; i < parsed.length; i++) {
        expect(ex.market.replayNext()).toBe(true);
        venue.onCandle('BTCUSDT', parsed[i] as Candle);
        for (const o of plan[i] ?? []) {
          const placed = await client.order({ symbol: 'BTCUSDT', ...o, newOrderRespType: 'RESULT' });
          // Replaying, the exchange's clock is the data's: an order after a candle happens at its close.
          expect(placed.transactTime).toBe((parsed[i] as Candle).closeTime);
          const r = venue.placeOrder({ accountId: 'bt', symbol: 'BTCUSDT', time: 0, ...(o as object) } as never);
          expect(r.ok).toBe(true);
        }
      }
      expect(ex.market.replayNext()).toBe(false);
      await waitFor(
        () => finals.length === parsed.length,
        5000,
        `all final klines (got ${JSON.stringify(finals.map((k) => k.startTime))})`,
      );
      expect(finals.map((k) => [k.startTime, k.open, k.high, k.low, k.close, k.volume])).toEqual(
        parsed.map((c) => [
          c.openTime,
          ...[c.open, c.high, c.low, c.close].map((p) => `${p}.00000000`),
          `${c.volume}.00000000`,
        ]),
      );
      const shape = (f: FillView) => [
        f.clientOrderId,
        f.side,
        f.price,
        f.qty,
        f.commission,
        f.commissionAsset,
        f.isMaker,
      ];
      const paperFills = ex.audit.fills().map(shape);
      const backtestFills = venue.allFills().map(shape);
      expect(paperFills.length).toBeGreaterThan(3);
      expect(paperFills).toEqual(backtestFills);
      const account = ex.accounts.accountId(KEY);
      expect(ex.venue.balances(account)).toEqual(venue.balances('bt'));
    } finally {
      clean();
    }
  });
});

describe('candle clock', () => {
  it('fills a quiet period (or a freeze) with flat candles so a REST backfill finds no hole', async () => {
    const { Market } = await import('../../exchange/market/market');
    const venue = new Venue({ symbols: DEFAULT_SYMBOLS });
    const published: string[] = [];
    const market = new Market({
      venue,
      now: () => 0,
      sink: { hasSubscribers: (s) => s === 'btcusdt@kline_1m', publish: (_s, p) => published.push(p) },
      onVenueEvents: () => {},
      mode: 'clock',
      historyLimit: 100,
      book: { spreadTicks: 0, levels: 1, levelStepTicks: 1, levelQty: '1' },
    });
    const t0 = 1_700_000_040_000; // a minute boundary
    market.trade('BTCUSDT', '30000', '1', t0 + 5_000);
    market.trade('BTCUSDT', '30100', '1', t0 + 10_000);
    market.trade('BTCUSDT', '29900', '1', t0 + 5 * 60_000 + 1_000); // 4 quiet minutes in between
    const ks = market.klines('BTCUSDT', '1m', { limit: 100 });
    expect(ks.map((k) => (k.openTime - t0) / 60_000)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ks[0]).toMatchObject({ open: '30000', high: '30100', close: '30100', volume: '2', closed: true });
    expect(ks.slice(1, 5).every((k) => k.open === '30100' && k.close === '30100' && k.volume === '0')).toBe(true);
    expect(ks[5]).toMatchObject({ open: '29900', closed: false });
    // The stream saw the real candle close once (x=true), not the fillers.
    const finals = published.map((p) => JSON.parse(p) as Wire).filter((m) => m.k.x);
    expect(finals.map((m) => m.k.t)).toEqual([t0]);
  });
});

describe('WebSocket heartbeat', () => {
  it('pings every interval and drops a connection that never answers', async () => {
    ex = await startPaperExchange({
      prices: { kind: 'manual' },
      accounts: [{ apiKey: KEY, apiSecret: SECRET }],
      pingIntervalMs: 50,
      pongTimeoutMs: 200,
    });
    const silent = new WebSocket(`${ex.wsBase}/btcusdt@trade`, { autoPong: false });
    const polite = new WebSocket(`${ex.wsBase}/btcusdt@trade`);
    let pings = 0;
    silent.on('ping', () => pings++);
    await Promise.all([new Promise((r) => silent.once('open', r)), new Promise((r) => polite.once('open', r))]);
    await new Promise((r) => silent.once('close', r));
    expect(pings).toBeGreaterThan(0);
    expect(polite.readyState).toBe(WebSocket.OPEN);
    polite.close();
  });
});
