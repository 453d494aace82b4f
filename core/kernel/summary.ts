/** A compact, JSON summary of a bot for the `state` query, the CLI and the final result. */
import type { Dec } from '../decimal';
import type { OrderRecord } from '../orders';
import type { PositionView } from '../strategy';
import type { BotState, BotStatus, Notification, RoundTrip } from './state';
import { openOrders } from './view';

/** A compact, JSON summary of a bot for the `state` query, the CLI and the final result. */
export interface BotSummary {
  readonly name: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly status: BotStatus;
  readonly position: PositionView;
  /** Positions in the other symbols of a multi-symbol strategy. */
  readonly positions: Readonly<Record<string, PositionView>>;
  readonly openOrders: readonly OrderRecord[];
  readonly realizedPnl: Dec;
  readonly fees: Readonly<Record<string, Dec>>;
  readonly stats: BotState['stats'];
  readonly trades: readonly RoundTrip[];
  readonly lastEventTime: number | null;
  readonly stopReason: string | null;
  readonly notifications: readonly Notification[];
  /** Open orders an earlier incarnation of the bot's name left on the exchange (not managed). */
  readonly inherited?: readonly string[];
}

export function summarize(state: BotState): BotSummary {
  return {
    name: state.setup.name,
    strategy: state.setup.strategy,
    symbol: state.setup.symbol,
    status: state.status,
    position: {
      qty: state.position.qty,
      avgEntryPrice: state.position.avgEntryPrice,
      realizedPnl: state.position.realizedPnl,
    },
    positions: Object.fromEntries(
      Object.entries(state.otherPositions ?? {}).map(([sym, p]) => [
        sym,
        { qty: p.qty, avgEntryPrice: p.avgEntryPrice, realizedPnl: p.realizedPnl },
      ]),
    ),
    openOrders: openOrders(state),
    realizedPnl: state.position.realizedPnl,
    fees: state.position.fees,
    stats: state.stats,
    trades: state.trades,
    lastEventTime: state.lastEventTime,
    stopReason: state.stopReason,
    notifications: state.notifications,
    ...(state.inherited && state.inherited.length > 0 ? { inherited: state.inherited } : {}),
  };
}
