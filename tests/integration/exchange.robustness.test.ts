/**
 * The paper exchange never crashes and enforces Binance's limits: the one-word frames that used to
 * kill the process, the stream/message/payload limits with Binance's answers or close codes, HTTP
 * body limits — then a bounded fuzz of REST, /ws and /ws-api/v3 (fast-check, a few hundred cases,
 * seconds). After it all, the exchange still answers, still streams, and its books balance.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, startPaperExchange } from '../../exchange';
import { type Wire, waitFor } from '../support/exchange-client';
import { wsText } from '../../infra/ws-text';

const KEY = 'robust-key';
const SECRET = 'robust-secret';
let ex: PaperExchange;
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '100000', BTC: '2' } }],
    rateLimits: false,
    admin: { enabled: true },
  });
  ex.market.setPrice('BTCUSDT', '30000');
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await ex.close();
});

interface Socket {
  ws: WebSocket;
  frames: Wire[];
  raw: string[];
  closed: Promise<{ code: number; reason: string }>;
}

function open(path: string): Promise<Socket> {
  const ws = new WebSocket(`ws://127.0.0.1:${ex.port}${path}`);
  const frames: Wire[] = [];
  const raw: string[] = [];
  ws.on('message', (m) => {
    raw.push(wsText(m));
    frames.push(JSON.parse(wsText(m)) as Wire);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, raw, closed }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** The exchange still works: REST answers and a fresh stream delivers a trade. */
async function stillAlive(): Promise<void> {
  expect(await (await fetch(`${ex.httpBase}/api/v3/ping`)).json()).toEqual({});
  const s = await open('/ws/btcusdt@trade');
  try {
    await waitFor(
      () => {
        ex.market.setPrice('BTCUSDT', '30000.5');
        return s.frames.some((f) => f.e === 'trade');
      },
      5000,
      'a trade on a fresh connection',
    );
  } finally {
    s.ws.close();
  }
}

describe('frames that used to crash the exchange', () => {
  it('null, numbers, arrays and strings on /ws and /ws-api/v3 get an error answer', async () => {
    const market = await open('/ws');
    const api = await open('/ws-api/v3');
    try {
      for (const s of [market, api]) for (const f of ['null', '1', '[]']) s.ws.send(f);
      await waitFor(() => market.frames.length >= 3 && api.frames.length >= 3, 5000, 'answers');
      expect(market.frames.map((f) => f.error?.code)).toEqual([2, 2, 2]);
      expect(api.frames.map((f) => f.error?.code)).toEqual([-1135, -1135, -1135]);
      expect(uncaught).toEqual([]);
    } finally {
      market.ws.close();
      api.ws.close();
    }
    await stillAlive();
  });

  it('answers bad control messages with Binance codes', async () => {
    const s = await open('/ws');
    try {
      s.ws.send('{"method":"SUBSCRIBE","params":[1],"id":1}');
      s.ws.send('{"method":"NOPE","id":2}');
      s.ws.send('{"method":"SET_PROPERTY","params":["combined","yes"],"id":3}');
      s.ws.send('{"method":"GET_PROPERTY","params":["other"],"id":4}');
      s.ws.send('{"method":"LIST_SUBSCRIPTIONS","id":{"x":1}}');
      await waitFor(() => s.frames.length >= 5, 5000, 'five answers');
      expect(s.frames.map((f) => f.error?.code)).toEqual([2, 2, 1, 0, 2]);
      expect(s.frames[1]?.error.msg).toMatch(/^Invalid request: unknown variant/);
      expect(s.frames[4]?.error.msg).toBe('Invalid request: request ID must be an unsigned integer');
    } finally {
      s.ws.close();
    }
  });
});

