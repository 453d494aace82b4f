/**
 * Order bookkeeping: new records and their ids, exchange reports merged into them (the exchange
 * is the authority, core/order-authority-kernel.ts), cancels, rejections, and the bound on final
 * orders kept. The open orders (`openOrderIds`) are kept current with every change.
 */
import { isForeignLineageId, recordMint } from '../adoption';
import { balancesAfterOrderChange } from '../balances';
import { mintClientOrderId } from '../client-ids';
import {
  type Fill,
  type OrderRecord,
  type OrderRequest,
  type OrderSnapshot,
  isFinalStatus,
  mergeSnapshot,
} from '../orders';
import { isUnverified, onAuthoritativeReport, onStreamReport } from '../order-authority-kernel';
import type { ProofOps } from '../proof';
import { requestScan } from '../lineage-scan';
import type { PlaceIntent, PlaceOcoIntent, StrategyEvent } from '../strategy';
import { splitSymbol } from '../symbols';
import { clientOrderIdFor } from './create';
import type { Kernel } from './kernel';
import { stripUndefined } from './records';
import { type BotState, MAX_FINAL_ORDERS_KEPT, type Notification, PRUNE_BATCH } from './state';

export function onPlaced(k: Kernel, snapshot: OrderSnapshot): void {
  const order = k.s.orders[snapshot.clientOrderId];
  if (!order) return;
  applySnapshot(k, order, snapshot);
  const updated = k.s.orders[snapshot.clientOrderId]!;
  // A cancel asked for while the submission was in flight is sent now that the order exists.
  if (updated.cancelRequested && !isFinalStatus(updated.status)) {
    k.commands.push({ type: 'cancelOrder', clientOrderId: updated.clientOrderId, symbol: updated.request.symbol });
  }
}

export function onRejected(k: Kernel, clientOrderId: string, reason: string): void {
  const order = k.s.orders[clientOrderId];
  if (!order || isFinalStatus(order.status)) return;
  k.s.stats = { ...k.s.stats, ordersRejected: k.s.stats.ordersRejected + 1 };
  k.notify('warn', `order ${clientOrderId} (${order.tag}) rejected: ${reason}`);
  applySnapshot(k, order, {
    clientOrderId,
    symbol: order.request.symbol,
    status: 'REJECTED',
    executedQty: '0',
    cumulativeQuoteQty: '0',
    updateTime: k.now,
    reason,
  });
}

export function onSnapshot(
  k: Kernel,
  snapshot: OrderSnapshot,
  source: 'stream' | 'reconcile' | 'cancel' = 'stream',
): void {
  const order = k.s.orders[snapshot.clientOrderId];
  if (!order) {
    // An order of this bot's lineage it never minted: a discarded branch's (Temporal reset). Find
    // and adopt it with everything the exchange knows about it.
    if (isForeign(k, snapshot.clientOrderId)) {
      requestScan(k.s, Math.min(snapshot.updateTime, k.now));
      k.requestReconcile();
    }
    return;
  }
  if (order.missingSince !== undefined) {
    const { missingSince: _found, ...rest } = order;
    setOrder(k, rest);
  }
  const current = k.s.orders[snapshot.clientOrderId]!;
  // The exchange is the authority over streams and signals (core/order-authority-kernel.ts).
  if (k.s.verification && source === 'reconcile') return onAuthoritativeReport(books(k), current, snapshot);
  if (k.s.verification && source === 'stream') return onStreamReport(books(k), current, snapshot);
  applySnapshot(k, current, snapshot);
}

export function isForeign(k: Kernel, clientOrderId: string): boolean {
  return (
    k.s.idBranch !== undefined &&
    isForeignLineageId(k.s.clientIdTag, k.s.idBranch, k.s.idBranches, k.s.nextOrderSeq, clientOrderId)
  );
}

/** Proof bookkeeping (core/proof.ts) works on this kernel through these few operations. */
export function proofOps(k: Kernel): ProofOps {
  return {
    s: k.s,
    now: k.now,
    notify: (level, message) => k.notify(level, message),
    setOrder: (order) => setOrder(k, order),
    applySnapshot: (order, snapshot) => applySnapshot(k, order, snapshot),
    reject: (id, reason) => onRejected(k, id, reason),
    cancel: (order) => cancel(k, order),
    requestReconcile: () => k.requestReconcile(),
    push: (command) => void k.commands.push(command),
    openOrders: () => k.openOrders(),
    isForeign: (id) => isForeign(k, id),
  };
}

/** What the exchange-authority rule needs of the kernel's bookkeeping. */
export function books(k: Kernel) {
  return {
    state: k.s,
    now: k.now,
    apply: (order: OrderRecord, snapshot: OrderSnapshot) => applySnapshot(k, order, snapshot),
    setOrder: (order: OrderRecord) => setOrder(k, order),
    applyFill: (order: Pick<OrderRecord, 'clientOrderId' | 'request'>, fill: Fill) =>
      k.applyFill(order as OrderRecord, fill),
    notify: (level: Notification['level'], message: string) => k.notify(level, message),
    toStrategy: (event: StrategyEvent) => k.toStrategy(event),
  };
}

