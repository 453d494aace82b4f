/**
 * Every open futures position keeps a protective stop on the exchange: a STOP_MARKET with
 * closePosition (through Binance's algo endpoint), so if the machine dies the exchange still
 * closes a leveraged position before it can be liquidated. The kernel asks this module after
 * every event what to do: place the stop, cancel one that no longer fits, or nothing. Pure.
 */
import { type Dec, ceilToStep, d, floorToStep, isPositive, isZero, str } from '../decimal';
import { type OrderRecord, type OrderRequest, isFinalStatus } from '../orders';
import type { PlaceIntent } from '../strategy';
import type { FuturesSetup } from './setup';

/** The tag of the protective stop; never a strategy's (strategies' tags do not start with "__"). */
export const PROTECT_TAG = '__protect';

export interface ProtectionView {
  readonly symbol: string;
  readonly qty: Dec;
  readonly avgEntryPrice: Dec;
  readonly tickSize: Dec | null;
  readonly orders: readonly OrderRecord[];
  readonly futures: FuturesSetup;
  /** The latest protective stop the exchange refused, if any (retried after PROTECT_RETRY_MS). */
  readonly lastRejectedAt: number | null;
  readonly now: number;
  /** After a reset: no placement until the scan found (and adopted) the discarded branch's stop (core/futures/adoption.ts). */
  readonly awaitScan?: boolean;
  /** Cancel protective stops beyond one on the position's side (an adopted one next to this branch's). */
  readonly oneStop?: boolean;
}

/** A refused stop is tried again after this long (a candle or a reconcile wakes the bot), never in a loop. */
export const PROTECT_RETRY_MS = 30_000;

/** When the latest protective stop was refused, among the orders the kernel keeps. */
export function lastProtectRejection(orders: Readonly<Record<string, OrderRecord>>): number | null {
  let at: number | null = null;
  for (const o of Object.values(orders))
    if (o.tag === PROTECT_TAG && o.status === 'REJECTED' && (at === null || o.updatedAt > at)) at = o.updatedAt;
  return at;
}

export type ProtectionStep =
  | { readonly kind: 'place'; readonly intent: PlaceIntent; readonly request: OrderRequest }
  | { readonly kind: 'cancel'; readonly order: OrderRecord }
  | null;

/** Stop below a long's entry, above a short's, protectiveStopPct away, on the tick grid away from the market. */
export function protectiveStopPrice(qty: Dec, entry: Dec, pct: Dec, tick: Dec | null): Dec {
  const long = isPositive(qty);
  const f = d(pct).dividedBy(100);
  const raw = d(entry).times(long ? d(1).minus(f) : d(1).plus(f));
  if (!tick || !isPositive(tick)) return str(raw.toDecimalPlaces(8));
  return long ? floorToStep(raw, tick) : ceilToStep(raw, tick);
}

export function protectionStep(v: ProtectionView): ProtectionStep {
  const live = v.orders.filter((o) => o.tag === PROTECT_TAG && !isFinalStatus(o.status));
  const flat = isZero(v.qty) || !isPositive(v.avgEntryPrice);
  if (flat) {
    const stale = live.find((o) => !o.cancelRequested && o.status !== 'SUBMITTING');
    return stale ? { kind: 'cancel', order: stale } : null;
  }
  const side = isPositive(v.qty) ? 'SELL' : 'BUY';
  const fitting = live.filter((o) => o.request.side === side);
  const wrongSide = live.find((o) => o.request.side !== side && !o.cancelRequested && o.status !== 'SUBMITTING');
  if (wrongSide) return { kind: 'cancel', order: wrongSide };
  const extra = v.oneStop === true ? extraProtectiveStops(fitting)[0] : undefined;
  if (extra) return { kind: 'cancel', order: extra };
  if (fitting.some((o) => !o.cancelRequested)) return null;
  if (v.awaitScan === true) return null;
  if (v.lastRejectedAt !== null && v.now - v.lastRejectedAt < PROTECT_RETRY_MS) return null;
  const stopPrice = protectiveStopPrice(v.qty, v.avgEntryPrice, v.futures.protectiveStopPct, v.tickSize);
  const request: OrderRequest = { symbol: v.symbol, side, type: 'STOP_MARKET', stopPrice, closePosition: true };
  const intent: PlaceIntent = {
    kind: 'place',
    tag: PROTECT_TAG,
    purpose: 'exit',
    side,
    type: 'STOP_MARKET',
    stopPrice,
    reason: `protective stop ${v.futures.protectiveStopPct}% from entry ${v.avgEntryPrice} (closes the whole position on the exchange)`,
  };
  return { kind: 'place', intent, request };
}

/**
 * More than one live protective stop on the position's side (an adopted one next to this branch's):
 * the ones to cancel, keeping this branch's own if it has one, else the oldest.
 */
export function extraProtectiveStops(fitting: readonly OrderRecord[]): OrderRecord[] {
  const live = fitting.filter((o) => !o.cancelRequested && o.status !== 'SUBMITTING' && o.status !== 'UNKNOWN');
  if (live.length < 2) return [];
  const keep = live.find((o) => o.adopted !== true) ?? [...live].sort((a, b) => a.createdAt - b.createdAt)[0]!;
  return live.filter((o) => o !== keep);
}
