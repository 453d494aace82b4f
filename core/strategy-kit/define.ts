/**
 * `defineKitStrategy`: per-event hooks on top of the unchanged strategy contract (core/strategy.ts).
 * The result is an ordinary `Strategy`, so it runs in the kernel live, on paper and in the
 * backtester exactly like a hand-written one; the kit only routes each event to the hook that
 * wants it, in this order:
 *
 * 1. `idle(state)`: while true every event is ignored (a finished or stopped strategy).
 * 2. `machines`: sub-machines embedded in the state (exits, ...) get the event first; the first
 *    one that handles it answers (machine.ts).
 * 3. The event's hook. A candle first goes through the declared warm-up (held until the history
 *    arrived, warmup.ts) and updates every declared indicator (indicators.ts), then `onCandle`.
 *    An order report goes to the handlers of its family (keys.ts), or to the top-level handlers
 *    for an order of no declared family: `onOrderUpdate` while it works, then `onOrderFilled`,
 *    `onOrderCanceled` or `onOrderRejected`, or `onOrderFinal` for any final status without its
 *    own hook. A final order may be reported again (late fills of a cancelled order): `hit.becameFinal`
 *    tells the first report from the later ones.
 *
 * Hooks are pure functions of (state, payload, ctx) returning a `Decision`. Pure.
 */
import type { z } from 'zod';
import type { BookSnapshot, Candle } from '../market';
import { type Fill, type OrderRecord, type OrderStatus, isFinalStatus } from '../orders';
import {
  type Decision,
  type Json,
  type Strategy,
  type StrategyContext,
  type StrategyEvent,
  defineStrategy,
} from '../strategy';
import { type OrderFamily, type OrderKey, checkFamilies, keyOf } from './keys';
import { type IndicatorUpdates, updateIndicators } from './indicators';
import type { Machine } from './machine';
import {
  DEFAULT_HOLD_CANDLES,
  DEFAULT_WARMUP_REQUEST,
  type WarmInfo,
  type Warmup,
  type WarmupFields,
  candlesOf,
  foldWarmup,
  foldedAlready,
  journalWarmup,
  mergeCandles,
  warmupRequest,
} from './warmup';

/** What an order report carries besides the order. */
export interface OrderHit {
  /** The order's key in its family; null for an order of no declared family. */
  readonly key: OrderKey | null;
  readonly previousStatus: OrderStatus;
  /** New fills of this report only. */
  readonly fills: readonly Fill[];
  /** True on the report that made the order final; false on later reports of a final order. */
  readonly becameFinal: boolean;
}

export type OrderHook<P, S> = (state: S, order: OrderRecord, ctx: StrategyContext<P>, hit: OrderHit) => Decision<S>;

export interface OrderHandlers<P, S> {
  /** A report that leaves the order working: acknowledged, partly filled, or open again on the exchange's word. */
  readonly onOrderUpdate?: OrderHook<P, S>;
  readonly onOrderFilled?: OrderHook<P, S>;
  /** CANCELED, EXPIRED or EXPIRED_IN_MATCH (possibly after partial fills). */
  readonly onOrderCanceled?: OrderHook<P, S>;
  readonly onOrderRejected?: OrderHook<P, S>;
  /** Any final status whose own hook is not given. */
  readonly onOrderFinal?: OrderHook<P, S>;
}

export interface FamilyHandlers<P, S> extends OrderHandlers<P, S> {
  readonly family: OrderFamily;
}

/** The most common handlers: one hook for every final report of a family's orders. */
export function onFinal<P, S>(family: OrderFamily, hook: OrderHook<P, S>): FamilyHandlers<P, S> {
  return { family, onOrderFinal: hook };
}

export interface DataAnswer {
  readonly requestId: string;
  readonly kind: string;
  readonly result: Json;
}

/** The state `init` returns: the kit adds its warm-up fields itself. */
export type InitialState<S> = Omit<S, keyof WarmupFields>;

