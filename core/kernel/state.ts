/**
 * The kernel's state: everything a bot knows, as plain JSON (it is carried by continue-as-new and
 * shown by queries), with the setup it was created from and the limits that keep it small.
 */
import type { Dec } from '../decimal';
import type { Candle, CandleInterval, SymbolFilters } from '../market';
import type { OrderRecord } from '../orders';
import type { IdBranchRange } from '../adoption';
import type { RiskConfig } from '../risk/guard';
import type { DataRequest, Json, PlaceIntent, PositionView } from '../strategy';
import type { FuturesSetup } from '../futures/setup';
import type { Verification } from '../order-authority';

export const BOT_STATUSES = ['RUNNING', 'PAUSED', 'STOPPING', 'STOPPED'] as const;
export type BotStatus = (typeof BOT_STATUSES)[number];

export const STOP_POLICIES = ['cancel-orders', 'leave-orders', 'close-position'] as const;
export type StopPolicy = (typeof STOP_POLICIES)[number];

/** What the kernel needs to know about a bot; a subset of the validated bot definition. */
export interface BotSetup {
  readonly name: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly account: string;
  readonly params: Json;
  readonly onStop: StopPolicy;
  readonly risk: RiskConfig;
  /** Absent on spot bots. Futures: signed position, reduce-only exits, a protective stop (core/futures/). */
  readonly market?: 'futures';
  readonly futures?: FuturesSetup;
}

/** Timing knobs of reconciliation; tests shorten them. */
export interface ReconcileTiming {
  /** Poll non-final orders this often while the streams look healthy. */
  readonly openOrdersEveryMs: number;
  /** Poll this often when no stream event arrived for `staleAfterMs` while orders are open. */
  readonly staleEveryMs: number;
  readonly staleAfterMs: number;
  /** Poll balances and look for orphan orders this often when the bot has no open order. */
  readonly idleEveryMs: number;
  /** Look up orders with unverified stream reports this soon (core/order-authority.ts). */
  readonly verifyAfterMs?: number;
}

/**
 * Streams carry the news; polling is the safety net, paced to keep histories small (a poll costs
 * about ten history events): every 15 min with open orders, hourly without.
 */
export const DEFAULT_RECONCILE_TIMING: ReconcileTiming = {
  openOrdersEveryMs: 15 * 60_000,
  staleEveryMs: 15_000,
  staleAfterMs: 3 * 60_000,
  idleEveryMs: 60 * 60_000,
};

export interface PositionState extends PositionView {
  /** Quote spent on the current holding, fees included (avgEntryPrice = cost / qty). */
  readonly cost: Dec;
  /** Fees paid per asset. */
  readonly fees: Readonly<Record<string, Dec>>;
}

/** A completed round trip: from flat to flat. */
export interface RoundTrip {
  readonly openedAt: number;
  readonly closedAt: number;
  readonly entryQty: Dec;
  readonly avgEntryPrice: Dec;
  readonly avgExitPrice: Dec;
  readonly pnl: Dec;
}

export interface Notification {
  readonly time: number;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
}

