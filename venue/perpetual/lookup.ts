/**
 * Orders and conditional orders found by id or client id, as Binance finds them: an order of
 * another account or symbol is not found, nor, when a time is given, one past the retention
 * windows (settings.retention: a shorter one for a cancelled or expired order that never filled). Pure.
 */
import { type AlgoRec, type OrderRec, type PerpCore, clientKey } from './state';
import type { AlgoRef, OrderRef } from './types';

export function findOrder(
  core: PerpCore,
  id: string,
  symbol: string,
  ref: OrderRef,
  time: number | undefined,
): OrderRec | null {
  let o: OrderRec | undefined;
  if (ref.orderId !== undefined) {
    o = core.orders.get(ref.orderId);
    if (o && ref.origClientOrderId !== undefined && o.clientOrderId !== ref.origClientOrderId) return null;
  } else if (ref.origClientOrderId !== undefined) {
    const oid = core.byClientId.get(clientKey(id, ref.origClientOrderId));
    o = oid !== undefined ? core.orders.get(oid) : undefined;
  }
  if (!o || o.accountId !== id || o.symbol !== symbol) return null;
  if (time !== undefined) {
    const { unfilledMs, allMs } = core.settings.retention;
    if (o.time + allMs < time) return null;
    if ((o.status === 'CANCELED' || o.status === 'EXPIRED') && o.executedQty === '0' && o.time + unfilledMs < time)
      return null;
  }
  return o;
}

export function findAlgo(core: PerpCore, id: string, ref: AlgoRef): AlgoRec | null {
  const aid =
    ref.algoId ??
    (ref.clientAlgoId !== undefined ? core.algoByClientId.get(clientKey(id, ref.clientAlgoId)) : undefined);
  const a = aid !== undefined ? core.algos.get(aid) : undefined;
  if (!a || a.accountId !== id) return null;
  if (ref.clientAlgoId !== undefined && a.clientAlgoId !== ref.clientAlgoId) return null;
  return a;
}
