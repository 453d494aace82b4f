/**
 * Conditional (algo) orders: STOP / STOP_MARKET, TAKE_PROFIT / TAKE_PROFIT_MARKET and
 * TRAILING_STOP_MARKET, as Binance's Algo Service keeps them since December 2025 (POST
 * /fapi/v1/algoOrder, `clientAlgoId`). They hold no margin until they trigger.
 *
 * Trigger rules on the working price (`workingType`: the contract's last price, or the mark):
 * - STOP / STOP_MARKET: BUY when price ≥ trigger, SELL when price ≤ trigger;
 * - TAKE_PROFIT / TAKE_PROFIT_MARKET: BUY when price ≤ trigger, SELL when price ≥ trigger;
 * - TRAILING_STOP_MARKET: active once the price reaches `activatePrice` (SELL: ≥, BUY: ≤; at once
 *   without one), then tracks the best price since (SELL: highest, BUY: lowest) and triggers
 *   when the price comes back by `callbackRate` % (SELL: ≤ best × (1 − r), BUY: ≥ best × (1 + r)).
 * A condition already true at placement is refused (-2021 "Order would immediately trigger.").
 *
 * On trigger the order goes to the matching engine as a MARKET (or a LIMIT at `price` for STOP /
 * TAKE_PROFIT) with the algo's client id: status TRIGGERED, then FINISHED once that order is
 * final. `closePosition` closes the whole position at trigger time (nothing to close: EXPIRED);
 * a reduce-only order with nothing to reduce, or any margin failure, is REJECTED with a
 * CONDITIONAL_ORDER_TRIGGER_REJECT event. A stop crossed inside a continuous move fills from
 * its trigger price, a stop gapped over from the price after the gap. Pure.
 */
import { type Dec, Decimal, d } from '../../core/decimal';
import { PerpErrors } from './errors';
import { closable, emitAlgo, takeAlgoOff } from './execution';
import type { Ctx } from './ledger';
import { placeRegular } from './matching';
import { type AlgoRec, type PerpCore, type SymbolRec, algoView, clientKey } from './state';
import type { AlgoOrderType, PerpAlgoRequest, PerpError } from './types';
import { validateAlgo } from './validate';
import { markOf } from './views';

export type AlgoPlaced = { readonly ok: true; readonly algo: AlgoRec } | ({ readonly ok: false } & PerpError);

const isStop = (t: AlgoOrderType) => t === 'STOP' || t === 'STOP_MARKET';

/** Whether a STOP* / TAKE_PROFIT* condition holds at `price`. */
export function conditionMet(type: AlgoOrderType, side: 'BUY' | 'SELL', trigger: Dec, price: Dec): boolean {
  const c = d(price).comparedTo(trigger);
  return isStop(type) === (side === 'BUY') ? c >= 0 : c <= 0;
}

function workingPrice(sym: SymbolRec, a: { workingType: 'CONTRACT_PRICE' | 'MARK_PRICE' }): Dec | null {
  return a.workingType === 'MARK_PRICE' ? markOf(sym) : sym.lastPrice;
}

export function placeAlgo(core: PerpCore, ctx: Ctx, req: PerpAlgoRequest): AlgoPlaced {
  const fail = (e: PerpError): AlgoPlaced => ({ ok: false, ...e });
  const sym = core.symbols.get(req.symbol);
  if (!sym) return fail(PerpErrors.invalidSymbol());
  const acc = core.accounts.get(req.accountId);
  if (!acc) return fail(PerpErrors.unknownAccount());
  if (sym.spec.status !== 'TRADING') return fail(PerpErrors.marketClosed());
  const invalid = validateAlgo(sym.spec, req);
  if (invalid) return fail(invalid);
  const mine = sym.algos.filter((a) => a.accountId === acc.id);
  if (req.clientAlgoId !== undefined) {
    for (const s of core.symbols.values())
      for (const a of s.algos)
        if (a.accountId === acc.id && a.clientAlgoId === req.clientAlgoId) return fail(PerpErrors.duplicateClientId());
  }
  if (mine.length >= sym.spec.maxNumAlgoOrders) return fail(PerpErrors.maxAlgoOrders());
  if (req.closePosition && mine.some((a) => a.closePosition && a.side === req.side && a.type === req.type))
    return fail(PerpErrors.closePositionExists());
  const workingType = req.workingType ?? 'CONTRACT_PRICE';
  const price = workingPrice(sym, { workingType });
  if (price === null) return fail(PerpErrors.noLiquidity());
  let trailActive = false;
  let trailExtreme: Dec | null = null;
  if (req.type === 'TRAILING_STOP_MARKET') {
    if (req.activatePrice === undefined) {
      trailActive = true;
      trailExtreme = price;
    } else if (
      req.side === 'SELL'
        ? d(req.activatePrice).lessThanOrEqualTo(price)
        : d(req.activatePrice).greaterThanOrEqualTo(price)
    ) {
      return fail(PerpErrors.wouldTrigger());
    }
  } else if (conditionMet(req.type, req.side, req.triggerPrice as Dec, price)) return fail(PerpErrors.wouldTrigger());
  if (!req.closePosition && !req.reduceOnly && req.quantity !== undefined) {
    const valuation = req.price ?? req.triggerPrice ?? req.activatePrice ?? price;
    const min = sym.spec.filters.minNotional;
    if (d(min).greaterThan(0) && d(req.quantity).times(valuation).lessThan(min))
      return fail(PerpErrors.minNotional(min));
  }
  const algo: AlgoRec = {
    algoId: ++core.counters.algoId,
    clientAlgoId: req.clientAlgoId ?? `paper-algo-${++core.counters.mint}`,
    accountId: acc.id,
    symbol: req.symbol,
    side: req.side,
    type: req.type,
    timeInForce: req.timeInForce ?? 'GTC',
    quantity: req.quantity ?? '0',
    price: req.price ?? '0',
    triggerPrice: req.triggerPrice ?? '0',
    workingType,
    priceProtect: req.priceProtect ?? false,
    reduceOnly: req.reduceOnly ?? false,
    closePosition: req.closePosition ?? false,
    activatePrice: req.activatePrice ?? null,
    callbackRate: req.callbackRate ?? null,
    status: 'NEW',
    createTime: ctx.time,
    updateTime: ctx.time,
    triggerTime: 0,
    actualOrderId: null,
    rejectReason: null,
    trailActive,
    trailExtreme,
  };
  core.algos.set(algo.algoId, algo);
  core.algoByClientId.set(clientKey(acc.id, algo.clientAlgoId), algo.algoId);
  sym.algos.push(algo);
  emitAlgo(core, ctx, algo);
  return { ok: true, algo };
}

