/**
 * Creating a bot's state, and the client order ids of bots created before exact ids. A created
 * state has met its strategy's `init` only: `start` comes as the first event.
 */
import { initialRiskState } from '../risk/guard';
import type { AnyStrategy, Json } from '../strategy';
import {
  type BotSetup,
  type BotState,
  DEFAULT_RECONCILE_TIMING,
  MAX_NOTIFICATIONS_KEPT,
  type ReconcileTiming,
  ZERO_POSITION,
} from './state';
import { contextOf } from './view';

/**
 * The client-id prefix of bots created before exact ids (core/client-ids.ts): up to 12 characters
 * of the name and the creation second. Twins started in the same second shared it; kept only so
 * those bots and their recorded histories carry on unchanged.
 */
export function makeClientIdTag(name: string, createdAtMs: number): string {
  const slug = name.replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'bot';
  return `${slug}_${Math.floor(createdAtMs / 1000).toString(36)}`;
}

export function clientOrderIdFor(tag: string, seq: number): string {
  return `${tag}-${seq.toString(36)}`;
}

/** Exact ids: the bot's lineage tag and the branch token of its first run (core/client-ids.ts). */
export interface ClientIdSeed {
  readonly tag: string;
  readonly branch: string;
}

export function createBotState(
  setup: BotSetup,
  strategy: AnyStrategy,
  now: number,
  timing: ReconcileTiming = DEFAULT_RECONCILE_TIMING,
  ids?: ClientIdSeed,
): BotState {
  const base: BotState = {
    schema: 1,
    setup,
    status: 'RUNNING',
    clientIdTag: ids?.tag ?? makeClientIdTag(setup.name, now),
    ...(ids ? { idBranch: ids.branch, idBranches: [] } : {}),
    nextOrderSeq: 1,
    orders: {},
    position: ZERO_POSITION,
    strategy: null,
    risk: initialRiskState(),
    timers: {},
    watches: {},
    pendingRequests: {},
    filters: null,
    balances: null,
    lastPrice: null,
    lastCandleOpenTime: null,
    gap: null,
    lastEventTime: null,
    lastStreamEventTime: null,
    nextReconcileAt: null,
    reconcileInFlight: false,
    openTrade: null,
    trades: [],
    stats: { ordersPlaced: 0, ordersRejected: 0, fills: 0, roundTrips: 0, wins: 0 },
    notifications: [],
    orphanOrders: [],
    stopReason: null,
    eventsProcessed: 0,
    timing,
  };
  const strategyState = strategy.init(contextOf(base, now)) as Json;
  return { ...base, strategy: strategyState };
}

/** Record a runtime error (e.g. a strategy that threw) without changing anything else. */
export function recordError(state: BotState, now: number, message: string): BotState {
  return {
    ...state,
    notifications: [...state.notifications, { time: now, level: 'error' as const, message }].slice(
      -MAX_NOTIFICATIONS_KEPT,
    ),
  };
}
