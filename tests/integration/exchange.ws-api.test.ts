/**
 * The WebSocket API's common methods on the same engine as REST: an order placed with
 * `order.place` is the order REST sees, its user-data events flow, errors and limits are Binance's
 * (signature, timestamp and recvWindow rules, -1020 for what is not supported, rateLimits).
 */
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, ZERO_SPREAD_BOOK, startPaperExchange } from '../../exchange';
import { type Wire, clientFor, waitFor } from '../support/exchange-client';
import { wsText } from '../../infra/ws-text';

const KEY = 'wsapi-key';
const SECRET = 'wsapi-secret';
let ex: PaperExchange;

beforeAll(async () => {
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    book: ZERO_SPREAD_BOOK,
    accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '100000', BTC: '1' } }],
  });
  ex.market.setPrice('BTCUSDT', '30000');
});
afterAll(async () => {
  await ex.close();
});

class Session {
  private seq = 0;
  readonly frames: Wire[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (m) => this.frames.push(JSON.parse(wsText(m)) as Wire));
  }
  static async open(query = ''): Promise<Session> {
    const ws = new WebSocket(`${ex.wsApi}${query}`);
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    return new Session(ws);
  }
  async call(method: string, params?: Record<string, unknown>, id: unknown = `r${++this.seq}`): Promise<Wire> {
    this.ws.send(JSON.stringify({ id, method, ...(params !== undefined ? { params } : {}) }));
    return waitFor(() => this.frames.find((f) => f.id === id), 5000, `answer to ${method}`);
  }
  /** Signed: apiKey + timestamp added, HMAC over the parameters sorted by name. */
  signed(method: string, params: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Promise<Wire> {
    const all: Record<string, unknown> = { apiKey: KEY, timestamp: Date.now(), ...params, ...overrides };
    const payload = Object.keys(all)
      .sort()
      .map((k) => `${k}=${String(all[k])}`)
      .join('&');
    return this.call(method, { ...all, signature: createHmac('sha256', SECRET).update(payload).digest('hex') });
  }
  close(): void {
    this.ws.close();
  }
}

describe('trading over the WebSocket API', () => {
  it('order.place / order.status / openOrders.status / order.cancel are the REST orders, with user-data events', async () => {
    const s = await Session.open();
    try {
      const sub = await s.signed('userDataStream.subscribe.signature');
      expect(sub).toMatchObject({ status: 200, result: { subscriptionId: 0 } });
      const placed = await s.signed('order.place', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.01',
        price: '29000',
        newClientOrderId: 'ws-lim-1',
      });
      expect(placed).toMatchObject({
        status: 200,
        result: { symbol: 'BTCUSDT', clientOrderId: 'ws-lim-1', status: 'NEW', price: '29000.00000000', fills: [] },
      });
      expect(placed.rateLimits.map((r: Wire) => `${r.rateLimitType}/${r.interval}`)).toEqual([
        'ORDERS/SECOND',
        'ORDERS/DAY',
        'REQUEST_WEIGHT/MINUTE',
      ]);
      expect(placed.rateLimits[0].count).toBeGreaterThan(0);
      // The same order through REST (binance-api-node).
      const rest = clientFor(ex, KEY, SECRET);
      expect(await rest.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'ws-lim-1' })).toMatchObject({
        orderId: placed.result.orderId,
        status: 'NEW',
      });
      const status = await s.signed('order.status', { symbol: 'BTCUSDT', origClientOrderId: 'ws-lim-1' });
      expect(status.result).toMatchObject({ orderId: placed.result.orderId, status: 'NEW', isWorking: true });
      const open = await s.signed('openOrders.status', { symbol: 'BTCUSDT' });
      expect(open.result.map((o: Wire) => o.clientOrderId)).toContain('ws-lim-1');
      const cancel = await s.signed('order.cancel', { symbol: 'BTCUSDT', origClientOrderId: 'ws-lim-1' });
      expect(cancel.result).toMatchObject({ origClientOrderId: 'ws-lim-1', status: 'CANCELED' });
      const market = await s.signed('order.place', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.001',
        newClientOrderId: 'ws-mkt-1',
      });
      expect(market.result).toMatchObject({
        status: 'FILLED',
        fills: [{ price: '30000.00000000', qty: '0.00100000' }],
      });
      const reports = await waitFor(
        () => {
          const r = s.frames
            .filter((f) => f.subscriptionId === 0 && f.event?.e === 'executionReport')
            .map((f) => `${f.event.c}/${f.event.x}`);
          return r.length >= 4 ? r : false;
        },
        5000,
        'executionReports',
      );
      expect(reports).toEqual(expect.arrayContaining(['ws-lim-1/NEW', 'ws-mkt-1/NEW', 'ws-mkt-1/TRADE']));
      expect(ex.audit.clientId('ws-mkt-1')).toMatchObject({ submitted: 1, executed: 1 });
      const dup = await s.signed('order.place', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.01',
        price: '29000',
        newClientOrderId: 'ws-dup',
      });
      expect(dup.status).toBe(200);
      expect(
        await s.signed('order.place', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: '29000',
          newClientOrderId: 'ws-dup',
        }),
      ).toMatchObject({ status: 400, error: { code: -2010, msg: 'Duplicate order sent.' } });
      expect(await s.signed('order.status', { symbol: 'BTCUSDT', origClientOrderId: 'nope' })).toMatchObject({
        status: 400,
        error: { code: -2013, msg: 'Order does not exist.' },
      });
      expect(await s.signed('order.cancel', { symbol: 'BTCUSDT', origClientOrderId: 'nope' })).toMatchObject({
        status: 400,
        error: { code: -2011 },
      });
      const account = await s.signed('account.status', { omitZeroBalances: true });
      expect(account.result).toMatchObject({ canTrade: true, accountType: 'SPOT' });
      expect(account.result.balances.map((b: Wire) => b.asset)).toEqual(expect.arrayContaining(['USDT', 'BTC']));
    } finally {
      s.close();
    }
  });

  it('serves market data: time, ping, klines, depth, tickers, trades', async () => {
    const s = await Session.open();
    try {
      expect(await s.call('ping')).toMatchObject({ status: 200, result: {} });
      const time = await s.call('time');
      expect(Math.abs(time.result.serverTime - Date.now())).toBeLessThan(5000);
      expect(time.rateLimits[0]).toMatchObject({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1 });
      const klines = await s.call('klines', { symbol: 'BTCUSDT', interval: '1m', limit: 2 });
      expect(klines.status).toBe(200);
      expect(klines.result[0]).toHaveLength(12);
      const depth = await s.call('depth', { symbol: 'BTCUSDT', limit: 5 });
      expect(depth.result.bids).toHaveLength(5);
      expect(depth.result.lastUpdateId).toEqual(expect.any(Number));
      expect((await s.call('ticker.price', { symbol: 'BTCUSDT' })).result).toEqual({
        symbol: 'BTCUSDT',
        price: '30000.00000000',
      });
      expect((await s.call('ticker.24hr', { symbols: ['BTCUSDT', 'ETHUSDT'] })).result).toHaveLength(2);
      expect((await s.call('trades.recent', { symbol: 'BTCUSDT', limit: 1 })).result).toHaveLength(1);
      expect((await s.call('exchangeInfo', { symbol: 'BTCUSDT' })).result.symbols[0].symbol).toBe('BTCUSDT');
      // The versioned spelling and returnRateLimits:false.
      const v3 = await s.call('v3/time', { returnRateLimits: false });
      expect(v3.status).toBe(200);
      expect(v3.rateLimits).toBeUndefined();
    } finally {
      s.close();
    }
  });

  it('omits rateLimits for a connection opened with ?returnRateLimits=false', async () => {
    const s = await Session.open('?returnRateLimits=false');
    try {
      expect((await s.call('time')).rateLimits).toBeUndefined();
      expect((await s.call('time', { returnRateLimits: true })).rateLimits).toHaveLength(1);
    } finally {
      s.close();
    }
  });
});

