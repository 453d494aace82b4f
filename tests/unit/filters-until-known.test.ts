/**
 * A bot that started without its symbol's filters (the exchange unreachable, or the worker's weight
 * budget spent, when it started or after a reset) asks for them with each reconciliation until it
 * has them (`filterRules: 1`), and a protective stop the exchange refused for want of them (its
 * price off the tick: -1111) goes again, on the tick, as soon as they come. Before this a futures
 * position could stay without a stop for the rest of the run (the torture's futures bot did).
 */
import { describe, expect, it } from 'vitest';
import { resolveFuturesSetup } from '../../core/futures/setup';
import { type BotEvent, type BotState, type Command, createBotState } from '../../core/kernel';
import type { OrderSnapshot } from '../../core/orders';
import { findStrategy } from '../../core/strategies';
import { KERNEL_FILTERS, KernelBot, T0, TAG, candle, fill, kernelSetup } from '../support/kernel-fixtures';

const dca = findStrategy('dca-take-profit')!;
const params = { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 };
const FUTURES_FILTERS = { ...KERNEL_FILTERS, tickSize: '0.1' };

function botWithoutFilters(over: Partial<BotState> = {}): RecordingBot {
  const futures = resolveFuturesSetup({ leverage: 10, marginType: 'ISOLATED' }, {});
  const setup = { ...kernelSetup('dca-take-profit', params), market: 'futures' as const, futures };
  const state: BotState = {
    ...createBotState(setup, dca, T0, undefined, { tag: TAG, branch: 'CCCCC' }),
    resetRules: 2,
    futuresRules: 1,
    filterRules: 1,
    ...over,
  };
  const bot = new RecordingBot(state, dca);
  bot.send({ type: 'start', now: T0, filters: null, fresh: true });
  return bot;
}

/** Remembers the last reconcile asked, whichever step asked it. */
class RecordingBot extends KernelBot {
  asked: Reconcile | undefined;
  override send(event: Parameters<KernelBot['send']>[0]): Command[] {
    const commands = super.send(event);
    this.asked = reconcileOf(commands) ?? this.asked;
    return commands;
  }
}
type Reconcile = Extract<Command, { type: 'reconcile' }>;
const reconcileOf = (commands: readonly Command[]) => commands.find((c): c is Reconcile => c.type === 'reconcile');
const quiet = { orphans: [], missing: [] } as const;
/** A reconciliation's answer: quiet, with these balances and whatever else (filters, position). */
const reconciled = (now: number, quote: string, more: Partial<Extract<BotEvent, { type: 'reconciled' }>> = {}) =>
  ({ type: 'reconciled', now, balances: { base: '0', quote }, ...quiet, ...more }) as const;

/** The reconcile the kernel has in flight now (asked at `now` if none is), as the runtime would run it. */
function inFlight(bot: RecordingBot, now: number): Reconcile {
  if (!bot.state.reconcileInFlight) bot.send({ type: 'wake', now: Math.max(now, bot.state.nextReconcileAt ?? now) });
  const asked = reconcileOf(bot.last) ?? bot.asked;
  expect(asked, 'a reconcile in flight').toBeDefined();
  return asked!;
}

describe('filters unknown at the start', () => {
  it('each reconciliation asks for them until one brings them; then no more', () => {
    const bot = botWithoutFilters();
    expect(inFlight(bot, T0)).toMatchObject({ filters: true });
    bot.send({ type: 'reconcileFailed', now: T0 + 1_000, message: 'WEIGHT_BUDGET' });
    expect(inFlight(bot, T0 + 2_000)).toMatchObject({ filters: true });
    bot.send(reconciled(T0 + 61_000, '10000'));
    expect(bot.state.filters).toBeNull(); // the exchange did not give them this time: asked again
    expect(inFlight(bot, T0 + 62_000)).toMatchObject({ filters: true });
    bot.send(reconciled(T0 + 201_000, '10000', { filters: FUTURES_FILTERS }));
    expect(bot.state.filters).toEqual(FUTURES_FILTERS);
    expect(bot.state.notifications.map((n) => n.message).join('\n')).toMatch(/filters of BTCUSDT known now/);
    expect(inFlight(bot, T0 + 202_000)).not.toHaveProperty('filters');
  });

  it('a history recorded before the rule (no filterRules) never asks', () => {
    const bot = botWithoutFilters({ filterRules: undefined });
    expect(inFlight(bot, T0)).not.toHaveProperty('filters');
  });

  it('a protective stop refused off the tick goes again on the tick as soon as the filters come', () => {
    const bot = botWithoutFilters();
    inFlight(bot, T0);
    bot.send(reconciled(T0 + 1_000, '10000'));
    bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0, '30000.37') });
    const [entry] = bot.placements();
    expect(entry?.request).toMatchObject({ side: 'BUY', type: 'MARKET' });
    const filled: OrderSnapshot = {
      clientOrderId: entry!.clientOrderId,
      symbol: 'BTCUSDT',
      status: 'FILLED',
      executedQty: '0.01',
      cumulativeQuoteQty: '300.0037',
      updateTime: T0 + 61_000,
      fills: [fill(1, '0.01', '30000.37', T0 + 61_000)],
    };
    bot.send({ type: 'orderPlaced', now: T0 + 61_000, snapshot: filled });
    const stop = bot.placements().find((p) => p.request.type === 'STOP_MARKET');
    // Without the tick size the stop is 5 % below 30000.37, unrounded.
    expect(stop?.request.stopPrice).toBe('28500.3515');
    bot.send({
      type: 'orderRejected',
      now: T0 + 62_000,
      clientOrderId: stop!.clientOrderId,
      code: '-1111',
      message: 'Precision is over the maximum defined for this asset.',
    });
    // Within the 30 s retry pause, the reconciliation that brings the filters places it again, on the tick.
    expect(inFlight(bot, T0 + 63_000)).toMatchObject({ filters: true });
    bot.send(
      reconciled(T0 + 71_000, '9700', {
        position: { positionAmt: '0.010', entryPrice: '30000.37' },
        filters: FUTURES_FILTERS,
      }),
    );
    const again = bot.placements().find((p) => p.request.type === 'STOP_MARKET');
    expect(again?.request).toMatchObject({ side: 'SELL', stopPrice: '28500.3', closePosition: true });
  });
});
