/**
 * The seed's `add_order` for an entry: place one buy (at market, or a limit order given up after
 * `timeoutCandles`), sized by the risk layer, follow it until the exchange finalises it, and read
 * what it bought. The flow's state is the strategy's (it knows when it placed the order); these
 * are its steps; `exitsForEntry` hands what it bought to the exits (exits.ts). Pure.
 */
import { z } from 'zod';
import { type Dec, isPositive } from '../decimal';
import type { OrderRecord } from '../orders';
import { positiveDecimal, positiveInt } from '../schema';
import type { Intent, PlaceIntent, StrategyContext } from '../strategy';
import type { OrderKey } from './keys';
import { type ExitsDecision, type ExitsParams, startExits } from './exits';
import { executed, expire, place } from './orders';
import { type Sizing, size } from './sizing';

/** How an entry is placed; the params of a strategy embed it. */
export const entrySchema = z.discriminatedUnion('type', [
  /** Buy at market on the first candle. */
  z.object({ type: z.literal('market') }).strict(),
  /** Buy with a LIMIT order at `price`; optionally give up after `timeoutCandles` candles. */
  z.object({ type: z.literal('limit'), price: positiveDecimal, timeoutCandles: positiveInt.optional() }).strict(),
]);
export type EntryParams = z.output<typeof entrySchema>;

export type EntryPlan =
  | { readonly ok: true; readonly intent: PlaceIntent }
  /** `wait`: the ATR sizing needs is still warming up, try again on the next candle. */
  | { readonly ok: false; readonly reason: string; readonly wait: boolean };

/** The entry order for `key` (params embedding `entry` and `sizing`), sized at the limit price or, at market, at the last close. */
export function planEntry(
  key: OrderKey,
  { entry, sizing }: { readonly entry: EntryParams; readonly sizing: Sizing },
  ctx: StrategyContext<unknown>,
  at: { readonly close: Dec; readonly atr: number | null },
): EntryPlan {
  const limit = entry.type === 'limit' ? entry.price : null;
  const sized = size(ctx, sizing, { price: limit ?? at.close, atr: at.atr, market: limit === null });
  if (!sized.ok) return { ok: false, reason: sized.reason, wait: sizing.mode === 'atr' && at.atr === null };
  const why = { purpose: 'entry', facts: { close: at.close } } as const;
  return {
    ok: true,
    intent:
      limit !== null
        ? place(
            key,
            { side: 'BUY', type: 'LIMIT', price: limit, quantity: sized.quantity },
            { ...why, reason: `limit entry at ${limit}: ${sized.why}` },
          )
        : place(
            key,
            { side: 'BUY', type: 'MARKET', quantity: sized.quantity },
            { ...why, reason: `market entry: ${sized.why}` },
          ),
  };
}

/** Cancel a limit entry still working `timeoutCandles` candles after it was placed. */
export function expireEntry(
  ctx: StrategyContext<unknown>,
  key: OrderKey,
  entry: EntryParams,
  candlesSince: number,
): Intent[] {
  if (entry.type !== 'limit' || entry.timeoutCandles === undefined) return [];
  return expire(
    ctx,
    key,
    { candles: candlesSince, limitCandles: entry.timeoutCandles },
    `limit entry not filled after ${entry.timeoutCandles} candles: cancelling it`,
  );
}

export type EntryResult =
  { readonly ok: true; readonly qty: Dec; readonly price: Dec } | { readonly ok: false; readonly why: string };

/** What a final entry bought (net of fees paid in base, at its average price), or why nothing. */
export function entryResult(order: OrderRecord, ctx: StrategyContext<unknown>): EntryResult {
  const { qty, price } = executed(order, ctx);
  if (isPositive(qty) && price !== null) return { ok: true, qty, price };
  const why =
    order.status === 'REJECTED'
      ? `entry rejected: ${order.rejectReason ?? 'no reason given'}`
      : `entry ${order.status.toLowerCase()} without a fill`;
  return { ok: false, why };
}

export type EntryExits =
  | { readonly ok: true; readonly qty: Dec; readonly price: Dec; readonly exits: ExitsDecision }
  | { readonly ok: false; readonly why: string };

/** A final entry: start the exits (exits.ts) for what it bought, at its average price; or why there is nothing to sell. */
export function exitsForEntry(
  order: OrderRecord,
  ctx: StrategyContext<unknown>,
  exits: { readonly prefix: string; readonly params: ExitsParams },
): EntryExits {
  const got = entryResult(order, ctx);
  if (!got.ok) return got;
  return { ...got, exits: startExits({ ...exits, entryPrice: got.price, quantity: got.qty, ctx }) };
}
