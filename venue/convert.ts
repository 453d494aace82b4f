/** Conversions from venue views to the bot's order shapes (core/orders). Pure. */
import type { Fill, OrderSnapshot } from '../core/orders';
import type { FillView, OrderView } from './types';

/** A fill of either venue (spot or perpetual: the same fields) as the bot's Fill. */
export function toFill(
  f: Pick<FillView, 'tradeId' | 'price' | 'qty' | 'quoteQty' | 'commission' | 'commissionAsset' | 'time' | 'isMaker'>,
): Fill {
  return {
    tradeId: f.tradeId,
    price: f.price,
    qty: f.qty,
    quoteQty: f.quoteQty,
    commission: f.commission,
    commissionAsset: f.commissionAsset,
    time: f.time,
    isMaker: f.isMaker,
  };
}

export function toOrderSnapshot(o: OrderView, fills: readonly FillView[] = []): OrderSnapshot {
  return {
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    exchangeOrderId: o.orderId,
    status: o.status,
    executedQty: o.executedQty,
    cumulativeQuoteQty: o.cummulativeQuoteQty,
    updateTime: o.updateTime,
    ...(fills.length > 0 ? { fills: fills.map(toFill) } : {}),
    ...(o.expiryReason !== null ? { reason: o.expiryReason } : {}),
  };
}
