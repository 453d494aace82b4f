/**
 * The bot kernel: a pure, deterministic state machine shared by the Temporal workflow and the
 * backtester. It owns everything a bot knows (orders, fills, position, timers, the strategy's
 * state), turns runtime events into strategy calls, and turns strategy intents into commands the
 * runtime executes (activities live, the simulated venue in backtests).
 *
 * Nothing here reads a clock, does I/O or imports Temporal: time arrives in every event.
 */
import { type Dec, abs, add, d, floorToStep, gt, isNegative, isPositive, isZero, lt, mul, roundToStep, str, sub } from './decimal';
import { type Candle, type CandleInterval, type SymbolFilters, intervalMs } from './market';
import {
  type Fill,
  type OcoRequest,
  type OrderRecord,
  type OrderRequest,
  type OrderSnapshot,
  type OrderStatus,
  awaitsProof,
  isFinalStatus,
  mergeSnapshot,
} from './orders';
import { type ForeignOrder, type IdBranchRange, isForeignLineageId, recordMint } from './adoption';
import { balancesAfterOrderChange } from './balances';
import { mintClientOrderId } from './client-ids';
import { MAX_FILL_POLLS, type ReconcileTarget, backfillRequest, fillsIncomplete, reconcileTargets } from './reconcile-plan';
import { type ProofOps, cancelAdoptedTwins, legsWithoutProof, onMissing, onReconciledOrders, onReset, onUnknown, resumeWork } from './proof';
import { requestScan, scanDueAt, scanEnded, takeScan } from './lineage-scan';
import { adoptedExitToBind, boundRecord } from './adopted-exits';
import { applyFilters } from './risk/filters';
import { type RiskConfig, type RiskView, checkEntry, initialRiskState, killSwitch, updateRiskState } from './risk/guard';
import type { AnyStrategy, DataRequest, Intent, Json, PlaceIntent, PlaceOcoIntent, PositionView, StrategyContext, StrategyEvent } from './strategy';
import { splitSymbol } from './symbols';
import type { FuturesSetup } from './futures/setup';
import { perpExitValue, perpPositionAfterFill } from './futures/position';
import { freeMarginAfterFill } from './futures/free-margin';
import { PROTECT_TAG, lastProtectRejection, protectionStep } from './futures/protection';
import { type Verification, onMissing as stopVerifying, ordersToVerify } from './order-authority';
import { holdExit, releaseHeldExits } from './reset-exit-hold';
import { checkpointOf, isUnverified, onAuthoritativeReport, onStreamReport, journalBeforeFill, tightenForVerification } from './order-authority-kernel';

export const BOT_STATUSES = ['RUNNING', 'PAUSED', 'STOPPING', 'STOPPED', 'FAILED'] as const;
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
  readonly gap: { readonly requestId: string; readonly held: readonly Candle[]; readonly replayedThrough?: number } | null;
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
  readonly openTrade: { readonly openedAt: number; readonly realizedAtOpen: Dec; readonly entryQty: Dec; readonly entryCost: Dec } | null;
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
}

/** Everything that can happen to a bot. Each event carries the time it is processed at. */
export type BotEvent =
  /** The bot (re)starts: `fresh` on its very first run; false after continue-as-new (no strategy call then). */
  | { readonly type: 'start'; readonly now: number; readonly filters: SymbolFilters | null; readonly fresh: boolean; readonly otherFilters?: Readonly<Record<string, SymbolFilters>> }
  /** `replayed`: delivered again by a Temporal reset (its branch already acted on it): indicators only, no entry. */
  | { readonly type: 'candle'; readonly now: number; readonly candle: Candle; readonly replayed?: boolean }
  | { readonly type: 'orderPlaced'; readonly now: number; readonly snapshot: OrderSnapshot }
  | { readonly type: 'orderListPlaced'; readonly now: number; readonly listClientOrderId: string; readonly snapshots: readonly OrderSnapshot[] }
  /** The exchange definitively refused this very request (or it was proven absent after the resend deadline). */
  | { readonly type: 'orderRejected'; readonly now: number; readonly clientOrderId: string; readonly code: string; readonly message: string }
  /** The placement ended without proof either way: the order may be live; reconciliation keeps looking. */
  | { readonly type: 'orderUnknown'; readonly now: number; readonly clientOrderId: string; readonly message: string }
  /** The id is taken by an order that is not this request (another owner's): not adopted, reported. */
  | { readonly type: 'orderCollision'; readonly now: number; readonly clientOrderId: string; readonly message: string }
  /** A cancel found no such order on the exchange (looked up too): reported, not retried forever. */
  | { readonly type: 'orderMissing'; readonly now: number; readonly clientOrderId: string; readonly message: string }
  | { readonly type: 'orderUpdate'; readonly now: number; readonly snapshot: OrderSnapshot; readonly source: 'stream' | 'reconcile' | 'cancel' }
  | { readonly type: 'cancelRejected'; readonly now: number; readonly clientOrderId: string; readonly message: string }
  | {
      readonly type: 'reconciled';
      readonly now: number;
      readonly balances: { base: Dec; quote: Dec } | null;
      readonly orphans: readonly string[];
      readonly missing: readonly string[];
      /** UNKNOWN orders not found after their resend deadline: proven never placed. */
      readonly absent?: readonly string[];
      /** Orders of the bot's lineage the exchange has and the request did not list. */
      readonly foreign?: readonly ForeignOrder[];
      /** Open orders of earlier incarnations of the bot's name. */
      readonly inherited?: readonly string[];
      /** More of the lineage's unknown orders remain than one reconciliation adopts. */
      readonly scanIncomplete?: boolean;
    }
  | { readonly type: 'reconcileFailed'; readonly now: number; readonly message: string }
  | { readonly type: 'wake'; readonly now: number }
  | { readonly type: 'pause'; readonly now: number }
  | { readonly type: 'resume'; readonly now: number }
  | { readonly type: 'params'; readonly now: number; readonly params: Json }
  | { readonly type: 'trigger'; readonly now: number; readonly id: string; readonly price: Dec; readonly time: number; readonly replayed?: boolean }
  | { readonly type: 'book'; readonly now: number; readonly book: import('./market').BookSnapshot }
  | { readonly type: 'data'; readonly now: number; readonly requestId: string; readonly result: Json }
  | { readonly type: 'dataFailed'; readonly now: number; readonly requestId: string; readonly message: string }
  | { readonly type: 'streamReconnected'; readonly now: number }
  /** A user asked for the strategy's scheduled work now (`Strategy.runNowTimer`, e.g. seed 002's daily check). */
  | { readonly type: 'runNow'; readonly now: number }
  | { readonly type: 'stop'; readonly now: number; readonly reason: string }
  /**
   * The history was reset (Temporal reset): ids take `branch`; the exchange is scanned for the
   * discarded branch's orders, placed since `since` (when the run now continuing began).
   */
  | { readonly type: 'reset'; readonly now: number; readonly branch: string; readonly since?: number };

