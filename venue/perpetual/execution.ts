/**
 * Fills and final statuses of perpetual orders, and the events reporting them: one fill books
 * its commission and PnL (ledger.ts), updates the order and emits ORDER_TRADE_UPDATE (TRADE) and
 * ACCOUNT_UPDATE (ORDER); a final status takes the order off the book and ends the conditional
 * order that placed it. When a position goes flat, its reduce-only orders expire and its
 * close-position conditional orders expire (Binance's GTE_GTC rule). Pure.
 */
import { type Dec, d, str } from '../../core/decimal';
import { commission } from './fees';
import { type Ctx, accountEvent, applyFill, positionOf } from './ledger';
import {
  type AccountRec,
  type AlgoRec,
  type OrderRec,
  type PerpCore,
  type SymbolRec,
  algoView,
  isFinal,
  orderView,
} from './state';
import type { PerpExecutionType, PerpFillView, PerpOrderStatus } from './types';
import { markOf } from './views';

export function symbolOf(core: PerpCore, symbol: string): SymbolRec {
  const s = core.symbols.get(symbol);
  if (!s) throw new Error(`unknown perpetual symbol ${symbol}`);
  return s;
}

export function accountOf(core: PerpCore, id: string): AccountRec {
  const a = core.accounts.get(id);
  if (!a) throw new Error(`unknown perpetual account ${id}`);
  return a;
}

export function emitOrder(ctx: Ctx, o: OrderRec, executionType: PerpExecutionType, fill: PerpFillView | null): void {
  ctx.events.push({ kind: 'order', accountId: o.accountId, time: ctx.time, executionType, order: orderView(o), fill });
}

export function emitAlgo(core: PerpCore, ctx: Ctx, a: AlgoRec): void {
  const child = a.actualOrderId !== null ? core.orders.get(a.actualOrderId) : undefined;
  ctx.events.push({ kind: 'algo', accountId: a.accountId, time: ctx.time, algo: algoView(a, child) });
}

/** How much of `side` only reduces the current position (0 when it would open or grow one). */
export function closable(acc: AccountRec, symbol: string, side: 'BUY' | 'SELL'): Dec {
  const a = d(positionOf(acc, symbol).amount);
  return (side === 'BUY' ? a.isNegative() : a.isPositive()) ? str(a.abs()) : '0';
}

/** Execute `qty` of the order at `price`. */
export function fillOrder(core: PerpCore, ctx: Ctx, o: OrderRec, price: Dec, qty: Dec, isMaker: boolean): PerpFillView {
  const sym = symbolOf(core, o.symbol);
  const acc = accountOf(core, o.accountId);
  const fee = commission(qty, price, isMaker ? core.settings.makerFee : core.settings.takerFee);
  sym.tradeSeq += 1;
  sym.bookSeq += 1;
  const tradeId = sym.tradeSeq;
  const effect = applyFill(core, ctx, acc, o.symbol, o.side, qty, price, fee, tradeId);
  const quote = str(d(qty).times(price));
  o.executedQty = str(d(o.executedQty).plus(qty));
  o.cumQuote = str(d(o.cumQuote).plus(quote));
  o.status = d(o.executedQty).greaterThanOrEqualTo(o.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
  o.updateTime = ctx.time;
  const fill: PerpFillView = {
    accountId: o.accountId,
    symbol: o.symbol,
    tradeId,
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    side: o.side,
    positionSide: 'BOTH',
    price,
    qty,
    quoteQty: quote,
    commission: fee,
    commissionAsset: sym.spec.marginAsset,
    realizedPnl: str(effect.realized),
    isMaker,
    time: ctx.time,
  };
  core.fills.push(fill);
  if (o.status === 'FILLED') takeOffBook(core, o);
  emitOrder(ctx, o, 'TRADE', fill);
  accountEvent(core, ctx, acc, 'ORDER', [o.symbol], effect.incomes, (s) => markOf(core.symbols.get(s)));
  if (o.status === 'FILLED') endParent(core, ctx, o);
  const after = positionOf(acc, o.symbol).amount;
  if (after === '0' && effect.before !== '0') onFlat(core, ctx, acc, o.symbol, o.orderId);
  return fill;
}

function takeOffBook(core: PerpCore, o: OrderRec): void {
  const open = symbolOf(core, o.symbol).open;
  const i = open.indexOf(o);
  if (i >= 0) open.splice(i, 1);
}

/** An order that ends without (more) fills: CANCELED by the user, EXPIRED by the engine. */
export function finishOrder(
  core: PerpCore,
  ctx: Ctx,
  o: OrderRec,
  status: Extract<PerpOrderStatus, 'CANCELED' | 'EXPIRED'>,
  reason: string | null = null,
): void {
  if (isFinal(o.status)) return;
  o.status = status;
  o.updateTime = ctx.time;
  o.expiryReason = status === 'EXPIRED' ? reason : null;
  takeOffBook(core, o);
  emitOrder(ctx, o, status === 'CANCELED' ? 'CANCELED' : 'EXPIRED', null);
  endParent(core, ctx, o);
}

/** The conditional order behind a triggered order is FINISHED once that order is final. */
function endParent(core: PerpCore, ctx: Ctx, o: OrderRec): void {
  if (o.algoId === null) return;
  const a = core.algos.get(o.algoId);
  if (!a || a.status !== 'TRIGGERED') return;
  a.status = 'FINISHED';
  a.updateTime = ctx.time;
  emitAlgo(core, ctx, a);
}

/** Remove an open conditional order from its symbol's list. */
export function takeAlgoOff(core: PerpCore, a: AlgoRec): void {
  const algos = symbolOf(core, a.symbol).algos;
  const i = algos.indexOf(a);
  if (i >= 0) algos.splice(i, 1);
}

/** The position went flat: its reduce-only orders and close-position conditional orders expire. */
function onFlat(core: PerpCore, ctx: Ctx, acc: AccountRec, symbol: string, exceptOrderId: number): void {
  const sym = symbolOf(core, symbol);
  for (const o of [...sym.open]) {
    if (o.accountId === acc.id && o.reduceOnly && o.orderId !== exceptOrderId)
      finishOrder(core, ctx, o, 'EXPIRED', 'REDUCE_ONLY_POSITION_CLOSED');
  }
  for (const a of [...sym.algos]) {
    if (a.accountId !== acc.id || !a.closePosition || a.status !== 'NEW') continue;
    a.status = 'EXPIRED';
    a.updateTime = ctx.time;
    a.rejectReason = 'position closed';
    takeAlgoOff(core, a);
    emitAlgo(core, ctx, a);
  }
}
