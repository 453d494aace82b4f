/**
 * The exchange is the authority; streams and signals are hints. A stream report (or anyone's
 * `orderUpdate` signal) is applied at once — fills arrive fast that way — but the order is marked
 * unverified, and the next reconciliation (soon) looks it up on the exchange, final or not. What
 * the exchange answers wins, even "backwards": an order a forged report called FILLED goes back to
 * NEW, its invented fills are removed, and position, PnL, round trips and the risk guard's books
 * are recomputed from the exchange's fills (replayed from a checkpoint taken before the first
 * unverified fill). A report that reached the bot after the lookup was asked for is not judged by
 * it: it stays unverified for the next one. Pure.
 */
import { type Dec, add, eq, gt, lte, sum } from './decimal';
import { type Fill, type OrderRecord, type OrderSnapshot, isFinalStatus, statusRank } from './orders';
import type { Json } from './strategy';

/** How soon after an unverified report the exchange is asked (one reconciliation covers a burst). */
export const DEFAULT_VERIFY_AFTER_MS = 5_000;

/** Fills replayable after a checkpoint; beyond this the checkpoint is dropped (and said so). */
export const MAX_JOURNAL_FILLS = 200;

/** One fill as applied to the position, enough to apply it again. */
export interface JournalEntry {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly fill: Fill;
}

/** The bookkeeping a correction restores before replaying the fills the exchange confirms. */
export interface BookCheckpoint {
  readonly position: Json;
  readonly otherPositions: Json;
  readonly openTrade: Json;
  readonly trades: Json;
  readonly risk: Json;
  readonly fills: number;
  readonly roundTrips: number;
  readonly wins: number;
}

/** Kept in the bot state while some report is unverified (absent otherwise). */
export interface Verification {
  /** Client order id → workflow time its first unverified report arrived. */
  readonly unverified: Readonly<Record<string, number>>;
  /** When the reconciliation in flight was asked for (reports after it are not judged by it). */
  readonly askedAt: number | null;
  readonly checkpoint: BookCheckpoint | null;
  readonly journal: readonly JournalEntry[];
}

export const NO_VERIFICATION: Verification = { unverified: {}, askedAt: null, checkpoint: null, journal: [] };

/** Did this stream report change what we believe about the order? (Then it must be verified.) */
export function reportChangedOrder(before: OrderRecord, after: OrderRecord): boolean {
  return (
    before.status !== after.status ||
    before.fills.length !== after.fills.length ||
    !eq(before.executedQty, after.executedQty)
  );
}

export type Judgement =
  /** The exchange agrees (or is ahead): merge forward as usual; the order is verified. */
  | { readonly kind: 'agree' }
  /** The report being checked arrived after the lookup was asked for: judge it next time. */
  | { readonly kind: 'undecided' }
  /** The exchange contradicts what we believed: take its version. */
  | {
      readonly kind: 'correct';
      readonly order: OrderRecord;
      readonly removed: readonly Fill[];
      readonly added: readonly Fill[];
      readonly message: string;
    };

/**
 * The fills the exchange stands behind: its trade list when that adds up to its executed quantity;
 * while its trade list lags, ours too as far as they fit under that quantity.
 */
export function confirmedFills(order: OrderRecord, snapshot: OrderSnapshot): Fill[] {
  const exchange = [...(snapshot.fills ?? [])];
  let total: Dec = sum(exchange.map((f) => f.qty));
  if (eq(total, snapshot.executedQty)) return exchange;
  const known = new Set(exchange.map((f) => f.tradeId));
  for (const f of order.fills) {
    if (known.has(f.tradeId) || !lte(add(total, f.qty), snapshot.executedQty)) continue;
    exchange.push(f);
    total = add(total, f.qty);
  }
  return exchange.sort((a, b) => a.time - b.time || a.tradeId - b.tradeId);
}

