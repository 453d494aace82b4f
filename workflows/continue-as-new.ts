/**
 * When a bot's run continues as new, and what the new run carries. A run rolls over once Temporal
 * suggests it, once its history reaches a bound, or after a number of kernel events (tests); it
 * waits for quiet (no activity in flight, notices stored, handlers finished) but not forever
 * (./run-context.ts). The new run carries the whole state, the inbox and the counters.
 */
import * as wf from '@temporalio/workflow';
import type { BotEvent } from '../core/kernel';
import { INBOX_ITEM_TYPES } from '../core/workflow-input-schemas';
import type { BotRuntime } from './bot-runtime';
import type { BotWorkflowInput, InboxItem } from './messages';
import { continueAsNewForced } from './run-context';

/**
 * A run continues as new once its history reaches this many events (Temporal itself suggests it
 * only at about 4,000). A restarted worker replays each bot's current run before the bot can act
 * again, at roughly 1,600 events/s on one core of a small VM (bench/README.md): 1,000 events keep
 * that under a second per bot, where 4,000 cost 2.5 s. The new run carries the whole state and
 * reconciles once, which a quiet 1m-candle bot pays about every four hours.
 */
export const MAX_HISTORY_EVENTS_PER_RUN = 1_000;

/**
 * Gates that a reconciliation's snapshots do not count toward `continueAsNewAfterEvents`. Counted,
 * a run's own start reconcile (one event per open order, plus its verdict) made a bot with as many
 * open orders as the bound due again at once: every new run reconciled and rolled over, and no
 * candle was handled. Histories recorded before it replay with the old count.
 */
export const RECONCILE_NOT_COUNTED_PATCH = 'reconcile-not-counted-toward-rollover';

/**
 * Gates how a run that is due rolls over with its notices. Before, it sent them by local activity
 * and continued as new once that ended. But after a query the worker delivers a local activity's
 * result in a workflow task of its own, while a replay delivers it in the task that recorded its
 * marker: when the server refused that continue-as-new because signals had just come
 * (UnhandledCommand), the replay continued as new before those signals reached the run, and the
 * next run never had them (candles lost on the PostgreSQL cluster,
 * tests/integration/continue-as-new.test.ts). Now a run about to roll over starts no notification activity — its
 * notices go with the next run, which sends them first — and if one ended since the run last
 * waited, the run first waits 1 ms on a timer, so the decision follows a recorded event and
 * signals that come meanwhile are carried in the inbox.
 */
export const NOTICES_CARRIED_PATCH = 'continue-as-new-carries-notices';

/**
 * Gates that a run rolling over while still BLOCKED hands on the pause and resume it received.
 * Before, the next run started from the definition alone: a bot paused while it could not trade
 * began trading once it could, if a roll-over came in between.
 */
export const BLOCKED_ROLLOVER_KEEPS_CONTROLS_PATCH = 'blocked-rollover-keeps-controls';

const INBOX_TYPES: ReadonlySet<string> = new Set(INBOX_ITEM_TYPES);

/** A message the next run's inbox takes (an exchange outcome is not one). */
function isInboxItem(item: { readonly type: string }): boolean {
  return INBOX_TYPES.has(item.type);
}

/** What a reconciliation reports: what the exchange already held, not new input to the bot. */
function fromReconciliation(event: BotEvent): boolean {
  return event.type === 'reconciled' || (event.type === 'orderUpdate' && event.source === 'reconcile');
}

export class ContinueAsNew {
  /** When continue-as-new first became due (it then stops waiting for quiet after a bound). */
  private dueSince: number | null = null;

  /** Reconciliation snapshots are left out of the event count (only asked when the count is used). */
  private readonly skipsReconciliation: boolean;
  /** NOTICES_CARRIED_PATCH. */
  private readonly carriesNotices: boolean;
  /** Notification activities ended when the run last waited for a recorded event. */
  private endedAtLastWait = 0;

  constructor(private readonly bot: BotRuntime) {
    this.skipsReconciliation =
      bot.options.continueAsNewAfterEvents !== undefined && wf.patched(RECONCILE_NOT_COUNTED_PATCH);
    this.carriesNotices = wf.patched(NOTICES_CARRIED_PATCH);
  }

