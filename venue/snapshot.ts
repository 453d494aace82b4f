/**
 * Persistence of the venue: everything needed to restore it, as plain JSON (the paper exchange
 * writes it to disk; `new Venue(config, snapshot)` reads it back). Field and iteration order are
 * stable, so the same venue always gives the same snapshot. Pure.
 */
import type { Dec } from '../core/decimal';
import type { Ledger } from './ledger';
import type { OrderIndex } from './order-index';
import { type Balance, type ListState, type LockState, type OrderState, type SymbolState, isFinal } from './state';
import type { FillView } from './types';

/** Everything needed to restore a venue: plain JSON. */
export interface VenueSnapshot {
  readonly version: 1;
  readonly nextOrderId: number;
  readonly nextListId: number;
  readonly nextLockId: number;
  readonly nextExecutionId: number;
  readonly nextMintId: number;
  readonly accounts: Record<string, Record<string, Balance>>;
  readonly orders: OrderState[];
  readonly lists: ListState[];
  readonly locks: LockState[];
  readonly fills: FillView[];
  readonly symbols: Record<string, { lastPrice: Dec | null; tradeSeq: number; bookSeq?: number }>;
  readonly house: Record<string, Dec>;
  readonly fees: Record<string, Dec>;
}

export function takeSnapshot(
  symbolStates: ReadonlyMap<string, SymbolState>,
  ledger: Ledger,
  index: OrderIndex,
): VenueSnapshot {
  const accounts: Record<string, Record<string, Balance>> = {};
  for (const [id, bal] of ledger.accounts) {
    accounts[id] = {};
    for (const [asset, b] of bal) accounts[id][asset] = { ...b };
  }
  const symbols: Record<string, { lastPrice: Dec | null; tradeSeq: number; bookSeq?: number }> = {};
  for (const [name, s] of symbolStates)
    symbols[name] = { lastPrice: s.lastPrice, tradeSeq: s.tradeSeq, bookSeq: s.bookSeq };
  return {
    version: 1,
    nextOrderId: index.nextOrderId,
    nextListId: index.nextListId,
    nextLockId: ledger.nextLockId,
    nextExecutionId: index.nextExecutionId,
    nextMintId: index.nextMintId,
    accounts,
    orders: [...index.orders.values()].map((o) => ({ ...o })),
    lists: [...index.lists.values()].map((l) => ({ ...l, orderIds: [...l.orderIds] })),
    locks: [...ledger.locks.values()].map((l) => ({ ...l, holders: [...l.holders] })),
    fills: [...index.fills],
    symbols,
    house: Object.fromEntries(ledger.house),
    fees: Object.fromEntries(ledger.fees),
  };
}

/** Load a snapshot into a venue's empty parts (symbols not configured any more are skipped). */
export function restoreSnapshot(
  snap: VenueSnapshot,
  symbolStates: ReadonlyMap<string, SymbolState>,
  ledger: Ledger,
  index: OrderIndex,
): void {
  index.nextOrderId = snap.nextOrderId;
  index.nextListId = snap.nextListId;
  ledger.nextLockId = snap.nextLockId;
  index.nextExecutionId = snap.nextExecutionId;
  index.nextMintId = snap.nextMintId;
  for (const [id, bal] of Object.entries(snap.accounts)) {
    ledger.accounts.set(id, new Map(Object.entries(bal).map(([a, b]) => [a, { ...b }])));
  }
  for (const [name, st] of Object.entries(snap.symbols)) {
    const s = symbolStates.get(name);
    if (s) {
      s.lastPrice = st.lastPrice;
      s.tradeSeq = st.tradeSeq;
      s.bookSeq = st.bookSeq ?? 0;
    }
  }
  for (const o of snap.orders) {
    const order: OrderState = { ...o };
    index.add(order, symbolStates.get(order.symbol), !isFinal(order.status));
  }
  for (const l of snap.lists) index.addList({ ...l, orderIds: [...l.orderIds] });
  for (const l of snap.locks) ledger.locks.set(l.id, { ...l, holders: [...l.holders] });
  for (const f of snap.fills) index.indexFill(f);
  for (const [a, v] of Object.entries(snap.house)) ledger.house.set(a, v);
  for (const [a, v] of Object.entries(snap.fees)) ledger.fees.set(a, v);
}
