/**
 * Read-only views of a state: its open orders, what a strategy is shown (its context), and when
 * the runtime should wake the bot.
 */
import { type OrderRecord, isFinalStatus } from '../orders';
import type { PositionView, StrategyContext } from '../strategy';
import type { BotState } from './state';

/** The bot's non-final orders, in the order they opened (`openOrderIds`, else derived from `orders`). */
export function openOrders(state: BotState): OrderRecord[] {
  const ids = state.openOrderIds;
  if (!ids) return Object.values(state.orders).filter((o) => !isFinalStatus(o.status));
  return ids.map((id) => state.orders[id]!);
}

const NO_POSITIONS: Readonly<Record<string, PositionView>> = Object.freeze({});

/** What the strategy sees. `open`: the kernel's current open orders, when it has them at hand. */
export function contextOf(state: BotState, now: number, open?: OrderRecord[]): StrategyContext<unknown> {
  return {
    now,
    botName: state.setup.name,
    symbol: state.setup.symbol,
    interval: state.setup.interval,
    params: state.setup.params,
    paused: state.status === 'PAUSED',
    filters: state.filters,
    position: {
      qty: state.position.qty,
      avgEntryPrice: state.position.avgEntryPrice,
      realizedPnl: state.position.realizedPnl,
    },
    positions: state.otherPositions
      ? Object.fromEntries(
          Object.entries(state.otherPositions).map(([sym, p]) => [
            sym,
            { qty: p.qty, avgEntryPrice: p.avgEntryPrice, realizedPnl: p.realizedPnl },
          ]),
        )
      : NO_POSITIONS,
    openOrders: open ?? openOrders(state),
    balances: state.balances,
    lastPrice: state.lastPrice,
    ...(state.setup.market === 'futures' ? { market: 'futures' as const } : {}),
  };
}

/** The earliest time the runtime should wake the bot with a `wake` event, or null. */
export function nextWakeAt(state: BotState): number | null {
  let next: number | null = state.nextReconcileAt;
  for (const at of Object.values(state.timers)) next = next === null ? at : Math.min(next, at);
  return next;
}

/** Whether a `runNow` event would reach the strategy now (running or paused, strategy started). */
export function runNowAllowed(state: BotState): boolean {
  return (state.status === 'RUNNING' || state.status === 'PAUSED') && state.eventsProcessed > 0 && !state.startPending;
}
