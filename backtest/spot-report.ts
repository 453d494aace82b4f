/**
 * What a spot backtest reports beside the kernel's own state: the orders the kernel refused, the realised PnL credited to each order, and the trades — every sell order that filled,
 * with the realised PnL its fills produced, against the lot the strategy named (grid cells), else
 * against the position's average cost as the kernel realises it. Pure.
 */
import { type Dec, add, d, str } from '../core/decimal';
import type { BotEvent, BotState } from '../core/kernel';
import type { BacktestFill, BacktestOrder, BacktestTrade } from './types';

/**
 * Orders refused by the kernel (filters, risk, a paused bot) never reach the venue, and ones the
 * venue refused end REJECTED in the kernel: the report shows both as REJECTED, with the reason.
 */
export function recordRejections(state: BotState, orders: Map<string, BacktestOrder>): void {
  for (const o of Object.values(state.orders)) {
    if (o.status !== 'REJECTED') continue;
    const known = orders.get(o.clientOrderId);
    if (known) {
      if (known.status !== 'REJECTED') {
        known.status = 'REJECTED';
        if (o.rejectReason !== undefined) known.rejectReason = o.rejectReason;
      }
      continue;
    }
    orders.set(o.clientOrderId, {
      clientOrderId: o.clientOrderId,
      tag: o.tag,
      purpose: o.purpose,
      reason: o.reason ?? '',
      time: o.createdAt,
      request: o.request,
      ...(o.listClientOrderId !== undefined ? { listClientOrderId: o.listClientOrderId } : {}),
      status: 'REJECTED',
      ...(o.rejectReason !== undefined ? { rejectReason: o.rejectReason } : {}),
    });
  }
}

/** Realised PnL comes from sell fills; credit it to the order the event was about. */
export function creditPnl(pnlByOrder: Map<string, Dec>, event: BotEvent, delta: Dec): void {
  let id: string | null = null;
  if (event.type === 'orderUpdate' || event.type === 'orderPlaced') id = event.snapshot.clientOrderId;
  else if (event.type === 'orderListPlaced')
    id =
      event.snapshots.find((s) => (s.fills?.length ?? 0) > 0)?.clientOrderId ??
      event.snapshots[0]?.clientOrderId ??
      null;
  if (id === null) return;
  pnlByOrder.set(id, add(pnlByOrder.get(id) ?? '0', delta));
}

export function spotTrades(
  fills: readonly BacktestFill[],
  orders: ReadonlyMap<string, BacktestOrder>,
  /** Realised PnL the kernel credited to each order (fees included). */
  pnlByOrder: ReadonlyMap<string, Dec>,
  quoteAsset: string,
): BacktestTrade[] {
  const bySell = new Map<string, { qty: Dec; quote: Dec; quoteFees: Dec; first: number; last: number }>();
  for (const f of fills) {
    if (f.side !== 'SELL') continue;
    const t = bySell.get(f.clientOrderId) ?? { qty: '0', quote: '0', quoteFees: '0', first: f.time, last: f.time };
    const fee = f.commissionAsset === quoteAsset ? f.commission : '0';
    bySell.set(f.clientOrderId, {
      qty: add(t.qty, f.qty),
      quote: add(t.quote, f.quoteQty),
      quoteFees: add(t.quoteFees, fee),
      first: t.first,
      last: f.time,
    });
  }
  const trades: BacktestTrade[] = [];
  let lastBuy: number | null = null;
  const buys = fills.filter((f) => f.side === 'BUY');
  let b = 0;
  for (const [id, t] of [...bySell.entries()].sort((x, y) => x[1].last - y[1].last)) {
    while (b < buys.length && buys[b]!.time <= t.first) lastBuy = buys[b++]!.time;
    const order = orders.get(id);
    const exitPrice = str(d(t.quote).dividedBy(t.qty).toDecimalPlaces(8));
    let pnl: Dec;
    let entryPrice: Dec;
    if (order?.entryPrice !== undefined) {
      // The strategy named the lot this sell closes: its own profit.
      entryPrice = order.entryPrice;
      pnl = str(d(t.quote).minus(t.quoteFees).minus(d(t.qty).times(entryPrice)).toDecimalPlaces(8));
    } else {
      // Against the position's average cost, as the kernel realises it:
      // pnl = proceeds − quote fees − cost of what was sold.
      pnl = pnlByOrder.get(id) ?? '0';
      entryPrice = str(d(t.quote).minus(t.quoteFees).minus(pnl).dividedBy(t.qty).toDecimalPlaces(8));
    }
    trades.push({
      clientOrderId: id,
      tag: order?.tag ?? '?',
      reason: order?.reason ?? '',
      openedAt: lastBuy,
      closedAt: t.last,
      qty: t.qty,
      entryPrice,
      exitPrice,
      pnl,
    });
  }
  return trades;
}
