/**
 * The exchange-authority rule (core/order-authority.ts) applied to the kernel's working state: the
 * kernel calls these at its order-report and fill call sites and lends its bookkeeping through
 * `Books`. Pure (operates on the kernel's private working copy within one step).
 */
import type { BotState, Notification } from './kernel';
import {
  type BookCheckpoint,
  DEFAULT_VERIFY_AFTER_MS,
  type Verification,
  journalFill,
  judge,
  markUnverified,
  markVerified,
  reportChangedOrder,
} from './order-authority';
import type { Fill, OrderRecord, OrderSnapshot } from './orders';
import type { Json, StrategyEvent } from './strategy';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface Books {
  readonly state: Mutable<BotState>;
  readonly now: number;
  readonly apply: (order: OrderRecord, snapshot: OrderSnapshot) => void;
  readonly setOrder: (order: OrderRecord) => void;
  readonly applyFill: (order: Pick<OrderRecord, 'clientOrderId' | 'request'>, fill: Fill) => void;
  readonly notify: (level: Notification['level'], message: string) => void;
  readonly toStrategy: (event: StrategyEvent) => void;
}

export function isUnverified(state: BotState, clientOrderId: string): boolean {
  return state.verification?.unverified[clientOrderId] !== undefined;
}

export function checkpointOf(state: BotState): BookCheckpoint {
  return {
    position: state.position as unknown as Json,
    otherPositions: (state.otherPositions ?? null) as unknown as Json,
    openTrade: state.openTrade,
    trades: state.trades as unknown as Json,
    risk: state.risk,
    fills: state.stats.fills,
    roundTrips: state.stats.roundTrips,
    wins: state.stats.wins,
  };
}

/** A stream report (or a signal): applied now, verified with the exchange soon. */
export function onStreamReport(b: Books, order: OrderRecord, snapshot: OrderSnapshot): void {
  const id = order.clientOrderId;
  const before = b.state.verification!;
  const wasUnverified = before.unverified[id] !== undefined;
  // Marked first: a checkpoint must be taken before its first fill is applied.
  b.state.verification = markUnverified(before, id, b.now);
  b.apply(order, snapshot);
  const after = b.state.orders[id] ?? order;
  if (!wasUnverified && !reportChangedOrder(order, after))
    b.state.verification = markVerified(b.state.verification, id);
}

/** Before a fill changes the position: journal it, checkpointing the books at the first unverified one. */
export function journalBeforeFill(
  b: Books,
  order: Pick<OrderRecord, 'clientOrderId' | 'request'>,
  fill: Fill,
  checkpoint: () => BookCheckpoint,
): void {
  const v = b.state.verification!;
  const entry = { clientOrderId: order.clientOrderId, symbol: order.request.symbol, side: order.request.side, fill };
  const r = journalFill(v, entry, v.unverified[order.clientOrderId] !== undefined, checkpoint);
  b.state.verification = r.v;
  if (r.overflow)
    b.notify('warn', 'too many fills await verification: a wrong stream report could no longer be undone exactly');
}

/** The exchange's own answer about an order (a reconciliation lookup): it wins over any report. */
export function onAuthoritativeReport(b: Books, order: OrderRecord, snapshot: OrderSnapshot): void {
  const v = b.state.verification!;
  const j = judge(order, snapshot, v);
  if (j.kind !== 'correct') {
    b.apply(order, snapshot);
    if (j.kind === 'agree') b.state.verification = markVerified(b.state.verification!, order.clientOrderId);
    return;
  }
  b.notify('warn', j.message);
  const removed = new Set(j.removed.map((f) => f.tradeId));
  const checkpoint = v.checkpoint;
  const lastPrice = b.state.lastPrice;
  b.setOrder(j.order);
  b.state.verification = { ...markVerified(v, order.clientOrderId), checkpoint: null, journal: [] };
  if (checkpoint) {
    // Back to the books before the first unverified fill, then every fill the exchange confirms again.
    b.state.position = checkpoint.position as unknown as BotState['position'];
    if (checkpoint.otherPositions === null) delete b.state.otherPositions;
    else b.state.otherPositions = checkpoint.otherPositions as unknown as NonNullable<BotState['otherPositions']>;
    b.state.openTrade = checkpoint.openTrade as unknown as BotState['openTrade'];
    b.state.trades = checkpoint.trades as unknown as BotState['trades'];
    b.state.risk = checkpoint.risk;
    // Round trips and wins are counted again by the replay itself.
    b.state.stats = {
      ...b.state.stats,
      fills: checkpoint.fills,
      roundTrips: checkpoint.roundTrips,
      wins: checkpoint.wins,
    };
    for (const e of v.journal) {
      if (e.clientOrderId === order.clientOrderId && removed.has(e.fill.tradeId)) continue;
      b.applyFill(
        { clientOrderId: e.clientOrderId, request: { symbol: e.symbol, side: e.side, type: 'MARKET' } },
        e.fill,
      );
      b.state.stats = { ...b.state.stats, fills: b.state.stats.fills + 1 };
    }
  } else if (j.removed.length > 0) {
    b.notify(
      'error',
      `order ${order.clientOrderId}: its wrong fills could not be taken out of the position exactly (no checkpoint); the position may be off until the next fills`,
    );
  }
  for (const fill of j.added) b.applyFill(j.order, fill);
  if (j.added.length > 0) b.state.stats = { ...b.state.stats, fills: b.state.stats.fills + j.added.length };
  b.state.lastPrice = lastPrice;
  b.toStrategy({ type: 'order', order: j.order, previousStatus: order.status, fills: j.added });
}

/** With reports unverified, the next reconciliation comes soon. */
export function tightenForVerification(state: Mutable<BotState>, now: number): void {
  const v: Verification | undefined = state.verification;
  if (!v || state.reconcileInFlight || state.nextReconcileAt === null || Object.keys(v.unverified).length === 0) return;
  const soon = now + (state.timing.verifyAfterMs ?? DEFAULT_VERIFY_AFTER_MS);
  if (state.nextReconcileAt > soon) state.nextReconcileAt = soon;
}