export interface KitStrategy<P, S extends object> extends OrderHandlers<P, S> {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly params: z.ZodType<P>;
  readonly checkEnvironment?: Strategy<P, S>['checkEnvironment'];
  readonly markets?: Strategy<P, S>['markets'];
  readonly extraSymbols?: Strategy<P, S>['extraSymbols'];
  readonly runNowTimer?: string;
  init(ctx: StrategyContext<P>): InitialState<S>;
  /** History fetched at start, before the first decision; `S` then includes `WarmupFields`. */
  readonly warmup?: Warmup<P, S>;
  /** Indicator fields of the state and how each is fed a closed candle (indicators.ts `feeds`). */
  readonly indicators?: IndicatorUpdates<S>;
  /** While true, every event is ignored. */
  idle?(state: S): boolean;
  readonly machines?: readonly Machine<P, S>[];
  readonly orders?: readonly FamilyHandlers<P, S>[];
  onStart?(state: S, ctx: StrategyContext<P>): Decision<S>;
  /** One warm-up candle, after the indicators took it: fold it into the state, decide nothing. */
  onHistory?(state: S, candle: Candle, ctx: StrategyContext<P>): S;
  /** The warm-up is over (answered or not), after the journal entry of a `label`led warm-up. */
  onWarm?(state: S, info: WarmInfo, ctx: StrategyContext<P>): Decision<S>;
  onCandle?(state: S, candle: Candle, ctx: StrategyContext<P>): Decision<S>;
  onTimer?(state: S, id: string, ctx: StrategyContext<P>): Decision<S>;
  onTrigger?(
    state: S,
    trigger: { readonly id: string; readonly price: string; readonly time: number },
    ctx: StrategyContext<P>,
  ): Decision<S>;
  onData?(state: S, answer: DataAnswer, ctx: StrategyContext<P>): Decision<S>;
  onBook?(state: S, book: BookSnapshot, ctx: StrategyContext<P>): Decision<S>;
  /** New params were set; `previous` is the old params (null if they no longer parse). */
  onParams?(state: S, previous: P | null, ctx: StrategyContext<P>): Decision<S>;
  onStop?(state: S, ctx: StrategyContext<P>): Decision<S>;
}

export function defineKitStrategy<P, S extends object>(kit: KitStrategy<P, S>): Strategy<P, S> {
  checkFamilies((kit.orders ?? []).map((h) => h.family));
  return defineStrategy<P, S>({
    id: kit.id,
    title: kit.title,
    description: kit.description,
    params: kit.params,
    ...(kit.checkEnvironment ? { checkEnvironment: kit.checkEnvironment } : {}),
    ...(kit.markets ? { markets: kit.markets } : {}),
    ...(kit.extraSymbols ? { extraSymbols: kit.extraSymbols } : {}),
    ...(kit.runNowTimer !== undefined ? { runNowTimer: kit.runNowTimer } : {}),
    init: (ctx) => ({ ...kit.init(ctx), ...(kit.warmup ? { warm: false, held: [] } : {}) }) as S,
    onEvent: (state, event, ctx) => route(kit, state, event, ctx),
  });
}

function route<P, S extends object>(
  kit: KitStrategy<P, S>,
  state: S,
  event: StrategyEvent,
  ctx: StrategyContext<P>,
): Decision<S> {
  if (kit.idle?.(state)) return { state };
  for (const machine of kit.machines ?? []) {
    const handled = machine(state, event, ctx);
    if (handled) return handled;
  }
  switch (event.type) {
    case 'start': {
      const started = kit.onStart?.(state, ctx) ?? { state };
      return kit.warmup
        ? { state: started.state, intents: [warmupRequest(kit.warmup, ctx), ...(started.intents ?? [])] }
        : started;
    }
    case 'candle':
      return onCandle(kit, state, event.candle, ctx);
    case 'order':
      return onOrder(kit, state, event, ctx);
    case 'data':
      if (kit.warmup && event.requestId === (kit.warmup.requestId ?? DEFAULT_WARMUP_REQUEST))
        return onWarmupData(kit, state, event.result, ctx);
      return (
        kit.onData?.(state, { requestId: event.requestId, kind: event.kind, result: event.result }, ctx) ?? { state }
      );
    case 'timer':
      return kit.onTimer?.(state, event.id, ctx) ?? { state };
    case 'trigger':
      return kit.onTrigger?.(state, { id: event.id, price: event.price, time: event.time }, ctx) ?? { state };
    case 'book':
      return kit.onBook?.(state, event.book, ctx) ?? { state };
    case 'params': {
      if (!kit.onParams) return { state };
      const previous = kit.params.safeParse(event.previous);
      return kit.onParams(state, previous.success ? previous.data : null, ctx);
    }
    case 'stop':
      return kit.onStop?.(state, ctx) ?? { state };
    default: {
      const unknown: never = event;
      throw new Error(`unknown strategy event ${JSON.stringify(unknown)}`);
    }
  }
}

