/**
 * The API's answers about bots, built from what the bot workflows answer (the `state` and `ledger`
 * queries) and from the exchange's public klines. Pure: nothing here is kept between requests.
 */
import {
  type DecisionView,
  type FillView,
  type PnlPoint,
  decisionsOf,
  fillsOf,
  lastDecision,
  pnlCurve,
} from '../core/digest';
import type { Dec } from '../core/decimal';
import { unrealizedPnl } from '../core/kernel';
import type { Candle } from '../core/market';
import type { OrderRecord } from '../core/orders';
import type { BotListing } from '../client/bots';
import type { BotLedger } from '../workflows/control';
import type { BotStateView } from '../workflows/messages';

/** One line of GET /api/v1/bots. */
export interface BotRow {
  readonly name: string;
  readonly workflowId: string;
  /** Temporal's view: RUNNING, COMPLETED, TERMINATED, ... */
  readonly workflowStatus: string;
  /** The bot's own (RUNNING, PAUSED, STOPPING, STOPPED); Temporal's when the bot has no state to show. */
  readonly status: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly interval: string | null;
  readonly account: string | null;
  readonly position: { readonly qty: Dec; readonly avgEntryPrice: Dec } | null;
  readonly realizedPnl: Dec | null;
  readonly unrealizedPnl: Dec | null;
  readonly lastPrice: Dec | null;
  readonly openOrders: number | null;
  readonly lastEventTime: number | null;
  readonly lastDecision: DecisionView | null;
  readonly stopReason: string | null;
  readonly startTime: string;
  /** Set when the bot did not answer its query (no worker, timeout). */
  readonly error?: string;
}

export function unrealizedOf(view: Pick<BotStateView, 'position' | 'lastPrice'>): Dec | null {
  return view.lastPrice ? unrealizedPnl(view.position, view.lastPrice) : null;
}

export function botRow(listing: BotListing, view: BotStateView | null, error?: string): BotRow {
  return {
    name: listing.name,
    workflowId: listing.workflowId,
    workflowStatus: listing.status,
    status: view?.status ?? (listing.botStatus || listing.status),
    strategy: view?.strategy ?? listing.strategy,
    symbol: view?.symbol ?? listing.symbol,
    interval: view?.interval ?? null,
    account: view?.account ?? null,
    position: view ? { qty: view.position.qty, avgEntryPrice: view.position.avgEntryPrice } : null,
    realizedPnl: view?.realizedPnl ?? null,
    unrealizedPnl: view ? unrealizedOf(view) : null,
    lastPrice: view?.lastPrice ?? null,
    openOrders: view ? view.openOrders.length : null,
    lastEventTime: view?.lastEventTime ?? null,
    lastDecision: view ? lastDecision(view.strategyState, view.openOrders) : null,
    stopReason: view?.stopReason ?? null,
    startTime: listing.startTime.toISOString(),
    ...(error ? { error } : {}),
  };
}

/** GET /api/v1/bots/:name: the `state` query's view plus the figures people look for first. */
export function botDetail(view: BotStateView, ledger: BotLedger | null) {
  const orders = ledger?.orders ?? view.openOrders;
  return {
    ...view,
    unrealizedPnl: unrealizedOf(view),
    lastDecision: lastDecision(view.strategyState, orders),
    lastCandleOpenTime: ledger?.lastCandleOpenTime ?? null,
    lastStreamEventTime: ledger?.lastStreamEventTime ?? null,
  };
}

export interface TradesView {
  readonly name: string;
  readonly symbol: string;
  readonly realizedPnl: Dec;
  readonly unrealizedPnl: Dec | null;
  /** Newest first: open orders and the last final ones the bot keeps (its last 50). */
  readonly orders: readonly OrderRecord[];
  readonly fills: readonly FillView[];
  readonly roundTrips: BotLedger['trades'];
  readonly decisions: readonly DecisionView[];
  readonly pnl: readonly PnlPoint[];
}

export function tradesView(view: BotStateView, ledger: BotLedger, now: number): TradesView {
  return {
    name: view.name,
    symbol: view.symbol,
    realizedPnl: view.realizedPnl,
    unrealizedPnl: unrealizedOf(view),
    orders: [...ledger.orders].sort((a, b) => b.createdAt - a.createdAt),
    fills: fillsOf(ledger.orders),
    roundTrips: ledger.trades,
    decisions: decisionsOf(view.strategyState, ledger.orders),
    pnl: pnlCurve(ledger.trades, view.realizedPnl, view.position, view.lastPrice, now),
  };
}

/** A chart marker: one per fill (entries below the bar, exits above). */
export interface ChartMarker {
  readonly time: number;
  readonly side: 'BUY' | 'SELL';
  readonly purpose: 'entry' | 'exit';
  readonly price: Dec;
  readonly qty: Dec;
  readonly tag: string;
}

export function candlesView(
  symbol: string,
  interval: string,
  candles: readonly Candle[],
  fills: readonly FillView[],
  now: number,
) {
  const from = candles[0]?.openTime ?? 0;
  return {
    symbol,
    interval,
    candles: candles.map((c) => ({
      time: c.openTime,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
      closed: c.closeTime < now,
    })),
    markers: fills
      .filter((f) => f.symbol === symbol && f.time >= from)
      .map((f): ChartMarker => ({
        time: f.time,
        side: f.side,
        purpose: f.purpose,
        price: f.price,
        qty: f.qty,
        tag: f.tag,
      })),
  };
}
