/**
 * Exact ownership of client order ids, in ordinary use: twin bot names started in the same second
 * never share an id or touch each other's orders; a bot terminated and started again under the
 * same name reports what its earlier incarnation left on the exchange and leaves it alone; an id
 * already taken by somebody else's order is a collision, never adopted.
 */
import Binance from 'binance-api-node';
import { describe, expect, it } from 'vitest';
import { parseClientOrderId } from '../../core/client-ids';
import type { BotStateView } from '../../workflows/messages';
import { eventually, harnessWithWorker } from '../support/harness';

const h = harnessWithWorker('30000');
const FAST = {
  attemptTimeout: '8s',
  reconcile: { openOrdersEveryMs: 4_000, staleEveryMs: 2_000, staleAfterMs: 3_000, idleEveryMs: 30_000 },
};
const dca = (name: string, symbol = 'BTCUSDT', quantity = '0.01') => ({
  name,
  strategy: 'dca-take-profit',
  symbol,
  params: { everyCandles: 1, quantity, takeProfitPct: '1', maxLots: 3 },
});

async function routed(...names: string[]): Promise<BotStateView[]> {
  const states = await Promise.all(names.map((n) => h.waitForState(n, (x) => x.eventsProcessed >= 2, 'started')));
  await eventually(async () => {
    for (const s of states)
      if (!h.workers[0]!.directory.cached().some((b) => b.tag === s.clientIdTag)) throw new Error('not routed yet');
    if (!h.exchange.listening.user('paper')) throw new Error('user stream not open yet');
  });
  return states;
}

function candle(symbol: string, price: string): void {
  h.exchange.market.setPrice(symbol, price);
  h.exchange.market.closeCandle(symbol, '1m');
}

const protectedLot = (s: BotStateView) => s.openOrders.some((o) => o.tag === 'tp-1' && o.status === 'NEW');