type Warming<S> = S & WarmupFields;

function foldHistory<P, S extends object>(
  kit: KitStrategy<P, S>,
  ctx: StrategyContext<P>,
): (s: Warming<S>, c: Candle) => Warming<S> {
  return (s, c) => {
    const fed = updateIndicators<S>(s, kit.indicators, c);
    return (kit.onHistory ? kit.onHistory(fed, c, ctx) : fed) as Warming<S>;
  };
}

function onCandle<P, S extends object>(
  kit: KitStrategy<P, S>,
  state: S,
  candle: Candle,
  ctx: StrategyContext<P>,
): Decision<S> {
  if (kit.warmup) {
    const w = state as Warming<S>;
    if (!w.warm) {
      const held = [...w.held, candle];
      if (held.length < (kit.warmup.holdCandles ?? DEFAULT_HOLD_CANDLES)) return { state: { ...w, held } };
      // No answer in time: warm on the live candles (this one included) and decide from the next.
      return warmedUp(
        kit,
        foldWarmup(w, held, foldHistory(kit, ctx)),
        { answered: false, fetched: 0, held: held.length },
        ctx,
      );
    }
    if (foldedAlready(w, candle)) return { state };
  }
  const fed = updateIndicators(state, kit.indicators, candle);
  return kit.onCandle?.(fed, candle, ctx) ?? { state: fed };
}

function onWarmupData<P, S extends object>(
  kit: KitStrategy<P, S>,
  state: S,
  result: Json,
  ctx: StrategyContext<P>,
): Decision<S> {
  const w = state as Warming<S>;
  if (w.warm) return { state }; // a late answer after warming on live candles
  const fetched = candlesOf(result);
  const warmed = foldWarmup(w, mergeCandles(fetched, w.held), foldHistory(kit, ctx));
  return warmedUp(kit, warmed, { answered: true, fetched: fetched.length, held: w.held.length }, ctx);
}

function warmedUp<P, S extends object>(
  kit: KitStrategy<P, S>,
  state: S,
  info: WarmInfo,
  ctx: StrategyContext<P>,
): Decision<S> {
  const journaled = journalWarmup(kit.warmup!, state, info, ctx);
  if (!kit.onWarm) return journaled;
  const then = kit.onWarm(journaled.state, info, ctx);
  return { state: then.state, intents: [...(journaled.intents ?? []), ...(then.intents ?? [])] };
}

function onOrder<P, S extends object>(
  kit: KitStrategy<P, S>,
  state: S,
  event: Extract<StrategyEvent, { type: 'order' }>,
  ctx: StrategyContext<P>,
): Decision<S> {
  const { order } = event;
  const found = keyOf(
    (kit.orders ?? []).map((h) => h.family),
    order.tag,
  );
  const handlers: OrderHandlers<P, S> = found ? kit.orders!.find((h) => h.family === found.family)! : kit;
  const final = isFinalStatus(order.status);
  const hit: OrderHit = {
    key: found?.key ?? null,
    previousStatus: event.previousStatus,
    fills: event.fills,
    becameFinal: final && !isFinalStatus(event.previousStatus),
  };
  if (!final) return handlers.onOrderUpdate?.(state, order, ctx, hit) ?? { state };
  const own =
    order.status === 'FILLED'
      ? handlers.onOrderFilled
      : order.status === 'REJECTED'
        ? handlers.onOrderRejected
        : handlers.onOrderCanceled;
  const hook = own ?? handlers.onOrderFinal;
  return hook?.(state, order, ctx, hit) ?? { state };
}
