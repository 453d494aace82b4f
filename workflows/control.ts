/**
 * Messages for the control API and dashboard, beside the ones in ./messages.ts:
 *
 * - `runNow` (update): the strategy's scheduled work at once, through the kernel like any event
 *   (seed 002's POST /market runs the MACD portfolio's daily check now). Refused, with the reason,
 *   when the strategy has none or the bot is not running; accepted once it is in the bot's inbox.
 * - `ledger` (query): the orders the bot keeps (open ones and its last final ones) with their
 *   fills and reasons, its round trips and stream times: the dashboard's trades and chart markers.
 *
 * Shared by the client and the workflow; the handlers are registered by `registerControlHandlers`.
 */
import * as wf from '@temporalio/workflow';
import { type BotState, type RoundTrip, runNowAllowed } from '../core/kernel';
import type { OrderRecord } from '../core/orders';
import type { AnyStrategy } from '../core/strategy';
import type { InboxItem } from './messages';

export interface RunNowResult {
  /** Workflow time the run was applied at: the strategy's decisions from it on are this run's. */
  readonly appliedAt: number;
  readonly timer: string;
}

export interface BotLedger {
  readonly orders: readonly OrderRecord[];
  readonly trades: readonly RoundTrip[];
  readonly lastCandleOpenTime: number | null;
  readonly lastStreamEventTime: number | null;
  readonly lastEventTime: number | null;
}

export const runNowUpdate = wf.defineUpdate<RunNowResult, []>('runNow');
export const ledgerQuery = wf.defineQuery<BotLedger>('ledger');

export interface ControlHandlers {
  /** Called by the workflow when it turns a `runNow` inbox item into a kernel event (before processing it). */
  applied(updateSeq: number): void;
}

export function registerControlHandlers(bot: {
  readonly state: () => BotState;
  readonly strategy: AnyStrategy;
  readonly enqueue: (item: InboxItem) => void;
}): ControlHandlers {
  let requested = 0;
  const applied = new Map<number, { at: number; refused: string | null }>();
  wf.setHandler(
    runNowUpdate,
    async () => {
      const seq = ++requested;
      bot.enqueue({ type: 'runNow', updateSeq: seq });
      await wf.condition(() => applied.has(seq));
      const outcome = applied.get(seq)!;
      applied.delete(seq);
      // The bot may have changed between acceptance and its turn in the inbox (a stop queued first).
      if (outcome.refused) throw wf.ApplicationFailure.nonRetryable(outcome.refused, 'RunNowRefused');
      return { appliedAt: outcome.at, timer: bot.strategy.runNowTimer! };
    },
    {
      validator: () => {
        if (!bot.strategy.runNowTimer)
          throw new Error(`strategy "${bot.strategy.id}" has no scheduled work to run now`);
        const refused = refusal(bot.state());
        if (refused) throw new Error(refused);
      },
    },
  );
  wf.setHandler(ledgerQuery, () => {
    const s = bot.state();
    return {
      orders: Object.values(s.orders),
      trades: s.trades,
      lastCandleOpenTime: s.lastCandleOpenTime,
      lastStreamEventTime: s.lastStreamEventTime,
      lastEventTime: s.lastEventTime,
    };
  });
  return {
    applied(updateSeq) {
      applied.set(updateSeq, { at: Date.now(), refused: refusal(bot.state()) });
    },
  };
}

function refusal(state: BotState): string | null {
  if (runNowAllowed(state)) return null;
  if (state.status !== 'RUNNING' && state.status !== 'PAUSED') return `the bot is ${state.status.toLowerCase()}`;
  return 'the bot is still starting (its first reconciliation is pending): try again in a moment';
}
