/**
 * Exactly-once on USDⓈ-M futures, through the bot runtime (real Temporal dev server, in-process
 * worker, the paper exchange's perpetual through binance-api-node). Binance refuses a duplicate
 * newClientOrderId (-4116) only while the first order is open, so a MARKET whose answer was lost
 * and that filled would be accepted again: every scenario ends with one position, one execution
 * per client id, and the protective stop on the exchange.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import Binance from 'binance-api-node';
import type { FaultRule } from '../../exchange';
import type { BotStateView } from '../../workflows/messages';
import { eventually, harnessWithWorker } from '../support/harness';

let bot = 0;
let price = 30000;
const h = harnessWithWorker(String(price));
afterEach(() => h.exchange.faults.clear());
beforeAll(() => h.exchange.futures.deposit('paper', 'USDT', '90000'));

/** A futures bot that buys 0.01 BTC at market on the next candle and rests a take-profit 1 % above. */
async function freshBot(): Promise<{ name: string; tag: string }> {
  const name = `fonce-${++bot}`;
  await h.startBot(
    {
      name,
      strategy: 'dca-take-profit',
      symbol: 'BTCUSDT',
      market: 'futures',
      futures: { leverage: 10, marginType: 'ISOLATED' },
      params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
    },
    {
      attemptTimeout: '8s',
      reconcile: { openOrdersEveryMs: 4_000, staleEveryMs: 2_000, staleAfterMs: 3_000, idleEveryMs: 30_000 },
    },
  );
  const s = await h.waitForState(name, (x) => x.eventsProcessed >= 2, 'started');
  await eventually(async () => {
    if (!h.workers[0]!.directory.cached().some((b) => b.tag === s.clientIdTag)) throw new Error('not routed yet');
    if (!h.exchange.listening.market('btcusdt@kline_1m')) throw new Error('candle stream not open yet');
  });
  return { name, tag: s.clientIdTag };
}

function candle(at = price): void {
  price = at;
  h.exchange.market.setPrice('BTCUSDT', String(at));
  h.exchange.market.closeCandle('BTCUSDT', '1m');
}

/** binance-api-node's futures client on the paper exchange, for what a test does besides the bot. */
function rawClient(): { futuresOrder(p: Record<string, string>): Promise<unknown> } {
  return Binance({
    apiKey: h.apiKey,
    apiSecret: h.apiSecret,
    httpBase: h.exchange.httpBase,
    httpFutures: h.exchange.httpBase,
  }) as never;
}

const fault = (rule: FaultRule) => h.exchange.faults.add(rule);
const orderOf = (tag: string): FaultRule['match'] => ({ endpoint: 'POST /fapi/v1/order', clientOrderId: `^${tag}-` });
const fillsOf = (clientOrderId: string) => h.exchange.futures.audit.fills({ accountId: 'paper', clientOrderId });
/** Fills of the bot's n-th order: ids are `<tag>-<branch><seq base 36>` (core/client-ids.ts). */
const fillsOfNth = (tag: string, n: number) => {
  const id = new RegExp(`^${tag}-[A-Za-z0-9]{5}${n.toString(36)}$`);
  return h.exchange.futures.audit.fills({ accountId: 'paper' }).filter((f) => id.test(f.clientOrderId));
};
const position = () => Number(h.exchange.futures.perp.positions('paper', 'BTCUSDT')[0]?.positionAmt ?? '0');

/** Bought once, take-profit resting, protective stop on the exchange, and the bot agrees with the perpetual. */
async function boughtAndProtected(name: string): Promise<BotStateView> {
  const s = await h.waitForState(
    name,
    (x) =>
      x.openOrders.some((o) => o.tag.startsWith('tp-') && o.status === 'NEW') &&
      x.openOrders.some((o) => o.tag === '__protect' && o.status === 'NEW') &&
      x.activitiesInFlight === 0,
    'bought, take-profit and protective stop open',
  );
  expect(s.position.qty).toBe('0.01');
  expect(position()).toBe(0.01);
  const algos = h.exchange.futures.perp
    .openAlgos('paper', 'BTCUSDT')
    .filter((a) => a.clientAlgoId.startsWith(`${s.clientIdTag}-`));
  expect(algos.map((a) => [a.type, a.side, a.closePosition])).toEqual([['STOP_MARKET', 'SELL', true]]);
  const open = h.exchange.futures.perp
    .openOrders('paper', 'BTCUSDT')
    .filter((o) => o.clientOrderId.startsWith(`${s.clientIdTag}-`));
  expect(open.map((o) => [o.type, o.side, o.reduceOnly])).toEqual([['LIMIT', 'SELL', true]]);
  return s;
}

