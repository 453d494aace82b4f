/**
 * The simulated perpetual's orders: Binance's futures refusals, the duplicate-id rule that only
 * holds while the first order is open (the exactly-once hazard), reduce-only and close-position,
 * and the conditional orders' triggers on the contract and the mark price.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PERP_SYMBOLS,
  Perpetual,
  type PerpAlgoRequest,
  type PerpEvent,
  type PerpOrderRequest,
} from '../../venue/perpetual';

const T0 = 3_600_000;
const BTC = 'BTCUSDT';

function setup(book?: { spreadTicks: number; levels: number; levelStepTicks: number; levelQty: string | null }) {
  const perp = new Perpetual({ symbols: DEFAULT_PERP_SYMBOLS, ...(book ? { book } : {}) });
  perp.addAccount('a', { USDT: '10000' }, T0);
  perp.onPrice(BTC, { price: '30000', time: T0, qty: null, sweep: false });
  perp.setLeverage('a', BTC, 10, T0);
  return perp;
}

const order = (perp: Perpetual, o: Partial<PerpOrderRequest>) =>
  perp.placeOrder({ accountId: 'a', symbol: BTC, side: 'BUY', type: 'MARKET', quantity: '0.01', time: T0, ...o });
const algo = (perp: Perpetual, o: Partial<PerpAlgoRequest>) =>
  perp.placeAlgo({ accountId: 'a', symbol: BTC, side: 'SELL', type: 'STOP_MARKET', quantity: '0.01', time: T0, ...o });
const at = (perp: Perpetual, price: string, time: number, sweep = true) =>
  perp.onPrice(BTC, { price, time, qty: null, sweep });
const amount = (perp: Perpetual) => perp.positions('a', BTC)[0]!.positionAmt;
const algoEvents = (events: readonly PerpEvent[]) =>
  events.filter((e): e is Extract<PerpEvent, { kind: 'algo' }> => e.kind === 'algo').map((e) => e.algo.status);

describe('client order ids: unique among open orders only (-4116)', () => {
  it('refuses a duplicate while the first order rests, accepts it once that order is cancelled', () => {
    const perp = setup();
    expect(order(perp, { type: 'LIMIT', timeInForce: 'GTC', price: '29000', newClientOrderId: 'bot-1' }).ok).toBe(true);
    expect(order(perp, { type: 'LIMIT', timeInForce: 'GTC', price: '29000', newClientOrderId: 'bot-1' })).toMatchObject(
      { ok: false, code: -4116 },
    );
    expect(perp.cancelOrder('a', BTC, { origClientOrderId: 'bot-1' }, T0).ok).toBe(true);
    expect(order(perp, { type: 'LIMIT', timeInForce: 'GTC', price: '29000', newClientOrderId: 'bot-1' }).ok).toBe(true);
  });

  it('a resent MARKET order that already filled is accepted again: a second position (the hazard the bot must avoid by looking up first)', () => {
    const perp = setup();
    expect(order(perp, { newClientOrderId: 'bot-2' })).toMatchObject({ ok: true, order: { status: 'FILLED' } });
    expect(order(perp, { newClientOrderId: 'bot-2' })).toMatchObject({ ok: true, order: { status: 'FILLED' } });
    expect(amount(perp)).toBe('0.02');
    // The lookup by client id finds the latest order with that id.
    expect(perp.getOrder('a', BTC, { origClientOrderId: 'bot-2' })).toMatchObject({
      ok: true,
      order: { executedQty: '0.01' },
    });
    // Ids longer than 36 characters, or with other characters, are refused (-4015).
    expect(order(perp, { newClientOrderId: 'x'.repeat(37) })).toMatchObject({ ok: false, code: -4015 });
    expect(order(perp, { newClientOrderId: 'a b' })).toMatchObject({ ok: false, code: -4015 });
    expect(order(perp, { newClientOrderId: 'ok.id:with/slash_-' }).ok).toBe(true);
  });

  it('unknown lookups answer -2013, cancels of unknown or closed orders -2011', () => {
    const perp = setup();
    expect(perp.getOrder('a', BTC, { origClientOrderId: 'nope' })).toMatchObject({ ok: false, code: -2013 });
    expect(perp.cancelOrder('a', BTC, { origClientOrderId: 'nope' }, T0)).toMatchObject({ ok: false, code: -2011 });
    order(perp, { newClientOrderId: 'filled' });
    expect(perp.cancelOrder('a', BTC, { origClientOrderId: 'filled' }, T0)).toMatchObject({ ok: false, code: -2011 });
  });
});

describe('futures refusals', () => {
  it('filters, precision, notional, percent price, hedge mode', () => {
    const perp = setup();
    expect(order(perp, { quantity: '0.0001' })).toMatchObject({ code: -1111 });
    expect(order(perp, { quantity: '0.001' })).toMatchObject({
      code: -4164,
      msg: "Order's notional must be no smaller than 100 (unless you choose reduce only).",
    });
    expect(order(perp, { type: 'LIMIT', timeInForce: 'GTC', price: '30000.055', quantity: '0.01' })).toMatchObject({
      code: -1111,
    });
    expect(order(perp, { type: 'LIMIT', timeInForce: 'GTC', price: '30000.05', quantity: '0.01' })).toMatchObject({
      code: -4014,
    });
    expect(order(perp, { type: 'LIMIT', timeInForce: 'GTC', price: '40000', quantity: '0.01' })).toMatchObject({
      code: -4016,
      msg: "Limit price can't be higher than 31500.",
    });
    expect(
      order(perp, { side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', price: '20000', quantity: '0.01' }),
    ).toMatchObject({ code: -4024, msg: "Limit price can't be lower than 28500." });
    expect(order(perp, { positionSide: 'LONG' })).toMatchObject({ code: -4061 });
    expect(perp.setPositionMode('a', true)).toMatchObject({ ok: false, code: -1130 });
    expect(perp.setPositionMode('a', false)).toMatchObject({ ok: false, code: -4059 });
  });

  it('reduce-only: refused with no position (-2022), capped at the position, expired when the position closes', () => {
    const perp = setup();
    expect(order(perp, { side: 'SELL', reduceOnly: true })).toMatchObject({ ok: false, code: -2022 });
    order(perp, { quantity: '0.01' });
    // Reduce-only is exempt from MIN_NOTIONAL, and never opens the other way: 0.05 asked, 0.01 filled, the rest expires.
    const r = order(perp, { side: 'SELL', quantity: '0.05', reduceOnly: true });
    expect(r).toMatchObject({ ok: true, order: { status: 'EXPIRED', executedQty: '0.01', reduceOnly: true } });
    expect(amount(perp)).toBe('0');
    // A resting reduce-only order expires once the position it reduces is gone.
    order(perp, { quantity: '0.01' });
    const tp = order(perp, {
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '31000',
      quantity: '0.01',
      reduceOnly: true,
      newClientOrderId: 'tp',
    });
    expect(tp.ok).toBe(true);
    const close = order(perp, { side: 'SELL', quantity: '0.01' });
    expect(close.ok && close.events.find((e) => e.kind === 'order' && e.order.clientOrderId === 'tp')).toMatchObject({
      executionType: 'EXPIRED',
    });
  });

  it('post-only that would take (-5022), fill-or-kill that cannot fill (-5021), IOC expires the rest', () => {
    const perp = setup({ spreadTicks: 1, levels: 2, levelStepTicks: 1, levelQty: '0.01' });
    // Asks at 30000.1 and 30000.2, 0.01 each.
    expect(order(perp, { type: 'LIMIT', timeInForce: 'GTX', price: '30000.1' })).toMatchObject({
      ok: false,
      code: -5022,
    });
    expect(order(perp, { type: 'LIMIT', timeInForce: 'GTX', price: '30000' })).toMatchObject({
      ok: true,
      order: { status: 'NEW' },
    });
    expect(order(perp, { type: 'LIMIT', timeInForce: 'FOK', price: '30000.2', quantity: '0.03' })).toMatchObject({
      ok: false,
      code: -5021,
    });
    const ioc = order(perp, { type: 'LIMIT', timeInForce: 'IOC', price: '30000.1', quantity: '0.02' });
    expect(ioc).toMatchObject({ ok: true, order: { status: 'EXPIRED', executedQty: '0.01', avgPrice: '30000.1' } });
  });
});

describe('conditional orders', () => {
  it('-2021 when the condition already holds; a STOP_MARKET crossed in a sweep fills from its trigger', () => {
    const perp = setup();
    order(perp, { quantity: '0.01' });
    expect(algo(perp, { triggerPrice: '30100' })).toMatchObject({ ok: false, code: -2021 });
    expect(algo(perp, { type: 'TAKE_PROFIT_MARKET', triggerPrice: '29000' })).toMatchObject({ ok: false, code: -2021 });
    const sl = algo(perp, { triggerPrice: '29500', closePosition: true, quantity: undefined, clientAlgoId: 'sl-1' });
    expect(sl).toMatchObject({ ok: true, algo: { status: 'NEW', closePosition: true, quantity: '0' } });
    expect(algo(perp, { triggerPrice: '29400', closePosition: true, quantity: undefined })).toMatchObject({
      ok: false,
      code: -4130,
    });
    expect(algo(perp, { triggerPrice: '29500', clientAlgoId: 'sl-1' })).toMatchObject({ ok: false, code: -4116 });
    at(perp, '29600', T0 + 1);
    const events = at(perp, '29000', T0 + 2);
    expect(algoEvents(events)).toEqual(['TRIGGERED', 'FINISHED']);
    const fill = events.find((e) => e.kind === 'order' && e.fill !== null);
    expect(fill).toMatchObject({
      order: {
        clientOrderId: 'sl-1',
        origType: 'STOP_MARKET',
        type: 'MARKET',
        reduceOnly: true,
        closePosition: true,
        algoId: 1,
      },
      fill: { price: '29500', qty: '0.01' },
    });
    expect(amount(perp)).toBe('0');
    expect(perp.getAlgo('a', { clientAlgoId: 'sl-1' })).toMatchObject({
      ok: true,
      algo: { status: 'FINISHED', executedQty: '0.01', actualPrice: '29500' },
    });
  });

  it('a stop gapped over (a jump, not a sweep) fills at the price after the gap', () => {
    const perp = setup();
    order(perp, { side: 'SELL', quantity: '0.01' });
    algo(perp, { side: 'BUY', triggerPrice: '30500', quantity: '0.01', reduceOnly: true });
    const events = at(perp, '31000', T0 + 1, false);
    expect(events.find((e) => e.kind === 'order' && e.fill !== null)).toMatchObject({ fill: { price: '31000' } });
  });

  it('closePosition with nothing left to close expires; reduce-only with nothing to reduce is rejected with a trigger-reject event', () => {
    const perp = setup();
    order(perp, { quantity: '0.01' });
    algo(perp, { triggerPrice: '29000', closePosition: true, quantity: undefined, clientAlgoId: 'cp' });
    algo(perp, { triggerPrice: '29000', reduceOnly: true, clientAlgoId: 'ro' });
    // Closing the position by hand expires the close-position order (Binance's GTE_GTC rule) but not the reduce-only one.
    const closed = order(perp, { side: 'SELL', quantity: '0.01' });
    expect(closed.ok && algoEvents(closed.events)).toEqual(['EXPIRED']);
    const events = at(perp, '28900', T0 + 1);
    expect(events.find((e) => e.kind === 'triggerReject')).toMatchObject({
      reason: 'ReduceOnly Order is rejected.',
      algo: { clientAlgoId: 'ro', status: 'REJECTED' },
    });
  });

  it('TRAILING_STOP_MARKET: activates at activatePrice, tracks the high, triggers 1 % below it', () => {
    const perp = setup();
    order(perp, { quantity: '0.01' });
    expect(algo(perp, { type: 'TRAILING_STOP_MARKET', activatePrice: '29000', callbackRate: '1' })).toMatchObject({
      ok: false,
      code: -2021,
    });
    expect(algo(perp, { type: 'TRAILING_STOP_MARKET', callbackRate: '11' })).toMatchObject({ ok: false, code: -1130 });
    const t = algo(perp, {
      type: 'TRAILING_STOP_MARKET',
      activatePrice: '30500',
      callbackRate: '1',
      reduceOnly: true,
      clientAlgoId: 'trail',
    });
    expect(t.ok).toBe(true);
    at(perp, '30200', T0 + 1); // not active: a 1 % fall from here would not trigger
    expect(at(perp, '29950', T0 + 2)).toEqual([]);
    at(perp, '30500', T0 + 3); // active, best 30500
    at(perp, '31000', T0 + 4); // best 31000: triggers at 31000 × 0.99 = 30690
    expect(at(perp, '30700', T0 + 5)).toEqual([]);
    const events = at(perp, '30690', T0 + 6);
    expect(algoEvents(events)).toEqual(['TRIGGERED', 'FINISHED']);
    expect(amount(perp)).toBe('0');
  });

  it('MARK_PRICE orders follow the mark, not the contract price; STOP (limit) rests once triggered', () => {
    const perp = setup();
    order(perp, { quantity: '0.01' });
    algo(perp, {
      type: 'STOP',
      triggerPrice: '29800',
      price: '29700',
      workingType: 'MARK_PRICE',
      reduceOnly: true,
      clientAlgoId: 'mark-stop',
    });
    perp.setMarkPrice(BTC, '30000', T0 + 1);
    expect(at(perp, '29000', T0 + 2)).toEqual([]);
    const events = perp.setMarkPrice(BTC, '29790', T0 + 3);
    expect(algoEvents(events)).toEqual(['TRIGGERED']);
    expect(perp.openOrders('a', BTC)).toMatchObject([
      {
        clientOrderId: 'mark-stop',
        type: 'LIMIT',
        price: '29700',
        origType: 'STOP',
        stopPrice: '29800',
        workingType: 'MARK_PRICE',
      },
    ]);
    // The contract trades up to the limit: it fills as maker and the algo finishes.
    expect(algoEvents(at(perp, '29650', T0 + 4))).toEqual([]);
    expect(algoEvents(at(perp, '29710', T0 + 5))).toEqual(['FINISHED']);
  });

  it('cancels by client algo id; a second cancel is -2011; the snapshot restores orders, algos and positions', () => {
    const perp = setup();
    order(perp, { quantity: '0.01' });
    algo(perp, { triggerPrice: '29000', closePosition: true, quantity: undefined, clientAlgoId: 'keep' });
    algo(perp, { triggerPrice: '28000', clientAlgoId: 'drop' });
    expect(perp.cancelAlgo('a', { clientAlgoId: 'drop' }, T0)).toMatchObject({
      ok: true,
      algo: { status: 'CANCELED' },
    });
    expect(perp.cancelAlgo('a', { clientAlgoId: 'drop' }, T0)).toMatchObject({ ok: false, code: -2011 });
    const copy = new Perpetual({ symbols: DEFAULT_PERP_SYMBOLS }, JSON.parse(JSON.stringify(perp.snapshot())));
    expect(copy.positions('a', BTC)).toEqual(perp.positions('a', BTC));
    expect(copy.openAlgos('a')).toEqual(perp.openAlgos('a'));
    expect(copy.account('a')).toEqual(perp.account('a'));
    // Both go on the same way.
    expect(at(copy, '28900', T0 + 5)).toEqual(at(perp, '28900', T0 + 5));
    expect(amount(copy)).toBe('0');
  });
});
