/**
 * Wake-ups: the strategy's timers, and reconciliation with the exchange paced to keep histories
 * small (streams carry the news; polling is the safety net, sooner while anything awaits proof).
 */
import { isFinalStatus } from '../orders';
import { ordersToVerify } from '../order-authority';
import { tightenForVerification } from '../order-authority-kernel';
import { MAX_FILL_POLLS, fillsIncomplete, reconcileTargets } from '../reconcile-plan';
import { scanDueAt, takeScan } from '../lineage-scan';
import type { Kernel } from './kernel';
import { without } from './records';
import { runNowAllowed } from './view';

/**
 * Fire the strategy's run-now timer ahead of time: the strategy sees its usual `timer` event and
 * re-arms it as it always does. Nothing happens for a strategy without one, before its start, or
 * once the bot is stopping (refusals the workflow reports to the caller before this point).
 */
export function runNow(k: Kernel): void {
  const id = k.strategy.runNowTimer;
  if (!id || !runNowAllowed(k.s)) return;
  k.s.timers = without(k.s.timers, id);
  k.toStrategy({ type: 'timer', id });
}

export function fireDueTimers(k: Kernel): void {
  const due = Object.entries(k.s.timers)
    .filter(([, at]) => at <= k.now)
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  for (const [id] of due) {
    k.s.timers = without(k.s.timers, id);
    k.toStrategy({ type: 'timer', id });
  }
}

export function requestReconcile(k: Kernel): void {
  if (k.s.reconcileInFlight) return;
  k.s.reconcileInFlight = true;
  k.reconcileAskedNow = true;
  k.s.nextReconcileAt = null;
  const targets = reconcileTargets(k.s.orders, k.openOrders());
  for (const t of targets) {
    const o = k.s.orders[t.clientOrderId]!;
    if (isFinalStatus(o.status)) k.setOrder({ ...o, fillPolls: (o.fillPolls ?? 0) + 1 });
  }
  if (k.s.verification) {
    // Orders with unverified reports are looked up too, final or not.
    const asked = new Set(targets.map((t) => t.clientOrderId));
    for (const o of ordersToVerify(k.s.verification, k.s.orders))
      if (!asked.has(o.clientOrderId)) targets.push({ clientOrderId: o.clientOrderId, symbol: o.request.symbol });
    k.s.verification = { ...k.s.verification, askedAt: k.now };
  }
  const scan = k.s.idBranch !== undefined ? takeScan(k.s, k.now, k.s.resetAt ?? null) : null;
  k.commands.push({
    type: 'reconcile',
    clientOrderIds: targets.filter((t) => t.symbol === k.s.setup.symbol).map((t) => t.clientOrderId),
    orders: targets,
    ...scan,
    ...(k.s.filterRules === 1 && k.s.filters === null ? { filters: true as const } : {}),
  });
}

export function scheduleReconcile(k: Kernel): void {
  const t = k.s.timing;
  const open = k.openOrders();
  const hasOpen = open.some((o) => o.status !== 'SUBMITTING');
  // Orders awaiting proof (unknown outcome, fills not complete, a scan to go on) are looked at again soon.
  const needsProof =
    k.s.scanPending === true ||
    open.some((o) => o.status === 'UNKNOWN') ||
    Object.values(k.s.orders).some(
      (o) => isFinalStatus(o.status) && (o.fillPolls ?? 0) < MAX_FILL_POLLS && fillsIncomplete(o),
    );
  const lastStream = k.s.lastStreamEventTime;
  const stale = lastStream === null || k.now - lastStream > t.staleAfterMs;
  const period = needsProof ? t.staleEveryMs : !hasOpen ? t.idleEveryMs : stale ? t.staleEveryMs : t.openOrdersEveryMs;
  const scanDue = scanDueAt(k.s);
  k.s.nextReconcileAt = scanDue !== null ? Math.max(k.now, Math.min(k.now + period, scanDue)) : k.now + period;
}

/** An order just became open while the next poll is an idle one: poll at the open-orders pace. */
export function tightenReconcile(k: Kernel): void {
  const next = k.s.nextReconcileAt;
  if (next === null || k.s.reconcileInFlight) return;
  const due = k.now + k.s.timing.openOrdersEveryMs;
  if (next > due && k.openOrders().some((o) => o.status !== 'SUBMITTING')) k.s.nextReconcileAt = due;
  tightenForVerification(k.s, k.now);
}

export function releaseStart(k: Kernel): void {
  if (!k.s.startPending) return;
  k.s.startPending = false;
  // A bot created anew by a reset (to its first workflow task) already started once: its first
  // branch's orders are adopted, and its strategy does not enter again on the same start.
  k.toStrategy({ type: 'start' }, k.s.resetAt != null);
}
