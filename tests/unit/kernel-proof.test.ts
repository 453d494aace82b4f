/**
 * The kernel keeps exchange facts whatever else fails, and asks again until it has proof: a
 * strategy that throws costs its reaction only; unknown outcomes are looked up until found or
 * proven absent; fills are re-polled until they add up; an OCO leg the answer did not report is
 * resolved by lookup; the candle backfill asks for every missing closed candle; balances follow
 * the bot's own fills (seed 003's "maximum size before every entry").
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Command } from '../../core/kernel';
import type { OrderSnapshot } from '../../core/orders';
import { type AnyStrategy, type Intent, type Strategy, defineStrategy } from '../../core/strategy';
import { rsiSniper } from '../../core/strategies/rsi-sniper';
import { Market, createBot, feed, fetches, fillLast, placements, start } from '../support/seed-harness';
import { KERNEL_FILTERS, KernelBot, T0, candle, fill as fillAt, lineageState } from '../support/kernel-fixtures';

/** A strategy placing the intents `onCandle` returns, optionally throwing on some events. */
function scripted(
  onCandle: (n: number) => Intent[],
  throwsOn?: (type: string) => boolean,
): Strategy<Record<string, never>, { n: number }> {
  return defineStrategy({
    id: 'scripted',
    title: 'test',
    description: 'test',
    params: z.object({}).strict(),
    init: () => ({ n: 0 }),
    onEvent(state, event) {
      if (throwsOn?.(event.type)) throw new Error(`boom on ${event.type}`);
      if (event.type === 'candle') return { state: { n: state.n + 1 }, intents: onCandle(state.n + 1) };
      return { state };
    },
  });
}

class Bot extends KernelBot {
  constructor(strategy: AnyStrategy) {
    super(lineageState(strategy, {}), strategy);
    this.begin(KERNEL_FILTERS, { base: '0', quote: '1000' });
  }
  placed(): Extract<Command, { type: 'placeOrder' | 'placeOco' }>[] {
    return this.last.filter(
      (c): c is Extract<Command, { type: 'placeOrder' | 'placeOco' }> =>
        c.type === 'placeOrder' || c.type === 'placeOco',
    );
  }
  reconcile(now: number): Extract<Command, { type: 'reconcile' }> {
    this.send({ type: 'wake', now });
    const r = this.last.find((c): c is Extract<Command, { type: 'reconcile' }> => c.type === 'reconcile');
    if (!r) throw new Error(`no reconcile at ${now}: ${JSON.stringify(this.last)}`);
    return r;
  }
}

const buy: Intent = { kind: 'place', tag: 'buy', side: 'BUY', type: 'MARKET', quantity: '0.1', purpose: 'entry' };
const fill = (tradeId: number, qty: string, price = '100') => fillAt(tradeId, qty, price);
const snap = (id: string, s: Partial<OrderSnapshot>): OrderSnapshot => ({
  clientOrderId: id,
  symbol: 'BTCUSDT',
  status: 'FILLED',
  executedQty: '0.1',
  cumulativeQuoteQty: '10',
  updateTime: T0,
  ...s,
});

