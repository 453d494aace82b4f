/**
 * The admin endpoints are locked: off unless enabled, a token on every call, nothing from a web
 * page (foreign Origin or Host, cross-site fetches, form-encodable bodies), and every value checked
 * before anything changes.
 */
import http from 'node:http';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, startPaperExchange } from '../../exchange';
import { type Wire, adminCall } from '../support/exchange-client';

const KEY = 'admin-test-key';
const SECRET = 'admin-test-secret';

let ex: PaperExchange;
let off: PaperExchange;
const tokenFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'admin-token-')), 'data', 'paper-exchange.admin-token');

beforeAll(async () => {
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    accounts: [{ apiKey: KEY, apiSecret: SECRET, name: 'acct', balances: { USDT: '1000' } }],
    admin: { enabled: true, tokenFile },
  });
  off = await startPaperExchange({
    prices: { kind: 'manual' },
    accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '10000' } }],
  });
});
afterAll(async () => {
  await ex.close();
  await off.close();
});

/** A raw request with full control of the headers (fetch will not send a foreign Host). */
function raw(
  port: number,
  method: string,
  p: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Wire }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: p,
        headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Wire }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const usdt = () => ex.venue.balance('acct', 'USDT').free;

describe('admin off by default', () => {
  it('does not exist unless enabled, whatever token is sent', async () => {
    expect(off.admin).toEqual({ enabled: false, token: null, tokenFile: null });
    const res = await raw(off.port, 'GET', '/admin/status', {
      Host: `127.0.0.1:${off.port}`,
      Authorization: `Bearer ${'a'.repeat(64)}`,
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/disabled/);
    const deposit = await raw(
      off.port,
      'POST',
      '/admin/deposit',
      { Host: `127.0.0.1:${off.port}`, 'Content-Type': 'application/json' },
      JSON.stringify({ apiKey: KEY, asset: 'USDT', amount: '1000000000' }),
    );
    expect(deposit.status).toBe(404);
    expect(off.venue.balance(off.accounts.accountId(KEY), 'USDT').free).toBe('10000');
  });
});

describe('admin token', () => {
  it('is random, written once to the token file with mode 600, and required on every call', async () => {
    expect(ex.admin.token).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(ex.admin.token);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const host = { Host: `127.0.0.1:${ex.port}` };
    const none = await raw(ex.port, 'GET', '/admin/status', host);
    expect(none.status).toBe(401);
    expect(none.body.error).toMatch(/token required/);
    const wrong = await raw(ex.port, 'GET', '/admin/status', { ...host, Authorization: `Bearer ${'0'.repeat(64)}` });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'wrong admin token' } });
    const notBearer = await raw(ex.port, 'GET', '/admin/status', { ...host, Authorization: `Basic ${ex.admin.token}` });
    expect(notBearer.status).toBe(401);
    for (const [method, p, body] of [
      ['POST', '/admin/deposit', { apiKey: KEY, asset: 'USDT', amount: '5' }],
      ['POST', '/admin/price', { symbol: 'BTCUSDT', price: '1' }],
      ['POST', '/admin/accounts', { apiKey: 'intruder-key', apiSecret: 'intruder-secret' }],
      ['POST', '/admin/faults', { kind: 'reset-before-execute' }],
      ['DELETE', '/admin/faults', undefined],
      ['GET', '/admin/audit', undefined],
    ] as const) {
      const res = await raw(
        ex.port,
        method,
        p,
        { ...host, 'Content-Type': 'application/json' },
        body === undefined ? undefined : JSON.stringify(body),
      );
      expect(res.status, `${method} ${p}`).toBe(401);
    }
    expect(usdt()).toBe('1000');
    expect(ex.market.price('BTCUSDT')).not.toBe('1');
    expect(ex.accounts.list().map((a) => a.apiKey)).not.toContain('intruder-key');
    expect(ex.faults.list()).toEqual([]);
    // With the token it works.
    expect((await adminCall(ex, '/admin/status')).status).toBe(200);
  });
});

