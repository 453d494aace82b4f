/**
 * One exit per decision after a Temporal reset (core/adopted-exits.ts), as the torture found it:
 * a buy whose outcome was unknown at the reset point; the discarded branch learnt it filled and
 * placed its take-profit, which filled too; the new branch learns the same fill later and asks for
 * the same take-profit. Sent again, it would sell the lot a second time.
 */
import { describe, expect, it } from 'vitest';
import type { BotState } from '../../core/kernel';
import type { SymbolFilters } from '../../core/market';
import type { OrderRequest, OrderSnapshot } from '../../core/orders';
import { dcaTakeProfit } from '../../core/strategies/dca-take-profit';
import { KERNEL_FILTERS, KernelBot, T0, TAG, candle, fill, lineageState } from '../support/kernel-fixtures';

const FILTERS: SymbolFilters = { ...KERNEL_FILTERS, minNotional: '0.5' };
const filled = (clientOrderId: string, qty: string, price: string, tradeId: number, time: number): OrderSnapshot => ({
  clientOrderId,
  symbol: 'BTCUSDT',
  status: 'FILLED',
  executedQty: qty,
  cumulativeQuoteQty: String(Number(qty) * Number(price)),
  updateTime: time,
  fills: [fill(tradeId, qty, price, time)],
});
const TP: OrderRequest = {
  symbol: 'BTCUSDT',
  side: 'SELL',
  type: 'LIMIT',
  quantity: '0.01',
  price: '101',
  timeInForce: 'GTC',
};

class Bot extends KernelBot {
  constructor() {
    super(
      lineageState(dcaTakeProfit, { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 3 }),
      dcaTakeProfit,
    );
    this.begin(FILTERS, { base: '0', quote: '1000' });
  }
}

/** The buy is sent; a reset comes while its outcome is not known yet (ids move to branch DDDDD). */
function buyThenReset(): { bot: Bot; buyId: string } {
  const bot = new Bot();
  bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
  const [buy] = bot.placements();
  expect(buy!.request).toMatchObject({ side: 'BUY', quantity: '0.01' });
  bot.send({ type: 'reset', now: T0 + 61_000, branch: 'DDDDD', since: T0 });
  return { bot, buyId: buy!.clientOrderId };
}

/** The scan finds what the discarded branch did: it learnt the buy filled and its take-profit (seq 2 of branch CCCCC) filled. */
function adoptDiscardedTakeProfit(bot: Bot, now: number): void {
  const tp = `${TAG}-CCCCC2`;
  bot.send({
    type: 'reconciled',
    now,
    balances: null,
    orphans: [],
    missing: [],
    foreign: [{ snapshot: filled(tp, '0.01', '101', 2, T0 + 62_000), request: TP, time: T0 + 61_500 }],
  });
}

const sells = (s: BotState) => Object.values(s.orders).filter((o) => o.request.side === 'SELL');

describe('one exit per decision after a reset', () => {
  it('the take-profit asked for again after its executed copy was adopted is that order: nothing sent, the lot closed, the position right', () => {
    const { bot, buyId } = buyThenReset();
    adoptDiscardedTakeProfit(bot, T0 + 70_000);
    // Adopted: its sell is in the position (short until the buy is known).
    expect(bot.state.position.qty).toBe('-0.01');
    // The new branch learns the buy filled (its placement's lookup), and asks for the take-profit again.
    bot.send({ type: 'orderPlaced', now: T0 + 80_000, snapshot: filled(buyId, '0.01', '100', 1, T0 + 61_200) });
    expect(bot.placements()).toEqual([]);
    expect(bot.state.position.qty).toBe('0');
    const [tp] = sells(bot.state);
    expect(tp).toMatchObject({ tag: 'tp-1', clientOrderId: `${TAG}-CCCCC2`, status: 'FILLED', bound: true });
    expect((bot.state.strategy as { lots: Record<string, unknown> }).lots).toEqual({});
    expect(bot.state.stats.fills).toBe(2);
    expect(bot.state.notifications.map((n) => n.message).join('\n')).toMatch(
      /tp-1: the same exit is already on the exchange/,
    );
  });

  it('a take-profit sent before the scan found its executed copy is cancelled (the lot is sold); the strategy forgets the lot', () => {
    const { bot, buyId } = buyThenReset();
    bot.send({ type: 'orderPlaced', now: T0 + 62_000, snapshot: filled(buyId, '0.01', '100', 1, T0 + 61_200) });
    const [again] = bot.placements();
    expect(again!.request).toMatchObject(TP);
    expect(again!.clientOrderId).toBe(`${TAG}-DDDDD2`);
    bot.send({
      type: 'orderPlaced',
      now: T0 + 63_000,
      snapshot: {
        clientOrderId: again!.clientOrderId,
        symbol: 'BTCUSDT',
        status: 'NEW',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        updateTime: T0 + 63_000,
      },
    });
    adoptDiscardedTakeProfit(bot, T0 + 70_000);
    expect(bot.last.filter((c) => c.type === 'cancelOrder')).toEqual([
      { type: 'cancelOrder', clientOrderId: again!.clientOrderId, symbol: 'BTCUSDT' },
    ]);
    bot.send({
      type: 'orderUpdate',
      now: T0 + 71_000,
      source: 'cancel',
      snapshot: {
        clientOrderId: again!.clientOrderId,
        symbol: 'BTCUSDT',
        status: 'CANCELED',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        updateTime: T0 + 71_000,
      },
    });
    expect(bot.state.position.qty).toBe('0');
    expect(sells(bot.state).filter((o) => o.status === 'NEW')).toEqual([]);
    expect((bot.state.strategy as { lots: Record<string, unknown> }).lots).toEqual({});
  });

  it('an exit the holdings cover is a decision of its own, even with the request of an adopted one: placed', () => {
    const { bot, buyId } = buyThenReset();
    adoptDiscardedTakeProfit(bot, T0 + 70_000);
    bot.send({ type: 'orderPlaced', now: T0 + 80_000, snapshot: filled(buyId, '0.01', '100', 1, T0 + 61_200) });
    // A second lot bought at the same price: its take-profit has the same request as the adopted one.
    bot.send({ type: 'candle', now: T0 + 120_000, candle: candle(1) });
    const [buy2] = bot.placements();
    bot.send({
      type: 'orderPlaced',
      now: T0 + 121_000,
      snapshot: filled(buy2!.clientOrderId, '0.01', '100', 3, T0 + 120_500),
    });
    const [tp2] = bot.placements();
    expect(tp2!.request).toMatchObject(TP);
    expect(tp2!.clientOrderId.startsWith(`${TAG}-DDDDD`)).toBe(true);
  });
});
