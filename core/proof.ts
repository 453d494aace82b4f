/**
 * Proof bookkeeping of the kernel (core/engine.ts): what it does when an order's outcome is
 * unknown, when the exchange does not know an order, when an order list's answer lacks a leg, what
 * a reconciliation proved (absent, missing, orders of the bot's lineage to adopt, an earlier
 * incarnation's leftovers), a Temporal reset, and resuming work a previous run left in flight.
 * Only proof finalises an order. Pure: it acts on the kernel through `ProofOps`.
 */
import { adoptedRecord, adoptedTwins, parseOwnId, recordKnown } from './adoption';
import { holdExitsForScan } from './reset-exit-hold';
import { scanAfterReset, scanEnded } from './lineage-scan';
import { duplicatesOfExecutedExits } from './adopted-exits';
import { futuresAdoptedRecord } from './futures/adoption';
import type { BotEvent, BotState, Command, Mutable, Notification } from './kernel';
import { type OrderRecord, type OrderSnapshot, awaitsProof, isFinalStatus } from './orders';

/** The kernel's working state and the operations proof bookkeeping needs from it. */
export interface ProofOps {
  readonly s: Mutable<BotState>;
  readonly now: number;
  notify(level: Notification['level'], message: string): void;
  setOrder(order: OrderRecord): void;
  applySnapshot(order: OrderRecord, snapshot: OrderSnapshot): void;
  /** REJECTED, with the reason (counted, reported). */
  reject(clientOrderId: string, reason: string): void;
  cancel(order: OrderRecord): void;
  requestReconcile(): void;
  push(command: Command): void;
  openOrders(): readonly OrderRecord[];
  /** An id of the bot's lineage its history never minted (core/adoption.ts). */
  isForeign(clientOrderId: string): boolean;
}

/** The placement ended without proof: the order may be live; reconciliation looks it up until it knows. */
export function onUnknown(k: ProofOps, clientOrderId: string, message: string): void {
  const order = k.s.orders[clientOrderId];
  if (!order || !awaitsProof(order.status)) return;
  k.notify(
    'warn',
    `order ${clientOrderId} (${order.tag}): outcome unknown (${message}); looked up until the exchange shows it or proves it absent`,
  );
  k.setOrder({ ...order, status: 'UNKNOWN', unknownSince: k.now, unknownReason: message, updatedAt: k.now });
}

/** A cancel found no such order: stop asking (a stop does not wait on it); reconciliation keeps looking. */
export function onMissing(k: ProofOps, clientOrderId: string, message: string): void {
  const order = k.s.orders[clientOrderId];
  if (!order || isFinalStatus(order.status)) return;
  if (order.missingSince === undefined)
    k.notify('warn', `order ${clientOrderId} (${order.tag}) is unknown to the exchange: ${message}`);
  k.setOrder({ ...order, cancelRequested: false, missingSince: order.missingSince ?? k.now });
}

/** An OCO answer without a leg's report: that leg awaits proof like any unknown outcome. */
export function legsWithoutProof(k: ProofOps, listClientOrderId: string, snapshots: readonly OrderSnapshot[]): void {
  const reported = new Set(snapshots.map((x) => x.clientOrderId));
  for (const o of k.openOrders()) {
    if (o.listClientOrderId === listClientOrderId && o.status === 'SUBMITTING' && !reported.has(o.clientOrderId))
      onUnknown(k, o.clientOrderId, 'the order list answer did not report this leg');
  }
}

