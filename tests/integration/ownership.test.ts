/**
 * Exact ownership of client order ids, in ordinary use: twin bot names started in the same second
 * never share an id or touch each other's orders; a bot terminated and started again under the
 * same name reports what its earlier incarnation left on the exchange and leaves it alone; an id
 * already taken by somebody else's order is a collision, never adopted.
 */
import Binance from 'binance-api-node';
import { describe, expect, it } from 'vitest';
import { parseClientOrderId } from '../../core/client-ids';
import { eventually, harnessWithWorker } from '../support/harness';
import { FAST_RECONCILE as FAST, dcaBot, protectedLot, stopBot, untilRouted } from '../support/trading-bot';

const h = harnessWithWorker('30000');
const dca = (name: string, symbol = 'BTCUSDT', quantity = '0.01') => dcaBot(name, { quantity, maxLots: 3 }, symbol);

/** Started, routed, the user stream and the bots' candle stream open (a candle closed before it listens is lost). */
const routed = (market: string, ...names: string[]) => untilRouted(h, names, [market]);

function candle(symbol: string, price: string): void {
  h.exchange.market.setPrice(symbol, price);
  h.exchange.market.closeCandle(symbol, '1m');
}

/**
 * The user stream's report of an order reached the bot (an `orderUpdate` signal, or an update, in
 * its history): whatever reaches the bot after it, in the history's order, comes after that report.
 */
async function reportReached(name: string, clientOrderId: string): Promise<void> {
  await eventually(async () => {
    const events = (await h.handle(name).fetchHistory()).events ?? [];
    const payloads = events.flatMap((e) => [
      ...(e.workflowExecutionSignaledEventAttributes?.signalName === 'orderUpdate'
        ? (e.workflowExecutionSignaledEventAttributes.input?.payloads ?? [])
        : []),
      ...(e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads ?? []),
    ]);
    const mentions = (data: Uint8Array | null | undefined) =>
      data != null && Buffer.from(data).toString('utf8').includes(`"${clientOrderId}"`);
    if (!payloads.some((p) => mentions(p.data))) throw new Error(`no report of ${clientOrderId} reached ${name} yet`);
  }, 60_000);
}

describe('client order ids are unique by construction and owned exactly', () => {
  it('twin names started in the same second: their own ids, their own orders; stopping one leaves the other alone', async () => {
    h.exchange.market.setPrice('ETHUSDT', '2000');
    await Promise.all([
      h.startBot(dca('dca-ethusdt-fast-one', 'ETHUSDT', '0.1'), FAST),
      h.startBot(dca('dca-ethusdt-fast-two', 'ETHUSDT', '0.1'), FAST),
    ]);
    const [one, two] = await routed('ethusdt@kline_1m', 'dca-ethusdt-fast-one', 'dca-ethusdt-fast-two');
    expect(one!.clientIdTag).not.toBe(two!.clientIdTag);
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
    await stopBot(h, 'dca-ethusdt-fast-two');
    const tpOne = a.openOrders.find((o) => o.tag === 'tp-1')!.clientOrderId;
    expect(h.exchange.venue.openOrders('paper').map((o) => o.clientOrderId)).toEqual([tpOne]);
    const after = await h.agreement('dca-ethusdt-fast-one');
    expect(after.openOrders.map((o) => `${o.clientOrderId}:${o.status}`)).toEqual([`${tpOne}:NEW`]);
    expect(h.auditProblems()).toEqual([]);
    await stopBot(h, 'dca-ethusdt-fast-one');
  });

  it('terminate, then start again under the same name: a new lifetime with new ids, which reports what the old one left and leaves it alone', async () => {
    await h.startBot(dca('reborn'), FAST);
    const [first] = await routed('btcusdt@kline_1m', 'reborn');
    candle('BTCUSDT', '30000');
    const old = await h.waitForState('reborn', protectedLot, 'bought and protected');
    const leftTp = old.openOrders.find((o) => o.tag === 'tp-1')!.clientOrderId;
    await h.handle('reborn').terminate('operator pressed Terminate');
    await h.startBot(dca('reborn'), FAST);
    const [second] = await routed('btcusdt@kline_1m', 'reborn');
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
    await stopBot(h, 'reborn');
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
    // The candle stream too: the candle below must reach the bot (it did not wait for it before).
    await routed('btcusdt@kline_1m', 'collides');
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
    // The other program placed first, so the stream's report of its order (which carries the bot's
    // tag, and so is routed to the bot) must reach the bot before the candle that makes it mint that
    // id: arriving after, while the bot's own placement awaits its answer, the report would read as
    // that placement's answer (a stream report names no side or price) and the -2010 that follows
    // would find the order no longer awaiting proof. Under load the two streams' signals raced.
    await reportReached('collides', next);
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
    const final = await stopBot(h, 'collides');
    expect(final.status).toBe('STOPPED');
    expect(h.exchange.venue.openOrders('paper').map((o) => o.clientOrderId)).toEqual([next]);
    expect(h.exchange.audit.duplicates()).toEqual([]);
  });
});
