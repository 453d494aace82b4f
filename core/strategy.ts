/**
 * The strategy contract. A strategy is deterministic code with no I/O and no `@temporalio/*`
 * import: it reacts to events by returning a new JSON-serialisable state and a list of intents.
 * The same object runs inside the Temporal workflow (live and paper) and in the backtester.
 */
import type { z } from 'zod';
import type { Dec } from './decimal';
import type { BookSnapshot, Candle, CandleInterval, SymbolFilters } from './market';
import type { Json } from './json';
import type { Fill, OcoLeg, OrderRecord, OrderSide, OrderStatus, OrderType, TimeInForce } from './orders';

/** JSON values only (core/json.ts): no Map, Set, Date, class instances or undefined-as-value. */
export type { Json } from './json';

/** The bot's position in the traded symbol, derived from its own fills. */
export interface PositionView {
  /** Base asset held by the bot (after fees paid in base). */
  readonly qty: Dec;
  /** Average entry price including fees; "0" when flat. */
  readonly avgEntryPrice: Dec;
  /** Realised profit and loss in quote asset, net of fees. */
  readonly realizedPnl: Dec;
}

/** Read-only facts handed to every strategy call. */
export interface StrategyContext<P> {
  /** Event time in ms (workflow time live, candle close time in backtests). Never read a clock. */
  readonly now: number;
  readonly botName: string;
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly params: P;
  /** Paused: entries are refused, exits keep being managed. */
  readonly paused: boolean;
  readonly filters: SymbolFilters | null;
  readonly position: PositionView;
  /** Positions in the other symbols the strategy trades (see `Strategy.extraSymbols`), by symbol. */
  readonly positions: Readonly<Record<string, PositionView>>;
  /** The bot's orders that are not final yet (including ones still being submitted). */
  readonly openOrders: readonly OrderRecord[];
  /** Last known free balances of the bot's account for the symbol's assets, when known. */
  readonly balances: { readonly base: Dec; readonly quote: Dec } | null;
  /** Last traded or close price seen by the bot. */
  readonly lastPrice: Dec | null;
  /** The bot's market; absent means spot. On futures `position.qty` is signed (negative: short). */
  readonly market?: 'spot' | 'futures';
}

/** Events a strategy reacts to. */
export type StrategyEvent =
  | { readonly type: 'start' }
  | { readonly type: 'candle'; readonly candle: Candle }
  /** One of the bot's orders changed (status, fill). `fills` are the new fills only. */
  | {
      readonly type: 'order';
      readonly order: OrderRecord;
      readonly previousStatus: OrderStatus;
      readonly fills: readonly Fill[];
    }
  | { readonly type: 'timer'; readonly id: string }
  | { readonly type: 'params'; readonly previous: unknown }
  /** A price trigger registered with a `watch` intent fired (evaluated outside the workflow). */
  | { readonly type: 'trigger'; readonly id: string; readonly price: Dec; readonly time: number }
  /** An order book summary (book analysis happens outside the workflow). */
  | { readonly type: 'book'; readonly book: BookSnapshot }
  /** The answer to a `request` intent (model inference, history download, ...). */
  | { readonly type: 'data'; readonly requestId: string; readonly kind: string; readonly result: Json }
  | { readonly type: 'stop' };

interface PlaceCommon {
  /** The strategy's name for this order; reuse a tag only once the previous order with it is final. */
  readonly tag: string;
  /** Entries are refused while paused; exits (take-profit, stop-loss, grid re-arm of a sell) always go. */
  readonly purpose: 'entry' | 'exit';
  /** Why: kept with the order and shown by the `state` query and reports. */
  readonly reason?: string;
  readonly facts?: Readonly<Record<string, string | number | boolean>>;
}

export type PlaceIntent = PlaceCommon & {
  readonly kind: 'place';
  /** Another symbol than the bot's own (it must be listed by `Strategy.extraSymbols`). */
  readonly symbol?: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity?: Dec;
  readonly quoteOrderQty?: Dec;
  readonly price?: Dec;
  readonly stopPrice?: Dec;
  readonly trailingDelta?: number;
  readonly timeInForce?: TimeInForce;
};