export interface BotState {
  readonly schema: 1;
  readonly setup: BotSetup;
  readonly status: BotStatus;
  /** Prefix of every client order id of this bot: its lineage tag (core/client-ids.ts), exact ownership. */
  readonly clientIdTag: string;
  /**
   * Branch token of the ids minted now (core/client-ids.ts); a Temporal reset gives a new one.
   * Absent in states of bots created before exact ids: they mint `<tag>-<seq>` until a reset.
   */
  readonly idBranch?: string;
  /** Sequence ranges this history minted per branch: tells its own ids from a discarded branch's. */
  readonly idBranches?: readonly IdBranchRange[];
  /** When the history was last reset (Temporal reset); events from before it are not fresh decisions. */
  readonly resetAt?: number | null;
  /** The next reconciliation also scans the exchange for orders of the bot's lineage it does not know (core/lineage-scan.ts). */
  readonly scanPending?: boolean;
  readonly scanSince?: number;
  readonly scanInFlight?: boolean;
  readonly rescanAt?: number;
  /** Open orders left on the exchange by earlier incarnations of this bot's name (terminated): reported, not managed. */
  readonly inherited?: readonly string[];
  /** Next client order id sequence number; carried across continue-as-new so ids never repeat. */
  readonly nextOrderSeq: number;
  /** Non-final orders plus the most recent final ones (bounded). Keyed by client order id. */
  readonly orders: Readonly<Record<string, OrderRecord>>;
  /**
   * Ids of the non-final orders, in the order they opened: the bot's open orders without a scan
   * of every order kept. Written by the kernel with each order change (core/kernel/orders.ts);
   * absent in states from before it (and until a bot's first order), then derived from `orders`.
   */
  readonly openOrderIds?: readonly string[];
  readonly position: PositionState;
  readonly strategy: Json;
  /** The risk guard's own bookkeeping (peak equity, ...), see core/risk/guard.ts. */
  readonly risk: Json;
  readonly timers: Readonly<Record<string, number>>;
  readonly watches: Readonly<Record<string, { readonly direction: 'above' | 'below'; readonly price: Dec }>>;
  readonly pendingRequests: Readonly<Record<string, DataRequest>>;
  readonly filters: SymbolFilters | null;
  /** Filters and positions of the other symbols a multi-symbol strategy trades (absent in older states). */
  readonly otherFilters?: Readonly<Record<string, SymbolFilters>>;
  readonly otherPositions?: Readonly<Record<string, PositionState>>;
  readonly balances: { readonly base: Dec; readonly quote: Dec } | null;
  readonly lastPrice: Dec | null;
  readonly lastCandleOpenTime: number | null;
  /** Candles held back while a gap in the candle stream is being backfilled. */
  readonly gap: {
    readonly requestId: string;
    readonly held: readonly Candle[];
    readonly replayedThrough?: number;
  } | null;
  readonly lastEventTime: number | null;
  readonly lastStreamEventTime: number | null;
  readonly nextReconcileAt: number | null;
  readonly reconcileInFlight: boolean;
  /** A new bot's strategy `start` waits for the first reconciliation (balances known). */
  readonly startPending?: boolean;
  /** Futures: a fill came while a reconcile was in flight; its balances predate the fill (core/futures/free-margin.ts). */
  readonly marginRefreshDue?: boolean;
  /** `nextOrderSeq` when final orders were last pruned. */
  readonly prunedAtSeq?: number;
  readonly openTrade: {
    readonly openedAt: number;
    readonly realizedAtOpen: Dec;
    readonly entryQty: Dec;
    readonly entryCost: Dec;
  } | null;
  readonly trades: readonly RoundTrip[];
  readonly stats: {
    readonly ordersPlaced: number;
    readonly ordersRejected: number;
    readonly fills: number;
    readonly roundTrips: number;
    readonly wins: number;
    /** Orders of a discarded branch adopted; ids another owner's order already used; strategy calls that threw. */
    readonly adopted?: number;
    readonly collisions?: number;
    readonly strategyErrors?: number;
    /** Futures: times the exchange's position was taken over the bot's (core/kernel/position-check.ts). */
    readonly positionCorrections?: number;
  };
  readonly notifications: readonly Notification[];
  readonly orphanOrders: readonly string[];
  readonly stopReason: string | null;
  readonly eventsProcessed: number;
  readonly timing: ReconcileTiming;
  /** Present when stream reports are verified with the exchange (core/order-authority.ts). */
  readonly verification?: Verification;
  /**
   * Rules keeping one exit per lot after a reset, set under a patch (workflows/run-context.ts): 2 =
   * exits held until the scan (core/reset-exit-hold.ts), copies cancelled on any excess (core/adoption.ts).
   */
  readonly resetRules?: 2;
  readonly exitsAwaitScan?: true;
  readonly heldExits?: readonly PlaceIntent[];
  /**
   * Set under a patch (workflows/run-context.ts): 1 = held exits released after a reset's scan
   * bind to the discarded branch's twins by what all of them sell, not one at a time
   * (core/adopted-exits.ts).
   */
  readonly heldExitRules?: 1;
  /**
   * Futures rules of a reset, set under a patch (workflows/run-context.ts): 1 = the discarded
   * branch's orders adopted as futures orders, its stop as the position's (core/futures/adoption.ts),
   * one protective stop, and the signed position checked against positionRisk
   * (core/kernel/position-check.ts).
   */
  readonly futuresRules?: 1;
  /**
   * Set under a patch (workflows/run-context.ts): 1 = a bot that started without its symbol's
   * filters asks for them with each reconciliation until it has them, and retries a refused
   * protective stop as soon as they come (core/kernel/reconcile.ts, core/kernel/protect.ts).
   */
  readonly filterRules?: 1;
  /** A disagreement with positionRisk seen once, confirmed (and corrected) if the next quiet reconciliation sees it again. */
  readonly positionDisagreement?: { readonly exchange: Dec; readonly bot: Dec };
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const ZERO_POSITION: PositionState = { qty: '0', avgEntryPrice: '0', realizedPnl: '0', cost: '0', fees: {} };

/** Bounds on what the state keeps, so histories and continue-as-new payloads stay small. */
export const MAX_FINAL_ORDERS_KEPT = 50;
export const PRUNE_BATCH = 25;
export const MAX_TRADES_KEPT = 100;
export const MAX_NOTIFICATIONS_KEPT = 20;
