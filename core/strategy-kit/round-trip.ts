/**
 * A round trip at market, as a sub-machine: open a position with one MARKET order, hold it, close
 * it with one MARKET order, and record the trade. Each trip has a number `seq`; its orders are
 * `entry` seq and `exit` seq of the families given (so "entry-4" and "exit-4").
 *
 *   (none) --open--> opening --entry filled--> open --close--> closing --exit filled--> (none) + trade
 *              entry not filled: (none)                       exit not filled: open again
 *
 * The position's state is the strategy's own record `M` (what it wants to remember about the
 * trip: the signal, the reference price) plus the fields below, all plain JSON. A long's quantity
 * is what the entry delivered net of fees paid in base, rounded down to the market step; a short's
 * is the executed quantity. Closing a long with `sweepDust` sells the bot's whole holding when it
 * is larger (dust earlier exits left under the lot step). Pure.
 */
import { type Dec, d, gt, str } from '../decimal';
import { type OrderRecord, isFinalStatus } from '../orders';
import type { Intent, StrategyContext } from '../strategy';
import type { NumberedFamily, OrderKey } from './keys';
import { type Facts, executed, failure, filledAny, floorMarketQty, market } from './orders';

export type Phase = 'opening' | 'open' | 'closing';

export type Position<M> = M & {
  readonly phase: Phase;
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

export interface RoundTripConfig<M, T> {
  readonly entry: NumberedFamily;
  readonly exit: NumberedFamily;
  /** Is this position a short (opened by a SELL)? */
  readonly isShort: (position: M) => boolean;
  /** The price the trade's entry falls back to when the fill price is unknown. */
  readonly reference: (position: M) => Dec;
  /** The strategy's fields kept in the trade record. */
  readonly tradeOf: (position: M) => T;
  readonly sweepDust?: boolean;
}

/** What an order report did to the trip. */
export type TripEvent<M, T> =
  | { readonly kind: 'opened'; readonly position: Position<M> }
  | { readonly kind: 'entryFailed'; readonly position: Position<M>; readonly why: string }
  | { readonly kind: 'closed'; readonly trade: Trade<T> }
  | { readonly kind: 'exitFailed'; readonly position: Position<M>; readonly why: string };

export interface RoundTrip<M, T> {
  /** The record of a trip being opened: place its entry with `entryKey(seq)`. */
  opening(meta: M, seq: number, now: number): Position<M>;
  /** The order opening the trip: an entry of the trip's number. */
  entryKey(seq: number): OrderKey;
  /** Close at market: the position marked closing and the exit order. */
  close(position: Position<M>, why: { readonly reason: string; readonly facts?: Facts }, ctx: StrategyContext<unknown>, meta?: Partial<M>): { position: Position<M>; intent: Intent };
  /** A final report of the trip's entry or exit; null for any other order or a trip not waiting for it. */
  onOrder(position: Position<M> | null, order: OrderRecord, ctx: StrategyContext<unknown>): TripEvent<M, T> | null;
}

export function roundTrip<M extends object, T extends object>(cfg: RoundTripConfig<M, T>): RoundTrip<M, T> {
  return {
    opening: (meta, seq, now) => ({ ...meta, phase: 'opening', seq, qty: '0', fillPrice: null, openedAt: now, exitReason: null }) as Position<M>,
    entryKey: (seq) => cfg.entry.key(seq),
    close(position, why, ctx, meta) {
      const short = cfg.isShort(position);
      // The kernel rounds a swept holding down to the step.
      const quantity = !short && cfg.sweepDust && gt(ctx.position.qty, position.qty) ? ctx.position.qty : position.qty;
      const intent = market(cfg.exit.key(position.seq), short ? 'BUY' : 'SELL', quantity, { purpose: 'exit', ...why });
      return { position: { ...position, ...meta, phase: 'closing', exitReason: why.reason }, intent };
    },
    onOrder(position, order, ctx) {
      if (!position || !isFinalStatus(order.status)) return null;
      if (order.tag === cfg.entry.key(position.seq).tag && position.phase === 'opening') {
        if (!filledAny(order)) return { kind: 'entryFailed', position, why: failure(order) };
        const got = executed(order, ctx);
        return { kind: 'opened', position: { ...position, phase: 'open', qty: floorMarketQty(got.qty, ctx.filters), fillPrice: got.price } };
      }
      if (order.tag === cfg.exit.key(position.seq).tag && position.phase === 'closing') {
        if (!filledAny(order)) return { kind: 'exitFailed', position: { ...position, phase: 'open', exitReason: null }, why: failure(order) };
        const exitPrice = executed(order, ctx).price!;
        const entryPrice = position.fillPrice ?? cfg.reference(position);
        const perUnit = cfg.isShort(position) ? d(entryPrice).minus(exitPrice) : d(exitPrice).minus(entryPrice);
        const trade = {
          ...cfg.tradeOf(position),
          qty: order.executedQty,
          entryPrice,
          exitPrice,
          pnl: str(perUnit.times(order.executedQty).toDecimalPlaces(8)),
          reason: position.exitReason ?? '',
          openedAt: position.openedAt,
          closedAt: ctx.now,
        } as Trade<T>;
        return { kind: 'closed', trade };
      }
      return null;
    },
  };
}