export type PlaceOcoIntent = PlaceCommon & {
  readonly kind: 'placeOco';
  readonly side: OrderSide;
  readonly quantity: Dec;
  readonly above: OcoLeg;
  readonly below: OcoLeg;
};

/** What a strategy may ask for. The runtime turns intents into activities, timers and signals. */
export type Intent =
  | PlaceIntent
  | PlaceOcoIntent
  | { readonly kind: 'cancel'; readonly tag: string }
  | { readonly kind: 'cancelAll' }
  | { readonly kind: 'notify'; readonly message: string; readonly level?: 'info' | 'warn' | 'error' }
  | { readonly kind: 'timer'; readonly id: string; readonly at: number }
  | { readonly kind: 'cancelTimer'; readonly id: string }
  /** Ask the stream service to watch a price and fire a `trigger` event when crossed. */
  | { readonly kind: 'watch'; readonly id: string; readonly direction: 'above' | 'below'; readonly price: Dec }
  | { readonly kind: 'unwatch'; readonly id: string }
  /** Ask for data computed outside the workflow; the answer comes back as a `data` event. */
  | { readonly kind: 'request'; readonly requestId: string; readonly request: DataRequest }
  | { readonly kind: 'stop'; readonly reason: string };

/** Work a strategy may delegate to activities. Small inputs, small answers. */
export type DataRequest =
  | {
      readonly kind: 'candles';
      readonly symbol: string;
      readonly interval: CandleInterval;
      readonly limit: number;
      readonly endTime?: number;
    }
  | {
      readonly kind: 'inference';
      readonly modelPath: string;
      readonly symbol: string;
      readonly interval: CandleInterval;
      readonly lookback: number;
      readonly window: number;
    }
  | { readonly kind: 'book'; readonly symbol: string; readonly limit: number }
  | { readonly kind: 'custom'; readonly name: string; readonly input: Json }
  /**
   * The account's free balances of the symbol's assets, read again now (e.g. right before sizing an
   * entry with the whole balance): the kernel updates `ctx.balances` with the answer before the
   * `data` event reaches the strategy.
   */
  | { readonly kind: 'balances'; readonly symbol: string };

export interface Decision<S> {
  readonly state: S;
  readonly intents?: readonly Intent[];
}

export interface Strategy<P = unknown, S = unknown> {
  readonly id: string;
  readonly title: string;
  /** What the strategy does, shown by `client strategies` and the README. */
  readonly description: string;
  /** Params schema with defaults; `.strict()` so unknown params are refused. */
  readonly params: z.ZodType<P>;
  /** Called once when a bot is created; also checks params against each other. */
  init(ctx: StrategyContext<P>): S;
  onEvent(state: S, event: StrategyEvent, ctx: StrategyContext<P>): Decision<S>;
  /**
   * Refuse to run in a given environment (e.g. a spot bot asking for shorts). Returning a string
   * refuses the start with that message.
   */
  checkEnvironment?(params: P, env: { readonly market: 'spot' | 'futures' }): string | null;
  /** Markets the strategy's orders run on; absent means spot only (see core/futures/setup.ts). */
  readonly markets?: readonly ('spot' | 'futures')[];
  /** Symbols besides the bot's own that the strategy places orders on (e.g. a portfolio). */
  extraSymbols?(params: P): readonly string[];
  /**
   * The timer a user may fire ahead of time ("run now": seed 002's POST /market runs the daily
   * check at once). The strategy gets its usual `timer` event and re-arms the timer as usual.
   */
  readonly runNowTimer?: string;
}

/** Erase the generics so strategies of different shapes live in one registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- unknown cannot erase P and S: Strategy uses them in and out (invariant), so no Strategy<X, Y> is a Strategy<unknown, unknown>
export type AnyStrategy = Strategy<any, any>;

export function defineStrategy<P, S>(strategy: Strategy<P, S>): Strategy<P, S> {
  return strategy;
}
