/**
 * The kernel's vocabulary with its runtime: the events it is given (each carries the time it is
 * processed at) and the commands it asks for (activities live, the simulated venue in backtests).
 */
import type { Dec } from '../decimal';
import type { BookSnapshot, Candle, SymbolFilters } from '../market';
import type { OcoRequest, OrderRequest, OrderSnapshot } from '../orders';
import type { ForeignOrder } from '../adoption';
import type { ReconcileTarget } from '../reconcile-plan';
import type { DataRequest, Json } from '../strategy';
import type { BotState, Notification } from './state';

/** Everything that can happen to a bot. Each event carries the time it is processed at. */
export type BotEvent =
  /** The bot (re)starts: `fresh` on its very first run; false after continue-as-new (no strategy call then). */
  | {
      readonly type: 'start';
      readonly now: number;
      readonly filters: SymbolFilters | null;
      readonly fresh: boolean;
      readonly otherFilters?: Readonly<Record<string, SymbolFilters>>;
    }
  /** `replayed`: delivered again by a Temporal reset (its branch already acted on it): indicators only, no entry. */
  | { readonly type: 'candle'; readonly now: number; readonly candle: Candle; readonly replayed?: boolean }
  | { readonly type: 'orderPlaced'; readonly now: number; readonly snapshot: OrderSnapshot }
  | {
      readonly type: 'orderListPlaced';
      readonly now: number;
      readonly listClientOrderId: string;
      readonly snapshots: readonly OrderSnapshot[];
    }
  /** The exchange definitively refused this very request (or it was proven absent after the resend deadline). */
  | {
      readonly type: 'orderRejected';
      readonly now: number;
      readonly clientOrderId: string;
      readonly code: string;
      readonly message: string;
    }
  /** The placement ended without proof either way: the order may be live; reconciliation keeps looking. */
  | { readonly type: 'orderUnknown'; readonly now: number; readonly clientOrderId: string; readonly message: string }
  /** The id is taken by an order that is not this request (another owner's): not adopted, reported. */
  | { readonly type: 'orderCollision'; readonly now: number; readonly clientOrderId: string; readonly message: string }
  /** A cancel found no such order on the exchange (looked up too): reported, not retried forever. */
  | { readonly type: 'orderMissing'; readonly now: number; readonly clientOrderId: string; readonly message: string }
  | {
      readonly type: 'orderUpdate';
      readonly now: number;
      readonly snapshot: OrderSnapshot;
      readonly source: 'stream' | 'reconcile' | 'cancel';
    }
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
      /** Futures: what positionRisk says (null: no position entry for the symbol). */
      readonly position?: { readonly positionAmt: string; readonly entryPrice: string } | null;
      /** The symbol's filters, when the reconcile asked for them (`filters: true`) and the exchange gave them. */
      readonly filters?: SymbolFilters;
    }
  | { readonly type: 'reconcileFailed'; readonly now: number; readonly message: string }
  | { readonly type: 'wake'; readonly now: number }
  | { readonly type: 'pause'; readonly now: number }
  | { readonly type: 'resume'; readonly now: number }
  | { readonly type: 'params'; readonly now: number; readonly params: Json }
  | {
      readonly type: 'trigger';
      readonly now: number;
      readonly id: string;
      readonly price: Dec;
      readonly time: number;
      readonly replayed?: boolean;
    }
  | { readonly type: 'book'; readonly now: number; readonly book: BookSnapshot }
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
  | {
      readonly type: 'placeOrder';
      readonly clientOrderId: string;
      readonly request: OrderRequest;
      readonly resume?: boolean;
    }
  | {
      readonly type: 'placeOco';
      readonly listClientOrderId: string;
      readonly aboveClientOrderId: string;
      readonly belowClientOrderId: string;
      readonly request: OcoRequest;
      readonly resume?: boolean;
    }
  | { readonly type: 'cancelOrder'; readonly clientOrderId: string; readonly symbol: string }
  | {
      readonly type: 'reconcile';
      readonly clientOrderIds: readonly string[];
      readonly orders: readonly ReconcileTarget[];
      readonly scan?: boolean;
      readonly scanSince?: number;
      /** The bot does not know its symbol's filters yet (the exchange was unreachable at its start): fetch them too. */
      readonly filters?: true;
    }
  | { readonly type: 'fetch'; readonly requestId: string; readonly request: DataRequest }
  | { readonly type: 'notify'; readonly level: Notification['level']; readonly message: string };

export interface StepResult {
  readonly state: BotState;
  readonly commands: readonly Command[];
}
