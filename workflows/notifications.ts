/**
 * Notifications from the bot's durable history. After each inbox drain the workflow hands its
 * state to `flush`: the notices of what happened since the last one (core/notices.ts: fills,
 * entries, exits with PnL, stop-losses, the bot stopping, errors) go out in one activity, keyed by
 * notice ids that are the same on every replay (activities/notify.ts delivers each once).
 *
 * - Gated by `patched()`: histories recorded before notifications existed replay without the new
 *   activity; a bot carrying on from such a history starts notifying from its next change.
 * - Never blocks the bot: the (local) activity only stores the notices — delivery goes on in the
 *   worker — and a failure is logged, not thrown. The workflow waits for it before continue-as-new and
 *   before it completes, so no notice is dropped with a closing run.
 * - Not cancellable: a stop or a `temporal workflow cancel` must not cancel the "stopped" notice.
 *
 * Runs in the workflow sandbox.
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BotState } from '../core/kernel';
import { type Notice, noticesBetween } from '../core/notices';
import { FailureType } from './failure-types';

export const NOTIFICATIONS_PATCH = 'notifications-v1';

/**
 * A local activity: storing notices takes milliseconds, and a local activity costs the history one
 * marker event instead of an activity's three plus the workflow task that wakes the bot for its
 * result. Run again on replay only if its marker was not recorded — the outbox ignores a notice
 * it already has.
 */
const NOTIFY_ACTIVITY_OPTIONS: wf.LocalActivityOptions = {
  startToCloseTimeout: '10s',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [FailureType.InvalidRequest],
  },
};

/**
 * A workflow task that runs a local activity is completed only once the local activity has ended:
 * the order a fill makes the bot send waited for the fill's notice to be stored. So the notices of
 * a drain that started exchange work wait for the next drain (that work's outcome, or the moment
 * nothing is in flight), which the worker would run anyway. They are worked out at once, from the
 * states they belong to, so nothing later (an order pruned from the state) can lose them. Patched:
 * a history recorded before stored them in the same task, and replays so.
 */
export const NOTICES_AFTER_ORDERS_PATCH = 'notices-after-orders';

export interface BotNotifications {
  /**
   * Work out the notices of everything between the previous flush and `state` and send them with
   * any still waiting; when the drain that led to `state` started exchange work, they wait for the
   * next flush instead (NOTICES_AFTER_ORDERS_PATCH), and while the run is about to continue as new
   * (`holdForNextRun`) they wait for the next run.
   */
  flush(state: BotState, exchangeWorkStarted?: boolean, holdForNextRun?: boolean): void;
  /** Notices waiting for the next flush. */
  deferred(): boolean;
  /** No notification activity in flight and none waiting. */
  idle(): boolean;
  /** A notification activity is in flight. */
  sending(): boolean;
  /** How many notification activities have ended in this run. */
  ended(): number;
  /** The notices waiting, which a run that continues as new carries to the next. */
  waiting(): readonly Notice[];
  /** Resolves once every notification activity started so far has finished. */
  settled(): Promise<void>;
}

/** `carried`: notices the previous run held while it rolled over, sent with this run's first flush. */
export function botNotifications(initial: BotState, carried: readonly Notice[] = []): BotNotifications {
  const acts = wf.proxyLocalActivities<Activities>(NOTIFY_ACTIVITY_OPTIONS);
  const scope = new wf.CancellationScope({ cancellable: false });
  let last = initial;
  let inFlight = 0;
  let ended = 0;
  const waiting: Notice[] = [...carried];

  function send(notices: Notice[], bot: string): void {
    inFlight++;
    void scope.run(async () => {
      try {
        await acts.deliverNotifications({ notices });
      } catch (err) {
        wf.log.warn(`notifications not stored: ${(err as Error).message}`, { bot, ids: notices.map((n) => n.id) });
      } finally {
        inFlight--;
        ended++;
      }
    });
  }

  return {
    flush(state, exchangeWorkStarted = false, holdForNextRun = false) {
      if (state !== last) {
        const notices = noticesBetween(last, state);
        last = state;
        if (notices.length > 0 && wf.patched(NOTIFICATIONS_PATCH)) waiting.push(...notices);
      }
      if (waiting.length === 0) return;
      if (exchangeWorkStarted && wf.patched(NOTICES_AFTER_ORDERS_PATCH)) return;
      if (holdForNextRun) return;
      send(waiting.splice(0), state.setup.name);
    },
    deferred: () => waiting.length > 0,
    idle: () => inFlight === 0 && waiting.length === 0,
    sending: () => inFlight > 0,
    ended: () => ended,
    waiting: () => waiting,
    settled: () => wf.CancellationScope.nonCancellable(() => wf.condition(() => inFlight === 0)),
  };
}
