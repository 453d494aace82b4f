/**
 * Order slots, a sub-machine: a numbered list of independent slots kept in the strategy's state
 * (a grid's cells, a DCA's lots), each with at most one working order, tagged by a numbered
 * family ("g0", "g1", ...). The strategy says what order a slot wants (`orderOf`) and what a final
 * order turns the slot into (`settle`); the machine places orders, and when the strategy asks for
 * a retry (a refused or unfilled order) it waits `retryCandles` candles before placing again,
 * telling the user about a refusal. On each candle a slot with nothing working may also be woken
 * (`wake`: an idle grid cell the price rose above). Retries wait while the bot is paused. Pure.
 */
import type { Candle } from '../market';
import type { OrderRecord } from '../orders';
import type { Decision, Intent, StrategyContext } from '../strategy';
import type { FamilyHandlers } from './define';
import type { NumberedFamily } from './keys';
import { notify, workingKeys } from './orders';

export interface Slot {
  /** Candle number after which the slot's order is placed again; null when nothing waits. */
  readonly retryAt: number | null;
}

type FieldOf<S, V> = { [K in keyof S]: S[K] extends V ? K : never }[keyof S];

export interface SlotsConfig<P, S, C extends Slot> {
  readonly family: NumberedFamily;
  /** The state field holding the slots, and the candle counter retries are counted in. */
  readonly field: FieldOf<S, readonly C[]>;
  readonly counter: FieldOf<S, number>;
  readonly retryCandles: number;
  /** Name in notices: "grid g2 BUY refused (...); retrying in 10 candles". */
  readonly label: string;
  /** The order slot `i` wants working now; null while it waits for nothing. */
  orderOf(state: S, i: number, slot: C): Intent | null;
  /** Slot `i`'s order is final: its next content, placed now or, with `retry`, after `retryCandles`; null: ignore. */
  settle(
    state: S,
    i: number,
    slot: C,
    order: OrderRecord,
    ctx: StrategyContext<P>,
  ): { readonly slot: Omit<C, 'retryAt'>; readonly retry: boolean } | null;
  /** A slot with nothing working and no retry pending, on a candle: its next content, or null to leave it. */
  wake?(state: S, i: number, slot: C, candle: Candle, ctx: StrategyContext<P>): Omit<C, 'retryAt'> | null;
}

/** A `settle` written apart from its `slots` config. */
export type SlotSettle<P, S, C extends Slot> = SlotsConfig<P, S, C>['settle'];

export interface Slots<P, S, C extends Slot> {
  /** Put new contents in some slots and place their orders, in the order given. */
  put(
    state: S,
    updates: readonly (readonly [number, Omit<C, 'retryAt'>])[],
  ): Decision<S> & { readonly intents: readonly Intent[] };
  /** Place the orders of every slot `pick` chooses, as they are, in slot order. */
  arm(state: S, pick: (slot: C) => boolean): Decision<S> & { readonly intents: readonly Intent[] };
  /** A final report of slot `i`'s order. */
  onFinal(state: S, order: OrderRecord, i: number, ctx: StrategyContext<P>): Decision<S>;
  /** Each candle: place again what is due, wake what wants to. */
  onCandle(state: S, candle: Candle, ctx: StrategyContext<P>): Decision<S>;
  /** The slots' order handlers, for the strategy's `orders`: final reports go to `onFinal`. */
  readonly handlers: FamilyHandlers<P, S>;
}

export function slots<P, S, C extends Slot>(cfg: SlotsConfig<P, S, C>): Slots<P, S, C> {
  const get = (state: S): readonly C[] => state[cfg.field] as readonly C[];
  const candles = (state: S): number => state[cfg.counter] as number;
  const write = (state: S, i: number, slot: C): S => ({
    ...state,
    [cfg.field]: get(state).map((c, j) => (j === i ? slot : c)),
  });
  const put: Slots<P, S, C>['put'] = (state, updates) => {
    let s = state;
    const intents: Intent[] = [];
    for (const [i, content] of updates) {
      s = write(s, i, { ...content, retryAt: null } as C);
      const intent = cfg.orderOf(s, i, get(s)[i]!);
      if (intent) intents.push(intent);
    }
    return { state: s, intents };
  };
  const onFinal: Slots<P, S, C>['onFinal'] = (state, order, i, ctx) => {
    const slot = get(state)[i];
    const next = slot ? cfg.settle(state, i, slot, order, ctx) : null;
    if (!next) return { state };
    if (!next.retry) return put(state, [[i, next.slot]]);
    const s = write(state, i, { ...next.slot, retryAt: candles(state) + cfg.retryCandles } as C);
    const refused = `${cfg.label} ${order.tag} ${order.request.side} refused (${order.rejectReason ?? 'no reason'}); retrying in ${cfg.retryCandles} candles`;
    return { state: s, intents: order.status === 'REJECTED' ? [notify(refused, 'warn')] : [] };
  };
  return {
    put,
    arm: (state, pick) =>
      put(
        state,
        get(state).flatMap((slot, i) => (pick(slot) ? [[i, slot] as const] : [])),
      ),
    onFinal,
    handlers: { family: cfg.family, onOrderFinal: (state, order, ctx, hit) => onFinal(state, order, hit.key!.n!, ctx) },
    onCandle(state, candle, ctx) {
      // Runs on every candle: one pass over the open orders, not one per slot.
      const working = workingKeys(ctx);
      const updates: [number, Omit<C, 'retryAt'>][] = [];
      get(state).forEach((slot, i) => {
        if (working.has(cfg.family.key(i))) return;
        if (slot.retryAt === null) {
          const woken = cfg.wake?.(state, i, slot, candle, ctx);
          if (woken) updates.push([i, woken]);
        } else if (candles(state) >= slot.retryAt && !ctx.paused) {
          updates.push([i, slot]);
        }
      });
      const done = put(state, updates);
      return done.intents.length > 0 ? done : { state: done.state };
    },
  };
}
