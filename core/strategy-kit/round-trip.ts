/**
 * A round trip at market, as a sub-machine: open a position with one MARKET order, hold it, close
 * it with one MARKET order, record the trade. Each trip has a number `seq`; its orders are `entry`
 * seq and `exit` seq of the families given (so "entry-4" and "exit-4").
 *
 *   (none) --enter--> opening --entry filled--> open --exit--> closing --exit filled--> (none) + trade
 *              entry not filled: (none)                    exit not filled: open again
 *
 * The strategy's state carries `TripFields`: the position (the strategy's own record `M` of the
 * trip, plus the fields of `Position`), the trip counter, the last trades and the decision
 * journal, where every step is written ("enter-long1", "exit", "closed", "entry-failed", ...).
 * A long's quantity is what the entry delivered net of fees paid in base, rounded down to the
 * market step; a short's is the executed quantity. With `sweepDust`, closing a long sells the
 * bot's whole holding when it is larger (dust earlier exits left under the lot step; the kernel
 * rounds it down to the step). Pure.
 */
import { type Dec, d, gt, str } from '../decimal';
import { type OrderRecord, isFinalStatus } from '../orders';
import type { Decision, Intent, PlaceIntent, StrategyContext } from '../strategy';
import { type Facts, type Journaled, decide } from './journal';
import type { NumberedFamily } from './keys';
import { executed, failure, filledAny, floorMarketQty, market, notify, place } from './orders';
import type { Check } from './rules';
import type { MarketEntry } from './sizing';

export type Position<M> = M & {
  readonly phase: 'opening' | 'open' | 'closing';
  readonly seq: number;
  /** Quantity held (0 while opening). */
  readonly qty: Dec;
  /** Average fill price of the entry; null while opening. */
  readonly fillPrice: Dec | null;
  readonly openedAt: number;
  /** Why it is being closed; null unless closing. */
  readonly exitReason: string | null;
};

export type Trade<T> = T & {
  readonly qty: Dec;
  readonly entryPrice: Dec;
  readonly exitPrice: Dec;
  /** Per unit move times the quantity closed, 8 decimals, fees not included. */
  readonly pnl: Dec;
  readonly reason: string;
  readonly openedAt: number;
  readonly closedAt: number;
};

export interface TripFields<M, T> extends Journaled {
  readonly position: Position<M> | null;
  /** Number of the last trip entered. */
  readonly seq: number;
  readonly trades: readonly Trade<T>[];
}

/** The `TripFields` of a round trip, inferred from it: `extends kit.TripsOf<typeof trip>`. */
export type TripsOf<R> = R extends RoundTrip<infer M, infer T> ? TripFields<M, T> : never;

/** No position, no trip yet: the `TripFields` a strategy's `init` starts from. */
export const noTrips = { position: null, seq: 0, trades: [], decisions: [] } as const;

/** Why an entry whose rules held is not taken now; journalled as `action` ("skip" by default). */
export interface Gate {
  readonly why: string;
  readonly action?: string;
}

/** An entry whose rules held, for `enterChecked`. */
export interface CheckedEntry<S> {
  readonly check: Check;
  readonly facts: Facts;
  /** Checked in order, before the pause and the sizing; null: this gate is open. */
  readonly gates?: readonly (Gate | null)[];
  /** The MARKET order, sized only once every gate is open (sizing.ts `marketEntry`, `marketBuy`). */
  readonly entry: () => MarketEntry;
  /** What the strategy records when it does enter. */
  readonly entered?: (state: S) => S;
}

export interface RoundTripConfig<M, T> {
  readonly entry: NumberedFamily;
  readonly exit: NumberedFamily;
  /** Name of the trip in the journal ("long1"): "enter-long1", "long1 closed at ...". */
  readonly label: (position: M) => string;
  /** Is this position a short (opened by a SELL)? */
  readonly isShort: (position: M) => boolean;
  /** The price the trade's entry falls back to when the fill price is unknown. */
  readonly reference: (position: M) => Dec;
  /** The strategy's fields kept in the trade record. */
  readonly tradeOf: (position: M) => T;
  readonly sweepDust?: boolean;
  /** Trades kept in the state (default 100). */
  readonly maxTrades?: number;
}

type OrderFields = Omit<PlaceIntent, 'kind' | 'tag' | 'purpose' | 'reason' | 'facts'>;
type Why = { readonly reason: string; readonly facts: Facts };