/** Take the position off (take-profit fills), then the protective stop is cancelled: flat and clean. */
async function closeAndCheck(name: string): Promise<void> {
  // 2 % above the entry the bot actually got: a 1m candle may close on the wall clock before the
  // test's own, at the price the previous test left.
  const entry = Number((await h.state(name)).position.avgEntryPrice);
  price = Math.round(Math.max(price, entry) * 1.02);
  h.exchange.market.setPrice('BTCUSDT', String(price));
  await h.waitForState(
    name,
    (x) => x.position.qty === '0' && !x.openOrders.some((o) => o.tag === '__protect') && x.activitiesInFlight === 0,
    'flat, stop cancelled',
  );
  expect(position()).toBe(0);
  expect(h.exchange.futures.audit.check(h.exchange.futures.perp)).toEqual([]);
  await h.handle(name).cancel();
  await h.handle(name).result();
}

describe('exactly-once on futures', () => {
  it('response lost after a MARKET fill: looked up (origClientOrderId), found FILLED, no second position', async () => {
    const { name, tag } = await freshBot();
    fault({ kind: 'lose-response', match: orderOf(tag), afterMs: 4_000 });
    candle();
    const s = await boughtAndProtected(name);
    expect(fillsOfNth(tag, 1)).toHaveLength(1);
    expect(s.stats.fills).toBe(1);
    await closeAndCheck(name);
  });

  it('-1007 while executing: outcome unknown, looked up, adopted; executed once', async () => {
    const { name, tag } = await freshBot();
    fault({ kind: 'unknown-while-executing', match: orderOf(tag), afterMs: 500 });
    candle();
    await boughtAndProtected(name);
    expect(fillsOfNth(tag, 1)).toHaveLength(1);
    await closeAndCheck(name);
  });

  it('a reset after the MARKET executed: looked up and adopted, never resent', async () => {
    const { name, tag } = await freshBot();
    fault({ kind: 'reset-after-execute', match: orderOf(tag) });
    candle();
    await boughtAndProtected(name);
    expect(fillsOfNth(tag, 1)).toHaveLength(1);
    await closeAndCheck(name);
  });

  it('duplicate open id (-4116): the id is looked up and the open order adopted', async () => {
    const { name, tag } = await freshBot();
    candle();
    await boughtAndProtected(name);
    // The take-profit's answer is lost and the lookup cannot see it yet: the resend meets -4116.
    const s = await h.state(name);
    const tp = s.openOrders.find((o) => o.tag.startsWith('tp-'))!;
    const raw = rawClient();
    await expect(
      raw.futuresOrder({
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'LIMIT',
        quantity: '0.01',
        price: tp.request.price!,
        reduceOnly: 'true',
        newClientOrderId: tp.clientOrderId,
      }),
    ).rejects.toMatchObject({ code: -4116 });
    const acts = await import('../../activities/futures-orders');
    const { MockActivityEnvironment } = await import('@temporalio/testing');
    const { AccountRegistry } = await import('../../activities/exchange-account');
    const env = new MockActivityEnvironment();
    const futuresActs = acts.createFuturesOrderActivities({ accounts: new AccountRegistry([h.account]) });
    const adopted = await env.run(futuresActs.futuresPlaceOrder.bind(futuresActs), {
      account: 'paper',
      clientOrderId: tp.clientOrderId,
      request: tp.request,
    });
    expect(adopted).toMatchObject({ clientOrderId: tp.clientOrderId, status: 'NEW' });
    expect(
      h.exchange.futures.perp.openOrders('paper', 'BTCUSDT').filter((o) => o.clientOrderId === tp.clientOrderId),
    ).toHaveLength(1);
    expect(tag).toBe(s.clientIdTag);
    await closeAndCheck(name);
  });

  it('algo order (protective stop) response lost: looked up by clientAlgoId, one stop on the exchange', async () => {
    const { name, tag } = await freshBot();
    fault({
      kind: 'lose-response',
      match: { endpoint: 'POST /fapi/v1/algoOrder', clientOrderId: `^${tag}-` },
      afterMs: 3_000,
    });
    candle();
    await boughtAndProtected(name);
    const all = h.exchange.futures.perp.openAlgos('paper').filter((a) => a.clientAlgoId.startsWith(`${tag}-`));
    expect(all).toHaveLength(1);
    await closeAndCheck(name);
  });

  it('why the lookup comes first: the exchange takes a FILLED id again (only open ids are refused, -4116)', async () => {
    const raw = rawClient();
    await raw.futuresOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.004',
      newClientOrderId: 'probe-filled-1',
    });
    await raw.futuresOrder({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.004',
      newClientOrderId: 'probe-filled-1',
    });
    expect(fillsOf('probe-filled-1')).toHaveLength(2);
    expect(position()).toBe(0);
  });
});
