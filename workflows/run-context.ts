/**
 * Small pieces of the bot workflow that depend on Temporal's view of the run: the bot's client-id
 * lineage, events delivered again by a reset, what a placement activity must know about the run
 * that scheduled it, and when continue-as-new stops waiting for work in flight.
 */
import * as wf from '@temporalio/workflow';
import type { ClientIdSeed } from '../core/kernel';
import { branchToken, lineageTag } from '../core/client-ids';
import { resetScanSince } from '../core/lineage-scan';
import type { InboxItem } from './messages';
import type { ResetWatch } from './reset-detection';

/**
 * Exact client ids for bots created by this code (older histories keep their `<name>_<time>` tag:
 * `patched` is false when they replay): the lineage tag from the workflow id and its first run id,
 * the branch token from the run's random seed.
 */
export function clientIdSeed(name: string, resets: ResetWatch): ClientIdSeed | undefined {
  if (!wf.patched('exact-client-ids')) return undefined;
  const info = wf.workflowInfo();
  return {
    tag: lineageTag({
      name,
      namespace: info.namespace,
      workflowId: info.workflowId,
      firstExecutionRunId: info.firstExecutionRunId,
    }),
    branch: branchToken(resets.seed),
  };
}

/**
 * Events waiting at a reset point were delivered again by the reset (reapplied signals, the
 * redone task's input): the discarded branch already acted on them. Candles and triggers among
 * them still feed the strategy, marked so the kernel refuses entries from them.
 */
export function markReplayed(queue: Array<InboxItem | { readonly type: string }>): void {
  for (let i = 0; i < queue.length; i++) {
    const item = queue[i] as InboxItem;
    if (item.type === 'candle' || item.type === 'trigger') queue[i] = { ...item, replayed: true };
  }
}

/**
 * What a placement activity needs to know to decide whether an earlier attempt may have sent its
 * order: the run that scheduled it (a reset re-dispatches pending activities in the new run, at
 * attempt 1), and whether resets can be detected at all (if not, it looks up before every send).
 */
export function placementContext(
  resets: ResetWatch,
  resume: boolean | undefined,
): { scheduledInRun: string; lookupFirst?: true } {
  return {
    scheduledInRun: wf.workflowInfo().runId,
    ...(resume || !resets.available ? { lookupFirst: true as const } : {}),
  };
}

/**
 * Continue-as-new waits for the run to be quiet (no activity in flight), but not forever: a long
 * ban or an order the exchange never confirms must not grow one run to Temporal's history limit.
 * Past these bounds the run continues as new with the work still pending, which the next run
 * resumes (placements looked up before any resend).
 */
export const FORCE_CONTINUE_AFTER_MS = 10 * 60_000;

/** Half the run's limit again (500 events past the default 1,000), or 10 minutes, past the point it was due. */
export function continueAsNewForced(dueSince: number | null, maxHistory: number): boolean {
  if (dueSince === null) return false;
  const extra = Math.max(20, Math.floor(maxHistory / 2));
  return wf.workflowInfo().historyLength >= maxHistory + extra || Date.now() - dueSince >= FORCE_CONTINUE_AFTER_MS;
}

/**
 * A cancel request (the Web UI's Cancel, `temporal workflow cancel`) that arrives in the same
 * workflow task as a due continue-as-new: the request belongs to this run and a new run would never
 * see it, so the bot would keep rolling over instead of stopping. The run stops instead. (Patched:
 * a history recorded before this rule continued as new there, and replays so.)
 */
export function cancelledBeforeContinueAsNew(): boolean {
  return wf.CancellationScope.current().consideredCancelled && wf.patched('cancel-before-continue-as-new');
}

/**
 * Rules of the kernel that changed the commands a bot emits, switched on in its state under a
 * patch: a history recorded before a rule replays without it (its state never had the flag), a
 * new run takes it, and continue-as-new carries it.
 *
 * - `reset-exit-rules-v2` (`resetRules: 2`): after a reset, exits wait until a scan of the exchange
 *   found the discarded branch's orders (core/reset-exit-hold.ts), and an adopted copy of a
 *   take-profit the new branch placed again is cancelled while the bot's resting sells exceed its
 *   position at all, not only by a whole take-profit (core/adoption.ts `adoptedTwins`).
 * - `futures-reset-rules` (`futuresRules: 1`, futures bots): the discarded branch's orders are
 *   adopted as futures orders (purpose by reduce-only, its protective stop as the position's),
 *   the stop waits for the reset's scan, one protective stop per position, and the signed
 *   position is checked against positionRisk (core/futures/adoption.ts, core/kernel/position-check.ts).
 * - `filters-until-known` (`filterRules: 1`): a bot that started without its symbol's filters (the
 *   exchange unreachable or its weight budget spent at the start) fetches them with each
 *   reconciliation until it has them, instead of placing unshaped orders for the rest of the run.
 * - `held-exits-by-lots` (`heldExitRules: 1`): the exits held for a reset's scan are matched to
 *   the discarded branch's adopted twins by what all of them sell (core/adopted-exits.ts), so a lot
 *   a twin sold is not sold again because another lot's holdings covered its exit.
 */
export function withRuleFlags<
  S extends {
    readonly resetRules?: 2;
    readonly futuresRules?: 1;
    readonly filterRules?: 1;
    readonly heldExitRules?: 1;
    readonly setup: { readonly market?: string };
  },
>(state: S): S {
  let next = state;
  if (next.filterRules !== 1 && wf.patched('filters-until-known')) next = { ...next, filterRules: 1 };
  if (next.resetRules !== 2 && wf.patched('reset-exit-rules-v2')) next = { ...next, resetRules: 2 };
  if (next.heldExitRules !== 1 && wf.patched('held-exits-by-lots')) next = { ...next, heldExitRules: 1 };
  // Futures bots only: a spot bot's history gets no marker.
  if (next.setup.market === 'futures' && next.futuresRules !== 1 && wf.patched('futures-reset-rules'))
    next = { ...next, futuresRules: 1 };
  return next;
}

/**
 * The start of the run a reset's history continues (core/lineage-scan.ts `resetScanSince`).
 * Patched: a history recorded before searched from the run's first activation, and replays so.
 */
export function resetSince(resets: ResetWatch, carriedLastEventTime: number | null): number {
  const info = wf.workflowInfo();
  const runStart = info.runStartTime.getTime();
  if (!resets.resetAtStart || !wf.patched('reset-scan-from-continued-run')) return runStart;
  return resetScanSince({ runStart, resetAtStart: true, chainStart: info.startTime.getTime(), carriedLastEventTime });
}
