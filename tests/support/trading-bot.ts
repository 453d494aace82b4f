/**
 * The bot most integration tests drive, and the waits around it: dca-take-profit with fast
 * reconciliation, started and waited for until the worker routes its order reports and the streams
 * it needs are open (a candle closed before the worker listens never reaches the bot), stopped
 * with the exchange's audit checked; flat candles dated ahead of the clock.
 */
import { expect } from 'vitest';
import type { Candle } from '../../core/market';
import type { BotStateView, RuntimeOptions } from '../../workflows/messages';
import { type Harness, eventually } from './harness';

/** A short attempt timeout and reconciliation every few seconds: unknown outcomes resolve within a test. */
export const FAST_RECONCILE: RuntimeOptions = {
  attemptTimeout: '8s',
  reconcile: { openOrdersEveryMs: 4_000, staleEveryMs: 2_000, staleAfterMs: 3_000, idleEveryMs: 30_000 },
};

type Definition = Parameters<Harness['startBot']>[0];

/**
 * dca-take-profit named `name` on `symbol`: by default it buys 0.01 at every candle, one lot at
 * most, with a take-profit 1 % above; `params` overrides any of these.
 */
export function dcaBot(name: string, params: Record<string, unknown> = {}, symbol = 'BTCUSDT'): Definition {
  return {
    name,
    strategy: 'dca-take-profit',
    symbol,
    params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1, ...params },
  };
}

/**
 * The bots have handled their first events, the worker routes their order reports (their tags are
 * in its directory), and the user stream and the `markets` candle streams are open.
 */
export async function untilRouted(
  h: Harness,
  names: readonly string[],
  markets: readonly string[] = ['btcusdt@kline_1m'],
): Promise<BotStateView[]> {
  const states = await Promise.all(names.map((n) => h.waitForState(n, (x) => x.eventsProcessed >= 2, 'started')));
  await eventually(async () => {
    for (const s of states)
      if (!h.workers[0]!.directory.cached().some((b) => b.tag === s.clientIdTag)) throw new Error('not routed yet');
    if (markets.some((m) => !h.exchange.listening.market(m)) || !h.exchange.listening.user('paper'))
      throw new Error('streams not open yet');
  });
  return states;
}

/** Start a bot with FAST_RECONCILE (and `options` over it) and wait until it is routed. */
export async function startRouted(
  h: Harness,
  definition: Definition,
  options: RuntimeOptions = {},
  markets?: readonly string[],
): Promise<{ name: string; tag: string; workflowId: string }> {
  const workflowId = await h.startBot(definition, { ...FAST_RECONCILE, ...options });
  const [s] = await untilRouted(h, [definition.name], markets);
  return { name: definition.name, tag: s!.clientIdTag, workflowId };
}

/** The first lot bought and its take-profit resting. */
export const protectedLot = (s: BotStateView): boolean =>
  s.openOrders.some((o) => o.tag === 'tp-1' && o.status === 'NEW');

/** Cancel the bot (as the Web UI's Cancel does) and wait for its final state. */
export async function stopBot(h: Harness, name: string): Promise<BotStateView> {
  await h.handle(name).cancel();
  return (await h.handle(name).result()) as BotStateView;
}

/** Stop the bot, then the exchange's audit: no client id executed twice, every balance change accounted for. */
export async function stopAndAudit(h: Harness, name: string): Promise<void> {
  await stopBot(h, name);
  expect(h.auditProblems()).toEqual([]);
}

/**
 * An hour past the next minute: candles signalled from here on are fresh to reconciliation, which
 * would fetch the "missing" ones from the exchange if they were dated in the past.
 */
export const anHourAhead = (): number => Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000;

/** The i-th one-minute BTCUSDT candle from `start`, flat at 30000. */
export const flatCandle = (start: number, i: number): Candle => ({
  symbol: 'BTCUSDT',
  interval: '1m',
  openTime: start + i * 60_000,
  closeTime: start + i * 60_000 + 59_999,
  open: '30000',
  high: '30000',
  low: '30000',
  close: '30000',
  volume: '1',
});
