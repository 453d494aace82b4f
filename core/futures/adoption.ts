/**
 * After a Temporal reset, a futures bot adopts what the discarded branch left on the USDⓈ-M
 * account (found by activities/futures-lineage.ts; adopted by core/proof.ts as on spot). Pure.
 *
 * - **Purpose by what the order does, not by its side**: a short's entry is a SELL, its exits
 *   BUYs. Reduce-only and closePosition orders are exits, everything else an entry.
 * - **The discarded branch's protective stop is the position's stop**: an adopted STOP_MARKET
 *   with closePosition takes the protective stop's tag, so core/futures/protection.ts sees the
 *   position covered and places no second one (the exchange would refuse it anyway: -4130, one
 *   closePosition stop per direction), and cancels it like its own once flat or on the wrong side.
 * - **The stop waits for the reset's scan** (at most `PROTECT_WAIT_AFTER_RESET_MS`): the new
 *   branch learns fills again before any scan could run and would otherwise send a stop while the
 *   discarded branch's still rests; once the scan completed, the adopted one covers the position,
 *   or a new one is placed.
 *
 * Switched on with `futuresRules: 1` (a patch in workflows/run-context.ts).
 */
import type { OrderRecord } from '../orders';
import { PROTECT_TAG } from './protection';

/** Longest a reset holds the protective stop back for its scan; a scan takes a round trip or two. */
export const PROTECT_WAIT_AFTER_RESET_MS = 30_000;

export interface FuturesRulesState {
  readonly futuresRules?: 1;
  readonly resetAt?: number | null;
  readonly scanPending?: boolean;
  readonly scanInFlight?: boolean;
}

/** The adopted record as a futures bot keeps it: its purpose, and the protective stop's tag for a stop. */
export function futuresAdoptedRecord(record: OrderRecord): OrderRecord {
  const r = record.request;
  const exit = r.reduceOnly === true || r.closePosition === true;
  const stop = r.type === 'STOP_MARKET' && r.closePosition === true;
  return {
    ...record,
    purpose: exit ? 'exit' : 'entry',
    ...(stop
      ? {
          tag: PROTECT_TAG,
          reason: `${record.reason}; the position's protective stop from now on`,
        }
      : {}),
  };
}

/** True while a placement of the protective stop waits for the reset's scan. */
export function protectionAwaitsScan(s: FuturesRulesState, now: number): boolean {
  return (
    s.futuresRules === 1 &&
    s.resetAt != null &&
    (s.scanPending === true || s.scanInFlight === true) &&
    now - s.resetAt < PROTECT_WAIT_AFTER_RESET_MS
  );
}
