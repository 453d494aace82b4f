/**
 * Regular perpetual orders (MARKET, LIMIT GTC / IOC / FOK / GTX) against the synthetic book, and
 * price points against resting orders. The checks, in Binance's order once the parameters are
 * valid (validate.ts): duplicate client id among the account's OPEN orders (-4116; a closed
 * order's id may be used again: the exactly-once hazard), PERCENT_PRICE (-4016 / -4024),
 * MIN_NOTIONAL (-4164, reduce-only exempt), reduce-only with nothing to reduce (-2022), post-only
 * that would take (-5022), fill-or-kill that cannot fill (-5021), the position cap of the leverage
 * (-2027) and the margin (-2019: the order's initial margin, open loss and taker fee against the
 * available balance).
 *
 * Taker fills come from venue/book.ts's synthetic book around the contract's last price (the
 * backtester's default book is unlimited: every taker order fills at the reference). A resting
 * order fills at its limit price (maker) once the market trades at or through it. A reduce-only
 * order never fills beyond the position it reduces: the rest expires. Pure.
 */
import { type Dec, Decimal, d, str } from '../../core/decimal';
import { levelPrice, planTaker } from '../book';
import { PerpErrors } from './errors';
import { closable, emitAlgo, emitOrder, fillOrder, finishOrder } from './execution';
import type { Ctx } from './ledger';
import { maxNotional, orderCost } from './margin';
import { type AccountRec, type AlgoRec, type OrderRec, type PerpCore, type SymbolRec, clientKey } from './state';
import type { PerpError, PerpFillView, PerpOrderRequest, PricePoint } from './types';
import { validateRegular } from './validate';
import { markOf, summary } from './views';

export type Placed =
  | { readonly ok: true; readonly order: OrderRec; readonly fills: PerpFillView[] }
  | ({ readonly ok: false } & PerpError);

export interface PlaceOptions {
  /** The conditional order this order is the trigger of (no duplicate-id check: it carries the algo's id). */
  readonly parent?: AlgoRec;
  /** Book reference for its taker fills instead of the last price (a stop crossed inside a sweep fills at its trigger). */
  readonly reference?: Dec;
  /** Validate only (nothing placed). */
  readonly dryRun?: boolean;
}

const fail = (e: PerpError): Placed => ({ ok: false, ...e });

/** A PERCENT_PRICE bound on the tick, inside the allowed range (floored above, ceiled below). */
function bound(x: Decimal, tick: Dec, rounding: 'floor' | 'ceil'): string {
  const n = x.dividedBy(tick);
  return str((rounding === 'floor' ? n.floor() : n.ceil()).times(tick));
}