export interface RoundTrip<M, T> {
  /** Enter trip `seq + 1` with a MARKET `order`; `meta` is the strategy's record of it. */
  enter<S extends TripFields<M, T>>(
    state: S,
    meta: M,
    order: OrderFields,
    why: Why,
    ctx: StrategyContext<unknown>,
  ): Decision<S> & { readonly intents: readonly Intent[] };
  /**
   * The entry rules of `check` held: enter (`enter`) unless a gate, the pause or the sizing says
   * why not, journalled "<label> conditions met but <why>" with the facts. The entry's reason
   * lists the rules that held.
   */
  enterChecked<S extends TripFields<M, T>>(
    state: S,
    meta: M,
    go: CheckedEntry<S>,
    ctx: StrategyContext<unknown>,
  ): Decision<S>;
  /** Close the open position at market. */
  exit<S extends TripFields<M, T>>(state: S, why: Why, ctx: StrategyContext<unknown>): Decision<S>;
  /**
   * A final report of the trip's entry or exit; null for any other order. `onEntryFailed` lets
   * the strategy undo what it set when it entered.
   */
  onOrder<S extends TripFields<M, T>>(
    state: S,
    order: OrderRecord,
    ctx: StrategyContext<unknown>,
    onEntryFailed?: (state: S, position: Position<M>) => S,
  ): Decision<S> | null;
}

export function roundTrip<M extends object, T extends object>(cfg: RoundTripConfig<M, T>): RoundTrip<M, T> {
  const enter: RoundTrip<M, T>['enter'] = (state, meta, order, why, ctx) => {
    const seq = state.seq + 1;
    const position = {
      ...meta,
      phase: 'opening',
      seq,
      qty: '0',
      fillPrice: null,
      openedAt: ctx.now,
      exitReason: null,
    } as Position<M>;
    const s = decide({ ...state, seq, position }, ctx, `enter-${cfg.label(meta)}`, why.reason, why.facts);
    return { state: s, intents: [place(cfg.entry.key(seq), order, { purpose: 'entry', ...why })] };
  };
  return {
    enter,
    enterChecked(state, meta, go, ctx) {
      const label = cfg.label(meta);
      const skip = (why: string, action = 'skip'): Decision<typeof state> => ({
        state: decide(state, ctx, action, `${label} conditions met but ${why}`, go.facts),
      });
      const gate = [...(go.gates ?? []), ctx.paused ? { why: 'the bot is paused' } : null].find((g) => g !== null);
      if (gate) return skip(gate.why, gate.action);
      const entry = go.entry();
      if (!entry.ok) return skip(entry.reason);
      const reason = `${label} entry: ${go.check.conditions.map((c) => c.rule).join('; ')}`;
      const s = go.entered ? go.entered(state) : state;
      return enter(s, meta, entry.order, { reason, facts: { ...go.facts, ...entry.facts } }, ctx);
    },
    exit(state, why, ctx) {
      const position = state.position!;
      const short = cfg.isShort(position);
      const quantity = !short && cfg.sweepDust && gt(ctx.position.qty, position.qty) ? ctx.position.qty : position.qty;
      const intent = market(cfg.exit.key(position.seq), short ? 'BUY' : 'SELL', quantity, { purpose: 'exit', ...why });
      return {
        state: decide(
          { ...state, position: { ...position, phase: 'closing', exitReason: why.reason } },
          ctx,
          'exit',
          why.reason,
          why.facts,
        ),
        intents: [intent],
      };
    },
    onOrder(state, order, ctx, onEntryFailed) {
      const position = state.position;
      if (!position || !isFinalStatus(order.status)) return null;
      const label = cfg.label(position);
      if (order.tag === cfg.entry.key(position.seq).tag && position.phase === 'opening') {
        if (!filledAny(order)) {
          const s = { ...state, position: null };
          const message = `${label} entry ${failure(order)}`;
          return {
            state: decide(onEntryFailed ? onEntryFailed(s, position) : s, ctx, 'entry-failed', message),
            intents: [notify(message, 'warn')],
          };
        }
        const got = executed(order, ctx);
        return {
          state: {
            ...state,
            position: { ...position, phase: 'open', qty: floorMarketQty(got.qty, ctx.filters), fillPrice: got.price },
          },
        };
      }
      if (order.tag !== cfg.exit.key(position.seq).tag || position.phase !== 'closing') return null;
      if (!filledAny(order)) {
        // Not closed: the strategy evaluates its exit again on the next candle.
        const s = decide(
          { ...state, position: { ...position, phase: 'open', exitReason: null } },
          ctx,
          'exit-failed',
          `${label} exit ${failure(order)}`,
        );
        return { state: s, intents: [notify(`${label} exit ${failure(order)}; retrying on the next candle`, 'error')] };
      }
      const exitPrice = executed(order, ctx).price!;
      const entryPrice = position.fillPrice ?? cfg.reference(position);
      const perUnit = cfg.isShort(position) ? d(entryPrice).minus(exitPrice) : d(exitPrice).minus(entryPrice);
      const pnl = str(perUnit.times(order.executedQty).toDecimalPlaces(8));
      const reason = position.exitReason ?? '';
      const trade = {
        ...cfg.tradeOf(position),
        qty: order.executedQty,
        entryPrice,
        exitPrice,
        pnl,
        reason,
        openedAt: position.openedAt,
        closedAt: ctx.now,
      } as Trade<T>;
      const s = { ...state, position: null, trades: [...state.trades, trade].slice(-(cfg.maxTrades ?? 100)) };
      return { state: decide(s, ctx, 'closed', `${label} closed at ${exitPrice}: ${reason}`, { pnl }) };
    },
  };
}
