/**
 * A reset's adopted take-profit copy is cancelled even when the buy's fee was taken in the base
 * asset (Binance's default), as the short torture found it (torture-twin-bot-a): the lot holds
 * 0.001998 BTC, its take-profit sells 0.00199 (rounded down to the step), so the position keeps
 * 0.000008 of dust. The new branch placed the take-profit again before the scan found the
 * discarded branch's one; two resting sells of 0.00199 exceeded the position by 0.001982, less
 * than one take-profit, and the older rule (cancel a copy only if the excess covers it whole) left
 * both: both filled and the bot sold the lot twice (position -0.001966 in the torture).
 */
import { describe, expect, it } from 'vitest';
import { type BotEvent, type BotState, type Command, step } from '../../core/kernel';
import type { OrderRequest } from '../../core/orders';
import { Decimal } from '../../core/decimal';
import { dcaTakeProfit } from '../../core/strategies/dca-take-profit';
import {
  FINE_FILTERS,
  T0,
  boughtWithBaseFee,
  TAG,
  candle,
  lineageState,
  placeOrders,
  resting,
} from '../support/kernel-fixtures';

function run(state: BotState, event: BotEvent): { state: BotState; commands: Command[] } {
  const r = step(state, event, dcaTakeProfit);
  return { state: r.state, commands: [...r.commands] };
}

/** Bought, reset before the bot knew; the new branch learns the fill and places its take-profit; then the scan adopts the discarded branch's identical one. */
function twoTakeProfitsForOneLot(flagged: boolean): {
  state: BotState;
  commands: Command[];
  again: string;
  copy: string;
} {
  let state = lineageState(dcaTakeProfit, { everyCandles: 1, quantity: '0.002', takeProfitPct: '1', maxLots: 3 });
  // The twin rule alone: with `resetRules: 2` the exit would be held until the scan (tests/unit/reset-exit-hold.test.ts),
  // so the state has the rule's flag without a hold, as a take-profit placed before the hold existed.
  if (flagged) state = { ...state, resetRules: 2 };
  state = run(state, { type: 'start', now: T0, filters: FINE_FILTERS, fresh: true }).state;
  state = run(state, {
    type: 'reconciled',
    now: T0,
    balances: { base: '1', quote: '1000' },
    orphans: [],
    missing: [],
  }).state;
  let r = run(state, { type: 'candle', now: T0 + 60_000, candle: candle(0) });
  const buy = placeOrders(r.commands)[0]!;
  expect(buy.request).toMatchObject({ side: 'BUY', quantity: '0.002' });
  state = run(r.state, { type: 'reset', now: T0 + 61_000, branch: 'DDDDD', since: T0 }).state;
  const { exitsAwaitScan: _held, ...unheld } = state;
  state = unheld;
  r = run(state, {
    type: 'orderPlaced',
    now: T0 + 62_000,
    snapshot: boughtWithBaseFee(buy.clientOrderId, T0 + 61_200),
  });
  const tp = placeOrders(r.commands)[0]!;
  expect(tp.request).toMatchObject({ side: 'SELL', type: 'LIMIT', quantity: '0.00199' });
  expect(tp.clientOrderId).toBe(`${TAG}-DDDDD2`);
  state = run(r.state, {
    type: 'orderPlaced',
    now: T0 + 63_000,
    snapshot: resting(tp.clientOrderId, T0 + 63_000),
  }).state;
  expect(state.position.qty).toBe('0.001998');
  // The discarded branch's take-profit for the same fill, same request, still resting.
  const copy = `${TAG}-CCCCC2`;
  const request: OrderRequest = tp.request;
  r = run(state, {
    type: 'reconciled',
    now: T0 + 70_000,
    balances: null,
    orphans: [],
    missing: [],
    foreign: [{ snapshot: resting(copy, T0 + 61_500), request, time: T0 + 61_500 }],
  });
  return { ...r, again: tp.clientOrderId, copy };
}

const restingSells = (s: BotState) =>
  Object.values(s.orders)
    .filter(
      (o) => o.request.side === 'SELL' && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && !o.cancelRequested,
    )
    .reduce((n, o) => n.plus(o.request.quantity!).minus(o.executedQty), new Decimal(0));

describe('adopted take-profit copies with the fee in the base asset', () => {
  it('the adopted copy is cancelled although the excess (0.001982) is a little less than the copy (0.00199): never more resting than held', () => {
    const { state, commands, copy } = twoTakeProfitsForOneLot(true);
    expect(commands.filter((c) => c.type === 'cancelOrder')).toEqual([
      { type: 'cancelOrder', clientOrderId: copy, symbol: 'BTCUSDT' },
    ]);
    expect(restingSells(state).lte(state.position.qty)).toBe(true);
    expect(state.notifications.map((n) => n.message).join('\n')).toMatch(/placed again after the reset/);
  });

  it('a state from before the patch keeps the older rule (its recorded history replays the same commands)', () => {
    const { commands } = twoTakeProfitsForOneLot(false);
    expect(commands.filter((c) => c.type === 'cancelOrder')).toEqual([]);
  });

  it('two lots bought at one price keep both identical take-profits (no excess: nothing cancelled)', () => {
    const { state } = twoTakeProfitsForOneLot(true);
    // After the copy is cancelled, a second lot at the same price: its take-profit has the same request, and stays.
    const cancelled = run(state, {
      type: 'orderUpdate',
      now: T0 + 71_000,
      source: 'cancel',
      snapshot: { ...resting(`${TAG}-CCCCC2`, T0 + 71_000), status: 'CANCELED' },
    }).state;
    let r = run(cancelled, { type: 'candle', now: T0 + 120_000, candle: candle(1) });
    const buy2 = placeOrders(r.commands)[0]!;
    r = run(r.state, {
      type: 'orderPlaced',
      now: T0 + 121_000,
      snapshot: {
        ...boughtWithBaseFee(buy2.clientOrderId, T0 + 120_500),
        fills: [
          {
            tradeId: 3,
            price: '100',
            qty: '0.002',
            quoteQty: '0.2',
            commission: '0.000002',
            commissionAsset: 'BTC',
            time: T0 + 120_500,
            isMaker: false,
          },
        ],
      },
    });
    const tp2 = placeOrders(r.commands)[0]!;
    r = run(r.state, { type: 'orderPlaced', now: T0 + 122_000, snapshot: resting(tp2.clientOrderId, T0 + 122_000) });
    r = run(r.state, { type: 'reconciled', now: T0 + 130_000, balances: null, orphans: [], missing: [] });
    expect(r.commands.filter((c) => c.type === 'cancelOrder')).toEqual([]);
    expect(restingSells(r.state).toFixed()).toBe('0.00398');
    expect(r.state.position.qty).toBe('0.003996');
  });
});
