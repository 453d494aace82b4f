/**
 * Messages of the bot workflow, shared by the client, the stream service and the workflow.
 * Payloads are plain JSON; amounts are decimal strings.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BotDefinition } from '../core/bot-definition';
import type { BotState, BotSummary, ReconcileTiming } from '../core/engine';
import type { BookSnapshot, Candle } from '../core/market';
import type { OrderSnapshot } from '../core/orders';

export const BOT_WORKFLOW_TYPE = 'botWorkflow';

export function botWorkflowId(name: string): string {
  return `bot-${name}`;
}

/** Knobs of the runtime itself (not of the strategy). */
export interface RuntimeOptions {
  /** Continue-as-new after this many processed events even if Temporal does not suggest it yet. */
  readonly continueAsNewAfterEvents?: number;
  /** Continue-as-new once the run's history holds this many events (default MAX_HISTORY_EVENTS_PER_RUN, 1,000). */
  readonly continueAsNewAtHistoryLength?: number;
  readonly reconcile?: Partial<ReconcileTiming>;
  /**
   * Timeout of one exchange-activity attempt (e.g. '8s'; default 30 s for orders): after a worker
   * dies mid-attempt, another worker retries the attempt this much later.
   */
  readonly attemptTimeout?: string;
}

/** Events that arrived but were not processed yet; carried across continue-as-new. */
/** `replayed`: delivered again by a Temporal reset (workflows/run-context.ts): no entry on it. */
export type InboxItem =
  | { readonly type: 'candle'; readonly candle: Candle; readonly replayed?: boolean }
  | { readonly type: 'orderUpdate'; readonly snapshot: OrderSnapshot; readonly source: 'stream' | 'reconcile' | 'cancel' }
  | { readonly type: 'trigger'; readonly id: string; readonly price: string; readonly time: number; readonly replayed?: boolean }
  | { readonly type: 'book'; readonly book: BookSnapshot }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'params'; readonly params: Record<string, unknown>; readonly updateSeq: number }
  | { readonly type: 'streamReconnected' };

export interface CarriedState {
  readonly state: BotState;
  readonly inbox: readonly InboxItem[];
  /** How many runs (continue-as-new generations) this bot has lived. */
  readonly generation: number;
  readonly paramsUpdatesApplied: number;
}

export interface BotWorkflowInput {
  readonly definition: BotDefinition;
  readonly options?: RuntimeOptions;
  /** Set by continue-as-new only. */
  readonly carried?: CarriedState;
}

/** What the `state` query returns. */
export interface BotStateView extends BotSummary {
  readonly interval: string;
  readonly account: string;
  readonly clientIdTag: string;
  /** Open orders left on the exchange by an earlier incarnation of this bot's name (not managed). */
  readonly inherited: readonly string[];
  readonly params: unknown;
  readonly strategyState: unknown;
  readonly lastPrice: string | null;
  readonly generation: number;
  readonly eventsProcessed: number;
  readonly pendingEvents: number;
  /** Exchange activities (placements, cancels, reconciliations) still running. */
  readonly activitiesInFlight: number;
}

/** Memo the stream service reads to route events to the bot (never secrets). */
export interface BotMemo {
  readonly tag: string;
  readonly account: string;
  readonly symbol: string;
  readonly interval: string;
  readonly watches: Readonly<Record<string, { readonly direction: 'above' | 'below'; readonly price: string }>>;
}

export const candleSignal = defineSignal<[Candle]>('candle');
export const orderUpdateSignal = defineSignal<[OrderSnapshot]>('orderUpdate');
export const triggerSignal = defineSignal<[{ id: string; price: string; time: number }]>('trigger');
export const bookSignal = defineSignal<[BookSnapshot]>('book');
export const streamReconnectedSignal = defineSignal<[]>('streamReconnected');
export const pauseSignal = defineSignal<[]>('pause');
export const resumeSignal = defineSignal<[]>('resume');

export const stateQuery = defineQuery<BotStateView>('state');
export const configQuery = defineQuery<BotDefinition>('config');

/** Merge the given params into the bot's params; rejected (bot untouched) when the result is invalid. */
export const setParamsUpdate = defineUpdate<{ params: unknown }, [Record<string, unknown>]>('setParams');
