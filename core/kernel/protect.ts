/** Futures: keep the position's protective stop on the exchange (core/futures/protection.ts). */
import { lastProtectRejection, protectionStep } from '../futures/protection';
import { protectionAwaitsScan } from '../futures/adoption';
import type { Kernel } from './kernel';

/** Futures: keep the position's protective stop on the exchange (core/futures/protection.ts). */
export function protect(k: Kernel): void {
  const { market, futures, symbol } = k.s.setup;
  if (market !== 'futures' || !futures || k.s.status === 'STOPPED') return;
  const p = k.s.position;
  const step = protectionStep({
    symbol,
    qty: k.isFlat(p.qty) ? '0' : p.qty,
    avgEntryPrice: p.avgEntryPrice,
    tickSize: k.s.filters?.tickSize ?? null,
    orders: k.openOrders(),
    futures,
    // A stop refused for want of the filters (its price off the tick) goes again once they came.
    lastRejectedAt: k.filtersLearnedNow ? null : lastProtectRejection(k.s.orders),
    now: k.now,
    ...(k.s.futuresRules === 1 ? { oneStop: true, awaitScan: protectionAwaitsScan(k.s, k.now) } : {}),
  });
  if (step?.kind === 'cancel') k.cancel(step.order);
  if (step?.kind !== 'place') return;
  const clientOrderId = k.mintId();
  k.setOrder(k.newOrder(clientOrderId, step.intent, step.request));
  k.commands.push({ type: 'placeOrder', clientOrderId, request: step.request });
}
