/**
 * The kernel's open orders (`openOrderIds`): kept with every order change, carried as plain JSON,
 * and derived from `orders` for a state from before the field (continue-as-new of an older run).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BotState, type Command, createBotState, openOrders, step, summarize } from '../../core/kernel';
import type { Candle } from '../../core/market';
import { type Intent, defineStrategy } from '../../core/strategy';
import { KERNEL_FILTERS as FILTERS, T0, candle as flatCandle } from '../support/kernel-fixtures';

/** Places two resting buys on the first candle; records the open order tags it is shown on each candle. */
const twoBuys = defineStrategy({
  id: 'two-buys',
  title: 'test',
  description: 'test',
  params: z.object({}).strict(),
  init: () => ({ n: 0, shown: [] as string[][] }),
  onEvent(state, event, ctx) {
    if (event.type !== 'candle') return { state };
    const shown = [...state.shown, ctx.openOrders.map((o) => o.tag)];
    const buy = (tag: string, price: string): Intent => ({
      kind: 'place',
      tag,
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.001',
      price,
      purpose: 'entry',
    });
    return { state: { n: state.n + 1, shown }, intents: state.n === 0 ? [buy('a', '20000'), buy('b', '19000')] : [] };
  },
});

const candle = (i: number): Candle => flatCandle(i, '30000');

function run(state: BotState, events: Parameters<typeof step>[1][]): { state: BotState; commands: Command[] } {
  const commands: Command[] = [];
  for (const e of events) {
    const r = step(state, e, twoBuys);
    state = r.state;
    commands.push(...r.commands);
  }
  return { state, commands };
}

describe('kernel open orders', () => {
  const setup = {
    name: 'oo',
    strategy: 'two-buys',
    symbol: 'BTCUSDT',
    interval: '1m' as const,
    account: 'paper',
    params: {},
    onStop: 'cancel-orders' as const,
    risk: {},
  };
  const started = () =>
    run(createBotState(setup, twoBuys, T0), [
      { type: 'start', now: T0, filters: FILTERS, fresh: true },
      { type: 'reconciled', now: T0, balances: { base: '0', quote: '1000' }, orphans: [], missing: [] },
      { type: 'candle', now: T0 + 60_000, candle: candle(0) },
    ]);

  it('keeps the ids of the open orders in the state, in the order they opened, and drops a filled one', () => {
    const { state, commands } = started();
    const ids = commands.flatMap((c) => (c.type === 'placeOrder' ? [c.clientOrderId] : []));
    expect(ids).toHaveLength(2);
    expect(state.openOrderIds).toEqual(ids);
    const [a, b] = ids as [string, string];
    const snapshot = (id: string, status: 'NEW' | 'FILLED', i: number) => ({
      type: 'orderUpdate' as const,
      now: T0 + 61_000 + i,
      source: 'reconcile' as const,
      snapshot: {
        clientOrderId: id,
        symbol: 'BTCUSDT',
        status,
        executedQty: status === 'FILLED' ? '0.001' : '0',
        cumulativeQuoteQty: status === 'FILLED' ? '20' : '0',
        updateTime: T0 + 61_000 + i,
        ...(status === 'FILLED'
          ? {
              fills: [
                {
                  tradeId: 1,
                  price: '20000',
                  qty: '0.001',
                  quoteQty: '20',
                  commission: '0',
                  commissionAsset: 'USDT',
                  time: T0 + 61_000,
                  isMaker: true,
                },
              ],
            }
          : {}),
      },
    });
    const after = run(state, [snapshot(a, 'NEW', 0), snapshot(b, 'NEW', 1), snapshot(a, 'FILLED', 2)]).state;
    expect(after.openOrderIds).toEqual([b]);
    expect(openOrders(after).map((o) => o.clientOrderId)).toEqual([b]);
    expect(summarize(after).openOrders.map((o) => o.clientOrderId)).toEqual([b]);
    expect(JSON.parse(JSON.stringify(after))).toEqual(after);
  });

  it('derives them from the orders for a state carried from before the field, and writes it again on the next change', () => {
    const { state } = started();
    const { openOrderIds: _dropped, ...older } = JSON.parse(JSON.stringify(state)) as BotState;
    expect(openOrders(older).map((o) => o.tag)).toEqual(['a', 'b']);
    const next = run(older, [{ type: 'candle', now: T0 + 120_000, candle: candle(1) }]).state;
    expect((next.strategy as { shown: string[][] }).shown.at(-1)).toEqual(['a', 'b']);
    const cancelled = run(next, [{ type: 'stop', now: T0 + 121_000, reason: 'test' }]).state;
    expect(cancelled.openOrderIds).toEqual(state.openOrderIds);
    expect(cancelled.orders[state.openOrderIds![0]!]!.cancelRequested).toBe(true);
  });
});
