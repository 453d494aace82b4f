/**
 * How a bot's run begins, before its loop: a first run of checked code asks the start gate
 * (./start-gate.ts) whether it can trade and waits BLOCKED until it can; a first run of a history
 * recorded before the gate fetches its symbols' filters itself; a continued run re-synchronises
 * with the exchange before acting on anything new. Then the kernel gets its `start` event.
 */
import type { BotDefinition } from '../core/bot-definition';
import { type BotState, DEFAULT_RECONCILE_TIMING, createBotState, recordError } from '../core/kernel';
import { resolveFuturesSetup } from '../core/futures/setup';
import type { SymbolFilters } from '../core/market';
import type { AnyStrategy } from '../core/strategy';
import type { BotRuntime } from './bot-runtime';
import { failureMessage } from './failures';
import type { RuntimeOptions } from './messages';
import type { ResetWatch } from './reset-detection';
import { cancelledBeforeContinueAsNew, clientIdSeed } from './run-context';

/** `continueAsNew`: still blocked when the run was due to roll over (the caller continues as new). */
export type StartOutcome = 'running' | 'stopped' | 'continueAsNew';

export async function startBot(bot: BotRuntime): Promise<StartOutcome> {
  const { carried, strict } = bot;
  if (carried || !strict) bot.syncVisibility();
  if (!carried && strict) {
    const ready = await bot.gate.startWhenTradable();
    if (ready.kind === 'stopped') return 'stopped';
    if (ready.kind === 'continueAsNew') {
      // A cancel that came with the roll-over ends the bot here (run-context.ts): a new run would never see it.
      if (cancelledBeforeContinueAsNew()) {
        bot.process({ type: 'stop', now: Date.now(), reason: 'cancelled while blocked' });
        return 'stopped';
      }
      return 'continueAsNew';
    }
    bot.routable = true;
    bot.syncVisibility();
    const checked = ready.result;
    const otherFilters = checked?.otherFilters ?? {};
    bot.process({
      type: 'start',
      now: Date.now(),
      filters: checked?.filters ?? null,
      fresh: true,
      ...(Object.keys(otherFilters).length > 0 ? { otherFilters } : {}),
    });
  } else if (!carried) {
    const filters = await filtersOf(bot, bot.state.setup.symbol);
    // A multi-symbol strategy declares the other symbols it trades; their filters come first.
    const symbol = bot.state.setup.symbol;
    const extra = (bot.strategy.extraSymbols?.(bot.state.setup.params) ?? []).filter((s) => s !== symbol);
    const otherFilters: Record<string, SymbolFilters> = {};
    for (const s of extra) {
      const f = await filtersOf(bot, s);
      if (f) otherFilters[s] = f;
    }
    bot.process({
      type: 'start',
      now: Date.now(),
      filters,
      fresh: true,
      ...(extra.length > 0 ? { otherFilters } : {}),
    });
  } else {
    // A new run re-synchronises with the exchange before acting on anything new.
    bot.process({ type: 'start', now: Date.now(), filters: bot.state.filters, fresh: false });
  }
  if (bot.resets.resetAtStart) bot.onReset();
  return 'running';
}

/** A symbol's exchange filters; without them (the exchange unreachable) its orders go unfiltered, and the bot says so. */
async function filtersOf(bot: BotRuntime, symbol: string): Promise<SymbolFilters | null> {
  try {
    return await bot.venue.getSymbolFilters({ account: bot.state.setup.account, symbol });
  } catch (err) {
    bot.state = recordError(
      bot.state,
      Date.now(),
      `exchange filters of ${symbol} unavailable, its orders go unfiltered: ${failureMessage(err)}`,
    );
    return null;
  }
}

/** A brand-new kernel state with these params (nothing was placed yet); its client ids from the run (./run-context.ts). */
export function freshBotState(
  bot: {
    readonly definition: BotDefinition;
    readonly strategy: AnyStrategy;
    readonly options: RuntimeOptions;
    readonly resets: ResetWatch;
  },
  params: BotDefinition['params'],
): BotState {
  const d = bot.definition;
  return createBotState(
    {
      name: d.name,
      strategy: d.strategy,
      symbol: d.symbol,
      interval: d.interval,
      account: d.account,
      params,
      onStop: d.onStop,
      risk: d.risk,
      ...(d.market === 'futures'
        ? { market: 'futures' as const, futures: resolveFuturesSetup(d.futures, params) }
        : {}),
    },
    bot.strategy,
    Date.now(),
    { ...DEFAULT_RECONCILE_TIMING, ...bot.options.reconcile },
    clientIdSeed(d.name, bot.resets),
  );
}