/** Judge our record of an order against the exchange's own answer about it. */
export function judge(order: OrderRecord, snapshot: OrderSnapshot, v: Verification): Judgement {
  const since = v.unverified[order.clientOrderId];
  const fills = confirmedFills(order, snapshot);
  const confirmed = new Set(fills.map((f) => f.tradeId));
  const removed = order.fills.filter((f) => !confirmed.has(f.tradeId));
  const ours = new Set(order.fills.map((f) => f.tradeId));
  const added = fills.filter((f) => !ours.has(f.tradeId));
  const backwards =
    statusRank(snapshot.status) < statusRank(order.status) ||
    (isFinalStatus(order.status) && isFinalStatus(snapshot.status) && order.status !== snapshot.status) ||
    gt(order.executedQty, snapshot.executedQty);
  if (!backwards && removed.length === 0) return { kind: 'agree' };
  // A report newer than the question cannot be judged by its answer (the order may have moved since).
  if (since !== undefined && v.askedAt !== null && since > v.askedAt) return { kind: 'undecided' };
  const corrected: OrderRecord = {
    ...order,
    status: snapshot.status,
    executedQty: snapshot.executedQty,
    cumulativeQuoteQty: snapshot.cumulativeQuoteQty,
    fills,
    ...(order.exchangeOrderId === undefined && snapshot.exchangeOrderId !== undefined
      ? { exchangeOrderId: snapshot.exchangeOrderId }
      : {}),
    cancelRequested: isFinalStatus(snapshot.status) ? order.cancelRequested : false,
    updatedAt: Math.max(order.updatedAt, snapshot.updateTime),
  };
  const said = `${order.status}${order.fills.length > 0 ? ` with fills ${order.fills.map((f) => `#${f.tradeId}`).join(', ')}` : ''} (executed ${order.executedQty})`;
  const truth = `${snapshot.status}${fills.length > 0 ? ` with fills ${fills.map((f) => `#${f.tradeId}`).join(', ')}` : ''} (executed ${snapshot.executedQty})`;
  return {
    kind: 'correct',
    order: corrected,
    removed,
    added,
    message: `order ${order.clientOrderId} (${order.tag}): a stream report said ${said}; the exchange says ${truth}: corrected from the exchange`,
  };
}

/** Mark an order unverified (first report time kept). */
export function markUnverified(v: Verification, clientOrderId: string, now: number): Verification {
  if (v.unverified[clientOrderId] !== undefined) return v;
  return { ...v, unverified: { ...v.unverified, [clientOrderId]: now } };
}

/** The order was checked with the exchange; with nothing unverified left the journal goes too. */
export function markVerified(v: Verification, clientOrderId: string): Verification {
  if (v.unverified[clientOrderId] === undefined) return v;
  const { [clientOrderId]: _done, ...rest } = v.unverified;
  return Object.keys(rest).length === 0 ? { ...NO_VERIFICATION, askedAt: v.askedAt } : { ...v, unverified: rest };
}

/** Record a fill about to be applied; `checkpoint` is taken only when needed (an unverified one, none yet). */
export function journalFill(
  v: Verification,
  entry: JournalEntry,
  unverified: boolean,
  checkpoint: () => BookCheckpoint,
): { v: Verification; overflow: boolean } {
  if (v.checkpoint === null && !unverified) return { v, overflow: false };
  const base = v.checkpoint ?? checkpoint();
  const journal = [...v.journal, entry];
  if (journal.length > MAX_JOURNAL_FILLS) return { v: { ...v, checkpoint: null, journal: [] }, overflow: true };
  return { v: { ...v, checkpoint: base, journal }, overflow: false };
}

/** The orders a reconciliation must look up besides the open ones: those with unverified reports. */
export function ordersToVerify(
  v: Verification | undefined,
  orders: Readonly<Record<string, OrderRecord>>,
): OrderRecord[] {
  if (!v) return [];
  return Object.keys(v.unverified)
    .map((id) => orders[id])
    .filter((o): o is OrderRecord => o !== undefined);
}

/** Ids the exchange does not know cannot be verified: stop asking (reconciliation reports them). */
export function onMissing(v: Verification, missing: readonly string[]): Verification {
  return missing.reduce((acc, id) => markVerified(acc, id), v);
}
