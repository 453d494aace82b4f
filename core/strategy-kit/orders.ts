/**
 * Order helpers: intents built from an order key (keys.ts), the strategy's working orders found
 * by key, and what an order amounted to (the seed's `add_order`: place one order, follow it until
 * the exchange finalises it, read the result; the kit routes the final report to a hook). Quantities and prices are decimal strings;
 * the kernel still applies the exchange filters and the risk guard to every intent. Pure.
 */
import { type Dec, d, floorToStep, isPositive, lt, min, mul, str, sub } from '../decimal';
import { avgFillPrice, netBought } from '../fills';
import { type SymbolFilters, marketStep } from '../market';
import type { OrderRecord, OrderSide } from '../orders';
import type { Intent, PlaceIntent, StrategyContext } from '../strategy';
import { splitSymbol } from '../symbols';
import type { OrderKey } from './keys';

import type { Facts } from './journal';

export type { Facts } from './journal';

/** Why an order is placed: entries are refused while paused, exits always go. */
export interface Why {
  readonly purpose: 'entry' | 'exit';
  readonly reason: string;
  readonly facts?: Facts;
}

type PlaceFields = Omit<PlaceIntent, 'kind' | 'tag' | 'purpose' | 'reason' | 'facts'>;

/** A `place` intent for `key`; only the fields given appear (no undefined values in the history). */
export function place(key: OrderKey, order: PlaceFields, why: Why): PlaceIntent {
  return {
    kind: 'place',
    tag: key.tag,
    ...order,
    purpose: why.purpose,
    reason: why.reason,
    ...(why.facts ? { facts: why.facts } : {}),
  };
}

export function limit(key: OrderKey, side: OrderSide, price: Dec, quantity: Dec, why: Why): PlaceIntent {
  return place(key, { side, type: 'LIMIT', price, quantity }, why);
}

export function market(key: OrderKey, side: OrderSide, quantity: Dec, why: Why): PlaceIntent {
  return place(key, { side, type: 'MARKET', quantity }, why);
}

export function cancel(key: OrderKey): Intent {
  return { kind: 'cancel', tag: key.tag };
}

export function notify(message: string, level?: 'info' | 'warn' | 'error'): Intent {
  return level ? { kind: 'notify', level, message } : { kind: 'notify', message };
}

export function stop(reason: string): Intent {
  return { kind: 'stop', reason };
}

/** The strategy's orders with this key that are not final yet (several while an OCO works). */
export function working(ctx: StrategyContext<unknown>, key: OrderKey): readonly OrderRecord[] {
  return ctx.openOrders.filter((o) => o.tag === key.tag);
}

/** Which keys have a working order, for strategies checking many keys on each candle (one pass). */
export function workingKeys(ctx: StrategyContext<unknown>): { has(key: OrderKey): boolean } {
  const tags = new Set(ctx.openOrders.map((o) => o.tag));
  return { has: (key) => tags.has(key.tag) };
}

/**
 * Cancel the order of `key` once `limitCandles` candles have passed since it was placed (a limit
 * entry not filled in time). Nothing when it is already final or its cancel is on the way.
 */
export function expire(
  ctx: StrategyContext<unknown>,
  key: OrderKey,
  age: { readonly candles: number; readonly limitCandles: number },
  message: string,
): Intent[] {
  if (age.candles < age.limitCandles) return [];
  const order = ctx.openOrders.find((o) => o.tag === key.tag);
  if (!order || order.cancelRequested) return [];
  return [cancel(key), notify(message)];
}

// ---- quantities and exchange minimums -------------------------------------------------------------

/** A limit order's quantity rounded down to the lot step (unchanged without filters). */
export function floorQty(qty: Dec, f: SymbolFilters | null): Dec {
  return f ? floorToStep(qty, f.stepSize) : qty;
}

/** A market order's quantity rounded down to its step (MARKET_LOT_SIZE when the symbol has one). */
export function floorMarketQty(qty: Dec, f: SymbolFilters | null): Dec {
  return f ? floorToStep(qty, marketStep(f)) : qty;
}

/** Why the exchange would refuse an order of `qty` (already on the step) at `price`; null when it would not. */
export function tooSmall(qty: Dec, price: Dec, f: SymbolFilters | null): string | null {
  if (!f) return isPositive(qty) ? null : 'quantity rounds to 0';
  if (!isPositive(qty) || lt(qty, f.minQty)) return `quantity ${qty} below the minimum ${f.minQty}`;
  if (isPositive(f.minNotional) && lt(mul(qty, price), f.minNotional))
    return `order value ${mul(qty, price)} below the minimum notional ${f.minNotional}`;
  return null;
}

/**
 * Share `total` (what an order delivered) among claims in order, each up to its quantity on the
 * lot step; a share the exchange would refuse to sell at the claim's price is skipped, and what it
 * would have taken stays for the next: the position in `claims` and the quantity of each share.
 */
export function shareOut(
  total: Dec,
  claims: readonly { readonly qty: Dec; readonly price: Dec }[],
  f: SymbolFilters | null,
): { readonly index: number; readonly qty: Dec }[] {
  let left = total;
  return claims.flatMap((claim, index) => {
    const qty = floorQty(min(claim.qty, left), f);
    if (tooSmall(qty, claim.price, f)) return [];
    left = sub(left, qty);
    return [{ index, qty }];
  });
}

/** What a final sell of `qty` left that can still be sold at `price`; null once filled or only dust is left. */
export function leftToSell(order: OrderRecord, qty: Dec, price: Dec, f: SymbolFilters | null): Dec | null {
  const left = sub(qty, order.executedQty);
  return order.status === 'FILLED' || tooSmall(left, price, f) ? null : left;
}

// ---- what an order amounted to ---------------------------------------------------------------

/** What an order executed so far (all of it once the order is final). */
export interface Executed {
  /** Executed quantity; for a BUY net of the fees paid in the base asset. "0" when nothing executed. */
  readonly qty: Dec;
  /** Average fill price (quote spent / executed quantity); null when nothing executed. */
  readonly price: Dec | null;
  /** What each unit received cost, fees included (quote spent / net quantity); null when unknown. */
  readonly unitCost: Dec | null;
}

export function executed(order: OrderRecord, ctx: StrategyContext<unknown>): Executed {
  const qty =
    order.request.side === 'BUY'
      ? netBought(order, splitSymbol(ctx.symbol, ctx.filters).base)
      : str(d(order.executedQty));
  return { qty, price: avgFillPrice(order), unitCost: unitCost(order.cumulativeQuoteQty, qty) };
}

/** Did a final order execute anything at all? */
export function filledAny(order: OrderRecord): boolean {
  return isPositive(order.executedQty);
}

/** Why an order ended without a fill, as reports show it: "REJECTED: -2010: Account has insufficient balance...". */
export function failure(order: OrderRecord): string {
  return `${order.status}: ${order.rejectReason ?? ''}`;
}

/** Quote paid per unit received (8 decimals); null unless both are positive. */
export function unitCost(quote: Dec, net: Dec): Dec | null {
  return isPositive(net) && isPositive(quote) ? str(d(quote).dividedBy(net).toDecimalPlaces(8)) : null;
}
