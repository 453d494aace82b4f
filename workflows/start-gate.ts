/**
 * The gate between a bot and trading: the bot's BLOCKED status (workflows/blocked.ts), its first
 * check with the worker and the exchange before the kernel starts, params changed while blocked,
 * and what later exchange outcomes say about its ability to trade. Kept out of workflows/bot.ts,
 * which only calls it.
 */
import * as wf from '@temporalio/workflow';
import type { PreflightInput, PreflightResult } from '../activities/preflight';
import { type BotDefinition, checkBotDefinition } from '../core/bot-definition';
import { type BotState, recordError } from '../core/kernel';
import type { SymbolFilters } from '../core/market';
import { tradabilityProblems } from '../core/tradability';
import {
  type BlockedOutcome,
  DEFAULT_BLOCKED_RECHECK_MS,
  blockedFromFailure,
  clearedByExchangeSuccess,
  untilTradable,
} from './blocked';
import { checkStartInput } from './inbound';
import type { BlockedReason, BotWorkflowInput, InboxItem, RuntimeOptions } from './messages';
import { BotStatusKey } from './search-attributes';

export interface GateDeps {
  /** False while replaying a history recorded before the gate existed. */
  readonly strict: boolean;
  readonly definition: BotDefinition;
  readonly options: RuntimeOptions;
  readonly initialBlocked: BlockedReason | null;
  readonly state: () => BotState;
  readonly setState: (state: BotState) => void;
  /** A brand-new kernel state with these params (nothing was placed yet). */
  readonly freshState: (params: BotDefinition['params']) => BotState;
  /** The workflow's queue: params updates waiting there are applied while the bot is blocked. */
  readonly queue: Array<{ readonly type: string }>;
  readonly paramsApplied: (updateSeq: number) => void;
  readonly mergeParams: (patch: Record<string, unknown>) => Record<string, unknown>;
  readonly preflight: (input: PreflightInput) => Promise<PreflightResult>;
  readonly syncVisibility: () => void;
  /** Stop the (never started) kernel with this reason. */
  readonly stop: (reason: string) => void;
  readonly continueAsNewDue: () => boolean;
  readonly failureMessage: (err: unknown) => string;
}

export type GateOutcome = BlockedOutcome | { readonly kind: 'stopped' };

export function createGate(deps: GateDeps) {
  let blocked: BlockedReason | null = deps.initialBlocked;
  let startFilters: SymbolFilters | null = null;
  const bot = { bot: deps.definition.name };

  function setBlocked(next: BlockedReason | null): void {
    if ((next?.reason ?? null) === (blocked?.reason ?? null)) return;
    if (next) {
      wf.log.warn(`bot cannot trade (BLOCKED): ${next.reason}`, bot);
      // A notification too: what alerts (Telegram, the dashboard) read from the state.
      deps.setState(recordError(deps.state(), next.since, `BLOCKED, the bot cannot trade: ${next.reason}`));
    } else if (blocked) wf.log.info(`bot can trade again (was: ${blocked.reason})`, bot);
    blocked = next;
    deps.syncVisibility();
  }

  function applyParamsBeforeStart(): boolean {
    let changed = false;
    for (let i = 0; i < deps.queue.length;) {
      const item = deps.queue[i] as InboxItem;
      if (item.type !== 'params') {
        i++;
        continue;
      }
      deps.queue.splice(i, 1);
      deps.paramsApplied(item.updateSeq);
      const result = checkBotDefinition({ ...deps.definition, params: deps.mergeParams(item.params) });
      if (!result.ok)
        deps.setState(recordError(deps.state(), Date.now(), `setParams ignored: ${result.problems.join('; ')}`));
      else {
        deps.setState({ ...deps.freshState(result.definition.params), notifications: deps.state().notifications });
        changed = true;
      }
    }
    return changed;
  }

  return {
    blocked: (): BlockedReason | null => blocked,

    /** The BotStatus search attribute's value. */
    displayStatus: (kernelStatus: BotState['status']): string =>
      blocked && kernelStatus !== 'STOPPED' ? 'BLOCKED' : kernelStatus,

    /** Why new params could never trade on this symbol (checked by the setParams validator). */
    untradable(patch: Record<string, unknown>): string | null {
      if (!deps.strict) return null;
      const state = deps.state();
      const filters = state.filters ?? startFilters;
      if (!filters) return null;
      const problems = tradabilityProblems(
        { strategy: deps.definition.strategy, symbol: deps.definition.symbol, params: deps.mergeParams(patch) },
        filters,
        state.lastPrice,
      );
      return problems.length > 0 ? problems.map((p) => `${p.field}: ${p.message}`).join('\n') : null;
    },

    /** An exchange activity's outcome (null: it succeeded): a refused key or a missing account blocks. */
    noteExchange(err: unknown): void {
      if (!deps.strict) return;
      if (err === null) {
        if (clearedByExchangeSuccess(blocked)) setBlocked(null);
        return;
      }
      const reason = blockedFromFailure(err, Date.now());
      if (reason) setBlocked(reason);
    },

    /** Before the first decision: ask the worker and the exchange; BLOCKED and rechecking until it can trade. */
    async startWhenTradable(): Promise<GateOutcome> {
      const check = async (): Promise<PreflightResult | null> => {
        try {
          const result = await deps.preflight({
            definition: { ...deps.definition, params: deps.state().setup.params as BotDefinition['params'] },
          });
          startFilters = result.filters;
          return result;
        } catch (err) {
          if (wf.isCancellation(err)) throw err;
          deps.setState(
            recordError(
              deps.state(),
              Date.now(),
              `could not check with the exchange whether the bot can trade; starting with what is known: ${deps.failureMessage(err)}`,
            ),
          );
          return null;
        }
      };
      try {
        return await untilTradable({
          check,
          setBlocked,
          applyPendingParams: applyParamsBeforeStart,
          waitForRecheck: (ms) => wf.condition(() => deps.queue.some((i) => i.type === 'params'), ms),
          continueAsNewDue: deps.continueAsNewDue,
          now: () => Date.now(),
          recheckMs: deps.options.blockedRecheckMs ?? DEFAULT_BLOCKED_RECHECK_MS,
        });
      } catch (err) {
        if (!wf.isCancellation(err)) throw err;
        // Cancelled while it could not trade: nothing was ever placed; complete with a summary.
        const reason = blocked?.reason;
        blocked = null;
        deps.stop(reason ? `cancelled while blocked (${reason})` : 'cancelled');
        deps.syncVisibility();
        return { kind: 'stopped' };
      }
    },
  };
}

/** Marks histories recorded before inbound messages were checked: those replay as they ran. */
export const INBOUND_CHECKS_PATCH = 'inbound-checks-v1';

export function acceptStartInput(raw: unknown): BotWorkflowInput {
  const checked = checkStartInput(raw);
  if (checked.ok) return checked.input;
  const name = (raw as { definition?: { name?: unknown } } | null)?.definition?.name;
  const message = `bot ${typeof name === 'string' ? JSON.stringify(name.slice(0, 48)) : wf.workflowInfo().workflowId} refused: invalid start input:\n${checked.problems.join('\n')}`;
  wf.log.error(message);
  wf.upsertSearchAttributes([{ key: BotStatusKey, value: 'REFUSED' }]);
  throw wf.ApplicationFailure.create({
    message,
    type: 'InvalidBotInput',
    nonRetryable: true,
    details: [{ problems: checked.problems }],
  });
}
