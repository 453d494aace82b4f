/**
 * The bot kernel: a pure, deterministic state machine shared by the Temporal workflow and the
 * backtester. It owns everything a bot knows (orders, fills, position, timers, the strategy's
 * state), turns runtime events into strategy calls, and turns strategy intents into commands the
 * runtime executes (activities live, the simulated venue in backtests).
 *
 * Nothing here reads a clock, does I/O or imports Temporal: time arrives in every event.
 *
 * One event is processed on a `Kernel`, the mutable working copy of that step. Each concern lives
 * in its own module as functions of the working copy (candles, orders, position, risk, intents,
 * reconcile, protect, stop; dispatch.ts routes each event to them). A concern reaches another only
 * through the methods below, so concern modules never import one another and form no cycle.
 */
import type { Dec } from '../decimal';
import type { Fill, OrderRecord, OrderRequest } from '../orders';
import type { RiskView } from '../risk/guard';
import type { AnyStrategy, PlaceIntent, PlaceOcoIntent, StrategyEvent } from '../strategy';
import type { BotEvent, Command, StepResult } from './events';
import { type BotState, MAX_NOTIFICATIONS_KEPT, type Mutable, type Notification } from './state';
import { openOrders } from './view';
import { handle } from './dispatch';
import * as intents from './intents';
import * as orders from './orders';
import * as position from './position';
import * as reconcile from './reconcile';
import * as risk from './risk';
import * as stop from './stop';

/** Process one event. Pure: the same state and event always give the same result. */
export function step(state: BotState, event: BotEvent, strategy: AnyStrategy): StepResult {
  const k = new Kernel(state, strategy, event.now, false);
  handle(k, event);
  return k.finish();
}

/**
 * The same transition as `step`, written into `state` itself instead of a copy: for the
 * backtester, which keeps no earlier state and replays millions of candles. The workflow always
 * uses `step` (its states are snapshots kept by queries and continue-as-new).
 */
export function stepInPlace(state: BotState, event: BotEvent, strategy: AnyStrategy): StepResult {
  const k = new Kernel(state, strategy, event.now, true);
  handle(k, event);
  return k.finish();
}

/**
 * The mutable working copy used while one event is processed. It never escapes `step`, so the
 * kernel stays pure from the outside while the code inside reads naturally.
 */
export class Kernel {
  readonly s: Mutable<BotState>;
  readonly commands: Command[] = [];
  readonly strategyQueue: Array<{ readonly event: StrategyEvent; readonly replayed: boolean }> = [];
  /** The orders record is this step's own copy (written in place from then on). */
  ordersOwned: boolean;
  /** The strategy is reacting to an event a Temporal reset delivered again: no entries from it. */
  replayedDecision = false;
  /** A reconcile was asked in this step: it reads the account after everything this step applied. */
  reconcileAskedNow = false;
  /** The symbol's filters arrived in this step (they were unknown): a refused protective stop goes again now. */
  filtersLearnedNow = false;
  /** The open orders as records, read from the state on first use in this step and kept current by `setOrder`. */
  open: OrderRecord[] | null = null;

  constructor(
    state: BotState,
    readonly strategy: AnyStrategy,
    readonly now: number,
    inPlace: boolean,
  ) {
    this.s = inPlace ? state : { ...state };
    this.ordersOwned = inPlace;
  }

  finish(): StepResult {
    return { state: this.s, commands: this.commands };
  }

  /** The bot's non-final orders. The array is shared: read it, never change it. */
  openOrders(): OrderRecord[] {
    return (this.open ??= openOrders(this.s));
  }

  notify(level: Notification['level'], message: string): void {
    this.s.notifications = [...this.s.notifications, { time: this.now, level, message }].slice(-MAX_NOTIFICATIONS_KEPT);
    this.commands.push({ type: 'notify', level, message });
  }

  // ---- what one concern asks of another --------------------------------------------------------

  setOrder(order: OrderRecord): void {
    orders.setOrder(this, order);
  }

  mintId(): string {
    return orders.mintId(this);
  }

  newOrder(clientOrderId: string, intent: PlaceIntent | PlaceOcoIntent, request: OrderRequest): OrderRecord {
    return orders.newOrder(this, clientOrderId, intent, request);
  }

  cancel(order: OrderRecord): void {
    orders.cancel(this, order);
  }

  onRejected(clientOrderId: string, reason: string): void {
    orders.onRejected(this, clientOrderId, reason);
  }

  applyFill(order: OrderRecord, fill: Fill): void {
    position.applyFill(this, order, fill);
  }

  books(): ReturnType<typeof orders.books> {
    return orders.books(this);
  }

  isFlat(signed: Dec): boolean {
    return position.isFlat(this, signed);
  }

  riskView(): RiskView {
    return risk.riskView(this);
  }

  updateRisk(): void {
    risk.updateRisk(this);
  }

  toStrategy(event: StrategyEvent, replayed = false): void {
    intents.toStrategy(this, event, replayed);
  }

  drainStrategyQueue(): void {
    intents.drainStrategyQueue(this);
  }

  place(intent: PlaceIntent): void {
    intents.place(this, intent);
  }

  requestReconcile(): void {
    reconcile.requestReconcile(this);
  }

  beginStop(reason: string): void {
    stop.beginStop(this, reason);
  }
}
