/**
 * The bot kernel (see kernel.ts): pure, deterministic, shared by the workflow and the backtester.
 * Everything outside core/kernel/ imports it from here.
 */
export {
  BOT_STATUSES,
  type BotSetup,
  type BotState,
  type BotStatus,
  DEFAULT_RECONCILE_TIMING,
  type Mutable,
  type Notification,
  type PositionState,
  type ReconcileTiming,
  type RoundTrip,
  STOP_POLICIES,
  type StopPolicy,
} from './state';
export type { BotEvent, Command, StepResult } from './events';
export { type ClientIdSeed, clientOrderIdFor, createBotState, makeClientIdTag, recordError } from './create';
export { contextOf, nextWakeAt, openOrders, runNowAllowed } from './view';
export { step, stepInPlace } from './kernel';
export { CLOSE_TAG, STOP_WAITS_FOR_UNKNOWN_MS } from './stop';
export { positionAfterFill, unrealizedPnl } from './position';
export { stripUndefined } from './records';
export { type BotSummary, summarize } from './summary';