describe('WebSocket API errors', () => {
  it('refuses what Binance refuses: signatures, timestamps, recvWindow, parameters', async () => {
    const s = await Session.open();
    try {
      const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' };
      expect(
        (await s.call('order.place', { ...order, apiKey: KEY, timestamp: Date.now(), signature: 'ab'.repeat(32) }))
          .error,
      ).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
      expect((await s.call('order.place', { ...order, timestamp: Date.now(), signature: 'x' })).error.code).toBe(-1102);
      expect((await s.signed('order.place', order, { apiKey: 'unknown' })).error.code).toBe(-2015);
      expect((await s.signed('order.place', order, { timestamp: 'abc' })).error).toEqual({
        code: -1100,
        msg: "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.",
      });
      expect((await s.signed('order.place', order, { recvWindow: 'abc' })).error.code).toBe(-1100);
      expect((await s.signed('order.place', order, { recvWindow: 99_999_999 })).error.code).toBe(-1131);
      expect((await s.signed('order.place', order, { recvWindow: 60_000 })).status).toBe(200);
      expect((await s.signed('order.place', order, { timestamp: Date.now() - 10_000 })).error).toEqual({
        code: -1021,
        msg: 'Timestamp for this request is outside of the recvWindow.',
      });
      expect((await s.signed('order.place', order, { timestamp: Date.now() + 5_000 })).error.code).toBe(-1021);
      expect((await s.signed('order.place', { ...order, quantity: 1e-7 })).error.code).toBe(-1100);
      expect((await s.signed('order.place', { ...order, nested: { a: 1 } })).error.code).toBe(-1135);
      expect((await s.signed('order.place', { ...order, foo: 'bar' })).error.code).toBe(-1104);
      // The user-data subscription checks its timestamp too (it used to accept "abc").
      expect((await s.signed('userDataStream.subscribe.signature', {}, { timestamp: 'abc' })).error.code).toBe(-1100);
      expect((await s.signed('userDataStream.subscribe.signature', {}, { recvWindow: 99_999_999 })).error.code).toBe(
        -1131,
      );
      expect((await s.call('session.logon', {})).error.code).toBe(-1020);
      expect((await s.call('no.such.method')).error).toEqual({ code: -1020, msg: 'This operation is not supported.' });
      expect((await s.call('klines', { symbol: 'BTCUSDT', interval: '1m', startTime: -1 })).error.code).toBe(-1100);
      expect((await s.call('depth', { symbol: 'NOPE' })).error).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    } finally {
      s.close();
    }
  });

  it('answers malformed frames and keeps the connection', async () => {
    const s = await Session.open();
    try {
      for (const frame of [
        'null',
        '42',
        '"x"',
        '[]',
        '{',
        '{"id":{"a":1},"method":"ping"}',
        '{"id":1}',
        '{"id":2,"method":"ping","params":[1]}',
      ])
        s.ws.send(frame);
      await waitFor(() => s.frames.length >= 8, 5000, 'eight error answers');
      expect(s.frames.every((f) => f.status === 400 && typeof f.error?.code === 'number')).toBe(true);
      expect(s.frames.slice(0, 5).map((f) => f.error.code)).toEqual([-1135, -1135, -1135, -1135, -1135]);
      expect(await s.call('ping')).toMatchObject({ status: 200 });
    } finally {
      s.close();
    }
  });
});