/** What the kernel asks the runtime to do. */
export type Command =
  /** `resume`: an earlier run may have sent it already (carried across continue-as-new): look it up first. */
  | { readonly type: 'placeOrder'; readonly clientOrderId: string; readonly request: OrderRequest; readonly resume?: boolean }
  | { readonly type: 'placeOco'; readonly listClientOrderId: string; readonly aboveClientOrderId: string; readonly belowClientOrderId: string; readonly request: OcoRequest; readonly resume?: boolean }
  | { readonly type: 'cancelOrder'; readonly clientOrderId: string; readonly symbol: string }
  | { readonly type: 'reconcile'; readonly clientOrderIds: readonly string[]; readonly orders: readonly ReconcileTarget[]; readonly scan?: boolean; readonly scanSince?: number }
  | { readonly type: 'fetch'; readonly requestId: string; readonly request: DataRequest }
  | { readonly type: 'notify'; readonly level: Notification['level']; readonly message: string };

export interface StepResult {
  readonly state: BotState;
  readonly commands: readonly Command[];
}

const MAX_FINAL_ORDERS_KEPT = 50;
const PRUNE_BATCH = 25;
const MAX_TRADES_KEPT = 100;
const MAX_NOTIFICATIONS_KEPT = 20;
/** Internal events cascade (e.g. a refused entry is reported back to the strategy); cap to catch loops. */
const MAX_CASCADE = 1_000;

const ZERO_POSITION: PositionState = { qty: '0', avgEntryPrice: '0', realizedPnl: '0', cost: '0', fees: {} };

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