export function placeRegular(core: PerpCore, ctx: Ctx, req: PerpOrderRequest, opts: PlaceOptions = {}): Placed {
  const sym = core.symbols.get(req.symbol);
  if (!sym) return fail(PerpErrors.invalidSymbol());
  const acc = core.accounts.get(req.accountId);
  if (!acc) return fail(PerpErrors.unknownAccount());
  if (sym.spec.status !== 'TRADING') return fail(PerpErrors.marketClosed());
  const invalid = validateRegular(sym.spec, opts.parent ? { ...req, newClientOrderId: undefined } : req);
  if (invalid) return fail(invalid);
  if (!opts.parent && req.newClientOrderId !== undefined) {
    for (const s of core.symbols.values())
      for (const x of s.open)
        if (x.accountId === acc.id && x.clientOrderId === req.newClientOrderId)
          return fail(PerpErrors.duplicateClientId());
  }
  const reference = opts.reference ?? sym.lastPrice;
  const mark = markOf(sym);
  if (reference === null || mark === null) return fail(PerpErrors.noLiquidity());
  const { spec } = sym;
  if (req.type === 'LIMIT' && req.price !== undefined) {
    const up = d(mark).times(spec.percentPrice.up);
    const down = d(mark).times(spec.percentPrice.down);
    if (req.side === 'BUY' && d(req.price).greaterThan(up))
      return fail(PerpErrors.priceAboveMultiplier(bound(up, spec.filters.tickSize, 'floor')));
    if (req.side === 'SELL' && d(req.price).lessThan(down))
      return fail(PerpErrors.priceBelowMultiplier(bound(down, spec.filters.tickSize, 'ceil')));
  }
  const valuation = req.price ?? reference;
  const reduceOnly = req.reduceOnly === true;
  if (
    !reduceOnly &&
    d(spec.filters.minNotional).greaterThan(0) &&
    d(req.quantity).times(valuation).lessThan(spec.filters.minNotional)
  )
    return fail(PerpErrors.minNotional(spec.filters.minNotional));
  const reducible = closable(acc, req.symbol, req.side);
  if (reduceOnly && d(reducible).isZero()) return fail(PerpErrors.reduceOnlyRejected());
  const wanted = reduceOnly ? str(Decimal.min(req.quantity, reducible)) : req.quantity;

  // What would trade at once against the book.
  const best = levelPrice(sym.book, core.settings.book, req.side, reference, 0);
  const crosses =
    req.type === 'MARKET' ||
    (req.side === 'BUY' ? d(req.price as Dec).greaterThanOrEqualTo(best) : d(req.price as Dec).lessThanOrEqualTo(best));
  const tif = req.type === 'MARKET' ? 'GTC' : (req.timeInForce ?? 'GTC');
  if (tif === 'GTX' && crosses) return fail(PerpErrors.gtxRejected());
  const plan = crosses
    ? planTaker(
        sym.book,
        core.settings.book,
        req.side,
        reference,
        { qty: wanted, quoteBudget: null, limit: req.type === 'LIMIT' ? (req.price as Dec) : null, liquidity: null },
        sym.bookSeq,
      )
    : { fills: [], complete: false };
  if (tif === 'FOK' && !plan.complete) return fail(PerpErrors.fokRejected());

  const costError = marginCheck(core, acc, sym, req, wanted, reducible, plan.fills, mark);
  if (costError) return fail(costError);
  if (opts.dryRun) return { ok: true, order: null as never, fills: [] };

  const order: OrderRec = {
    symbol: req.symbol,
    orderId: ++core.counters.orderId,
    clientOrderId: req.newClientOrderId ?? `paper-${++core.counters.mint}`,
    accountId: acc.id,
    side: req.side,
    type: req.type,
    origType: opts.parent?.type ?? req.type,
    timeInForce: tif,
    price: req.price ?? '0',
    origQty: req.quantity,
    executedQty: '0',
    cumQuote: '0',
    status: 'NEW',
    reduceOnly,
    closePosition: opts.parent?.closePosition ?? false,
    stopPrice: opts.parent?.triggerPrice ?? '0',
    workingType: opts.parent?.workingType ?? 'CONTRACT_PRICE',
    priceProtect: opts.parent?.priceProtect ?? false,
    activatePrice: opts.parent?.activatePrice ?? null,
    priceRate: opts.parent?.callbackRate ?? null,
    time: ctx.time,
    updateTime: ctx.time,
    algoId: opts.parent?.algoId ?? null,
    expiryReason: null,
  };
  core.orders.set(order.orderId, order);
  core.byClientId.set(clientKey(acc.id, order.clientOrderId), order.orderId);
  const parent = opts.parent;
  if (parent) {
    // TRIGGERED: the conditional order is now an order in the matching engine (FINISHED once that is final).
    parent.actualOrderId = order.orderId;
    parent.status = 'TRIGGERED';
    parent.updateTime = ctx.time;
    emitAlgo(core, ctx, parent);
  }
  const resting = tif === 'GTC' || tif === 'GTX';
  if (resting) sym.open.push(order);
  emitOrder(ctx, order, 'NEW', null);
  const fills: PerpFillView[] = [];
  for (const f of plan.fills) fills.push(fillOrder(core, ctx, order, f.price, f.qty, false));
  const left = d(order.origQty).minus(order.executedQty);
  if (left.greaterThan(0)) {
    if (!resting)
      finishOrder(
        core,
        ctx,
        order,
        'EXPIRED',
        reduceOnly && d(wanted).lessThan(req.quantity)
          ? 'REDUCE_ONLY_POSITION_CLOSED'
          : req.type === 'MARKET'
            ? 'INSUFFICIENT_LIQUIDITY'
            : 'IOC_UNFILLED',
      );
    else if (reduceOnly && d(closable(acc, req.symbol, req.side)).isZero())
      finishOrder(core, ctx, order, 'EXPIRED', 'REDUCE_ONLY_POSITION_CLOSED');
  }
  return { ok: true, order, fills };
}