describe("Binance's limits", () => {
  it('closes a market connection over 5 incoming messages a second (1008)', async () => {
    const s = await open('/ws');
    for (let i = 0; i < 7; i++) s.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: i }));
    expect((await s.closed).code).toBe(1008);
    // Five a second is fine.
    const ok = await open('/ws');
    try {
      for (let i = 0; i < 5; i++) ok.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: i }));
      await waitFor(() => ok.frames.length === 5, 5000, 'five answers');
      expect(ok.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      ok.ws.close();
    }
  });

  it('allows 1024 streams per connection, not 1025 (SUBSCRIBE and URL)', async () => {
    const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `btcusdt@kline_${i + from}x`);
    const s = await open('/ws');
    try {
      s.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: names(1024), id: 1 }));
      await waitFor(() => s.frames.find((f) => f.id === 1), 5000, 'subscribe 1024');
      expect(s.frames[0]).toEqual({ result: null, id: 1 });
      s.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 2 }));
      const refused = await waitFor(() => s.frames.find((f) => f.id === 2), 5000, 'subscribe 1025th');
      expect(refused.error).toMatchObject({ code: 2, msg: expect.stringMatching(/too many streams/) });
    } finally {
      s.ws.close();
    }
    await expect(open(`/stream?streams=${names(1025).join('/')}`)).rejects.toThrow('HTTP 400');
    const full = await open(`/stream?streams=${names(1024).join('/')}`);
    full.ws.close();
  });

  it('closes on a frame over 64 KiB (1009), on /ws and /ws-api/v3', async () => {
    for (const path of ['/ws', '/ws-api/v3']) {
      const s = await open(path);
      s.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['x'.repeat(70_000)], id: 1 }));
      expect((await s.closed).code).toBe(1009);
    }
    await stillAlive();
  });

  it('answers an HTTP body over 1 MiB with 413 and a Binance error instead of a reset', async () => {
    const res = await fetch(`${ex.httpBase}/api/v3/order`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `symbol=${'A'.repeat(1_100_000)}`,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: -1101 });
    await stillAlive();
  });
});

