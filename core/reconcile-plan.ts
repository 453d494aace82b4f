/**
 * What a reconciliation looks up, and the candle backfill request. Pure helpers of the kernel.
 *
 * Reconciliation asks the exchange, by client id, about every order whose truth the bot still
 * lacks: open orders, UNKNOWN ones (placement ended without proof: looked up until found, or
 * proven absent after the resend deadline), and final orders whose fills do not add up to their
 * executed quantity yet (TRADE events lost across a reconnect, a lagging myTrades).
 */
import { gt, sum } from './decimal';
import { type CandleInterval, intervalMs } from './market';
import { type OrderRecord, isFinalStatus } from './orders';
import type { DataRequest } from './strategy';

export interface ReconcileTarget {
  readonly clientOrderId: string;
  readonly symbol: string;
  /** UNKNOWN orders: the latest time a request for it may have been sent (the resend deadline counts from it). */
  readonly since?: number;
}

/** Final orders re-polled for their fills per reconciliation (a few lookups, each with myTrades). */
const MAX_FILL_POLLS_PER_RECONCILE = 10;
/** Give up re-polling a final order's fills after this many tries; it is reported instead. */
export const MAX_FILL_POLLS = 20;

export function fillsIncomplete(order: OrderRecord): boolean {
  if (order.fills.length === 0 && order.executedQty === '0') return false;
  return gt(order.executedQty, sum(order.fills.map((f) => f.qty)));
}

export function reconcileTargets(
  orders: Readonly<Record<string, OrderRecord>>,
  open: readonly OrderRecord[],
): ReconcileTarget[] {
  const targets: ReconcileTarget[] = [];
  for (const o of open) {
    if (o.status === 'SUBMITTING') continue; // its placement activity is resolving it
    targets.push(
      o.status === 'UNKNOWN'
        ? { clientOrderId: o.clientOrderId, symbol: o.request.symbol, since: o.unknownSince ?? o.updatedAt }
        : { clientOrderId: o.clientOrderId, symbol: o.request.symbol },
    );
  }
  let polls = 0;
  for (const o of Object.values(orders)) {
    if (polls >= MAX_FILL_POLLS_PER_RECONCILE) break;
    if (!isFinalStatus(o.status) || (o.fillPolls ?? 0) >= MAX_FILL_POLLS || !fillsIncomplete(o)) continue;
    targets.push({ clientOrderId: o.clientOrderId, symbol: o.request.symbol });
    polls++;
  }
  return targets;
}

/**
 * The closed candles after `lastOpenTime` up to `now`, as one klines request. The exchange also
 * returns the candle still forming (the fetch drops it), so the request ends before that candle
 * opens: asking for `missing` candles up to `now` would lose the oldest missing one.
 */
export function backfillRequest(
  symbol: string,
  interval: CandleInterval,
  lastOpenTime: number,
  now: number,
): DataRequest | null {
  const step = intervalMs(interval);
  const formingOpen = lastOpenTime + step * Math.floor((now - lastOpenTime) / step);
  const missing = Math.round((formingOpen - (lastOpenTime + step)) / step);
  if (missing < 1) return null;
  return { kind: 'candles', symbol, interval, limit: Math.min(missing, 1000), endTime: formingOpen - 1 };
}