export function applySnapshot(k: Kernel, order: OrderRecord, snapshot: OrderSnapshot): void {
  if (order.collision) return; // the exchange's order under this id is another owner's
  const { order: next, newFills, changed } = mergeSnapshot(order, snapshot);
  if (!changed && next === order) return;
  setOrder(k, next);
  const own = next.request.symbol === k.s.setup.symbol;
  // Spot balances follow the order (core/balances.ts); a futures bot's free margin follows its fills (refreshFreeMargin).
  if (own && k.s.balances && k.s.setup.market !== 'futures')
    k.s.balances = balancesAfterOrderChange(
      k.s.balances,
      order,
      next,
      newFills,
      splitSymbol(next.request.symbol, k.s.filters),
    );
  for (const fill of newFills) k.applyFill(next, fill);
  if (newFills.length > 0) k.s.stats = { ...k.s.stats, fills: k.s.stats.fills + newFills.length };
  if (changed) k.toStrategy({ type: 'order', order: next, previousStatus: order.status, fills: newFills });
  if (isFinalStatus(next.status)) pruneFinalOrders(k);
}

/**
 * The first change in a step copies the orders record; later ones write into that copy, which
 * no earlier state shares (the kernel stays pure from the outside). The open orders follow.
 */
export function setOrder(k: Kernel, order: OrderRecord): void {
  const open = k.openOrders();
  if (!k.ordersOwned) {
    k.s.orders = { ...k.s.orders };
    k.ordersOwned = true;
  }
  (k.s.orders as Record<string, OrderRecord>)[order.clientOrderId] = order;
  // Keep the open-orders list current instead of rescanning every order kept (it is read on
  // every event). A fresh array each time: a strategy may still hold the previous one.
  const i = open.findIndex((o) => o.clientOrderId === order.clientOrderId);
  let next: OrderRecord[];
  if (isFinalStatus(order.status)) next = i < 0 ? open : [...open.slice(0, i), ...open.slice(i + 1)];
  else if (i < 0) next = [...open, order];
  else {
    next = open.slice();
    next[i] = order;
  }
  k.open = next;
  if (next.length !== open.length || k.s.openOrderIds === undefined)
    k.s.openOrderIds = next.map((o) => o.clientOrderId);
}

export function patchOrder(k: Kernel, clientOrderId: string, patch: Partial<OrderRecord>): void {
  const order = k.s.orders[clientOrderId];
  if (order) setOrder(k, { ...order, ...patch });
}

/** Keep the latest final orders only; pruned in batches so a busy bot does not sort on every fill. */
export function pruneFinalOrders(k: Kernel): void {
  // Look only once a batch of new orders was minted since the last look: O(1) on most fills.
  if (k.s.nextOrderSeq - (k.s.prunedAtSeq ?? 0) < PRUNE_BATCH) return;
  k.s.prunedAtSeq = k.s.nextOrderSeq;
  let total = 0;
  for (const _ in k.s.orders) total++;
  if (total <= MAX_FINAL_ORDERS_KEPT + PRUNE_BATCH) return;
  // An order with an unverified report stays: the exchange may yet say it is open.
  const finals = Object.values(k.s.orders).filter(
    (o) => isFinalStatus(o.status) && !isUnverified(k.s as BotState, o.clientOrderId),
  );
  if (finals.length <= MAX_FINAL_ORDERS_KEPT + PRUNE_BATCH) return;
  finals.sort((a, b) => a.updatedAt - b.updatedAt || a.createdAt - b.createdAt);
  const drop = new Set(finals.slice(0, finals.length - MAX_FINAL_ORDERS_KEPT).map((o) => o.clientOrderId));
  k.s.orders = Object.fromEntries(Object.entries(k.s.orders).filter(([id]) => !drop.has(id)));
  k.ordersOwned = true;
}

export function cancel(k: Kernel, order: OrderRecord): void {
  if (order.cancelRequested || isFinalStatus(order.status)) return;
  patchOrder(k, order.clientOrderId, { cancelRequested: true });
  // Still being submitted: the cancel goes out once the placement is confirmed (see onPlaced).
  if (order.status !== 'SUBMITTING')
    k.commands.push({ type: 'cancelOrder', clientOrderId: order.clientOrderId, symbol: order.request.symbol });
}

export function mintId(k: Kernel): string {
  const seq = k.s.nextOrderSeq;
  const branch = k.s.idBranch;
  k.s.nextOrderSeq = seq + 1;
  if (branch === undefined) return clientOrderIdFor(k.s.clientIdTag, seq);
  k.s.idBranches = recordMint(k.s.idBranches, branch, seq);
  return mintClientOrderId(k.s.clientIdTag, branch, seq);
}

export function newOrder(
  k: Kernel,
  clientOrderId: string,
  intent: PlaceIntent | PlaceOcoIntent,
  request: OrderRequest,
): OrderRecord {
  return stripUndefined({
    clientOrderId,
    tag: intent.tag,
    request,
    purpose: intent.purpose,
    reason: intent.reason,
    facts: intent.facts,
    status: 'SUBMITTING',
    executedQty: '0',
    cumulativeQuoteQty: '0',
    fills: [],
    cancelRequested: false,
    createdAt: k.now,
    updatedAt: k.now,
  });
}
