/**
 * Persistence: state saved atomically and reloaded — in process, and for the standalone process
 * killed with SIGKILL and started again (`npm run exchange`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPaperExchange } from '../../exchange';
import { saveAtomic } from '../../exchange/persistence';
import { type Wire, adminCall, clientFor, rejectionOf, waitFor } from '../support/exchange-client';

const KEY = 'persist-key';
const SECRET = 'persist-secret';
const dir = mkdtempSync(path.join(os.tmpdir(), 'paper-exchange-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('atomic state file', () => {
  it('replaces the file in one step and leaves no temporary file', () => {
    const file = path.join(dir, 'atomic.json');
    saveAtomic(file, JSON.stringify({ n: 1 }));
    saveAtomic(file, JSON.stringify({ n: 2 }));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 2 });
    expect(readdirSync(dir).filter((f) => f.startsWith('atomic.json.'))).toEqual([]);
  });
});

describe('in-process restart', () => {
  it('keeps balances, orders, ids, klines and the audit across a restart', async () => {
    const stateFile = path.join(dir, 'state.json');
    const accounts = [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '10000' } }];
    const ex1 = await startPaperExchange({ stateFile, prices: { kind: 'manual' }, accounts });
    const c1 = clientFor(ex1, KEY, SECRET);
    ex1.market.setPrice('BTCUSDT', '30000');
    const bought = await c1.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
      newClientOrderId: 'p-buy',
    });
    const resting = await c1.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: '29000',
      newClientOrderId: 'p-rest',
    });
    ex1.market.closeCandle('BTCUSDT', '1m');
    const before = await c1.accountInfo();
    await ex1.close();
    expect(existsSync(stateFile)).toBe(true);

    const ex2 = await startPaperExchange({ stateFile, prices: { kind: 'manual' }, accounts });
    try {
      const c2 = clientFor(ex2, KEY, SECRET);
      expect((await c2.accountInfo()).balances).toEqual(before.balances);
      expect((await c2.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'p-rest' })).status).toBe('NEW');
      expect(
        (
          await rejectionOf(
            c2.order({
              symbol: 'BTCUSDT',
              side: 'BUY',
              type: 'LIMIT',
              quantity: '0.01',
              price: '29000',
              newClientOrderId: 'p-rest',
            }),
          )
        ).code,
      ).toBe(-2010);
      const next = await c2.order({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.01',
        newClientOrderId: 'p-buy-2',
      });
      expect(next.orderId).toBeGreaterThan(resting.orderId);
      expect(next.fills[0].tradeId).toBeGreaterThan(bought.fills[0].tradeId);
      ex2.market.setPrice('BTCUSDT', '28000');
      expect((await c2.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'p-rest' })).status).toBe('FILLED');
      expect((await c2.candles({ symbol: 'BTCUSDT', interval: '1m' })).length).toBeGreaterThanOrEqual(2);
      expect(ex2.audit.clientId('p-buy')).toMatchObject({ submitted: 1, executed: 1 });
      expect(ex2.audit.check(ex2.venue)).toEqual([]);
    } finally {
      await ex2.close();
    }
  });
});

describe('standalone process (npm run exchange)', () => {
  async function launch(
    stateFile: string,
  ): Promise<{ child: ChildProcess; httpBase: string; token: string; output: () => string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'exchange/main.ts'], {
      env: {
        ...process.env,
        PAPER_PORT: '0',
        PAPER_STATE: stateFile,
        PAPER_API_KEY: KEY,
        PAPER_API_SECRET: SECRET,
        PAPER_PRICES: 'manual',
        PAPER_ADMIN: 'on',
        PAPER_ADMIN_TOKEN_FILE: `${stateFile}.admin-token`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const httpBase = await waitFor(
      () => /httpBase\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1],
      30_000,
      'exchange start',
    );
    const token = await waitFor(() => /admin token\s+([0-9a-f]{64})/.exec(out)?.[1], 30_000, 'admin token');
    return { child, httpBase, token, output: () => out };
  }

  it('prints its URLs and key, and keeps state across kill -9', async () => {
    const stateFile = path.join(dir, 'process.json');
    const first = await launch(stateFile);
    expect(first.output()).toMatch(/wsApi\s+ws:\/\/127\.0\.0\.1:\d+\/ws-api\/v3/);
    expect(first.output()).toMatch(new RegExp(`apiKey\\s+${KEY}`));
    // The token is printed once and written to the token file, readable by its owner only.
    expect(readFileSync(`${stateFile}.admin-token`, 'utf8').trim()).toBe(first.token);
    expect(statSync(`${stateFile}.admin-token`).mode & 0o777).toBe(0o600);
    const post = async (p: string, body: unknown) => (await adminCall(first, p, body)).body;
    expect(await post('/admin/price', { symbol: 'BTCUSDT', price: '30000' })).toEqual({ price: '30000' });
    const port = Number(new URL(first.httpBase).port);
    const c1 = clientFor(
      {
        httpBase: first.httpBase,
        wsBase: `ws://127.0.0.1:${port}/ws`,
        wsApi: `ws://127.0.0.1:${port}/ws-api/v3`,
      } as never,
      KEY,
      SECRET,
    );
    await c1.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: '29000',
      newClientOrderId: 'proc-1',
    });
    await post('/admin/save', {});
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await launch(stateFile);
    const port2 = Number(new URL(second.httpBase).port);
    const c2 = clientFor(
      {
        httpBase: second.httpBase,
        wsBase: `ws://127.0.0.1:${port2}/ws`,
        wsApi: `ws://127.0.0.1:${port2}/ws-api/v3`,
      } as never,
      KEY,
      SECRET,
    );
    expect((await c2.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'proc-1' })).status).toBe('NEW');
    const usdt = (await c2.accountInfo()).balances.find((b: Wire) => b.asset === 'USDT');
    expect(usdt).toEqual({ asset: 'USDT', free: '9710.00000000', locked: '290.00000000' });
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }, 90_000);

  it('ignores a temporary file left by a crash during a save', async () => {
    const stateFile = path.join(dir, 'torn.json');
    const ex1 = await startPaperExchange({
      stateFile,
      prices: { kind: 'manual' },
      accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '123' } }],
    });
    await ex1.close();
    writeFileSync(`${stateFile}.99999.tmp`, '{"version":1,"venue":');
    const ex2 = await startPaperExchange({ stateFile, prices: { kind: 'manual' } });
    try {
      expect(ex2.venue.balance(ex2.accounts.accountId(KEY), 'USDT').free).toBe('123');
    } finally {
      await ex2.close();
    }
  });
});
