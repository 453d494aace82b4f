/**
 * A futures bot after a Temporal reset, in the kernel (pure): the discarded branch's orders adopted
 * as futures orders (purpose by reduce-only, its protective stop as the position's), the stop held
 * for the scan, one stop per position, and the signed position checked against positionRisk.
 */
import { describe, expect, it } from 'vitest';
import { sameRequest } from '../../core/adoption';
import { futuresAdoptedRecord, protectionAwaitsScan } from '../../core/futures/adoption';
import { PROTECT_TAG, protectionStep } from '../../core/futures/protection';
import { resolveFuturesSetup } from '../../core/futures/setup';
import { type BotState, createBotState } from '../../core/kernel';
import type { OrderRecord, OrderSnapshot } from '../../core/orders';
import { findStrategy } from '../../core/strategies';
import { requestFromAlgo, requestFromFuturesOrder } from '../../activities/futures-mapping';
import { KERNEL_FILTERS, KernelBot, T0, TAG, fill, kernelSetup } from '../support/kernel-fixtures';

const futures = resolveFuturesSetup({ leverage: 10, marginType: 'ISOLATED' }, {});
const record = (over: Partial<OrderRecord>): OrderRecord => ({
  clientOrderId: `${TAG}-DDDDD1`,
  tag: '__adopted',
  request: { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.01', price: '30300', reduceOnly: true },
  purpose: 'exit',
  status: 'NEW',
  executedQty: '0',
  cumulativeQuoteQty: '0',
  fills: [],
  cancelRequested: false,
  adopted: true,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe('adopted futures orders', () => {
  it('take their purpose from reduce-only / closePosition, and a discarded closePosition stop becomes the protective stop', () => {
    expect(futuresAdoptedRecord(record({ purpose: 'exit' }))).toMatchObject({ purpose: 'exit', tag: '__adopted' });
    // A short's entry is a SELL: spot's rule (SELL = exit) would call it an exit.
    const shortEntry = record({ request: { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.01' } });
    expect(futuresAdoptedRecord(shortEntry)).toMatchObject({ purpose: 'entry', tag: '__adopted' });
    const stop = record({
      request: { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '28500', closePosition: true },
    });
    expect(futuresAdoptedRecord(stop)).toMatchObject({ purpose: 'exit', tag: PROTECT_TAG, adopted: true });
  });

  it("the exchange's order reads back as the request the kernel sent (so a strategy's exit binds to it)", () => {
    const raw = {
      orderId: 7,
      symbol: 'BTCUSDT',
      status: 'NEW',
      clientOrderId: 'x',
      executedQty: '0.000',
      cumQuote: '0.00000',
      type: 'LIMIT',
      side: 'SELL',
      reduceOnly: true,
      closePosition: false,
      origQty: '0.010',
      price: '30300.00',
      stopPrice: '0.00',
      timeInForce: 'GTC',
    };
    const kernel = {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: '0.01',
      price: '30300',
      timeInForce: 'GTC',
      reduceOnly: true,
    } as const;
    expect(requestFromFuturesOrder(raw)).toEqual(kernel);
    expect(sameRequest(requestFromFuturesOrder(raw), kernel)).toBe(true);
    const algo = {
      algoId: 3,
      clientAlgoId: 'y',
      symbol: 'BTCUSDT',
      side: 'SELL',
      algoStatus: 'NEW',
      orderType: 'STOP_MARKET',
      quantity: '0.000',
      triggerPrice: '28500.00',
      closePosition: true,
      reduceOnly: false,
    };
    expect(requestFromAlgo(algo)).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      stopPrice: '28500',
      closePosition: true,
    });
  });
});

describe('one protective stop after a reset', () => {
  const view = { symbol: 'BTCUSDT', qty: '0.01', avgEntryPrice: '30000', tickSize: '0.1', futures, now: 0 };
  const stop = (id: string, adopted: boolean): OrderRecord =>
    record({
      clientOrderId: id,
      tag: PROTECT_TAG,
      adopted,
      request: { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '28500', closePosition: true },
    });

  it("two live stops on the position's side: the adopted one is cancelled, this branch's kept", () => {
    const orders = [stop('adopted-1', true), stop('own-2', false)];
    expect(protectionStep({ ...view, orders, lastRejectedAt: null, oneStop: true })).toMatchObject({
      kind: 'cancel',
      order: { clientOrderId: 'adopted-1' },
    });
    // Without the rule (histories recorded before it), both stay.
    expect(protectionStep({ ...view, orders, lastRejectedAt: null })).toBeNull();
  });

  it('the placement waits while the reset scan is pending, at most 30 s', () => {
    expect(protectionStep({ ...view, orders: [], lastRejectedAt: null, awaitScan: true })).toBeNull();
    const s = { futuresRules: 1 as const, resetAt: 1_000, scanPending: true };
    expect(protectionAwaitsScan(s, 5_000)).toBe(true);
    expect(protectionAwaitsScan(s, 31_000)).toBe(false);
    expect(protectionAwaitsScan({ ...s, scanPending: false }, 5_000)).toBe(false);
    expect(protectionAwaitsScan({ ...s, futuresRules: undefined }, 5_000)).toBe(false);
  });
});

const dca = findStrategy('dca-take-profit')!;
const params = { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 };
function futuresBot(): KernelBot {
  const setup = { ...kernelSetup('dca-take-profit', params), market: 'futures' as const, futures };
  const state: BotState = {
    ...createBotState(setup, dca, T0, undefined, { tag: TAG, branch: 'CCCCC' }),
    resetRules: 2,
    futuresRules: 1,
  };
  return new KernelBot(state, dca).begin(KERNEL_FILTERS, { base: '0', quote: '10000' });
}
const buy: OrderSnapshot = {
  clientOrderId: `${TAG}-DDDDD1`,
  symbol: 'BTCUSDT',
  exchangeOrderId: 11,
  status: 'FILLED',
  executedQty: '0.01',
  cumulativeQuoteQty: '300',
  updateTime: T0 + 1_000,
  fills: [fill(1, '0.01', '30000', T0 + 1_000)],
};
const discardedStop: OrderSnapshot = {
  clientOrderId: `${TAG}-DDDDD2`,
  symbol: 'BTCUSDT',
  exchangeOrderId: 12,
  status: 'NEW',
  executedQty: '0',
  cumulativeQuoteQty: '0',
  updateTime: T0 + 1_000,
};
const stopRequest = {
  symbol: 'BTCUSDT',
  side: 'SELL',
  type: 'STOP_MARKET',
  stopPrice: '28500',
  closePosition: true,
} as const;

describe('a futures bot reset to before its entry (kernel)', () => {
  it('adopts the filled entry and the resting stop: the position counts the fill, no second stop is placed', () => {
    const bot = futuresBot();
    bot.send({ type: 'reset', now: T0 + 5_000, branch: 'EEEEE', since: T0 });
    expect(bot.last.find((c) => c.type === 'reconcile')).toMatchObject({ scan: true });
    bot.send({
      type: 'reconciled',
      now: T0 + 6_000,
      balances: { base: '0.01', quote: '9970' },
      orphans: [],
      missing: [],
      foreign: [
        { snapshot: buy, request: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }, time: T0 },
        { snapshot: discardedStop, request: stopRequest, time: T0 },
      ],
      position: { positionAmt: '0.010', entryPrice: '30000' },
    });
    expect(bot.state.position.qty).toBe('0.01');
    expect(bot.state.orders[buy.clientOrderId]).toMatchObject({ purpose: 'entry', adopted: true });
    expect(bot.state.orders[discardedStop.clientOrderId]).toMatchObject({ tag: PROTECT_TAG, status: 'NEW' });
    expect(bot.placements()).toEqual([]);
    expect(bot.state.stats.adopted).toBe(2);
  });

  it('a position the exchange does not have, seen in two quiet reconciliations, is corrected to positionRisk; the stop is then cancelled', () => {
    const bot = futuresBot();
    // The bot believes 0.01 (say, fills of a discarded branch it learnt twice); the exchange is flat.
    bot.state = { ...bot.state, position: { ...bot.state.position, qty: '0.01', avgEntryPrice: '30000', cost: '300' } };
    const flat = {
      type: 'reconciled' as const,
      balances: { base: '0', quote: '10000' },
      orphans: [],
      missing: [],
      position: { positionAmt: '0.000', entryPrice: '0.0' },
    };
    bot.send({ ...flat, now: T0 + 2_000 });
    expect(bot.state.position.qty).toBe('0.01');
    expect(bot.state.positionDisagreement).toEqual({ exchange: '0', bot: '0.01' });
    // Meanwhile its protective stop went out and rests.
    const [placed] = bot.placements();
    expect(placed?.request).toMatchObject({ type: 'STOP_MARKET', closePosition: true });
    bot.send({
      type: 'orderPlaced',
      now: T0 + 2_500,
      snapshot: { ...discardedStop, clientOrderId: placed!.clientOrderId },
    });
    bot.send({ ...flat, now: T0 + 4_000 });
    expect(bot.state.position.qty).toBe('0');
    expect(bot.state.stats.positionCorrections).toBe(1);
    expect(bot.state.notifications.map((n) => n.message).join('\n')).toMatch(/disagrees with the exchange's 0/);
    expect(bot.last).toContainEqual({ type: 'cancelOrder', clientOrderId: placed!.clientOrderId, symbol: 'BTCUSDT' });
  });

  it('a difference that moves between reconciliations, or while an order awaits proof, is not corrected', () => {
    const bot = futuresBot();
    bot.state = { ...bot.state, position: { ...bot.state.position, qty: '0.01', avgEntryPrice: '30000', cost: '300' } };
    const at = (now: number, amt: string) =>
      bot.send({
        type: 'reconciled',
        now,
        balances: { base: amt, quote: '10000' },
        orphans: [],
        missing: [],
        position: { positionAmt: amt, entryPrice: '30000' },
      });
    at(T0 + 2_000, '0.02');
    at(T0 + 4_000, '0.03');
    expect(bot.state.position.qty).toBe('0.01');
    at(T0 + 6_000, '0.01');
    expect(bot.state.positionDisagreement).toBeUndefined();
    expect(bot.state.stats.positionCorrections ?? 0).toBe(0);
  });
});
