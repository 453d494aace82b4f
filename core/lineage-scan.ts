/**
 * When a bot searches the exchange for orders of its lineage it does not know (core/adoption.ts),
 * and from when. Pure; the kernel (core/kernel/) keeps the fields in its state.
 *
 * A scan reads the account's orders on the bot's symbol placed since `scanSince` (paged, see
 * activities/lineage.ts), so a discarded branch's orders are found however many there are and
 * however many other orders came since. It is asked for by a Temporal reset (since the start of
 * the run the history now continues — every discarded order came after it), by every new run,
 * and by a stream report of an order of the lineage the bot does not know. A scan stays pending
 * until a reconciliation carrying it succeeds and finds nothing more to fetch; and one more scan
 * follows each reset a while later: an attempt of the discarded run that was already executing
 * when the reset came may still place its order after the first scan (Temporal stops scheduling
 * the old run's activities, not an attempt under way).
 */
export interface ScanState {
  /** The next reconciliation scans (set again when one carrying a scan fails or is incomplete). */
  scanPending?: boolean;
  /** Orders placed at or after this time (the exchange's clock) are searched. */
  scanSince?: number;
  /** A reconciliation carrying a scan is in flight. */
  scanInFlight?: boolean;
  /** When the follow-up scan after a reset is due. */
  rescanAt?: number;
}

/** Slack for the difference between Temporal's clock and the exchange's. */
export const SCAN_CLOCK_MARGIN_MS = 5 * 60_000;
/** After a reset, a second scan this much later (longer than an order attempt: 30 s). */
export const RESCAN_AFTER_RESET_MS = 90_000;

/** Ask for a scan of the orders placed since `since` (the earliest asked for wins). */
export function requestScan(s: ScanState, since: number): void {
  const from = since - SCAN_CLOCK_MARGIN_MS;
  s.scanPending = true;
  s.scanSince = s.scanSince === undefined ? from : Math.min(s.scanSince, from);
}

/** A reset: scan since `since` now, and once more a while later. */
export function scanAfterReset(s: ScanState, since: number, now: number): void {
  requestScan(s, since);
  s.rescanAt = now + RESCAN_AFTER_RESET_MS;
}

/** The scan a reconciliation about to be sent carries, if any. */
export function takeScan(
  s: ScanState,
  now: number,
  resetAt: number | null,
): { readonly scan: true; readonly scanSince?: number } | null {
  if (s.rescanAt !== undefined && now >= s.rescanAt) {
    delete s.rescanAt;
    requestScan(s, resetAt ?? now);
  }
  if (s.scanPending !== true) return null;
  s.scanPending = false;
  s.scanInFlight = true;
  return { scan: true, ...(s.scanSince !== undefined ? { scanSince: s.scanSince } : {}) };
}

/** A reconciliation ended: a failed or incomplete scan stays pending; a complete one is done. */
export function scanEnded(s: ScanState, outcome: 'failed' | 'incomplete' | 'complete'): void {
  if (s.scanInFlight !== true) {
    if (outcome === 'incomplete') s.scanPending = true;
    return;
  }
  delete s.scanInFlight;
  if (outcome !== 'complete') s.scanPending = true;
  else if (s.scanPending !== true) delete s.scanSince;
}

/** When a reconciliation must happen at the latest for the follow-up scan (null: none due). */
export function scanDueAt(s: ScanState): number | null {
  return s.rescanAt ?? null;
}

/**
 * From when a reset's scan must search (before the clock margin): the start of the run the
 * history continues. A reset to a point inside the run replays its first task, so the run's start
 * (its first activation) is that run's. A reset to the run's *first* task (the FirstWorkflowTask
 * and LastContinuedAsNew types, a BuildId batch reset, the Web UI's Reset on a closed run) fails
 * that task: the run's first activation is the reset's own time, minutes or days after the
 * discarded branch placed its orders. Then the search starts where the continued run began: at
 * the end of the run it continued from (the carried state's last event), or at the start of the
 * chain for a first run.
 */
export function resetScanSince(p: {
  readonly runStart: number;
  readonly resetAtStart: boolean;
  readonly chainStart: number;
  readonly carriedLastEventTime: number | null;
}): number {
  if (!p.resetAtStart) return p.runStart;
  return Math.min(p.runStart, p.carriedLastEventTime ?? p.chainStart);
}
