/**
 * What a futures bot's start does to the account, with a real Temporal dev server and the paper
 * exchange's USDⓈ-M side read through binance-api-node's futures methods:
 * - leverage and margin type are set to the bot's (7×, ISOLATED on an account at the paper
 *   default 20× CROSSED), and only once: a worker restart and later reconciliations send no
 *   further leverage or marginType request (the exchange's request audit counts them);
 * - an account in hedge mode (dual side position) is refused at start: BLOCKED with the account,
 *   the reason and what to do, nothing placed or set; it starts once the account is one-way.
 *   The paper exchange refuses hedge mode itself (its perpetual is one-way only), so the hedge
 *   account is a real account's answer, `dualSidePosition: true`, given by a small HTTP stand-in
 *   in front of the paper exchange that forwards every other request.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Binance from 'binance-api-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { futuresStreamBase } from '../../activities/exchange-account';
import { runCli } from '../../client/cli';
import type { RawPositionRisk } from '../../activities/futures-types';
import { Harness, eventually } from '../support/harness';

const SYMBOL = 'BTCUSDT';
const h = new Harness();
const reconcile = { openOrdersEveryMs: 1_000, staleEveryMs: 1_000, staleAfterMs: 2_000, idleEveryMs: 1_000 };

/** The exchange's own record of what reached it: requests to an endpoint from the paper account. */
const requests = (endpoint: string) =>
  h.exchange.audit.requests({ endpoint }).filter((r) => r.accountId === 'paper' && r.symbol === SYMBOL);

async function positionRisk(): Promise<RawPositionRisk> {
  const client = Binance({
    apiKey: h.apiKey,
    apiSecret: h.apiSecret,
    httpBase: h.exchange.httpBase,
    httpFutures: h.exchange.httpBase,
  }) as unknown as { futuresPositionRisk(p: { symbol: string }): Promise<RawPositionRisk[]> };
  const rows = await client.futuresPositionRisk({ symbol: SYMBOL });
  const row = rows.find((r) => r.symbol === SYMBOL);
  if (!row) throw new Error(`no positionRisk row for ${SYMBOL}`);
  return row;
}

/** An HTTP stand-in of a hedge-mode account's futures host: it forwards all but the position mode. */
const hedge = { on: true, seen: [] as string[] };
let proxy: http.Server;
let proxyBase = '';

function startHedgeProxy(target: string): Promise<void> {
  const to = new URL(target);
  proxy = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hedge.seen.push(`${req.method} ${path}`);
    if (hedge.on && req.method === 'GET' && path === '/fapi/v1/positionSide/dual') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ dualSidePosition: true }));
      return;
    }
    const upstream = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
}

beforeAll(async () => {
  await h.start();
  h.exchange.market.setPrice(SYMBOL, '30000');
  h.exchange.futures.deposit('paper', 'USDT', '10000');
  await startHedgeProxy(h.exchange.httpBase);
  proxyBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  await h.startWorker({ accounts: [h.account, hedged()] });
});
afterAll(async () => {
  await h.stop();
  await new Promise((r) => proxy?.close(r));
});

/** The paper account as seen through the hedge-mode stand-in (same key: the same exchange account). */
const hedged = () => ({
  ...h.account,
  name: 'hedged',
  httpFutures: proxyBase,
  wsFutures: futuresStreamBase({ httpBase: h.exchange.httpBase }),
});

