/**
 * Messages of the bot workflow, shared by the client, the stream service and the workflow.
 * Payloads are plain JSON; amounts are decimal strings.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BotDefinition } from '../core/bot-definition';
import type { BotState, BotStatus, BotSummary } from '../core/kernel';
import type { BookSnapshot, Candle } from '../core/market';
import type { OrderSnapshot } from '../core/orders';
import type { Notice } from '../core/notices';
import type { CircuitView } from './circuit';
export type { CircuitView } from './circuit';
import type { INBOX_ITEM_TYPES, RuntimeOptions } from '../core/workflow-input-schemas';

export const BOT_WORKFLOW_TYPE = 'botWorkflow';

export function botWorkflowId(name: string): string {
  return `bot-${name}`;
}

export {
  type RuntimeOptions,
  runtimeOptionsSchema,
  reconcileTimingSchema,
  carriedStateSchema,
  carriedBotStateSchema,
  inboxItemSchema,
  INBOX_ITEM_TYPES,
} from '../core/workflow-input-schemas';
export {
  candleSchema,
  orderSnapshotSchema,
  fillSchema,
  triggerSchema,
  bookSchema,
  circuitViewSchema,
} from '../core/message-schemas';
export { botDefinitionSchema, checkBotDefinition } from '../core/bot-definition';

/** Events that arrived but were not processed yet; carried across continue-as-new. */
/** `replayed`: delivered again by a Temporal reset (workflows/run-context.ts): no entry on it. */
export type InboxItem =
  | { readonly type: 'candle'; readonly candle: Candle; readonly replayed?: boolean }
  | {
      readonly type: 'orderUpdate';
      readonly snapshot: OrderSnapshot;
      readonly source: 'stream' | 'reconcile' | 'cancel';
    }
  | {
      readonly type: 'trigger';
      readonly id: string;
      readonly price: string;
      readonly time: number;
      readonly replayed?: boolean;
    }
  | { readonly type: 'book'; readonly book: BookSnapshot }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'params'; readonly params: Record<string, unknown>; readonly updateSeq: number }
  /** The strategy's run-now timer fired on demand (the `runNow` update, workflows/control.ts). */
  | { readonly type: 'runNow'; readonly updateSeq: number }
  | { readonly type: 'streamReconnected' };

// Every inbox item type must be known to the carried-state schema (core/workflow-input-schemas.ts), or a new run
// would refuse the inbox its predecessor carried: this fails to compile when one is missing.
type MissingInboxTypes = Exclude<InboxItem['type'], (typeof INBOX_ITEM_TYPES)[number]>;
export const INBOX_TYPES_COMPLETE: [MissingInboxTypes] extends [never] ? true : MissingInboxTypes = true;

export interface CarriedState {
  readonly state: BotState;
  readonly inbox: readonly InboxItem[];
  /** How many runs (continue-as-new generations) this bot has lived. */
  readonly generation: number;
  readonly paramsUpdatesApplied: number;
  /** The account's circuit breaker as the previous run last heard of it. */
  readonly circuit?: CircuitView | null;
  /** Messages refused so far (absent in runs started before this field existed). */
  readonly inputRejections?: InputRejections;
  /** Why the bot could not trade when its previous run ended, if it could not. */
  readonly blocked?: BlockedReason;
  /** Notices the previous run held while it rolled over: this run sends them first. */
  readonly notices?: readonly Notice[];
}

export interface BotWorkflowInput {
  readonly definition: BotDefinition;
  readonly options?: RuntimeOptions;
  /** Set by continue-as-new only. */
  readonly carried?: CarriedState;
  /**
   * Set by continue-as-new only, of a run still BLOCKED at its start (nothing traded yet, so no
   * state to carry): the pause and resume requests it received, which the next run keeps in its
   * inbox until the bot can trade.
   */
  readonly heldWhileBlocked?: HeldWhileBlocked;
}

/** Requests a bot received while it could not trade yet, for the next run (the kernel never started). */
export interface HeldWhileBlocked {
  readonly inbox: readonly Extract<InboxItem, { type: 'pause' | 'resume' }>[];
}

/** A message (signal, update, start input) refused or dropped, and why. */
export interface InputRejection {
  readonly time: number;
  /** "signal candle", "update setParams", ... */
  readonly message: string;
  readonly reason: string;
}

export interface InputRejections {
  readonly count: number;
  /** The most recent ones (bounded). */
  readonly recent: readonly InputRejection[];
}

/** Why a bot cannot trade, when it cannot: shown as status BLOCKED until it can again. */
export interface BlockedReason {
  readonly since: number;
  /** "account", "symbol", "credentials", "filters", ... */
  readonly kind: string;
  readonly reason: string;
}

/** A bot's status as people see it: the kernel's, or BLOCKED while it cannot trade. */
export type BotDisplayStatus = BotStatus | 'BLOCKED';

/** What the `state` query returns. */
export interface BotStateView extends Omit<BotSummary, 'status'> {
  readonly status: BotDisplayStatus;
  /** Set while the bot cannot trade (unknown account or symbol, credentials refused, ...). */
  readonly blocked: BlockedReason | null;
  readonly inputRejections: InputRejections;
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
  /** The account's circuit breaker, when it left `closed` while this bot ran (null: closed, never tripped). */
  readonly circuitBreaker?: CircuitView | null;
}

/** Memo the stream service reads to route events to the bot (never secrets). */
export interface BotMemo {
  readonly tag: string;
  readonly account: string;
  readonly symbol: string;
  readonly interval: string;
  readonly watches: Readonly<Record<string, { readonly direction: 'above' | 'below'; readonly price: string }>>;
  /** Set on futures bots only (spot memos stay as they were): the worker follows the futures user stream of their account. */
  readonly market?: 'futures';
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