describe('requests from web pages', () => {
  const auth = () => ({ Authorization: `Bearer ${ex.admin.token as string}` });

  it('refuses a foreign Origin, a cross-site fetch and a preflight, and never sends CORS headers', async () => {
    const host = { Host: `127.0.0.1:${ex.port}` };
    const evil = await raw(
      ex.port,
      'POST',
      '/admin/deposit',
      { ...host, ...auth(), Origin: 'https://evil.example', 'Content-Type': 'application/json' },
      JSON.stringify({ apiKey: KEY, asset: 'USDT', amount: '5' }),
    );
    expect(evil.status).toBe(403);
    expect(evil.body.error).toMatch(/foreign Origin/);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const crossSite = await raw(ex.port, 'GET', '/admin/status', {
      ...host,
      ...auth(),
      'Sec-Fetch-Site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    const preflight = await raw(ex.port, 'OPTIONS', '/admin/deposit', {
      ...host,
      Origin: 'https://evil.example',
      'Access-Control-Request-Method': 'POST',
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // Same origin is fine.
    const same = await raw(ex.port, 'GET', '/admin/status', {
      ...host,
      ...auth(),
      Origin: `http://127.0.0.1:${ex.port}`,
    });
    expect(same.status).toBe(200);
    expect(usdt()).toBe('1000');
  });

  it('refuses a foreign Host (DNS rebinding) and a body a form could send (text/plain)', async () => {
    const rebound = await raw(ex.port, 'GET', '/admin/status', { Host: `attacker.example:${ex.port}`, ...auth() });
    expect(rebound.status).toBe(403);
    expect(rebound.body.error).toMatch(/foreign Host/);
    const otherPort = await raw(ex.port, 'GET', '/admin/status', { Host: `127.0.0.1:${ex.port + 1}`, ...auth() });
    expect(otherPort.status).toBe(403);
    const plain = await raw(
      ex.port,
      'POST',
      '/admin/deposit',
      { Host: `localhost:${ex.port}`, ...auth(), 'Content-Type': 'text/plain' },
      JSON.stringify({ apiKey: KEY, asset: 'USDT', amount: '1000000000' }),
    );
    expect(plain.status).toBe(415);
    expect(usdt()).toBe('1000');
  });
});

describe('admin inputs', () => {
  const bad: Array<[string, string, unknown, number, RegExp]> = [
    ['negative deposit', '/admin/deposit', { apiKey: KEY, asset: 'USDT', amount: '-1000' }, 400, /amount/],
    ['zero deposit', '/admin/deposit', { apiKey: KEY, asset: 'USDT', amount: '0' }, 400, /greater than 0/],
    ['exponent amount', '/admin/deposit', { apiKey: KEY, asset: 'USDT', amount: '1e9' }, 400, /amount/],
    ['number amount', '/admin/deposit', { apiKey: KEY, asset: 'USDT', amount: 1000 }, 400, /amount/],
    ['path-like asset', '/admin/deposit', { apiKey: KEY, asset: '../../etc/passwd', amount: '1' }, 400, /asset/],
    ['lower-case asset', '/admin/deposit', { apiKey: KEY, asset: 'usdt', amount: '1' }, 400, /asset/],
    ['unknown key', '/admin/deposit', { apiKey: 'nobody', asset: 'USDT', amount: '1' }, 404, /unknown API key/],
    ['extra field', '/admin/deposit', { apiKey: KEY, asset: 'USDT', amount: '1', sneaky: true }, 400, /sneaky/],
    [
      'withdraw beyond the free balance',
      '/admin/withdraw',
      { apiKey: KEY, asset: 'USDT', amount: '1000.01' },
      400,
      /insufficient balance/,
    ],
    ['negative price', '/admin/price', { symbol: 'BTCUSDT', price: '-1' }, 400, /price/],
    ['zero price', '/admin/price', { symbol: 'BTCUSDT', price: '0' }, 400, /greater than 0/],
    ['overflowing price', '/admin/price', { symbol: 'BTCUSDT', price: '1e400' }, 400, /price/],
    ['price above maxPrice', '/admin/price', { symbol: 'BTCUSDT', price: '99999999' }, 400, /maxPrice/],
    ['unknown symbol', '/admin/price', { symbol: 'DOGEUSDT', price: '1' }, 400, /unknown symbol/],
    ['null fault', '/admin/faults', null, 400, /body/],
    ['unknown fault kind', '/admin/faults', { kind: 'nonsense' }, 400, /unknown fault kind/],
    [
      'bad fault regex',
      '/admin/faults',
      { kind: 'user-drop', match: { clientOrderId: '(' } },
      400,
      /regular expression/,
    ],
    [
      'second key on an existing account',
      '/admin/accounts',
      { apiKey: 'second-key-1', apiSecret: 'second-secret-1', name: 'acct' },
      409,
      /already exists/,
    ],
    ['short api secret', '/admin/accounts', { apiKey: 'new-key-123', apiSecret: 'x' }, 400, /apiSecret/],
    [
      'negative starting balance',
      '/admin/accounts',
      { apiKey: 'new-key-123', apiSecret: 'new-secret-123', balances: { USDT: '-5' } },
      400,
      /balances/,
    ],
    ['bad burst count', '/admin/burst', { symbol: 'BTCUSDT', count: 1e9 }, 400, /count/],
    ['bad interval', '/admin/candle/close', { symbol: 'BTCUSDT', interval: '7m' }, 400, /interval/],
    ['freeze forever and a day', '/admin/freeze', { ms: 1e12 }, 400, /ms/],
  ];
  for (const [name, p, body, status, msg] of bad) {
    it(`${name} → ${status}, nothing changes`, async () => {
      const before = {
        usdt: usdt(),
        price: ex.market.price('BTCUSDT'),
        accounts: ex.accounts.list().length,
        faults: ex.faults.list().length,
      };
      const res = await adminCall(ex, p, body, 'POST');
      expect(res.status).toBe(status);
      expect(String(res.body.error)).toMatch(msg);
      expect({
        usdt: usdt(),
        price: ex.market.price('BTCUSDT'),
        accounts: ex.accounts.list().length,
        faults: ex.faults.list().length,
      }).toEqual(before);
    });
  }

  it('accepts good values: deposit, withdraw, price, a new account, a fault', async () => {
    expect((await adminCall(ex, '/admin/deposit', { apiKey: KEY, asset: 'USDT', amount: '5' })).status).toBe(200);
    expect(usdt()).toBe('1005');
    expect((await adminCall(ex, '/admin/withdraw', { apiKey: KEY, asset: 'USDT', amount: '5.5' })).status).toBe(200);
    expect(usdt()).toBe('999.5');
    expect((await adminCall(ex, '/admin/price', { symbol: 'BTCUSDT', price: '30000.5' })).body).toEqual({
      price: '30000.5',
    });
    expect(
      (
        await adminCall(ex, '/admin/accounts', {
          apiKey: 'second-account-key',
          apiSecret: 'second-account-secret',
          balances: { BTC: '1' },
        })
      ).status,
    ).toBe(200);
    const fault = await adminCall(ex, '/admin/faults', {
      kind: 'delay',
      ms: 10,
      match: { endpoint: 'GET /api/v3/ping' },
    });
    expect(fault.body.id).toEqual(expect.any(Number));
    expect((await adminCall(ex, `/admin/faults/${fault.body.id as number}`, undefined, 'DELETE')).body).toEqual({
      removed: true,
    });
    expect((await adminCall(ex, '/admin/audit/requests?clientOrderId=../x')).status).toBe(400);
  });
});
