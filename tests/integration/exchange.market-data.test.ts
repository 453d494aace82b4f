/**
 * Market data as Binance serves it, checked over the raw wire (no client library in between):
 * a local order book built the way Binance documents (buffer the diff stream, fetch a snapshot,
 * drop what it covers, apply the rest) stays equal to the exchange's book and never crosses; the
 * default book has a spread and depth that taker orders really meet; trades, aggregate trades, 24h
 * statistics and the ticker streams are complete.
 */
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, startPaperExchange } from '../../exchange';
import { type Wire, waitFor } from '../support/exchange-client';
import { wsText } from '../../infra/ws-text';

const KEY = 'md-key';
const SECRET = 'md-secret';
let ex: PaperExchange;

beforeAll(async () => {
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '1000000', BTC: '50' } }],
    rateLimits: false,
    updateSpeedMs: { fast: 50, slow: 200 },
  });
  ex.market.setPrice('BTCUSDT', '30000', { qty: '0.5' });
});
afterAll(async () => {
  await ex.close();
});

async function get(path: string): Promise<{ status: number; body: Wire; headers: Headers }> {
  const res = await fetch(`${ex.httpBase}${path}`);
  return { status: res.status, body: (await res.json()) as Wire, headers: res.headers };
}

async function signed(method: string, path: string, query: string): Promise<Wire> {
  const q = `${query}${query ? '&' : ''}timestamp=${Date.now()}`;
  const sig = createHmac('sha256', SECRET).update(q).digest('hex');
  const res = await fetch(`${ex.httpBase}${path}?${q}&signature=${sig}`, { method, headers: { 'X-MBX-APIKEY': KEY } });
  return (await res.json()) as Wire;
}