export function createBotState(setup: BotSetup, strategy: AnyStrategy, now: number, timing: ReconcileTiming = DEFAULT_RECONCILE_TIMING, ids?: ClientIdSeed): BotState {
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

/** Open orders per orders object: asked several times per event, and on every candle (backtests). */
const openOrdersMemo = new WeakMap<object, OrderRecord[]>();

/** The bot's non-final orders. The array is shared: read it, never change it. */
export function openOrders(state: BotState): OrderRecord[] {
  let open = openOrdersMemo.get(state.orders);
  if (!open) {
    open = Object.values(state.orders).filter((o) => !isFinalStatus(o.status));
    openOrdersMemo.set(state.orders, open);
  }
  return open;
}

const NO_POSITIONS: Readonly<Record<string, PositionView>> = Object.freeze({});

export function contextOf(state: BotState, now: number): StrategyContext<any> {
  return {
    now,
    botName: state.setup.name,
    symbol: state.setup.symbol,
    interval: state.setup.interval,
    params: state.setup.params,
    paused: state.status === 'PAUSED',
    filters: state.filters,
    position: { qty: state.position.qty, avgEntryPrice: state.position.avgEntryPrice, realizedPnl: state.position.realizedPnl },
    positions: state.otherPositions ? Object.fromEntries(Object.entries(state.otherPositions).map(([sym, p]) => [sym, { qty: p.qty, avgEntryPrice: p.avgEntryPrice, realizedPnl: p.realizedPnl }])) : NO_POSITIONS,
    openOrders: openOrders(state),
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

/** True once a stopping bot has nothing in flight: no submission, no pending cancel, no close order. */
export function isSettled(state: BotState): boolean {
  return state.status === 'STOPPED' || state.status === 'FAILED';
}

/** Process one event. Pure: the same state and event always give the same result. */
export function step(state: BotState, event: BotEvent, strategy: AnyStrategy): StepResult {
  const k = new Kernel(state, strategy, event.now, false);
  k.handle(event);
  return k.finish();
}

/**
 * The same transition as `step`, written into `state` itself instead of a copy: for the
 * backtester, which keeps no earlier state and replays millions of candles. The workflow always
 * uses `step` (its states are snapshots kept by queries and continue-as-new).
 */
export function stepInPlace(state: BotState, event: BotEvent, strategy: AnyStrategy): StepResult {
  const k = new Kernel(state, strategy, event.now, true);
  k.handle(event);
  return k.finish();
}

/**
 * The mutable working copy used while one event is processed. It never escapes `step`, so the
 * kernel stays pure from the outside while the code inside reads naturally.
 */
class Kernel {
  private s: Mutable<BotState>;
  private readonly commands: Command[] = [];
  private readonly strategyQueue: Array<{ readonly event: StrategyEvent; readonly replayed: boolean }> = [];
  private ordersOwned = false;
  /** The strategy is reacting to an event a Temporal reset delivered again: no entries from it. */
  private replayedDecision = false;
  /** A reconcile was asked in this step: it reads the account after everything this step applied. */
  private reconcileAskedNow = false;

  constructor(
    state: BotState,
    private readonly strategy: AnyStrategy,
    private readonly now: number,
    inPlace: boolean,
  ) {
    this.s = inPlace ? (state as Mutable<BotState>) : { ...state };
    this.ordersOwned = inPlace;
  }

  handle(event: BotEvent): void {
    this.s.eventsProcessed = this.s.eventsProcessed + 1;
    const previousEventTime = this.s.lastEventTime;
    this.s.lastEventTime = event.now;
    switch (event.type) {
      case 'start':
        if (event.filters) this.s.filters = event.filters;
        if (event.otherFilters) this.s.otherFilters = { ...this.s.otherFilters, ...event.otherFilters };
        this.s.reconcileInFlight = false;
        // Every run starts by looking at the exchange, its lineage included: a reset of an earlier
        // run (Temporal's LastContinuedAsNew) arrives as an ordinary new run.
        if (this.s.idBranch !== undefined) requestScan(this.s, previousEventTime ?? event.now);
        this.requestReconcile();
        if (!event.fresh) resumeWork(this.ops);
        // A new bot meets its strategy once the first reconciliation told it the balances, so
        // sizing by free balance works from the first decision.
        if (event.fresh) this.s.startPending = true;
        break;
      case 'candle':
        this.s.lastStreamEventTime = event.now;
        this.onCandle(event.candle, event.replayed === true);
        break;
      case 'orderPlaced':
        this.onPlaced(event.snapshot);
        break;
      case 'orderListPlaced':
        for (const snapshot of event.snapshots) this.onPlaced(snapshot);
        legsWithoutProof(this.ops, event.listClientOrderId, event.snapshots);
        break;
      case 'orderRejected':
        this.onRejected(event.clientOrderId, `${event.code}: ${event.message}`);
        break;
      case 'orderUnknown':
        onUnknown(this.ops, event.clientOrderId, event.message);
        break;
      case 'orderCollision': {
        const o = this.s.orders[event.clientOrderId];
        if (!o || !awaitsProof(o.status)) break;
        this.s.stats = { ...this.s.stats, collisions: (this.s.stats.collisions ?? 0) + 1 };
        this.notify('error', `client id ${event.clientOrderId} is used by an order that is not this bot's: ${event.message}`);
        this.onRejected(event.clientOrderId, `id collision: ${event.message}`);
        const rejected = this.s.orders[event.clientOrderId];
        if (rejected) this.setOrder({ ...rejected, collision: true });
        break;
      }
      case 'orderMissing':
        onMissing(this.ops, event.clientOrderId, event.message);
        break;
      case 'orderUpdate':
        if (event.source === 'stream') this.s.lastStreamEventTime = event.now;
        this.onSnapshot(event.snapshot, event.source);
        break;
      case 'cancelRejected':
        this.notify('warn', `cancel of ${event.clientOrderId} refused: ${event.message}`);
        this.patchOrder(event.clientOrderId, { cancelRequested: false });
        break;
      case 'reconciled':
        this.s.reconcileInFlight = false;
        this.checkCandleFreshness();
        if (event.balances && !this.s.marginRefreshDue) this.s.balances = event.balances;
        if (event.orphans.length > 0 && event.orphans.join(',') !== this.s.orphanOrders.join(',')) {
          this.notify('warn', `orders on ${this.s.setup.symbol} owned by no bot (not adopted): ${event.orphans.join(', ')}`);
        }
        this.s.orphanOrders = [...event.orphans];
        onReconciledOrders(this.ops, event);
        for (const intent of releaseHeldExits(this.s)) this.place(intent);
        if (this.s.verification) this.s.verification = stopVerifying(this.s.verification, event.missing);
        this.scheduleReconcile();
        if (this.s.marginRefreshDue) {
          delete this.s.marginRefreshDue;
          this.requestReconcile();
        }
        this.releaseStart();
        break;
      case 'reconcileFailed':
        this.s.reconcileInFlight = false;
        scanEnded(this.s, 'failed');
        this.notify('warn', `reconciliation failed: ${event.message}`);
        this.scheduleReconcile();
        this.releaseStart();
        break;
      case 'wake':
        this.fireDueTimers();
        if (this.s.nextReconcileAt !== null && this.s.nextReconcileAt <= this.now) this.requestReconcile();
        break;
      case 'pause':
        if (this.s.status === 'RUNNING') this.s.status = 'PAUSED';
        break;
      case 'resume':
        if (this.s.status === 'PAUSED') this.s.status = 'RUNNING';
        break;
      case 'params': {
        const previous = this.s.setup.params;
        this.s.setup = { ...this.s.setup, params: event.params };
        this.toStrategy({ type: 'params', previous });
        break;
      }
      case 'trigger':
        if (this.s.watches[event.id]) {
          this.s.watches = without(this.s.watches, event.id);
          this.s.lastPrice = event.price;
          this.toStrategy({ type: 'trigger', id: event.id, price: event.price, time: event.time }, event.replayed === true);
        }
        break;
      case 'book':
        this.toStrategy({ type: 'book', book: event.book });
        break;
      case 'data':
        this.onData(event.requestId, event.result);
        break;
      case 'dataFailed':
        this.onDataFailed(event.requestId, event.message);
        break;
      case 'streamReconnected':
        this.requestReconcile();
        break;
      case 'runNow':
        this.runNow();
        break;
      case 'stop':
        this.beginStop(event.reason);
        break;
      case 'reset':
        onReset(this.ops, event.branch, event.since ?? previousEventTime ?? event.now);
        break;
      default: {
        const unknown: never = event;
        throw new Error(`unknown bot event ${JSON.stringify(unknown)}`);
      }
    }
    this.drainStrategyQueue();
    this.protect();
    if (this.s.resetAt != null) cancelAdoptedTwins(this.ops);
    this.advanceStop();
    this.tightenReconcile();
  }

  /** Futures: keep the position's protective stop on the exchange (core/futures/protection.ts). */
  private protect(): void {
    const { market, futures, symbol } = this.s.setup;
    if (market !== 'futures' || !futures || this.s.status === 'STOPPED' || this.s.status === 'FAILED') return;
    const p = this.s.position;
    const step = protectionStep({ symbol, qty: this.isFlat(p.qty) ? '0' : p.qty, avgEntryPrice: p.avgEntryPrice, tickSize: this.s.filters?.tickSize ?? null, orders: openOrders(this.s as BotState), futures, lastRejectedAt: lastProtectRejection(this.s.orders), now: this.now });
    if (step?.kind === 'cancel') this.cancel(step.order);
    if (step?.kind !== 'place') return;
    const clientOrderId = this.mintId();
    this.setOrder(this.newOrder(clientOrderId, step.intent, step.request));
    this.commands.push({ type: 'placeOrder', clientOrderId, request: step.request });
  }

  /** An order just became open while the next poll is an idle one: poll at the open-orders pace. */
  private tightenReconcile(): void {
    const next = this.s.nextReconcileAt;
    if (next === null || this.s.reconcileInFlight) return;
    const due = this.now + this.s.timing.openOrdersEveryMs;
    if (next > due && openOrders(this.s as BotState).some((o) => o.status !== 'SUBMITTING')) this.s.nextReconcileAt = due;
    tightenForVerification(this.s, this.now);
  }

  finish(): StepResult {
    return { state: this.s as BotState, commands: this.commands };
  }

  // ---- candles -------------------------------------------------------------------------------

  private onCandle(candle: Candle, replayed: boolean): void {
    if (candle.symbol !== this.s.setup.symbol || candle.interval !== this.s.setup.interval) return;
    const last = this.s.lastCandleOpenTime;
    if (last !== null && candle.openTime <= last) return; // duplicate or late: already processed
    if (this.s.gap) {
      // A backfill is in flight: keep order by holding newer candles until it answers.
      if (!this.s.gap.held.some((c) => c.openTime === candle.openTime)) {
        const replayedThrough = replayed ? Math.max(this.s.gap.replayedThrough ?? -1, candle.openTime) : this.s.gap.replayedThrough;
        this.s.gap = { ...this.s.gap, held: [...this.s.gap.held, candle].sort((a, b) => a.openTime - b.openTime), ...(replayedThrough !== undefined ? { replayedThrough } : {}) };
      }
      return;
    }
    const step = intervalMs(candle.interval);
    if (last !== null && candle.openTime > last + step) {
      const missing = Math.round((candle.openTime - last) / step) - 1;
      const requestId = `__gap-${last + step}`;
      this.s.gap = { requestId, held: [candle], ...(replayed ? { replayedThrough: candle.openTime } : {}) };
      this.s.pendingRequests = {
        ...this.s.pendingRequests,
        [requestId]: { kind: 'candles', symbol: candle.symbol, interval: candle.interval, limit: Math.min(missing, 1000), endTime: candle.openTime - 1 },
      };
      this.commands.push({ type: 'fetch', requestId, request: this.s.pendingRequests[requestId]! });
      return;
    }
    this.acceptCandle(candle, replayed);
  }

  /**
   * Polling covers what streams lose: if no candle arrived for two intervals (and a grace of
   * ten seconds), fetch the missing ones over REST. Checked at reconciliation, so it costs no timer.
   */
  private checkCandleFreshness(): void {
    const last = this.s.lastCandleOpenTime;
    if (last === null || this.s.gap || this.s.status === 'STOPPING' || this.s.status === 'STOPPED') return;
    const step = intervalMs(this.s.setup.interval);
    const nextClose = last + 2 * step - 1;
    if (this.now < nextClose + step + 10_000) return;
    const request = backfillRequest(this.s.setup.symbol, this.s.setup.interval, last, this.now);
    if (!request) return;
    const requestId = `__gap-${last + step}`;
    this.s.gap = { requestId, held: [] };
    this.s.pendingRequests = { ...this.s.pendingRequests, [requestId]: request };
    this.commands.push({ type: 'fetch', requestId, request });
  }

  private acceptCandle(candle: Candle, replayed: boolean): void {
    this.s.lastCandleOpenTime = candle.openTime;
    this.s.lastPrice = candle.close;
    this.updateRisk();
    this.toStrategy({ type: 'candle', candle }, replayed);
  }

  private riskView(): RiskView {
    return { now: this.now, position: this.s.position, lastPrice: this.s.lastPrice, openOrders: openOrders(this.s as BotState), balances: this.s.balances };
  }

  private releaseStart(): void {
    if (!this.s.startPending) return;
    this.s.startPending = false;
    // A bot created anew by a reset (to its first workflow task) already started once: its first
    // branch's orders are adopted, and its strategy does not enter again on the same start.
    this.toStrategy({ type: 'start' }, this.s.resetAt != null);
  }

  /** Refresh the guard's bookkeeping; its kill-switch stops the bot. */
  private updateRisk(): void {
    this.s.risk = updateRiskState(this.s.risk, this.riskView(), this.s.setup.risk);
    const kill = killSwitch(this.s.risk, this.riskView(), this.s.setup.risk);
    if (kill) this.beginStop(`risk: ${kill}`);
  }

  private releaseGap(fetched: readonly Candle[]): void {
    const gap = this.s.gap;
    if (!gap) return;
    this.s.gap = null;
    const all = [...fetched, ...gap.held].sort((a, b) => a.openTime - b.openTime);
    const resetAt = this.s.resetAt ?? null;
    const held = new Set(gap.held);
    for (const candle of all) {
      const last = this.s.lastCandleOpenTime;
      if (last !== null && candle.openTime <= last) continue;
      // Delivered again by a reset, or closed before it (the discarded branch saw it): indicators
      // only. A backfilled candle after a reset is fresh only if it provably closed after the reset:
      // a closeTime later than now says nothing of when it closed (an exchange whose candle clock
      // leads the wall clock, e.g. the paper exchange's hand-closed candles), so it counts as seen.
      const closedBeforeReset = resetAt !== null && (candle.closeTime < resetAt || (!held.has(candle) && candle.closeTime > this.now));
      const replayed = candle.openTime <= (gap.replayedThrough ?? -1) || closedBeforeReset;
      this.acceptCandle(candle, replayed);
      // Each candle is its own decision point, as if it had arrived alone.
      this.drainStrategyQueue();
    }
  }

  // ---- data requests -------------------------------------------------------------------------

  private onData(requestId: string, result: Json): void {
    const request = this.s.pendingRequests[requestId];
    if (!request) return; // duplicate answer
    this.s.pendingRequests = without(this.s.pendingRequests, requestId);
    if (this.s.gap?.requestId === requestId) {
      this.releaseGap(Array.isArray(result) ? (result as unknown as Candle[]) : []);
      return;
    }
    const fresh = request.kind === 'balances' ? (result as { base?: unknown; quote?: unknown } | null) : null;
    if (fresh && typeof fresh.base === 'string' && typeof fresh.quote === 'string') this.s.balances = { base: fresh.base, quote: fresh.quote };
    this.toStrategy({ type: 'data', requestId, kind: request.kind, result });
  }

  private onDataFailed(requestId: string, message: string): void {
    if (!this.s.pendingRequests[requestId]) return;
    const request = this.s.pendingRequests[requestId]!;
    this.s.pendingRequests = without(this.s.pendingRequests, requestId);
    this.notify('warn', `request ${requestId} (${request.kind}) failed: ${message}`);
    if (this.s.gap?.requestId === requestId) {
      this.notify('warn', 'continuing without the missing candles');
      this.releaseGap([]);
      return;
    }
    this.toStrategy({ type: 'data', requestId, kind: request.kind, result: { error: message } });
  }

  // ---- orders --------------------------------------------------------------------------------

  private onPlaced(snapshot: OrderSnapshot): void {
    const order = this.s.orders[snapshot.clientOrderId];
    if (!order) return;
    this.applySnapshot(order, snapshot);
    const updated = this.s.orders[snapshot.clientOrderId]!;
    // A cancel asked for while the submission was in flight is sent now that the order exists.
    if (updated.cancelRequested && !isFinalStatus(updated.status)) {
      this.commands.push({ type: 'cancelOrder', clientOrderId: updated.clientOrderId, symbol: updated.request.symbol });
    }
  }

  private onRejected(clientOrderId: string, reason: string): void {
    const order = this.s.orders[clientOrderId];
    if (!order || isFinalStatus(order.status)) return;
    this.s.stats = { ...this.s.stats, ordersRejected: this.s.stats.ordersRejected + 1 };
    this.notify('warn', `order ${clientOrderId} (${order.tag}) rejected: ${reason}`);
    this.applySnapshot(order, {
      clientOrderId,
      symbol: order.request.symbol,
      status: 'REJECTED',
      executedQty: '0',
      cumulativeQuoteQty: '0',
      updateTime: this.now,
      reason,
    });
  }

  private onSnapshot(snapshot: OrderSnapshot, source: 'stream' | 'reconcile' | 'cancel' = 'stream'): void {
    const order = this.s.orders[snapshot.clientOrderId];
    if (!order) {
      // An order of this bot's lineage it never minted: a discarded branch's (Temporal reset). Find
      // and adopt it with everything the exchange knows about it.
      if (this.isForeign(snapshot.clientOrderId)) {
        requestScan(this.s, Math.min(snapshot.updateTime, this.now));
        this.requestReconcile();
      }
      return;
    }
    if (order.missingSince !== undefined) {
      const { missingSince: _found, ...rest } = order;
      this.setOrder(rest);
    }
    const current = this.s.orders[snapshot.clientOrderId]!;
    // The exchange is the authority over streams and signals (core/order-authority-kernel.ts).
    if (this.s.verification && source === 'reconcile') return onAuthoritativeReport(this.books(), current, snapshot);
    if (this.s.verification && source === 'stream') return onStreamReport(this.books(), current, snapshot);
    this.applySnapshot(current, snapshot);
  }

  private isForeign(clientOrderId: string): boolean {
    return this.s.idBranch !== undefined && isForeignLineageId(this.s.clientIdTag, this.s.idBranch, this.s.idBranches, this.s.nextOrderSeq, clientOrderId);
  }

  /** Proof bookkeeping (core/proof.ts) works on this kernel through these few operations. */
  private get ops(): ProofOps {
    return {
      s: this.s,
      now: this.now,
      notify: (level, message) => this.notify(level, message),
      setOrder: (order) => this.setOrder(order),
      applySnapshot: (order, snapshot) => this.applySnapshot(order, snapshot),
      reject: (id, reason) => this.onRejected(id, reason),
      cancel: (order) => this.cancel(order),
      requestReconcile: () => this.requestReconcile(),
      push: (command) => void this.commands.push(command),
      openOrders: () => openOrders(this.s as BotState),
      isForeign: (id) => this.isForeign(id),
    };
  }

  /** What the exchange-authority rule needs of the kernel's bookkeeping. */
  private books() {
    return {
      state: this.s,
      now: this.now,
      apply: (order: OrderRecord, snapshot: OrderSnapshot) => this.applySnapshot(order, snapshot),
      setOrder: (order: OrderRecord) => this.setOrder(order),
      applyFill: (order: Pick<OrderRecord, 'clientOrderId' | 'request'>, fill: Fill) => this.applyFill(order as OrderRecord, fill),
      notify: (level: Notification['level'], message: string) => this.notify(level, message),
      toStrategy: (event: StrategyEvent) => this.toStrategy(event),
    };
  }

  private applySnapshot(order: OrderRecord, snapshot: OrderSnapshot): void {
    if (order.collision) return; // the exchange's order under this id is another owner's
    const { order: next, newFills, changed } = mergeSnapshot(order, snapshot);
    if (!changed && next === order) return;
    this.setOrder(next);
    const own = next.request.symbol === this.s.setup.symbol;
    // Spot balances follow the order (core/balances.ts); a futures bot's free margin follows its fills (refreshFreeMargin).
    if (own && this.s.balances && this.s.setup.market !== 'futures') this.s.balances = balancesAfterOrderChange(this.s.balances, order, next, newFills, splitSymbol(next.request.symbol, this.s.filters));
    for (const fill of newFills) this.applyFill(next, fill);
    if (newFills.length > 0) this.s.stats = { ...this.s.stats, fills: this.s.stats.fills + newFills.length };
    if (changed) this.toStrategy({ type: 'order', order: next, previousStatus: order.status, fills: newFills });
    if (isFinalStatus(next.status)) this.pruneFinalOrders();
  }

  private applyFill(order: OrderRecord, fill: Fill): void {
    if (this.s.verification) journalBeforeFill(this.books(), order, fill, () => checkpointOf(this.s as BotState));
    const symbol = order.request.symbol;
    if (symbol !== this.s.setup.symbol) {
      // Another symbol of a multi-symbol strategy: its own position, no round trips or risk (they
      // are defined on the bot's own symbol).
      const others = this.s.otherPositions ?? {};
      const next = positionAfterFill(others[symbol] ?? ZERO_POSITION, order.request.side, fill, splitSymbol(symbol, this.s.otherFilters?.[symbol]));
      this.s.otherPositions = { ...others, [symbol]: next };
      return;
    }
    const p = this.s.position;
    const wasFlat = this.isFlat(p.qty);
    const futures = this.s.setup.market === 'futures';
    const next = futures ? perpPositionAfterFill(p, order.request.side, fill, splitSymbol(symbol, this.s.filters).quote) : positionAfterFill(p, order.request.side, fill, splitSymbol(symbol, this.s.filters));
    this.s.position = next;
    this.s.lastPrice = fill.price;
    // Round trips count sizes: a short grows as its quantity goes down.
    if (futures) this.trackRoundTrip(wasFlat, { ...p, qty: abs(p.qty) }, { ...next, qty: abs(next.qty) }, fill, isNegative(p.qty) ? 'short' : 'long');
    else this.trackRoundTrip(wasFlat, p, next, fill);
    if (futures) this.refreshFreeMargin(p, next);
    this.updateRisk();
  }

  /**
   * Flat means nothing sellable is left: fees paid in the base asset leave dust below the lot size
   * or the minimum order value, which no order can ever sell.
   */
  private isFlat(signed: Dec): boolean {
    const qty = this.s.setup.market === 'futures' ? abs(signed) : signed;
    if (!isPositive(qty)) return true;
    const f = this.s.filters;
    if (f === null) return false;
    if (isPositive(f.minQty) && lt(qty, f.minQty)) return true;
    const price = this.s.lastPrice;
    return price !== null && isPositive(f.minNotional) && lt(mul(floorToStep(qty, f.stepSize), price), f.minNotional);
  }

  /** Futures: the fill moved the free margin; estimate it now and read the exchange's again. */
  private refreshFreeMargin(before: PositionState, after: PositionState): void {
    const leverage = this.s.setup.futures?.leverage;
    if (this.s.balances && leverage) this.s.balances = freeMarginAfterFill(this.s.balances, before, after, leverage);
    if (!this.s.reconcileInFlight) this.requestReconcile();
    else if (!this.reconcileAskedNow) this.s.marginRefreshDue = true;
  }

  private trackRoundTrip(wasFlat: boolean, before: PositionState, after: PositionState, fill: Fill, side: 'long' | 'short' = 'long'): void {
    const flat = this.isFlat(after.qty);
    if (wasFlat && !flat) {
      this.s.openTrade = { openedAt: fill.time, realizedAtOpen: before.realizedPnl, entryQty: after.qty, entryCost: after.cost };
      return;
    }
    const open = this.s.openTrade;
    if (!open) return;
    if (!flat && gt(after.qty, before.qty)) {
      this.s.openTrade = { ...open, entryQty: add(open.entryQty, sub(after.qty, before.qty)), entryCost: add(open.entryCost, sub(after.cost, before.cost)) };
      return;
    }
    if (flat) {
      const pnl = sub(after.realizedPnl, open.realizedAtOpen);
      const exitValue = perpExitValue(open.entryCost, pnl, side);
      const trip: RoundTrip = {
        openedAt: open.openedAt,
        closedAt: fill.time,
        entryQty: open.entryQty,
        avgEntryPrice: isPositive(open.entryQty) ? str(d(open.entryCost).dividedBy(open.entryQty).toDecimalPlaces(8)) : '0',
        avgExitPrice: isPositive(open.entryQty) ? str(d(exitValue).dividedBy(open.entryQty).toDecimalPlaces(8)) : '0',
        pnl,
      };
      this.s.trades = [...this.s.trades, trip].slice(-MAX_TRADES_KEPT);
      this.s.stats = { ...this.s.stats, roundTrips: this.s.stats.roundTrips + 1, wins: this.s.stats.wins + (isPositive(pnl) ? 1 : 0) };
      this.s.openTrade = null;
      const limit = this.s.setup.risk.stopAfterTrades;
      if (limit !== undefined && this.s.stats.roundTrips >= limit) this.beginStop(`completed ${this.s.stats.roundTrips} trade(s) (stopAfterTrades ${limit})`);
    }
  }

  /**
   * The first change in a step copies the orders record; later ones write into that copy, which
   * no earlier state shares (the kernel stays pure from the outside).
   */
  private setOrder(order: OrderRecord): void {
    const before = this.s.orders;
    const open = openOrdersMemo.get(before);
    if (!this.ordersOwned) {
      this.s.orders = { ...before };
      this.ordersOwned = true;
    }
    (this.s.orders as Record<string, OrderRecord>)[order.clientOrderId] = order;
    // Keep the open-orders list current instead of rescanning every order kept (it is read on
    // every event). A fresh array each time: a strategy may still hold the previous one.
    if (!open) return void openOrdersMemo.delete(this.s.orders);
    const i = open.findIndex((o) => o.clientOrderId === order.clientOrderId);
    let next: OrderRecord[];
    if (isFinalStatus(order.status)) next = i < 0 ? open : [...open.slice(0, i), ...open.slice(i + 1)];
    else if (i < 0) next = [...open, order];
    else {
      next = open.slice();
      next[i] = order;
    }
    openOrdersMemo.set(this.s.orders, next);
  }

  private patchOrder(clientOrderId: string, patch: Partial<OrderRecord>): void {
    const order = this.s.orders[clientOrderId];
    if (order) this.setOrder({ ...order, ...patch });
  }

  /** Keep the latest final orders only; pruned in batches so a busy bot does not sort on every fill. */
  private pruneFinalOrders(): void {
    // Look only once a batch of new orders was minted since the last look: O(1) on most fills.
    if (this.s.nextOrderSeq - (this.s.prunedAtSeq ?? 0) < PRUNE_BATCH) return;
    this.s.prunedAtSeq = this.s.nextOrderSeq;
    let total = 0;
    for (const _ in this.s.orders) total++;
    if (total <= MAX_FINAL_ORDERS_KEPT + PRUNE_BATCH) return;
    // An order with an unverified report stays: the exchange may yet say it is open.
    const finals = Object.values(this.s.orders).filter((o) => isFinalStatus(o.status) && !isUnverified(this.s as BotState, o.clientOrderId));
    if (finals.length <= MAX_FINAL_ORDERS_KEPT + PRUNE_BATCH) return;
    finals.sort((a, b) => a.updatedAt - b.updatedAt || a.createdAt - b.createdAt);
    const drop = new Set(finals.slice(0, finals.length - MAX_FINAL_ORDERS_KEPT).map((o) => o.clientOrderId));
    this.s.orders = Object.fromEntries(Object.entries(this.s.orders).filter(([id]) => !drop.has(id)));
    this.ordersOwned = true;
  }

  // ---- strategy ------------------------------------------------------------------------------

  private toStrategy(event: StrategyEvent, replayed = false): void {
    this.strategyQueue.push({ event, replayed });
  }

  private drainStrategyQueue(): void {
    let guard = 0;
    while (this.strategyQueue.length > 0) {
      if (++guard > MAX_CASCADE) throw new Error(`strategy ${this.strategy.id} cascaded more than ${MAX_CASCADE} events`);
      const { event, replayed } = this.strategyQueue.shift()!;
      if (this.s.status === 'STOPPED' || this.s.status === 'FAILED') continue;
      let decision: { state: unknown; intents?: readonly Intent[] };
      try {
        decision = this.strategy.onEvent(this.s.strategy, event, contextOf(this.s as BotState, this.now));
      } catch (err) {
        // A strategy bug costs its reaction to this event, never the facts the kernel already
        // recorded (order status, fills, position): those stand, and the error is reported.
        this.s.stats = { ...this.s.stats, strategyErrors: (this.s.stats.strategyErrors ?? 0) + 1 };
        this.notify('error', `strategy ${this.strategy.id} failed on ${event.type}: ${(err as Error)?.message ?? String(err)}; its reaction was skipped`);
        continue;
      }
      this.s.strategy = decision.state as Json;
      this.replayedDecision = replayed;
      try {
        for (const intent of decision.intents ?? []) this.applyIntent(intent);
      } finally {
        this.replayedDecision = false;
      }
    }
  }

  private applyIntent(intent: Intent): void {
    switch (intent.kind) {
      case 'place':
        this.place(intent);
        break;
      case 'placeOco':
        this.placeOco(intent);
        break;
      case 'cancel':
        for (const order of openOrders(this.s as BotState)) if (order.tag === intent.tag) this.cancel(order);
        break;
      case 'cancelAll':
        for (const order of openOrders(this.s as BotState)) this.cancel(order);
        break;
      case 'notify':
        this.notify(intent.level ?? 'info', intent.message);
        break;
      case 'timer':
        this.s.timers = { ...this.s.timers, [intent.id]: intent.at };
        break;
      case 'cancelTimer':
        this.s.timers = without(this.s.timers, intent.id);
        break;
      case 'watch':
        this.s.watches = { ...this.s.watches, [intent.id]: { direction: intent.direction, price: intent.price } };
        break;
      case 'unwatch':
        this.s.watches = without(this.s.watches, intent.id);
        break;
      case 'request':
        if (!this.s.pendingRequests[intent.requestId]) {
          this.s.pendingRequests = { ...this.s.pendingRequests, [intent.requestId]: intent.request };
          this.commands.push({ type: 'fetch', requestId: intent.requestId, request: intent.request });
        }
        break;
      case 'stop':
        this.beginStop(intent.reason);
        break;
      default: {
        const unknown: never = intent;
        throw new Error(`unknown intent ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Refusals that happen before anything reaches the exchange, reported back like exchange rejections. */
  private refuse(intent: PlaceIntent | PlaceOcoIntent, request: OrderRequest, reason: string): void {
    const clientOrderId = this.mintId();
    const order = this.newOrder(clientOrderId, intent, request);
    this.setOrder(order);
    this.onRejected(clientOrderId, reason);
  }

  private place(intent: PlaceIntent): void {
    if (holdExit(this.s, intent, this.s.setup.symbol)) return;
    const symbol = intent.symbol ?? this.s.setup.symbol;
    const own = symbol === this.s.setup.symbol;
    const request: OrderRequest = stripUndefined({
      symbol,
      side: intent.side,
      type: intent.type,
      quantity: intent.quantity,
      quoteOrderQty: intent.quoteOrderQty,
      price: intent.price,
      stopPrice: intent.stopPrice,
      trailingDelta: intent.trailingDelta,
      timeInForce: intent.timeInForce ?? (needsTimeInForce(intent.type) ? 'GTC' : undefined),
      // Futures exits may only shrink the position: an exit after the protective stop fired must not open the other side.
      reduceOnly: this.s.setup.market === 'futures' && intent.purpose === 'exit' && intent.type !== 'STOP_MARKET' ? true : undefined,
    });
    const refusal = this.refusalReason(intent) ?? (own || this.s.otherFilters?.[symbol] ? null : `symbol ${symbol} is not one the strategy declared (extraSymbols)`);
    if (refusal) return this.refuse(intent, request, refusal);
    let prepared = request;
    const filters = own ? this.s.filters : this.s.otherFilters?.[symbol] ?? null;
    if (filters) {
      const outcome = applyFilters(request, filters, own ? this.s.lastPrice : null);
      if (!outcome.ok) return this.refuse(intent, request, `filters: ${outcome.reason}`);
      prepared = outcome.request;
    }
    // After a reset: an exit the discarded branch already placed is that order, not a second one.
    const twin = intent.purpose === 'exit' ? adoptedExitToBind(this.s as BotState, prepared) : null;
    if (twin) return this.bindAdopted(twin, intent);
    const clientOrderId = this.mintId();
    this.setOrder(this.newOrder(clientOrderId, intent, prepared));
    this.s.stats = { ...this.s.stats, ordersPlaced: this.s.stats.ordersPlaced + 1 };
    this.commands.push({ type: 'placeOrder', clientOrderId, request: prepared });
  }

  /** The strategy's exit becomes the adopted order with its request; the strategy sees it as placed (and filled, if it was). */
  private bindAdopted(adopted: OrderRecord, intent: PlaceIntent): void {
    const order = boundRecord(adopted, intent, this.now);
    this.setOrder(order);
    this.notify('warn', `${intent.tag}: the same exit is already on the exchange, placed by a discarded branch of this bot (${order.clientOrderId}, ${order.status}): taken as this decision, not sent again`);
    this.toStrategy({ type: 'order', order, previousStatus: 'SUBMITTING', fills: order.fills });
  }

  private placeOco(intent: PlaceOcoIntent): void {
    const f = this.s.filters;
    const side = intent.side;
    const roundLeg = <L extends PlaceOcoIntent['above']>(leg: L): L =>
      f
        ? stripUndefined({
            ...leg,
            price: leg.price !== undefined ? applyPrice(leg.price, f) : undefined,
            stopPrice: leg.stopPrice !== undefined ? applyPrice(leg.stopPrice, f) : undefined,
          })
        : leg;
    const quantity = f ? floorToStep(intent.quantity, f.stepSize) : intent.quantity;
    const request: OcoRequest = { symbol: this.s.setup.symbol, side, quantity, above: roundLeg(intent.above), below: roundLeg(intent.below) };
    const legRequest = (leg: OcoRequest['above']): OrderRequest =>
      stripUndefined({ symbol: request.symbol, side, type: leg.type, quantity, price: leg.price, stopPrice: leg.stopPrice, timeInForce: leg.timeInForce });
    const refusal = this.refusalReason(intent) ?? (f && (isZero(quantity) || lt(quantity, f.minQty)) ? `filters: quantity ${intent.quantity} below minQty ${f.minQty}` : null);
    if (refusal) return this.refuse(intent, legRequest(request.above), refusal);
    const listClientOrderId = this.mintId();
    const aboveClientOrderId = this.mintId();
    const belowClientOrderId = this.mintId();
    this.setOrder({ ...this.newOrder(aboveClientOrderId, intent, legRequest(request.above)), listClientOrderId });
    this.setOrder({ ...this.newOrder(belowClientOrderId, intent, legRequest(request.below)), listClientOrderId });
    this.s.stats = { ...this.s.stats, ordersPlaced: this.s.stats.ordersPlaced + 2 };
    this.commands.push({ type: 'placeOco', listClientOrderId, aboveClientOrderId, belowClientOrderId, request });
  }

  private refusalReason(intent: PlaceIntent | PlaceOcoIntent): string | null {
    if (intent.purpose === 'entry' && this.replayedDecision) return 'the event was delivered again by a history reset (this bot already acted on it): no entry on it';
    if (intent.purpose === 'entry' && this.s.status === 'PAUSED') return 'bot is paused: no new entries';
    if (intent.purpose === 'entry' && (this.s.status === 'STOPPING' || this.s.status === 'STOPPED')) return 'bot is stopping: no new entries';
    if (intent.purpose === 'entry') {
      const refusal = checkEntry(this.s.risk, this.riskView(), this.s.setup.risk);
      if (refusal) return `risk: ${refusal}`;
    }
    return null;
  }

  private mintId(): string {
    const seq = this.s.nextOrderSeq;
    const branch = this.s.idBranch;
    this.s.nextOrderSeq = seq + 1;
    if (branch === undefined) return clientOrderIdFor(this.s.clientIdTag, seq);
    this.s.idBranches = recordMint(this.s.idBranches, branch, seq);
    return mintClientOrderId(this.s.clientIdTag, branch, seq);
  }

  private newOrder(clientOrderId: string, intent: PlaceIntent | PlaceOcoIntent, request: OrderRequest): OrderRecord {
    return stripUndefined({
      clientOrderId,
      tag: intent.tag,
      request,
      purpose: intent.purpose,
      reason: intent.reason,
      facts: intent.facts,
      status: 'SUBMITTING' as OrderStatus,
      executedQty: '0',
      cumulativeQuoteQty: '0',
      fills: [],
      cancelRequested: false,
      createdAt: this.now,
      updatedAt: this.now,
    });
  }

  private cancel(order: OrderRecord): void {
    if (order.cancelRequested || isFinalStatus(order.status)) return;
    this.patchOrder(order.clientOrderId, { cancelRequested: true });
    // Still being submitted: the cancel goes out once the placement is confirmed (see onPlaced).
    if (order.status !== 'SUBMITTING') this.commands.push({ type: 'cancelOrder', clientOrderId: order.clientOrderId, symbol: order.request.symbol });
  }

  // ---- timers and reconciliation ---------------------------------------------------------------

  /**
   * Fire the strategy's run-now timer ahead of time: the strategy sees its usual `timer` event and
   * re-arms it as it always does. Nothing happens for a strategy without one, before its start, or
   * once the bot is stopping (refusals the workflow reports to the caller before this point).
   */
  private runNow(): void {
    const id = this.strategy.runNowTimer;
    if (!id || !runNowAllowed(this.s as BotState)) return;
    this.s.timers = without(this.s.timers, id);
    this.toStrategy({ type: 'timer', id });
  }

  private fireDueTimers(): void {
    const due = Object.entries(this.s.timers)
      .filter(([, at]) => at <= this.now)
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    for (const [id] of due) {
      this.s.timers = without(this.s.timers, id);
      this.toStrategy({ type: 'timer', id });
    }
  }

  private requestReconcile(): void {
    if (this.s.reconcileInFlight) return;
    this.s.reconcileInFlight = true;
    this.reconcileAskedNow = true;
    this.s.nextReconcileAt = null;
    const targets = reconcileTargets(this.s.orders, openOrders(this.s as BotState));
    for (const t of targets) {
      const o = this.s.orders[t.clientOrderId]!;
      if (isFinalStatus(o.status)) this.setOrder({ ...o, fillPolls: (o.fillPolls ?? 0) + 1 });
    }
    if (this.s.verification) {
      // Orders with unverified reports are looked up too, final or not.
      const asked = new Set(targets.map((t) => t.clientOrderId));
      for (const o of ordersToVerify(this.s.verification, this.s.orders)) if (!asked.has(o.clientOrderId)) targets.push({ clientOrderId: o.clientOrderId, symbol: o.request.symbol });
      this.s.verification = { ...this.s.verification, askedAt: this.now };
    }
    const scan = this.s.idBranch !== undefined ? takeScan(this.s, this.now, this.s.resetAt ?? null) : null;
    this.commands.push({
      type: 'reconcile',
      clientOrderIds: targets.filter((t) => t.symbol === this.s.setup.symbol).map((t) => t.clientOrderId),
      orders: targets,
      ...scan,
    });
  }

  private scheduleReconcile(): void {
    const t = this.s.timing;
    const open = openOrders(this.s as BotState);
    const hasOpen = open.some((o) => o.status !== 'SUBMITTING');
    // Orders awaiting proof (unknown outcome, fills not complete, a scan to go on) are looked at again soon.
    const needsProof = this.s.scanPending === true || open.some((o) => o.status === 'UNKNOWN') || Object.values(this.s.orders).some((o) => isFinalStatus(o.status) && (o.fillPolls ?? 0) < MAX_FILL_POLLS && fillsIncomplete(o));
    const lastStream = this.s.lastStreamEventTime;
    const stale = lastStream === null || this.now - lastStream > t.staleAfterMs;
    const period = needsProof ? t.staleEveryMs : !hasOpen ? t.idleEveryMs : stale ? t.staleEveryMs : t.openOrdersEveryMs;
    const scanDue = scanDueAt(this.s);
    this.s.nextReconcileAt = scanDue !== null ? Math.max(this.now, Math.min(this.now + period, scanDue)) : this.now + period;
  }

  // ---- stopping ------------------------------------------------------------------------------

  private beginStop(reason: string): void {
    if (this.s.status === 'STOPPING' || this.s.status === 'STOPPED' || this.s.status === 'FAILED') return;
    this.s.status = 'STOPPING';
    this.s.stopReason = reason;
    this.s.timers = {};
    this.s.watches = {};
    this.notify('info', `stopping (${reason}); open orders: ${this.s.setup.onStop}`);
    this.toStrategy({ type: 'stop' });
    this.drainStrategyQueue();
    if (this.s.setup.onStop !== 'leave-orders') {
      // A futures position keeps its protective stop: stopping the bot must not unprotect it.
      const keep = (o: OrderRecord) => o.tag === PROTECT_TAG && !this.isFlat(this.s.position.qty);
      for (const order of openOrders(this.s as BotState)) if (!keep(order)) this.cancel(order);
    }
  }

  /** Move a stopping bot forward: close the position once its orders are gone, then mark it stopped. */
  private advanceStop(): void {
    if (this.s.status !== 'STOPPING') return;
    // An unknown outcome is waited for a while (reconciliation resolves it), then reported.
    const waitUnknown = (o: OrderRecord) => o.status === 'UNKNOWN' && this.now - (o.unknownSince ?? o.updatedAt) < STOP_WAITS_FOR_UNKNOWN_MS;
    const inFlight = openOrders(this.s as BotState).filter((o) => o.status === 'SUBMITTING' || o.cancelRequested || waitUnknown(o) || (o.tag === CLOSE_TAG && o.missingSince === undefined));
    if (inFlight.length > 0) return;
    if (this.s.setup.onStop === 'close-position' && !this.closeAttempted()) {
      const qty = this.closableQty();
      if (qty !== null) {
        this.place({ kind: 'place', tag: CLOSE_TAG, side: 'SELL', type: 'MARKET', quantity: qty, purpose: 'exit', reason: 'stop: close the position' });
        if (openOrders(this.s as BotState).some((o) => o.tag === CLOSE_TAG)) return;
      }
    }
    this.s.status = 'STOPPED';
    this.s.nextReconcileAt = null;
    const unresolved = openOrders(this.s as BotState).filter((o) => o.status === 'UNKNOWN' || o.missingSince !== undefined);
    if (unresolved.length > 0) this.notify('warn', `stopped with orders the exchange has not confirmed: ${unresolved.map((o) => `${o.clientOrderId} (${o.status}${o.missingSince !== undefined ? ', unknown to the exchange' : ''})`).join(', ')}`);
    this.notify('info', `stopped: realised PnL ${this.s.position.realizedPnl}, position ${this.s.position.qty}`);
  }

  private closeAttempted(): boolean {
    return Object.values(this.s.orders).some((o) => o.tag === CLOSE_TAG);
  }

  private closableQty(): Dec | null {
    const qty = this.s.position.qty;
    if (!isPositive(qty)) return null;
    const f = this.s.filters;
    const step = f ? (isPositive(f.marketStepSize) ? f.marketStepSize : f.stepSize) : null;
    const rounded = step ? floorToStep(qty, step) : qty;
    return isPositive(rounded) ? rounded : null;
  }

  private notify(level: Notification['level'], message: string): void {
    this.s.notifications = [...this.s.notifications, { time: this.now, level, message }].slice(-MAX_NOTIFICATIONS_KEPT);
    this.commands.push({ type: 'notify', level, message });
  }
}

export const CLOSE_TAG = '__close';
/** How long a stop waits for reconciliation to resolve an order of unknown outcome before reporting it. */
export const STOP_WAITS_FOR_UNKNOWN_MS = 2 * 60_000;

/** A position after one fill: average cost in, realised PnL out, fees counted in their asset. */
export function positionAfterFill(p: PositionState, side: 'BUY' | 'SELL', fill: Fill, assets: { base: string; quote: string }): PositionState {
  const baseFee = fill.commissionAsset === assets.base ? fill.commission : '0';
  const quoteFee = fill.commissionAsset === assets.quote ? fill.commission : '0';
  const fees = isPositive(fill.commission) ? { ...p.fees, [fill.commissionAsset]: add(p.fees[fill.commissionAsset] ?? '0', fill.commission) } : p.fees;
  if (side === 'BUY') {
    const qty = sub(add(p.qty, fill.qty), baseFee);
    const cost = add(add(p.cost, fill.quoteQty), quoteFee);
    return { ...p, qty, cost, avgEntryPrice: isPositive(qty) ? str(d(cost).dividedBy(qty).toDecimalPlaces(12)) : '0', fees };
  }
  const sold = add(fill.qty, baseFee);
  // The cost leaving the position: all of it when the holding is sold out, else its share
  // (rounded to 8 decimals, the quote precision) — so a full exit's PnL is exactly proceeds - cost.
  const costOfSold = !isPositive(p.qty) ? '0' : lt(sold, p.qty) ? str(d(p.cost).times(sold).dividedBy(p.qty).toDecimalPlaces(8)) : p.cost;
  const proceeds = sub(fill.quoteQty, quoteFee);
  const qty = sub(p.qty, sold);
  const flatNow = !isPositive(qty);
  return {
    ...p,
    qty,
    cost: flatNow ? '0' : sub(p.cost, costOfSold),
    avgEntryPrice: flatNow ? '0' : p.avgEntryPrice,
    realizedPnl: add(p.realizedPnl, sub(proceeds, costOfSold)),
    fees,
  };
}

/** OCO legs sit on both sides of the market: round each price to the nearest tick. */
function applyPrice(price: Dec, f: SymbolFilters): Dec {
  return roundToStep(price, f.tickSize);
}

function needsTimeInForce(type: OrderRequest['type']): boolean {
  return type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** Drop undefined fields so states and payloads stay plain JSON and compare equal after a round trip. */
export function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Record a runtime error (e.g. a strategy that threw) without changing anything else. */
export function recordError(state: BotState, now: number, message: string): BotState {
  return { ...state, notifications: [...state.notifications, { time: now, level: 'error' as const, message }].slice(-MAX_NOTIFICATIONS_KEPT) };
}

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
    position: { qty: state.position.qty, avgEntryPrice: state.position.avgEntryPrice, realizedPnl: state.position.realizedPnl },
    positions: Object.fromEntries(Object.entries(state.otherPositions ?? {}).map(([sym, p]) => [sym, { qty: p.qty, avgEntryPrice: p.avgEntryPrice, realizedPnl: p.realizedPnl }])),
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

/** Unrealised PnL of the position at a price. */
export function unrealizedPnl(position: PositionView, price: Dec): Dec {
  return isPositive(position.qty) ? mul(position.qty, sub(price, position.avgEntryPrice)) : '0';
}