/** What a reconciliation learnt beyond the snapshots: absent, missing, the lineage's unknown orders, inherited ones. */
export function onReconciledOrders(k: ProofOps, event: Extract<BotEvent, { type: 'reconciled' }>): void {
  for (const id of event.absent ?? []) {
    const o = k.s.orders[id];
    if (o?.status === 'UNKNOWN')
      k.reject(id, 'not found on the exchange after the resend deadline: it was never placed');
  }
  const newlyMissing: string[] = [];
  for (const id of event.missing) {
    const o = k.s.orders[id];
    if (!o || isFinalStatus(o.status) || awaitsProof(o.status) || o.missingSince !== undefined) continue;
    newlyMissing.push(id);
    k.setOrder({ ...o, missingSince: k.now });
  }
  if (newlyMissing.length > 0)
    k.notify('warn', `the exchange does not know these open orders (yet): ${newlyMissing.join(', ')}`);
  const adopted: string[] = [];
  for (const f of event.foreign ?? []) {
    const known = k.s.orders[f.snapshot.clientOrderId];
    if (known) {
      k.applySnapshot(known, f.snapshot);
      continue;
    }
    if (!k.isForeign(f.snapshot.clientOrderId)) continue; // our own, pruned long ago
    const record = k.s.futuresRules === 1 ? futuresAdoptedRecord(adoptedRecord(f, k.now)) : adoptedRecord(f, k.now);
    k.setOrder(record);
    k.applySnapshot(record, f.snapshot);
    // Known to this history from now on: later scans move on to the rest.
    const parsed = parseOwnId(f.snapshot.clientOrderId);
    if (parsed) k.s.idBranches = recordKnown(k.s.idBranches, parsed.branch, parsed.seq);
    adopted.push(`${f.snapshot.clientOrderId} (${f.request.side} ${f.request.type} ${f.snapshot.status})`);
  }
  scanEnded(k.s, event.scanIncomplete ? 'incomplete' : 'complete');
  if (adopted.length > 0) {
    k.s.stats = { ...k.s.stats, adopted: (k.s.stats.adopted ?? 0) + adopted.length };
    k.notify(
      'warn',
      `adopted ${adopted.length} order(s) placed by a discarded branch of this bot (Temporal reset): ${adopted.join(', ')}`,
    );
  }
  if (event.inherited !== undefined) {
    const before = (k.s.inherited ?? []).join(',');
    k.s.inherited = [...event.inherited];
    if (event.inherited.length > 0 && event.inherited.join(',') !== before) {
      k.notify(
        'warn',
        `open orders left by an earlier incarnation of this bot (terminated, then started again): ${event.inherited.join(', ')}; they are left as they are, not managed`,
      );
    }
  }
}

/**
 * A Temporal reset: the history continues from an earlier point, its end is discarded. `since`:
 * when the run the history continues began (every order of the discarded branch came after it).
 */
export function onReset(k: ProofOps, branch: string, since: number): void {
  if (k.s.idBranch === undefined) k.s.idBranches = [{ branch: '', from: 1, to: k.s.nextOrderSeq }];
  k.s.idBranch = branch;
  k.s.resetAt = k.now;
  scanAfterReset(k.s, since, k.now);
  holdExitsForScan(k.s);
  k.notify(
    'warn',
    `history reset: new order ids (${k.s.clientIdTag}-${branch}…); events delivered again are not acted on; the exchange is searched for the discarded branch's orders`,
  );
  k.requestReconcile();
}

/**
 * A new run that continued with work in flight (continue-as-new does not wait forever): placements
 * are sent again with their ids, looked up first; list legs and cancels are resolved by lookup.
 */
export function resumeWork(k: ProofOps): void {
  for (const o of k.openOrders()) {
    if (o.status === 'SUBMITTING' && o.listClientOrderId !== undefined)
      onUnknown(k, o.clientOrderId, 'its order list was in flight when the previous run ended');
    else if (o.status === 'SUBMITTING')
      k.push({ type: 'placeOrder', clientOrderId: o.clientOrderId, request: o.request, resume: true });
    else if (o.cancelRequested)
      k.push({ type: 'cancelOrder', clientOrderId: o.clientOrderId, symbol: o.request.symbol });
  }
  for (const [requestId, request] of Object.entries(k.s.pendingRequests)) k.push({ type: 'fetch', requestId, request });
}

/** One order per decision after a reset (core/adoption.ts `adoptedTwins`, core/adopted-exits.ts). */
export function cancelAdoptedTwins(k: ProofOps): void {
  // The rules read sells as exits; a futures short's exits are buys and its sells entries: left alone.
  if (k.s.futuresRules === 1 && k.s.position.qty.startsWith('-')) return;
  const view = {
    branch: k.s.idBranch,
    symbol: k.s.setup.symbol,
    positionQty: k.s.position.qty,
    since: k.s.resetAt ?? 0,
  };
  const twins = adoptedTwins(k.s.orders, { ...view, anyExcess: k.s.resetRules === 2 });
  if (twins.length > 0) {
    k.notify(
      'warn',
      `cancelling ${twins.length} adopted order(s) this bot placed again after the reset (the same decision twice): ${twins.map((o) => o.clientOrderId).join(', ')}`,
    );
    for (const o of twins) k.cancel(o);
  }
  // The discarded branch's copy already executed: this branch's resting copy would sell the lot twice.
  const repeats = duplicatesOfExecutedExits(k.s.orders, view);
  if (repeats.length > 0) {
    k.notify(
      'warn',
      `cancelling ${repeats.length} order(s) placed again after the reset whose discarded-branch copy already executed (the lot is sold): ${repeats.map((o) => o.clientOrderId).join(', ')}`,
    );
    for (const o of repeats) k.cancel(o);
  }
}