export function cancelAlgo(core: PerpCore, ctx: Ctx, a: AlgoRec): void {
  a.status = 'CANCELED';
  a.updateTime = ctx.time;
  takeAlgoOff(core, a);
  emitAlgo(core, ctx, a);
}

/** Trailing stop: track activation and the best price; true when the callback is reached. */
function trailingHit(a: AlgoRec, price: Dec): boolean {
  const p = d(price);
  if (!a.trailActive) {
    const reached =
      a.side === 'SELL' ? p.greaterThanOrEqualTo(a.activatePrice as Dec) : p.lessThanOrEqualTo(a.activatePrice as Dec);
    if (!reached) return false;
    a.trailActive = true;
    a.trailExtreme = price;
  }
  const best = d(a.trailExtreme as Dec);
  if (a.side === 'SELL' ? p.greaterThan(best) : p.lessThan(best)) a.trailExtreme = price;
  const rate = d(a.callbackRate as Dec).dividedBy(100);
  const extreme = d(a.trailExtreme as Dec);
  return a.side === 'SELL'
    ? p.lessThanOrEqualTo(extreme.times(new Decimal(1).minus(rate)))
    : p.greaterThanOrEqualTo(extreme.times(rate.plus(1)));
}

/**
 * Check the symbol's open conditional orders of one working type against the new price and
 * trigger those whose condition holds. `sweep`: the price moved continuously to this point.
 */
export function checkAlgos(
  core: PerpCore,
  ctx: Ctx,
  sym: SymbolRec,
  workingType: 'CONTRACT_PRICE' | 'MARK_PRICE',
  sweep: boolean,
): void {
  const price = workingPrice(sym, { workingType });
  if (price === null || sym.algos.length === 0) return;
  for (const a of [...sym.algos]) {
    if (a.status !== 'NEW' || a.workingType !== workingType) continue;
    const hit =
      a.type === 'TRAILING_STOP_MARKET' ? trailingHit(a, price) : conditionMet(a.type, a.side, a.triggerPrice, price);
    if (!hit) continue;
    const stopLevel = a.type === 'TRAILING_STOP_MARKET' ? null : a.triggerPrice;
    const reference = sweep && workingType === 'CONTRACT_PRICE' && stopLevel !== null ? stopLevel : undefined;
    trigger(core, ctx, a, reference);
  }
}

function trigger(core: PerpCore, ctx: Ctx, a: AlgoRec, reference: Dec | undefined): void {
  takeAlgoOff(core, a);
  a.triggerTime = ctx.time;
  a.updateTime = ctx.time;
  const acc = core.accounts.get(a.accountId);
  const reducible = acc ? closable(acc, a.symbol, a.side) : '0';
  if (a.closePosition && d(reducible).isZero()) {
    a.status = 'EXPIRED';
    a.rejectReason = 'no position to close';
    emitAlgo(core, ctx, a);
    return;
  }
  const quantity = a.closePosition ? reducible : a.quantity;
  const limit = a.type === 'STOP' || a.type === 'TAKE_PROFIT';
  const placed = placeRegular(
    core,
    ctx,
    {
      accountId: a.accountId,
      symbol: a.symbol,
      side: a.side,
      type: limit ? 'LIMIT' : 'MARKET',
      ...(limit ? { price: a.price, timeInForce: a.timeInForce } : {}),
      quantity,
      reduceOnly: a.reduceOnly || a.closePosition,
      newClientOrderId: a.clientAlgoId,
      time: ctx.time,
    },
    { parent: a, ...(reference !== undefined ? { reference } : {}) },
  );
  if (!placed.ok) {
    a.status = 'REJECTED';
    a.rejectReason = placed.msg;
    emitAlgo(core, ctx, a);
    ctx.events.push({
      kind: 'triggerReject',
      accountId: a.accountId,
      time: ctx.time,
      algo: algoView(a, undefined),
      reason: placed.msg,
    });
  }
}