/** -2027 beyond the leverage's position cap, -2019 when the available balance does not cover the order. */
function marginCheck(
  core: PerpCore,
  acc: AccountRec,
  sym: SymbolRec,
  req: PerpOrderRequest,
  qty: Dec,
  reducible: Dec,
  planned: readonly { price: Dec; qty: Dec }[],
  mark: Dec,
): PerpError | null {
  const opening = Decimal.max(0, d(qty).minus(reducible));
  if (opening.isZero()) return null;
  const leverage = acc.settings[req.symbol]?.leverage ?? core.settings.defaultLeverage;
  // Average price of what trades now, and the limit (or the reference) for the rest.
  let quote = new Decimal(0);
  let filled = new Decimal(0);
  for (const f of planned) {
    quote = quote.plus(d(f.price).times(f.qty));
    filled = filled.plus(f.qty);
  }
  const restPrice = d(req.price ?? planned[planned.length - 1]?.price ?? sym.lastPrice ?? mark);
  const total = quote.plus(d(qty).minus(filled).times(restPrice));
  const avg = d(qty).isZero() ? restPrice : total.dividedBy(qty);
  const position = d(acc.positions[req.symbol]?.amount ?? '0');
  const after = position.plus(req.side === 'BUY' ? d(qty) : d(qty).negated()).abs();
  if (after.times(avg).greaterThan(maxNotional(sym.spec.brackets, leverage))) return PerpErrors.maxPosition();
  const cost = orderCost(qty, avg, mark, req.side, reducible, leverage).plus(
    opening.times(avg).times(core.settings.takerFee),
  );
  const available = summary(core, acc, sym.spec.marginAsset).available;
  return cost.greaterThan(available) ? PerpErrors.marginInsufficient() : null;
}

/** The market traded at `point.price`: resting orders at or through it fill at their limit price. */
export function matchResting(core: PerpCore, ctx: Ctx, sym: SymbolRec, point: PricePoint): void {
  if (sym.open.length === 0) return;
  const p = d(point.price);
  for (const o of [...sym.open]) {
    if (o.status === 'FILLED' || o.status === 'CANCELED' || o.status === 'EXPIRED') continue;
    const crossed = o.side === 'BUY' ? p.lessThanOrEqualTo(o.price) : p.greaterThanOrEqualTo(o.price);
    if (!crossed) continue;
    let qty = d(o.origQty).minus(o.executedQty);
    const acc = core.accounts.get(o.accountId);
    if (!acc) continue;
    if (o.reduceOnly) {
      qty = Decimal.min(qty, closable(acc, o.symbol, o.side));
      if (qty.isZero()) {
        finishOrder(core, ctx, o, 'EXPIRED', 'REDUCE_ONLY_POSITION_CLOSED');
        continue;
      }
    }
    fillOrder(core, ctx, o, o.price, str(qty), true);
    if (o.reduceOnly && o.status === 'PARTIALLY_FILLED')
      finishOrder(core, ctx, o, 'EXPIRED', 'REDUCE_ONLY_POSITION_CLOSED');
  }
}

/** Cancel one open order (the user's DELETE, or the liquidation engine clearing the book). */
export function cancelRegular(core: PerpCore, ctx: Ctx, o: OrderRec): void {
  finishOrder(core, ctx, o, 'CANCELED');
}
