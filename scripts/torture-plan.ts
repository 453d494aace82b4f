/**
 * What the crash torture (scripts/torture.ts) does to the bots, and how often: the exchange's
 * faults it injects, the Reset kinds it presses in turn, and the cadence of resets, restarts and
 * workers with a spent weight budget.
 */
import type { FaultRule } from '../exchange';

export const FAULTS: readonly FaultRule[] = [
  { kind: 'lose-response', afterMs: 1_500 },
  { kind: 'reset-after-execute' },
  { kind: 'reset-before-execute' },
  { kind: 'unknown-while-executing', afterMs: 300 },
  { kind: 'fail-before-executing', status: 502 },
  { kind: 'hide-order', ms: 2_000 },
  { kind: 'rate-limit', retryAfterSec: 1 },
  { kind: 'delay', ms: 800, phase: 'before' },
  { kind: 'user-drop', match: { eventType: 'executionReport' }, count: 3 },
  { kind: 'user-duplicate', match: { eventType: 'executionReport' }, count: 3 },
  { kind: 'user-reorder', match: { eventType: 'executionReport' }, count: 3, flushMs: 500 },
  // The home IP changed: lookups refused with -2015 for a while.
  {
    kind: 'fail-before-executing',
    match: { endpoint: 'GET /api/v3/order' },
    status: 401,
    body: 'json',
    code: -2015,
    count: 4,
  },
];

/**
 * The Web UI's Reset button and `temporal workflow reset`, every type, used in turn: `event-id` picks
 * a completed workflow task of the current run at random, `previous-run` one of the run it
 * continued from (the Web UI's Reset on an older run of the chain), `build-id` is the batch reset
 * to the first task of the worker's build (the CLI offers BuildId for batches only).
 */
export const RESETS: ReadonlyArray<readonly string[]> = [
  ['--type', 'FirstWorkflowTask'],
  ['event-id'],
  ['--type', 'LastWorkflowTask'],
  ['event-id', '--reapply-exclude', 'Signal'],
  ['--type', 'LastContinuedAsNew'],
  ['previous-run'],
  ['--type', 'LastWorkflowTask', '--reapply-exclude', 'Signal'],
  ['event-id', '--reapply-exclude', 'All'],
  ['build-id'],
  ['event-id', '--reapply-exclude', 'Update'],
];
/** Every this-many iterations a reset, and a terminate + restart (the bot picked at random). */
export const RESET_EVERY = 3;
export const RESTART_EVERY = 10;
/** Every this-many worker restarts, the worker runs with a weight budget its bots exhaust. */
export const SMALL_BUDGET_EVERY = 7;