describe('client order ids are unique by construction and owned exactly', () => {
  it('twin names started in the same second: their own ids, their own orders; stopping one leaves the other alone', async () => {
    h.exchange.market.setPrice('ETHUSDT', '2000');
    await Promise.all([
      h.startBot(dca('dca-ethusdt-fast-one', 'ETHUSDT', '0.1'), FAST),
      h.startBot(dca('dca-ethusdt-fast-two', 'ETHUSDT', '0.1'), FAST),
    ]);
    const [one, two] = await routed('dca-ethusdt-fast-one', 'dca-ethusdt-fast-two');
    expect(one!.clientIdTag).not.toBe(two!.clientIdTag);
    await eventually(async () => expect(h.exchange.listening.market('ethusdt@kline_1m')).toBe(true));
    candle('ETHUSDT', '2000');
    const a = await h.waitForState('dca-ethusdt-fast-one', protectedLot, 'one bought and protected');
    const b = await h.waitForState('dca-ethusdt-fast-two', protectedLot, 'two bought and protected');
    const ids = [...a.openOrders, ...b.openOrders].map((o) => o.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,36}$/);
    expect(h.exchange.audit.duplicates()).toEqual([]);
    await h.agreement('dca-ethusdt-fast-one');
    await h.agreement('dca-ethusdt-fast-two');
    // Stopping two cancels two's take-profit only.
    await h.handle('dca-ethusdt-fast-two').cancel();
    await h.handle('dca-ethusdt-fast-two').result();
    const tpOne = a.openOrders.find((o) => o.tag === 'tp-1')!.clientOrderId;
    expect(h.exchange.venue.openOrders('paper').map((o) => o.clientOrderId)).toEqual([tpOne]);
    const after = await h.agreement('dca-ethusdt-fast-one');
    expect(after.openOrders.map((o) => `${o.clientOrderId}:${o.status}`)).toEqual([`${tpOne}:NEW`]);
    expect(h.auditProblems()).toEqual([]);
    await h.handle('dca-ethusdt-fast-one').cancel();
    await h.handle('dca-ethusdt-fast-one').result();
  });

  it('terminate, then start again under the same name: a new lifetime with new ids, which reports what the old one left and leaves it alone', async () => {
    await h.startBot(dca('reborn'), FAST);
    const [first] = await routed('reborn');
    await eventually(async () => expect(h.exchange.listening.market('btcusdt@kline_1m')).toBe(true));
    candle('BTCUSDT', '30000');
    const old = await h.waitForState('reborn', protectedLot, 'bought and protected');
    const leftTp = old.openOrders.find((o) => o.tag === 'tp-1')!.clientOrderId;
    await h.handle('reborn').terminate('operator pressed Terminate');
    await h.startBot(dca('reborn'), FAST);
    const [second] = await routed('reborn');
    expect(second!.clientIdTag).not.toBe(first!.clientIdTag);
    // Same name key (same workflow id), another lifetime.
    expect(parseClientOrderId(`${second!.clientIdTag}-AAAAA1`)!.nameKey).toBe(parseClientOrderId(leftTp)!.nameKey);
    const s = await h.waitForState('reborn', (x) => x.inherited.includes(leftTp), 'the earlier incarnation reported');
    expect(s.openOrders).toEqual([]);
    expect(s.notifications.map((x) => x.message).join('\n')).toMatch(/left by an earlier incarnation/);
    // It trades with its own ids; the old take-profit stays as it was.
    candle('BTCUSDT', '30000');
    const traded = await h.waitForState('reborn', protectedLot, 'new lifetime bought and protected');
    expect(traded.openOrders.every((o) => o.clientOrderId.startsWith(`${second!.clientIdTag}-`))).toBe(true);
    expect(h.exchange.venue.openOrders('paper').map((o) => o.clientOrderId)).toContain(leftTp);
    expect(h.exchange.audit.duplicates()).toEqual([]);
    await h.handle('reborn').cancel();
    await h.handle('reborn').result();
    expect(h.exchange.venue.openOrders('paper').map((o) => o.clientOrderId)).toEqual([leftTp]);
    h.exchange.venue.cancelOrder({
      accountId: 'paper',
      symbol: 'BTCUSDT',
      origClientOrderId: leftTp,
      time: Date.now(),
    });
  });

  it("an id taken by somebody else's order (-2010 duplicate that is not this request) is a collision: reported, not adopted", async () => {
    await h.startBot(dca('collides'), FAST);
    await routed('collides');
    candle('BTCUSDT', '30000');
    const s = await h.waitForState('collides', protectedLot, 'bought and protected');
    // Another program on the same API key takes the id the bot will mint next (its 3rd).
    const tp = s.openOrders.find((o) => o.tag === 'tp-1')!.clientOrderId; // the bot's 2nd id
    const next = `${tp.slice(0, -1)}3`;
    const other = Binance({ apiKey: h.apiKey, apiSecret: h.apiSecret, httpBase: h.exchange.httpBase });
    await other.order({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: '0.001',
      price: '99000',
      timeInForce: 'GTC',
      newClientOrderId: next,
    } as never);
    candle('BTCUSDT', '30000');
    const after = await h.waitForState('collides', (x) => (x.stats.collisions ?? 0) === 1, 'collision reported');
    expect(after.openOrders.map((o) => o.clientOrderId)).not.toContain(next);
    expect(after.notifications.map((x) => x.message).join('\n')).toMatch(/used by an order that is not this bot's/);
    // The other program's order is untouched, and the bot's position is only its own buy.
    expect(h.exchange.venue.openOrders('paper').find((o) => o.clientOrderId === next)).toMatchObject({
      side: 'SELL',
      price: expect.stringMatching(/^99000/),
    });
    expect(after.position.qty).toBe('0.00999');
    await h.handle('collides').cancel();
    const final = (await h.handle('collides').result()) as BotStateView;
    expect(final.status).toBe('STOPPED');
    expect(h.exchange.venue.openOrders('paper').map((o) => o.clientOrderId)).toEqual([next]);
    expect(h.exchange.audit.duplicates()).toEqual([]);
  });
});
