/**
 * Bad input over raw HTTP (what binance-api-node cannot produce): every malformed request gets
 * Binance's `{code,msg}` and status, never a crash or a 5xx.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, startPaperExchange } from '../../exchange';

const KEY = 'bad-key';
const SECRET = 'bad-secret';
let ex: PaperExchange;

beforeAll(async () => {
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '10000' } }],
    rateLimits: false,
  });
});
afterAll(async () => {
  await ex.close();
});

interface Answer {
  status: number;
  body: { code?: number; msg?: string } & Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  query: string,
  opts: { key?: string | null; body?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.key !== null) headers['X-MBX-APIKEY'] = opts.key ?? KEY;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(`${ex.httpBase}${path}${query ? `?${query}` : ''}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Answer['body'] };
}

const sign = (payload: string, secret = SECRET) => createHmac('sha256', secret).update(payload).digest('hex');
const signed = (query: string, secret = SECRET) => `${query}&signature=${sign(query, secret)}`;
const ts = () => `timestamp=${Date.now()}`;
const order = (params: string) => signed(`symbol=BTCUSDT&${params}&${ts()}`);

describe('authentication and timing', () => {
  it('needs an API key (-2014), a known one (-2015), a signature (-1102) that matches (-1022)', async () => {
    expect(await call('GET', '/api/v3/account', signed(ts()), { key: null })).toEqual({
      status: 401,
      body: { code: -2014, msg: 'API-key format invalid.' },
    });
    expect(await call('GET', '/api/v3/account', signed(ts()), { key: 'who' })).toEqual({
      status: 401,
      body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    });
    expect((await call('GET', '/api/v3/account', ts())).body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    });
    expect(await call('GET', '/api/v3/account', signed(ts(), 'not-the-secret'))).toEqual({
      status: 400,
      body: { code: -1022, msg: 'Signature for this request is not valid.' },
    });
    // The signature covers the raw text: re-ordering parameters after signing breaks it.
    const q = `recvWindow=5000&${ts()}`;
    const [a, b] = q.split('&');
    expect((await call('GET', '/api/v3/account', `${b}&${a}&signature=${sign(q)}`)).body.code).toBe(-1022);
    // Upper-case hex is fine (HMAC signatures are case-insensitive).
    expect((await call('GET', '/api/v3/account', `${q}&signature=${sign(q).toUpperCase()}`)).status).toBe(200);
  });

  it('enforces timestamp and recvWindow (-1021, -1131, -1102)', async () => {
    expect((await call('GET', '/api/v3/account', signed('recvWindow=5000'))).body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    });
    expect((await call('GET', '/api/v3/account', signed(`timestamp=${Date.now() - 10_000}`))).body).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
    expect(
      (await call('GET', '/api/v3/account', signed(`timestamp=${Date.now() - 10_000}&recvWindow=20000`))).status,
    ).toBe(200);
    expect((await call('GET', '/api/v3/account', signed(`timestamp=${Date.now() + 5_000}`))).body).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    expect((await call('GET', '/api/v3/account', signed(`${ts()}&recvWindow=60001`))).body.code).toBe(-1131);
    expect((await call('GET', '/api/v3/account', signed('timestamp=12ab'))).body.code).toBe(-1100);
    // Microsecond timestamps are accepted.
    expect((await call('GET', '/api/v3/account', signed(`timestamp=${Date.now() * 1000}`))).status).toBe(200);
  });

  it('reads form bodies too, the query string winning, and signs query + body', async () => {
    const query = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=20000&newClientOrderId=q-wins`;
    const body = `newClientOrderId=body-loses&${ts()}`;
    const res = await call('POST', '/api/v3/order', query, { body: `${body}&signature=${sign(query + body)}` });
    expect(res.status).toBe(200);
    expect(res.body.clientOrderId).toBe('q-wins');
  });
});

describe('malformed parameters', () => {
  const cases: Array<[string, string, string, number, string | RegExp]> = [
    [
      'unknown symbol',
      'POST',
      signed(`symbol=NOPEUSDT&side=BUY&type=MARKET&quantity=1&${ts()}`),
      -1121,
      'Invalid symbol.',
    ],
    [
      'too many decimals',
      'POST',
      order('side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001000001&price=20000'),
      -1111,
      "Parameter 'quantity' has too much precision.",
    ],
    [
      'exponent in a decimal',
      'POST',
      order('side=BUY&type=LIMIT&timeInForce=GTC&quantity=1e-3&price=20000'),
      -1100,
      "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
    ],
    [
      'negative decimal',
      'POST',
      order('side=BUY&type=LIMIT&timeInForce=GTC&quantity=-1&price=20000'),
      -1100,
      /quantity/,
    ],
    [
      'missing side',
      'POST',
      order('type=MARKET&quantity=1'),
      -1102,
      "Mandatory parameter 'side' was not sent, was empty/null, or malformed.",
    ],
    ['bad side', 'POST', order('side=HOLD&type=MARKET&quantity=1'), -1117, 'Invalid side.'],
    ['bad type', 'POST', order('side=BUY&type=MOON&quantity=1'), -1116, 'Invalid orderType.'],
    [
      'bad timeInForce',
      'POST',
      order('side=BUY&type=LIMIT&timeInForce=GTX&quantity=1&price=1'),
      -1115,
      'Invalid timeInForce.',
    ],
    [
      'empty parameter',
      'POST',
      order('side=BUY&type=LIMIT&timeInForce=GTC&quantity=&price=1'),
      -1105,
      "Parameter 'quantity' was empty.",
    ],
    [
      'unknown parameter',
      'POST',
      order('side=BUY&type=MARKET&quantity=0.001&foo=bar'),
      -1104,
      /^Not all sent parameters were read/,
    ],
    [
      'duplicate parameter',
      'POST',
      order('side=BUY&side=SELL&type=MARKET&quantity=0.001'),
      -1101,
      'Duplicate values for a parameter detected.',
    ],
    ['orderId not a number', 'GET', order('orderId=12x'), -1100, /orderId/],
    [
      'neither id on a query',
      'GET',
      order('recvWindow=5000'),
      -1102,
      "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
    ],
    [
      'empty client id',
      'POST',
      order('side=BUY&type=MARKET&quantity=0.001&newClientOrderId='),
      -1118,
      'New client order ID was empty.',
    ],
    [
      'client id too long',
      'POST',
      order(`side=BUY&type=MARKET&quantity=0.001&newClientOrderId=${'a'.repeat(37)}`),
      -1100,
      /newClientOrderId/,
    ],
    ['bad percent-encoding', 'POST', `symbol=BTC%ZZUSDT&${ts()}`, -1100, /Illegal characters/],
  ];
  for (const [name, method, query, code, msg] of cases) {
    it(`${name} → ${code}`, async () => {
      const res = await call(method, method === 'GET' ? '/api/v3/order' : '/api/v3/order', query);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(code);
      if (typeof msg === 'string') expect(res.body.msg).toBe(msg);
      else expect(res.body.msg).toMatch(msg);
    });
  }

  it('public endpoints validate too', async () => {
    expect((await call('GET', '/api/v3/klines', 'symbol=BTCUSDT&interval=2m')).body).toEqual({
      code: -1120,
      msg: 'Invalid interval.',
    });
    expect((await call('GET', '/api/v3/klines', 'symbol=BTCUSDT&interval=1m&limit=5000')).body.code).toBe(-1130);
    expect((await call('GET', '/api/v3/klines', 'interval=1m')).body.code).toBe(-1102);
    expect((await call('GET', '/api/v3/exchangeInfo', 'symbols=[BTCUSDT')).body.code).toBe(-1100);
    expect((await call('GET', '/api/v3/exchangeInfo', 'symbol=btc usdt')).body.code).toBe(-1100);
    expect((await call('GET', '/api/v3/nothing', '')).status).toBe(404);
  });

  it('never crashes: arbitrary query strings get a {code,msg} 4xx answer', async () => {
    const part = fc.oneof(
      fc.constantFrom(
        'symbol',
        'side',
        'type',
        'quantity',
        'price',
        'timeInForce',
        'newClientOrderId',
        'stopPrice',
        'trailingDelta',
        'quoteOrderQty',
        'recvWindow',
        'orderId',
        'x',
      ),
      fc.string({ maxLength: 6 }),
    );
    const value = fc.oneof(
      fc.constantFrom(
        'BTCUSDT',
        'BUY',
        'SELL',
        'LIMIT',
        'MARKET',
        'STOP_LOSS',
        'GTC',
        '0',
        '1',
        '0.001',
        '30000',
        '-1',
        '1e9',
        '99999999999999999999999',
      ),
      fc.string({ maxLength: 10 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(part, value), { maxLength: 8 }),
        fc.constantFrom('GET', 'POST', 'DELETE'),
        async (pairs, method) => {
          const raw = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
          const res = await call(method, '/api/v3/order', signed(`${raw}${raw ? '&' : ''}${ts()}`));
          expect(
            res.status === 200 || (res.status >= 400 && res.status < 500),
            `${method} ${raw} → ${res.status}`,
          ).toBe(true);
          if (res.status !== 200) {
            expect(typeof res.body.code).toBe('number');
            expect(typeof res.body.msg).toBe('string');
          }
        },
      ),
      { numRuns: 150 },
    );
    expect((await call('GET', '/api/v3/ping', '')).body).toEqual({});
  });
});

describe('binding', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(new URL(ex.httpBase).hostname).toBe('127.0.0.1');
    expect(new URL(ex.wsApi).hostname).toBe('127.0.0.1');
  });
});