describe('a futures bot at start: leverage and margin type', () => {
  it('sets 7x ISOLATED on an account at 20x CROSSED, once: a worker restart and reconciliations send none again', async () => {
    const before = await positionRisk();
    expect([Number(before.leverage), before.marginType.toLowerCase()]).toEqual([20, 'cross']);

    const name = 'lev-seven';
    await h.startBot(
      {
        name,
        strategy: 'dca-take-profit',
        symbol: SYMBOL,
        market: 'futures',
        futures: { leverage: 7, marginType: 'ISOLATED' },
        params: { everyCandles: 1000, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
      },
      { reconcile },
    );
    await h.waitForState(name, (s) => s.status === 'RUNNING' && s.eventsProcessed >= 2, 'running');
    const after = await eventually(async () => {
      const r = await positionRisk();
      if (Number(r.leverage) !== 7 || r.marginType.toLowerCase() !== 'isolated')
        throw new Error(`positionRisk still ${r.leverage}x ${r.marginType}`);
      return r;
    });
    expect([after.leverage, after.marginType]).toEqual(['7', 'isolated']);
    expect(requests('POST /fapi/v1/leverage').map((r) => r.outcome)).toEqual(['ok']);
    expect(requests('POST /fapi/v1/marginType').map((r) => r.outcome)).toEqual(['ok']);

    // The worker goes away and a new one takes the bot over; it reconciles several times more.
    await h.stopWorker(h.workers[0]!);
    const risksBefore = requests('GET /fapi/v2/positionRisk').length;
    await h.startWorker({ accounts: [h.account, hedged()] });
    await eventually(async () => {
      const more = requests('GET /fapi/v2/positionRisk').length - risksBefore;
      if (more < 3) throw new Error(`only ${more} reconciliations since the restart`);
    }, 30_000);
    expect((await h.state(name)).status).toBe('RUNNING');
    expect(requests('POST /fapi/v1/leverage')).toHaveLength(1);
    expect(requests('POST /fapi/v1/marginType')).toHaveLength(1);
    expect(await positionRisk()).toMatchObject({ leverage: '7', marginType: 'isolated' });

    await h.handle(name).cancel();
    await h.handle(name).result();
  });
});

describe('a futures bot on an account in hedge mode', () => {
  it('is BLOCKED at start naming the account and what to do, places and sets nothing, and starts once one-way', async () => {
    const name = 'hedge-refused';
    const placed = () =>
      h.exchange.audit
        .requests()
        .filter(
          (r) => r.accountId === 'paper' && /^POST \/fapi\/v1\/(order|algoOrder|leverage|marginType)$/.test(r.endpoint),
        ).length;
    const placedBefore = placed();
    hedge.seen.length = 0;
    const definition = {
      name,
      account: 'hedged',
      strategy: 'dca-take-profit',
      symbol: SYMBOL,
      interval: '1m' as const,
      market: 'futures' as const,
      futures: { leverage: 5, marginType: 'CROSSED' as const },
      params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
    };
    // `bots start` refuses it before anything starts, as other start refusals.
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hedge-')), 'bots.json');
    writeFileSync(file, JSON.stringify([definition]));
    process.env.TEMPORAL_ADDRESS = h.temporal.address;
    process.env.TEMPORAL_TASK_QUEUE = h.taskQueue;
    const out: string[] = [];
    const refused = await runCli(['start', file], (l) => out.push(l)).catch((e: unknown) => e as Error);
    expect((refused as Error).message).toMatch(
      /not started, these bots could not trade:\n.*bot "hedge-refused" \(#1\): account: account "hedged" is in hedge mode/,
    );
    await expect(h.handle(name).describe()).rejects.toThrow(/not found/i);
    // Started another way (no client check), it is BLOCKED.
    await h.startBot(definition, { reconcile, blockedRecheckMs: 5_000 });
    const s = await h.waitForState(name, (x) => x.status === 'BLOCKED' && x.blocked !== null, 'BLOCKED');
    expect(s.blocked).toMatchObject({ kind: 'account' });
    expect(s.blocked!.reason).toMatch(
      /^account: account "hedged" is in hedge mode \(dualSidePosition true\).*switch account "hedged" to one-way mode/,
    );
    expect(hedge.seen).toContain('GET /fapi/v1/positionSide/dual');
    // A candle closes while it is blocked: still nothing reaches the exchange.
    h.exchange.market.closeCandle(SYMBOL, '1m');
    const later = await h.waitForState(name, (x) => x.status === 'BLOCKED', 'still BLOCKED after a candle', 5_000);
    expect(later.stats.ordersPlaced).toBe(0);
    expect(placed()).toBe(placedBefore);
    expect(hedge.seen.filter((r) => /^POST \/fapi\/v1\/(order|algoOrder|leverage|marginType)$/.test(r))).toEqual([]);

    // The owner switches the account to one-way mode: the next check lets the bot start.
    hedge.on = false;
    await h.waitForState(name, (x) => x.status === 'RUNNING' && x.blocked === null, 'unblocked', 30_000);
    await eventually(async () => {
      const r = await positionRisk();
      if (Number(r.leverage) !== 5) throw new Error(`leverage still ${r.leverage}`);
    });
    await h.handle(name).cancel();
    await h.handle(name).result();
  });
});