describe('fuzz (bounded)', () => {
  const sign = (q: string) => createHmac('sha256', SECRET).update(q).digest('hex');
  const paths = [
    '/api/v3/order',
    '/api/v3/order/test',
    '/api/v3/openOrders',
    '/api/v3/allOrders',
    '/api/v3/myTrades',
    '/api/v3/account',
    '/api/v3/depth',
    '/api/v3/klines',
    '/api/v3/trades',
    '/api/v3/aggTrades',
    '/api/v3/historicalTrades',
    '/api/v3/ticker/24hr',
    '/api/v3/ticker/price',
    '/api/v3/exchangeInfo',
    '/api/v3/orderList/oco',
    '/api/v3/order/cancelReplace',
    '/sapi/v1/asset/tradeFee',
    '/admin/status',
    '/admin/price',
    '/nope',
  ];
  const names = [
    'symbol',
    'side',
    'type',
    'quantity',
    'price',
    'timeInForce',
    'newClientOrderId',
    'origClientOrderId',
    'orderId',
    'stopPrice',
    'trailingDelta',
    'quoteOrderQty',
    'recvWindow',
    'timestamp',
    'limit',
    'startTime',
    'endTime',
    'fromId',
    'interval',
    'symbols',
    'type',
    'signature',
  ];
  const values = [
    'BTCUSDT',
    'ETHUSDT',
    'BUY',
    'SELL',
    'LIMIT',
    'MARKET',
    'STOP_LOSS',
    'GTC',
    'IOC',
    '0',
    '1',
    '-1',
    '0.001',
    '30000',
    '1e9',
    'NaN',
    'abc',
    '99999999999999999999999',
    '["BTCUSDT"]',
    '[',
    '1m',
    '%',
    '%00',
    '\u0000',
    '💥',
  ];
  const anyText = fc.oneof(
    fc.constantFrom(...values),
    fc.string({ maxLength: 12 }),
    fc.string({ maxLength: 8, unit: 'binary' }),
  );

  it('REST: every request gets a JSON answer under 500, never a reset', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
        fc.constantFrom(...paths),
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 6 })), anyText), { maxLength: 8 }),
        fc.constantFrom('none', 'query', 'body', 'signed'),
        fc.option(anyText, { nil: undefined }),
        async (method, path, pairs, where, apiKey) => {
          let q = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
          if (where === 'signed') {
            const withTs = `${q}${q ? '&' : ''}timestamp=${Date.now()}`;
            q = `${withTs}&signature=${sign(withTs)}`;
          }
          const headers: Record<string, string> = {};
          if (apiKey !== undefined) headers['X-MBX-APIKEY'] = encodeURIComponent(apiKey);
          if (where === 'signed') headers['X-MBX-APIKEY'] = KEY;
          if (where === 'body') headers['Content-Type'] = 'application/x-www-form-urlencoded';
          const res = await fetch(`${ex.httpBase}${path}${where === 'body' || !q ? '' : `?${q}`}`, {
            method,
            headers,
            ...(where === 'body' && method !== 'GET' ? { body: q } : {}),
          });
          const text = await res.text();
          expect(res.status, `${method} ${path}?${q} → ${res.status} ${text}`).toBeLessThan(500);
          const body = JSON.parse(text) as Wire;
          if (res.status >= 400 && !path.startsWith('/admin')) expect(typeof body.code, text).toBe('number');
        },
      ),
      { numRuns: 250, interruptAfterTimeLimit: 20_000 },
    );
    await stillAlive();
  });

  const jsonish = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 40 }),
    fc
      .record({
        method: fc.oneof(
          fc.constantFrom('SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        params: fc.oneof(
          fc.array(
            fc.oneof(
              fc.constantFrom('btcusdt@trade', 'btcusdt@depth', '!ticker@arr', 'combined', 'x'),
              fc.jsonValue({ maxDepth: 1 }),
            ),
            { maxLength: 4 },
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 40 }), fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
      })
      .map((v) => JSON.stringify(v)),
  );

  it('/ws: every frame is answered or ignored, the connection closes only with a limit code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jsonish, { minLength: 1, maxLength: 4 }), fc.boolean(), async (frames, binary) => {
        const s = await open(binary ? '/ws/btcusdt@trade' : '/ws');
        for (const f of frames) s.ws.send(binary ? Buffer.from(f) : f);
        s.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 'last' }));
        const end = await Promise.race([
          waitFor(() => s.frames.find((f) => f.id === 'last'), 5000, 'last answer').then(() => 'answered' as const),
          s.closed.then((c) => c.code),
        ]);
        if (end !== 'answered') expect([1008, 1009]).toContain(end);
        for (const f of s.frames)
          expect(f.result !== undefined || f.error !== undefined || f.e !== undefined, JSON.stringify(f)).toBe(true);
        s.ws.close();
      }),
      { numRuns: 120, interruptAfterTimeLimit: 15_000 },
    );
    await stillAlive();
  });

  /** A correctly signed order request with fuzzed order parameters: reaches the venue. */
  const signedOrder = fc
    .record({
      method: fc.constantFrom('order.place', 'order.test', 'order.cancel', 'order.status', 'openOrders.cancelAll'),
      params: fc.dictionary(
        fc.constantFrom(
          'symbol',
          'side',
          'type',
          'quantity',
          'price',
          'timeInForce',
          'stopPrice',
          'trailingDelta',
          'quoteOrderQty',
          'newClientOrderId',
          'origClientOrderId',
          'orderId',
          'newOrderRespType',
        ),
        fc.oneof(fc.constantFrom(...values), fc.integer({ min: -5, max: 100_000 })),
      ),
    })
    .map(({ method, params }) => {
      const all: Record<string, unknown> = { symbol: 'BTCUSDT', ...params, apiKey: KEY, timestamp: Date.now() };
      const payload = Object.keys(all)
        .sort()
        .map((k) => `${k}=${String(all[k])}`)
        .join('&');
      return JSON.stringify({ id: 'o', method, params: { ...all, signature: sign(payload) } });
    });

  const apiFrame = fc.oneof(
    jsonish,
    signedOrder,
    fc
      .record({
        id: fc.oneof(fc.integer(), fc.uuid(), fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
        method: fc.oneof(
          fc.constantFrom(
            'order.place',
            'order.status',
            'order.cancel',
            'openOrders.status',
            'account.status',
            'klines',
            'depth',
            'time',
            'ping',
            'userDataStream.subscribe.signature',
            'userDataStream.unsubscribe',
            'ticker.24hr',
            'trades.aggregate',
          ),
          fc.string({ maxLength: 10 }),
        ),
        params: fc.oneof(
          fc.dictionary(
            fc.constantFrom(...names, 'apiKey', 'returnRateLimits', 'subscriptionId'),
            fc.oneof(anyText.map(String), fc.integer(), fc.double(), fc.boolean(), fc.jsonValue({ maxDepth: 2 })),
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      })
      .map((v) => JSON.stringify(v)),
  );

  it('/ws-api/v3: every request frame gets {id, status, result|error}', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(apiFrame, { minLength: 1, maxLength: 5 }), async (frames) => {
        const s = await open('/ws-api/v3');
        for (const f of frames) s.ws.send(f);
        s.ws.send(JSON.stringify({ id: 'last', method: 'ping' }));
        await waitFor(() => s.frames.find((f) => f.id === 'last'), 5000, 'last answer');
        for (const f of s.frames) {
          if (f.subscriptionId !== undefined) continue; // a user-data event after a lucky subscribe
          expect(typeof f.status, JSON.stringify(f)).toBe('number');
          expect(f.status === 200 ? f.result !== undefined : typeof f.error?.code === 'number', JSON.stringify(f)).toBe(
            true,
          );
          expect(f.status, JSON.stringify(f)).toBeLessThan(500);
        }
        s.ws.close();
      }),
      { numRuns: 120, interruptAfterTimeLimit: 15_000 },
    );
    await stillAlive();
  });

  it('nothing crashed and the books still balance', () => {
    expect(uncaught).toEqual([]);
    // The fuzz reached the venue (signed order requests), and every balance still adds up.
    expect(ex.audit.summary().placementRequests).toBeGreaterThan(10);
    expect(ex.audit.check(ex.venue)).toEqual([]);
  });
});