function stream(path: string): Promise<{ ws: WebSocket; messages: Wire[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${ex.port}${path}`);
  const messages: Wire[] = [];
  ws.on('message', (m) => messages.push(JSON.parse(wsText(m)) as Wire));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

/** A local book kept as Binance's "How to manage a local order book correctly" says. */
class LocalBook {
  bids = new Map<string, string>();
  asks = new Map<string, string>();
  updateId = -1;
  applied = 0;
  zeros = 0;
  ranges = 0;

  reset(snapshot: Wire): void {
    this.bids = new Map(snapshot.bids as Array<[string, string]>);
    this.asks = new Map(snapshot.asks as Array<[string, string]>);
    this.updateId = snapshot.lastUpdateId as number;
  }

  /** Returns false when an event is missing (the book must be rebuilt). */
  apply(e: Wire): boolean {
    if (e.u <= this.updateId) return true;
    if (e.U > this.updateId + 1) return false;
    if (e.U < e.u) this.ranges++;
    for (const [side, levels] of [
      [this.bids, e.b],
      [this.asks, e.a],
    ] as const) {
      for (const [p, q] of levels as Array<[string, string]>) {
        if (Number(q) === 0) {
          side.delete(p);
          this.zeros++;
        } else side.set(p, q);
      }
    }
    this.updateId = e.u;
    this.applied++;
    return true;
  }

  best(): { bid: number; ask: number } {
    return { bid: Math.max(...[...this.bids.keys()].map(Number)), ask: Math.min(...[...this.asks.keys()].map(Number)) };
  }

  top(side: 'bids' | 'asks', n: number): Array<[string, string]> {
    const entries = [...(side === 'bids' ? this.bids : this.asks).entries()];
    entries.sort((a, b) => (side === 'bids' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
    return entries.slice(0, n);
  }
}

describe('order book', () => {
  it('has a spread and 5000 levels a side; limit above 5000 gives 5000; weight follows the limit', async () => {
    const r = await get('/api/v3/depth?symbol=BTCUSDT&limit=5000');
    expect(r.body.bids).toHaveLength(5000);
    expect(r.body.asks).toHaveLength(5000);
    const [bid] = r.body.bids[0];
    const [ask] = r.body.asks[0];
    expect(Number(bid)).toBeLessThan(30000);
    expect(Number(ask)).toBeGreaterThan(30000);
    expect(Number(ask) - Number(bid)).toBeCloseTo(0.02, 8);
    // Sorted, one tick apart, sizes that vary (not a flat book).
    expect(Number(r.body.bids[1][0])).toBeCloseTo(Number(bid) - 0.01, 8);
    expect(new Set((r.body.asks as string[][]).slice(0, 50).map((l) => l[1])).size).toBeGreaterThan(10);
    expect((await get('/api/v3/depth?symbol=BTCUSDT&limit=10000')).body.bids).toHaveLength(5000);
    expect((await get('/api/v3/depth?symbol=BTCUSDT')).body.bids).toHaveLength(100);
    // The weight counts per minute of the clock: measured again if a minute began in between.
    const used = async () => Number((await get('/api/v3/ping')).headers.get('x-mbx-used-weight-1m'));
    for (;;) {
      const minute = Math.floor(Date.now() / 60_000);
      const before = await used();
      await get('/api/v3/depth?symbol=BTCUSDT&limit=1001');
      const after = await used();
      if (Math.floor(Date.now() / 60_000) !== minute) continue;
      expect(after).toBe(before + 250 + 1);
      break;
    }
    const book = (await get('/api/v3/ticker/bookTicker?symbol=BTCUSDT')).body;
    expect(book).toMatchObject({ bidPrice: bid, askPrice: ask, bidQty: r.body.bids[0][1], askQty: r.body.asks[0][1] });
  });

  it('taker orders meet the book shown: a BUY walks the asks at their sizes, a SELL the bids', async () => {
    ex.market.setPrice('BTCUSDT', '30000', { qty: '0.5' });
    const depth = (await get('/api/v3/depth?symbol=BTCUSDT&limit=5')).body;
    const [a0, a1] = depth.asks as Array<[string, string]>;
    const qty = (Number(a0?.[1]) + Number(a1?.[1]) / 2).toFixed(5);
    const buy = await signed('POST', '/api/v3/order', `symbol=BTCUSDT&side=BUY&type=MARKET&quantity=${qty}`);
    expect(buy.status).toBe('FILLED');
    expect(buy.fills.map((f: Wire) => f.price)).toEqual([a0?.[0], a1?.[0]]);
    expect(buy.fills[0].qty).toBe(a0?.[1]);
    const bids = (await get('/api/v3/depth?symbol=BTCUSDT&limit=5')).body.bids as Array<[string, string]>;
    const sell = await signed('POST', '/api/v3/order', `symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.001`);
    expect(sell.fills[0].price).toBe(bids[0]?.[0]);
    // A LIMIT BUY at the last price rests (it is below the ask) instead of filling.
    const rest = await signed(
      'POST',
      '/api/v3/order',
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=30000',
    );
    expect(rest.status).toBe('NEW');
    await signed('DELETE', '/api/v3/order', `symbol=BTCUSDT&orderId=${rest.orderId as number}`);
  });

  it('a local book built from the diff stream as Binance documents equals the exchange book and never crosses', async () => {
    const fast = await stream('/ws/btcusdt@depth@100ms');
    const slow = await stream('/stream?streams=btcusdt@depth');
    const books = { fast: new LocalBook(), slow: new LocalBook() };
    try {
      // Moves while we buffer, before the snapshot.
      ex.market.setPrice('BTCUSDT', '30000.05', { qty: '0.1' });
      await waitFor(() => fast.messages.length > 0, 5000, 'first buffered diff');
      const firstU = fast.messages[0]?.U as number;
      let snapshot = (await get('/api/v3/depth?symbol=BTCUSDT&limit=5000')).body;
      while (snapshot.lastUpdateId < firstU) snapshot = (await get('/api/v3/depth?symbol=BTCUSDT&limit=5000')).body;
      books.fast.reset(snapshot);
      books.slow.reset(snapshot);
      const consume = (name: 'fast' | 'slow', events: Wire[]) => {
        for (const e of events.splice(0))
          expect(books[name].apply(name === 'slow' ? e.data : e), `${name} gap at U=${e.U}`).toBe(true);
      };
      // A walk with one-tick steps, jumps of hundreds of ticks, our own orders, and a price off the grid.
      const moves = [
        '30000.06',
        '30000.04',
        '30003.50',
        '29990.00',
        '29990.01',
        '29990.01',
        '30010.25',
        '30010.255',
        '30010.25',
        '29950.00',
      ];
      for (const [i, price] of moves.entries()) {
        ex.market.setPrice('BTCUSDT', price, { qty: '0.2' });
        if (i % 3 === 0) await signed('POST', '/api/v3/order', 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.3');
        await new Promise((r) => setTimeout(r, 70));
        consume('fast', fast.messages);
        const { bid, ask } = books.fast.best();
        expect(bid, `crossed after ${price}`).toBeLessThan(ask);
      }
      // Quiet: once both streams have pushed the exchange's last update (the slow one every 200 ms,
      // later on a loaded machine), both local books equal the exchange's top levels.
      const now = await waitFor(
        async () => {
          consume('fast', fast.messages);
          consume('slow', slow.messages);
          const d = (await get('/api/v3/depth?symbol=BTCUSDT&limit=1000')).body;
          return books.fast.updateId === d.lastUpdateId && books.slow.updateId === d.lastUpdateId && d;
        },
        10_000,
        'both streams at the exchange last update id',
      );
      for (const name of ['fast', 'slow'] as const) {
        expect(books[name].updateId, name).toBe(now.lastUpdateId);
        expect(books[name].top('bids', 1000), name).toEqual(now.bids);
        expect(books[name].top('asks', 1000), name).toEqual(now.asks);
        expect(books[name].bids.size, name).toBe(5000);
        expect(books[name].asks.size, name).toBe(5000);
      }
      expect(books.fast.zeros).toBeGreaterThan(0);
      // The slow stream batches several updates into one event (U < u).
      expect(books.slow.ranges).toBeGreaterThan(0);
    } finally {
      fast.ws.close();
      slow.ws.close();
    }
  });

  it('partial depth and bookTicker streams carry the same book', async () => {
    const s = await stream('/stream?streams=btcusdt@depth5@100ms/btcusdt@bookTicker/btcusdt@depth10');
    try {
      await waitFor(
        () => {
          ex.market.setPrice('BTCUSDT', '30001', { qty: '0.1' });
          return (
            s.messages.some((m) => m.stream === 'btcusdt@bookTicker') &&
            s.messages.some((m) => m.stream === 'btcusdt@depth5@100ms') &&
            s.messages.some((m) => m.stream === 'btcusdt@depth10')
          );
        },
        5000,
        'book streams',
      );
      const last = (name: string) => [...s.messages].reverse().find((m) => m.stream === name)?.data as Wire;
      // Quiet: wait until both streams have delivered the book's last update (the same counter as
      // the REST depth's lastUpdateId), then they must carry the exchange's best levels.
      await waitFor(
        async () => {
          const id = (await get('/api/v3/depth?symbol=BTCUSDT&limit=5')).body.lastUpdateId as number;
          return last('btcusdt@bookTicker')?.u === id && last('btcusdt@depth5@100ms')?.lastUpdateId === id;
        },
        10_000,
        'bookTicker and depth5 at the last update id',
      );
      const top = (await get('/api/v3/ticker/bookTicker?symbol=BTCUSDT')).body;
      expect(last('btcusdt@bookTicker')).toMatchObject({
        s: 'BTCUSDT',
        b: top.bidPrice,
        B: top.bidQty,
        a: top.askPrice,
        A: top.askQty,
      });
      expect(last('btcusdt@depth5@100ms').bids).toHaveLength(5);
      expect(last('btcusdt@depth5@100ms').bids[0]).toEqual([top.bidPrice, top.bidQty]);
      expect(last('btcusdt@depth10').asks).toHaveLength(10);
    } finally {
      s.ws.close();
    }
  });
});

describe('trades', () => {
  it('serves recent, historical and aggregate trades, our fills among them with their myTrades ids', async () => {
    ex.market.setPrice('ETHUSDT', '2000', { qty: '1.5' });
    ex.market.setPrice('ETHUSDT', '2000.5', { qty: '0.25' });
    const buy = await signed('POST', '/api/v3/order', 'symbol=ETHUSDT&side=BUY&type=MARKET&quantity=0.5');
    ex.market.setPrice('ETHUSDT', '2001', { qty: '2' });
    const recent = (await get('/api/v3/trades?symbol=ETHUSDT&limit=10')).body as Wire[];
    expect(recent.map((t) => t.id)).toEqual([...recent.map((t) => t.id)].sort((a, b) => a - b));
    expect(recent[0]).toEqual({
      id: expect.any(Number),
      price: '2000.00000000',
      qty: '1.50000000',
      quoteQty: '3000.00000000',
      time: expect.any(Number),
      isBuyerMaker: false,
      isBestMatch: true,
    });
    const mine = (await signed('GET', '/api/v3/myTrades', 'symbol=ETHUSDT')) as Wire[];
    expect(mine.length).toBeGreaterThan(0);
    for (const t of mine)
      expect(recent.find((r) => r.id === t.id)).toMatchObject({ price: t.price, qty: t.qty, isBuyerMaker: false });
    expect(buy.fills[0].tradeId).toBe(mine[0]?.id);
    const from = recent[1]?.id as number;
    const hist = (await get(`/api/v3/historicalTrades?symbol=ETHUSDT&fromId=${from}&limit=2`)).body as Wire[];
    expect(hist.map((t) => t.id)).toEqual([from, recent[2]?.id]);
    const agg = (await get(`/api/v3/aggTrades?symbol=ETHUSDT&fromId=${from}&limit=1`)).body as Wire[];
    expect(agg[0]).toEqual({
      a: from,
      p: recent[1]?.price,
      q: recent[1]?.qty,
      f: from,
      l: from,
      T: recent[1]?.time,
      m: false,
      M: true,
    });
    const t0 = recent[0]?.time as number;
    expect(
      ((await get(`/api/v3/aggTrades?symbol=ETHUSDT&startTime=${t0}&endTime=${t0 + 60_000}`)).body as Wire[]).length,
    ).toBe(recent.length);
    expect((await get(`/api/v3/aggTrades?symbol=ETHUSDT&startTime=${t0}&endTime=${t0 + 3_600_001}`)).body).toEqual({
      code: -1127,
      msg: 'More than 1 hours between startTime and endTime.',
    });
    expect((await get('/api/v3/trades?symbol=ETHUSDT&limit=1001')).body.code).toBe(-1130);
  });

  it('streams trades and aggregate trades', async () => {
    const s = await stream('/ws/bnbusdt@trade/bnbusdt@aggTrade');
    try {
      await waitFor(
        () => {
          ex.market.setPrice('BNBUSDT', '300.5', { qty: '3' });
          return s.messages.some((m) => m.e === 'aggTrade') && s.messages.some((m) => m.e === 'trade');
        },
        5000,
        'trade streams',
      );
      const agg = s.messages.find((m) => m.e === 'aggTrade') as Wire;
      expect(agg).toEqual({
        e: 'aggTrade',
        E: expect.any(Number),
        s: 'BNBUSDT',
        a: expect.any(Number),
        p: '300.50000000',
        q: '3.00000000',
        f: agg.a,
        l: agg.a,
        T: expect.any(Number),
        m: false,
        M: true,
      });
    } finally {
      s.ws.close();
    }
  });
});

describe('24h statistics', () => {
  it('REST ticker/24hr has every field, FULL and MINI', async () => {
    ex.market.setPrice('BNBUSDT', '301', { qty: '2' });
    const t = (await get('/api/v3/ticker/24hr?symbol=BNBUSDT')).body;
    expect(t).toMatchObject({ symbol: 'BNBUSDT', lastPrice: '301.00000000', lastQty: '2.00000000' });
    expect(t.firstId).toBeGreaterThan(0);
    expect(t.lastId).toBeGreaterThanOrEqual(t.firstId);
    expect(t.count).toBe(t.lastId - t.firstId + 1);
    expect(Number(t.volume)).toBeGreaterThan(0);
    expect(Number(t.bidPrice)).toBeLessThan(301);
    expect(Number(t.askPrice)).toBeGreaterThan(301);
    for (const k of [
      'priceChange',
      'priceChangePercent',
      'weightedAvgPrice',
      'prevClosePrice',
      'bidQty',
      'askQty',
      'openPrice',
      'highPrice',
      'lowPrice',
      'quoteVolume',
      'openTime',
      'closeTime',
    ])
      expect(t).toHaveProperty(k);
    const mini = (await get('/api/v3/ticker/24hr?symbol=BNBUSDT&type=MINI')).body;
    expect(Object.keys(mini).sort()).toEqual([
      'closeTime',
      'count',
      'firstId',
      'highPrice',
      'lastId',
      'lastPrice',
      'lowPrice',
      'openPrice',
      'openTime',
      'quoteVolume',
      'symbol',
      'volume',
    ]);
    expect((await get('/api/v3/ticker/24hr?symbol=BNBUSDT&type=HUGE')).body).toEqual({
      code: -1139,
      msg: 'Invalid ticker type.',
    });
  });

  it('streams @ticker, @miniTicker and the all-market arrays', async () => {
    const s = await stream('/stream?streams=btcusdt@ticker/ethusdt@miniTicker/!ticker@arr/!miniTicker@arr');
    try {
      await waitFor(
        () => {
          ex.market.setPrice('BTCUSDT', '30002', { qty: '0.1' });
          ex.market.setPrice('ETHUSDT', '2002', { qty: '0.1' });
          const names = new Set(s.messages.map((m) => m.stream));
          return (
            names.has('btcusdt@ticker') &&
            names.has('ethusdt@miniTicker') &&
            names.has('!ticker@arr') &&
            names.has('!miniTicker@arr')
          );
        },
        5000,
        'ticker streams',
      );
      const ticker = s.messages.find((m) => m.stream === 'btcusdt@ticker')?.data as Wire;
      expect(Object.keys(ticker).sort()).toEqual(
        [
          'A',
          'B',
          'C',
          'E',
          'F',
          'L',
          'O',
          'P',
          'Q',
          'a',
          'b',
          'c',
          'e',
          'h',
          'l',
          'n',
          'o',
          'p',
          'q',
          's',
          'v',
          'w',
          'x',
        ].sort(),
      );
      expect(ticker).toMatchObject({ e: '24hrTicker', s: 'BTCUSDT' });
      expect(Number(ticker.b)).toBeLessThan(Number(ticker.a));
      expect(s.messages.find((m) => m.stream === 'ethusdt@miniTicker')?.data).toMatchObject({
        e: '24hrMiniTicker',
        s: 'ETHUSDT',
      });
      const arr = s.messages.find((m) => m.stream === '!ticker@arr')?.data as Wire[];
      expect(arr.map((x) => x.s)).toEqual(expect.arrayContaining(['BTCUSDT']));
    } finally {
      s.ws.close();
    }
  });
});

describe('wallet endpoints', () => {
  it('answers system status, trade fees and commission rates', async () => {
    expect((await get('/sapi/v1/system/status')).body).toEqual({ status: 0, msg: 'normal' });
    expect(await signed('GET', '/sapi/v1/asset/tradeFee', 'symbol=BTCUSDT')).toEqual([
      { symbol: 'BTCUSDT', makerCommission: '0.001', takerCommission: '0.001' },
    ]);
    expect(((await signed('GET', '/sapi/v1/asset/tradeFee', '')) as Wire[]).map((f) => f.symbol)).toEqual([
      'BTCUSDT',
      'ETHUSDT',
      'BNBUSDT',
    ]);
    expect(await signed('GET', '/api/v3/account/commission', 'symbol=BTCUSDT')).toMatchObject({
      symbol: 'BTCUSDT',
      standardCommission: { maker: '0.00100000', taker: '0.00100000' },
    });
  });
});
