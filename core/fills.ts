/**
 * What an order's fills amount to, for strategies and exits: the base quantity a buy delivered
 * after fees paid in base, and the average fill price. One home for both (strategies used to
 * carry their own copies). Pure.
 */
import { type Dec, d, isPositive, str } from './decimal';
import type { OrderRecord } from './orders';

/** Base quantity an order delivered: executed quantity minus commissions paid in the base asset. */
export function netBought(order: OrderRecord, baseAsset: string): Dec {
  let qty = d(order.executedQty);
  for (const fill of order.fills) if (fill.commissionAsset === baseAsset) qty = qty.minus(fill.commission);
  return str(qty);
}

/** Average fill price (quote spent / quantity, 12 decimals) of an order known to have executed. */
export function averagePrice(order: OrderRecord): Dec {
  return str(d(order.cumulativeQuoteQty).dividedBy(order.executedQty).toDecimalPlaces(12));
}

/** Average fill price of an order, null while nothing executed. */
export function avgFillPrice(order: OrderRecord): Dec | null {
  return isPositive(order.executedQty) ? averagePrice(order) : null;
}