describe('the kernel keeps exchange facts and asks again until it has proof', () => {
  it('a strategy that throws on orderPlaced costs its reaction, not the fill: status, fills and position stand', () => {
    const bot = new Bot(
      scripted(
        () => [buy],
        (t) => t === 'order',
      ),
    );
    bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
    const id = (bot.placed()[0] as { clientOrderId: string }).clientOrderId;
    expect(id).toMatch(/^k_AAAAABBBB-CCCCC1$/);
    bot.send({ type: 'orderPlaced', now: T0 + 61_000, snapshot: snap(id, { fills: [fill(1, '0.1')] }) });
    expect(bot.state.orders[id]).toMatchObject({ status: 'FILLED', executedQty: '0.1' });
    expect(bot.state.position.qty).toBe('0.1');
    expect(bot.state.stats.fills).toBe(1);
    expect(bot.state.stats.strategyErrors).toBe(1);
    expect(bot.state.notifications.at(-1)!.message).toMatch(/failed on order: boom on order; its reaction was skipped/);
  });

  it('an unknown outcome stays UNKNOWN, is looked up by reconciliation, and is REJECTED only when proven absent', () => {
    const bot = new Bot(scripted(() => [buy]));
    bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
    const id = (bot.placed()[0] as { clientOrderId: string }).clientOrderId;
    bot.send({ type: 'orderUnknown', now: T0 + 70_000, clientOrderId: id, message: 'CredentialsRejected: -2015' });
    expect(bot.state.orders[id]!.status).toBe('UNKNOWN');
    expect(bot.state.stats.ordersRejected).toBe(0);
    const r = bot.reconcile(bot.state.nextReconcileAt!);
    expect(r.orders).toContainEqual({ clientOrderId: id, symbol: 'BTCUSDT', since: T0 + 70_000 });
    // Not found yet, but the deadline has not passed: still UNKNOWN.
    bot.send({ type: 'reconciled', now: T0 + 80_000, balances: null, orphans: [], missing: [id] });
    expect(bot.state.orders[id]!.status).toBe('UNKNOWN');
    bot.reconcile(bot.state.nextReconcileAt!);
    bot.send({ type: 'reconciled', now: T0 + 100_000, balances: null, orphans: [], missing: [], absent: [id] });
    expect(bot.state.orders[id]!.status).toBe('REJECTED');
    expect(bot.state.stats.ordersRejected).toBe(1);
  });

  it('a final order whose fills do not add up to executedQty is re-polled until they do', () => {
    const bot = new Bot(scripted(() => [buy]));
    bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
    const id = (bot.placed()[0] as { clientOrderId: string }).clientOrderId;
    // FILLED for 0.1, but the one TRADE event seen carried 0.05 (the other was lost in a reconnect).
    bot.send({
      type: 'orderUpdate',
      now: T0 + 61_000,
      source: 'stream',
      snapshot: snap(id, { fills: [fill(1, '0.05')] }),
    });
    expect(bot.state.position.qty).toBe('0.05');
    const r = bot.reconcile(bot.state.nextReconcileAt!);
    expect(r.orders.map((o) => o.clientOrderId)).toContain(id);
    bot.send({
      type: 'orderUpdate',
      now: T0 + 80_000,
      source: 'reconcile',
      snapshot: snap(id, { fills: [fill(1, '0.05'), fill(2, '0.05')] }),
    });
    bot.send({ type: 'reconciled', now: T0 + 80_000, balances: null, orphans: [], missing: [] });
    expect(bot.state.position.qty).toBe('0.1');
    expect(bot.reconcile(bot.state.nextReconcileAt!).orders.map((o) => o.clientOrderId)).not.toContain(id);
  });

  it('an OCO answer missing a leg leaves that leg UNKNOWN (looked up), never SUBMITTING forever', () => {
    const oco: Intent = {
      kind: 'placeOco',
      tag: 'exit',
      side: 'SELL',
      quantity: '0.01',
      purpose: 'exit',
      above: { type: 'LIMIT_MAKER', price: '110' },
      below: { type: 'STOP_LOSS', stopPrice: '90' },
    };
    const bot = new Bot(scripted(() => [oco]));
    bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
    const c = bot.placed()[0] as Extract<Command, { type: 'placeOco' }>;
    bot.send({
      type: 'orderListPlaced',
      now: T0 + 61_000,
      listClientOrderId: c.listClientOrderId,
      snapshots: [snap(c.aboveClientOrderId, { status: 'NEW', executedQty: '0', cumulativeQuoteQty: '0' })],
    });
    expect(bot.state.orders[c.aboveClientOrderId]!.status).toBe('NEW');
    expect(bot.state.orders[c.belowClientOrderId]!.status).toBe('UNKNOWN');
    expect(bot.reconcile(bot.state.nextReconcileAt!).orders.map((o) => o.clientOrderId)).toContain(
      c.belowClientOrderId,
    );
  });

  it('the candle backfill asks for every missing closed candle, not one fewer', () => {
    const bot = new Bot(scripted(() => []));
    bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
    // Streams went quiet: 4 candles closed since, the 5th is forming.
    const now = T0 + 5 * 60_000 + 30_000;
    bot.send({ type: 'reconciled', now, balances: null, orphans: [], missing: [] });
    const f = fetches(bot.last)[0]!;
    // What Binance answers: the last `limit` candles opening by `endTime`, the forming one included (then dropped).
    const req = f.request as { limit: number; endTime: number };
    const answered = [1, 2, 3, 4, 5]
      .map((i) => candle(i))
      .filter((c) => c.openTime <= req.endTime)
      .slice(-req.limit)
      .filter((c) => c.closeTime < now);
    bot.send({ type: 'data', now, requestId: f.requestId, result: answered as never });
    expect((bot.state.strategy as { n: number }).n).toBe(5);
    expect(bot.state.lastCandleOpenTime).toBe(candle(4).openTime);
  });

  it("balances follow the bot's own fills: seed 003's entry right after an exit is sized from what the exit brought back", () => {
    const m = new Market();
    for (let i = 0; i < 40; i++) m.next({ close: String(100 + (i % 2)) });
    const bot = createBot(rsiSniper, {}, { interval: '15m' });
    const req = fetches(start(bot, m.t))[0]!;
    feed(bot, { type: 'data', now: m.t, requestId: req.requestId, result: m.candles as never });
    feed(bot, { type: 'reconciled', now: m.t, balances: { base: '0', quote: '1000' }, orphans: [], missing: [] });
    const close = (target: number | { close: string }) => {
      const c = m.next(target);
      return feed(bot, { type: 'candle', now: c.closeTime + 1, candle: c });
    };
    close(20);
    expect(placements(close(30))[0]!.request).toMatchObject({ side: 'BUY', quoteOrderQty: '1000' });
    fillLast(bot, '100', m.t + 1, '10');
    expect(bot.state.balances).toEqual({ base: '10', quote: '0' });
    // A reconciliation while in the position reads what the exchange holds then.
    feed(bot, { type: 'reconciled', now: m.t + 2, balances: { base: '10', quote: '0' }, orphans: [], missing: [] });
    const exit = placements(close(40.5));
    expect(exit[0]!.request).toMatchObject({ side: 'SELL', quantity: '10' });
    fillLast(bot, '105', m.t + 1);
    expect(bot.state.balances).toEqual({ base: '0', quote: '1050' });
    // The next entry, before any reconciliation: sized from the 1,050 the exit brought back.
    close(20);
    const entry = placements(close(30));
    expect(entry[0]!.request).toMatchObject({ side: 'BUY', type: 'MARKET', quoteOrderQty: '1050' });
  });

  it('a strategy can ask for the balances to be read again right before sizing; the answer updates ctx.balances first', () => {
    const seen: unknown[] = [];
    const asker = defineStrategy<Record<string, never>, { n: number }>({
      id: 'asker',
      title: 'test',
      description: 'test',
      params: z.object({}).strict(),
      init: () => ({ n: 0 }),
      onEvent(state, event, ctx) {
        if (event.type === 'candle')
          return {
            state,
            intents: [{ kind: 'request', requestId: 'bal', request: { kind: 'balances', symbol: 'BTCUSDT' } }],
          };
        if (event.type === 'data') seen.push(ctx.balances);
        return { state };
      },
    });
    const bot = new Bot(asker);
    bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
    expect(fetches(bot.last)[0]!.request).toEqual({ kind: 'balances', symbol: 'BTCUSDT' });
    bot.send({ type: 'data', now: T0 + 61_000, requestId: 'bal', result: { base: '0.5', quote: '1234' } });
    expect(seen).toEqual([{ base: '0.5', quote: '1234' }]);
  });
});