  /**
   * Due with nothing in flight, so about to roll over: notices wait for the next run instead of a
   * local activity in this one. (With exchange work in flight they go now: the run may wait a while.)
   */
  holdsNotices(): boolean {
    return this.carriesNotices && this.bot.inFlight === 0 && this.due();
  }

  /**
   * Just before continue-as-new (see NOTICES_CARRIED_PATCH). False: while the run waited, an
   * update came (its handler must finish in this run) or an exchange outcome (the kernel takes it).
   */
  async settle(): Promise<boolean> {
    const notifications = this.bot.notifications;
    if (!this.carriesNotices) {
      // As histories recorded before replay: notices held for a later drain go now, and are stored.
      if (notifications.deferred()) {
        notifications.flush(this.bot.state);
        await notifications.settled();
      }
      return true;
    }
    // Forced past its bound, the run may roll over with a notice activity in flight: it ends first,
    // so no notice is dropped with the closing run.
    if (notifications.sending()) await notifications.settled();
    if (notifications.ended() === this.endedAtLastWait) return true;
    this.endedAtLastWait = notifications.ended();
    await wf.sleep(1);
    // Messages that came meanwhile are carried; an exchange outcome (a forced roll-over waits for
    // none) is not a message the next run would take: the loop hands it to the kernel first.
    return wf.allHandlersFinished() && this.bot.queue.every(isInboxItem);
  }

  /** Whether a processed event counts toward `continueAsNewAfterEvents`. */
  counts(event: BotEvent): boolean {
    return !(this.skipsReconciliation && fromReconciliation(event));
  }

  private get maxHistory(): number {
    return this.bot.options.continueAsNewAtHistoryLength ?? MAX_HISTORY_EVENTS_PER_RUN;
  }

  /** The run is long enough to continue as new. */
  due(): boolean {
    const info = wf.workflowInfo();
    const limit = this.bot.options.continueAsNewAfterEvents;
    return (
      info.continueAsNewSuggested ||
      info.historyLength >= this.maxHistory ||
      (limit !== undefined && this.bot.eventsThisRun >= limit)
    );
  }

  /** Due, and quiet or waited for long enough (cheap: safe in a condition function). */
  now(): boolean {
    if (!this.due()) return false;
    this.dueSince ??= Date.now();
    if (this.quiet()) return true;
    return wf.allHandlersFinished() && continueAsNewForced(this.dueSince, this.maxHistory);
  }

  private quiet(): boolean {
    const notifications = this.bot.notifications;
    const noticesDone = this.carriesNotices ? !notifications.sending() : notifications.idle();
    return this.bot.inFlight === 0 && noticesDone && wf.allHandlersFinished();
  }

  /** The next run's input when still BLOCKED at the start (no kernel state yet): the definition, and the last pause or resume. */
  blockedRunInput(): BotWorkflowInput {
    const bot = this.bot;
    const input = { definition: bot.config(), options: bot.options };
    // Only the last request counts (pausing a paused bot does nothing): one item, however many came.
    const controls = bot.queue.filter(
      (item): item is Extract<InboxItem, { type: 'pause' | 'resume' }> =>
        item.type === 'pause' || item.type === 'resume',
    );
    const last = controls[controls.length - 1];
    if (!last || !wf.patched(BLOCKED_ROLLOVER_KEEPS_CONTROLS_PATCH)) return input;
    return { ...input, heldWhileBlocked: { inbox: [last] } };
  }

  /** The next run's input: the whole state, what still waits, and the counters. */
  nextRunInput(definition: BotWorkflowInput['definition']): BotWorkflowInput {
    const bot = this.bot;
    const blocked = bot.gate.blocked();
    return {
      definition,
      options: bot.options,
      carried: {
        state: bot.state,
        inbox: bot.queue as InboxItem[],
        generation: bot.generation + 1,
        paramsUpdatesApplied: bot.params.applied,
        circuit: bot.circuitView(),
        ...(bot.rejections.count > 0 ? { inputRejections: bot.rejections } : {}),
        ...(blocked ? { blocked } : {}),
        ...(this.carriesNotices && bot.notifications.waiting().length > 0
          ? { notices: [...bot.notifications.waiting()] }
          : {}),
      },
    };
  }
}
