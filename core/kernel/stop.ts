/**
 * Stopping: no new entries, the strategy told, open orders handled by the stop policy (a futures
 * position keeps its protective stop), the position closed if asked, then STOPPED.
 */
import { type Dec, floorToStep, isPositive } from '../decimal';
import { PROTECT_TAG } from '../futures/protection';
import type { OrderRecord } from '../orders';
import type { Kernel } from './kernel';

export const CLOSE_TAG = '__close';
/** How long a stop waits for reconciliation to resolve an order of unknown outcome before reporting it. */
export const STOP_WAITS_FOR_UNKNOWN_MS = 2 * 60_000;

export function beginStop(k: Kernel, reason: string): void {
  if (k.s.status === 'STOPPING' || k.s.status === 'STOPPED') return;
  k.s.status = 'STOPPING';
  k.s.stopReason = reason;
  k.s.timers = {};
  k.s.watches = {};
  k.notify('info', `stopping (${reason}); open orders: ${k.s.setup.onStop}`);
  k.toStrategy({ type: 'stop' });
  k.drainStrategyQueue();
  if (k.s.setup.onStop !== 'leave-orders') {
    // A futures position keeps its protective stop: stopping the bot must not unprotect it.
    const keep = (o: OrderRecord) => o.tag === PROTECT_TAG && !k.isFlat(k.s.position.qty);
    for (const order of k.openOrders()) if (!keep(order)) k.cancel(order);
  }
}

/** Move a stopping bot forward: close the position once its orders are gone, then mark it stopped. */
export function advanceStop(k: Kernel): void {
  if (k.s.status !== 'STOPPING') return;
  // An unknown outcome is waited for a while (reconciliation resolves it), then reported.
  const waitUnknown = (o: OrderRecord) =>
    o.status === 'UNKNOWN' && k.now - (o.unknownSince ?? o.updatedAt) < STOP_WAITS_FOR_UNKNOWN_MS;
  const inFlight = k
    .openOrders()
    .filter(
      (o) =>
        o.status === 'SUBMITTING' ||
        o.cancelRequested ||
        waitUnknown(o) ||
        (o.tag === CLOSE_TAG && o.missingSince === undefined),
    );
  if (inFlight.length > 0) return;
  if (k.s.setup.onStop === 'close-position' && !closeAttempted(k)) {
    const qty = closableQty(k);
    if (qty !== null) {
      k.place({
        kind: 'place',
        tag: CLOSE_TAG,
        side: 'SELL',
        type: 'MARKET',
        quantity: qty,
        purpose: 'exit',
        reason: 'stop: close the position',
      });
      if (k.openOrders().some((o) => o.tag === CLOSE_TAG)) return;
    }
  }
  k.s.status = 'STOPPED';
  k.s.nextReconcileAt = null;
  const unresolved = k.openOrders().filter((o) => o.status === 'UNKNOWN' || o.missingSince !== undefined);
  if (unresolved.length > 0)
    k.notify(
      'warn',
      `stopped with orders the exchange has not confirmed: ${unresolved.map((o) => `${o.clientOrderId} (${o.status}${o.missingSince !== undefined ? ', unknown to the exchange' : ''})`).join(', ')}`,
    );
  k.notify('info', `stopped: realised PnL ${k.s.position.realizedPnl}, position ${k.s.position.qty}`);
}

export function closeAttempted(k: Kernel): boolean {
  return Object.values(k.s.orders).some((o) => o.tag === CLOSE_TAG);
}

export function closableQty(k: Kernel): Dec | null {
  const qty = k.s.position.qty;
  if (!isPositive(qty)) return null;
  const f = k.s.filters;
  const step = f ? (isPositive(f.marketStepSize) ? f.marketStepSize : f.stepSize) : null;
  const rounded = step ? floorToStep(qty, step) : qty;
  return isPositive(rounded) ? rounded : null;
}
