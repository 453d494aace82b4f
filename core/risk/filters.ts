/**
 * Exchange filters applied before an order is emitted, so a strategy never sends an order the
 * exchange would refuse for formatting reasons: prices rounded to the tick, quantities to the step,
 * and a clear reason when the order is too small. Pure.
 */
import { type Dec, ceilToStep, floorToStep, gt, isPositive, isZero, lt, mul, str } from '../decimal';
import { type SymbolFilters, marketStep } from '../market';
import type { OrderRequest } from '../orders';

export type FilterOutcome =
  { readonly ok: true; readonly request: OrderRequest } | { readonly ok: false; readonly reason: string };

/**
 * Round a limit price to the tick on the safe side: a BUY never pays more than asked and a SELL
 * never receives less.
 */
export function roundPrice(price: Dec, side: 'BUY' | 'SELL', filters: SymbolFilters): Dec {
  return side === 'BUY' ? floorToStep(price, filters.tickSize) : ceilToStep(price, filters.tickSize);
}

/** Stop prices trigger; round them to the nearest tick in the direction that keeps the protection. */
export function roundStopPrice(stopPrice: Dec, side: 'BUY' | 'SELL', filters: SymbolFilters): Dec {
  // A SELL stop below the market protects a long: rounding it up triggers slightly earlier, never later.
  return side === 'SELL' ? ceilToStep(stopPrice, filters.tickSize) : floorToStep(stopPrice, filters.tickSize);
}

/**
 * Apply PRICE_FILTER, LOT_SIZE / MARKET_LOT_SIZE and NOTIONAL to an order request.
 * `referencePrice` values MARKET orders for the notional check.
 */
export function applyFilters(request: OrderRequest, filters: SymbolFilters, referencePrice: Dec | null): FilterOutcome {
  const isMarket = request.type === 'MARKET';
  const step = isMarket ? marketStep(filters) : filters.stepSize;
  const minQty = isMarket && isPositive(filters.marketMinQty) ? filters.marketMinQty : filters.minQty;
  const maxQty = isMarket && isPositive(filters.marketMaxQty) ? filters.marketMaxQty : filters.maxQty;
  let next: OrderRequest = request;

  if (request.price !== undefined) next = { ...next, price: roundPrice(request.price, request.side, filters) };
  if (request.stopPrice !== undefined)
    next = { ...next, stopPrice: roundStopPrice(request.stopPrice, request.side, filters) };
  if (next.price !== undefined) {
    if (!isPositive(next.price))
      return { ok: false, reason: `price ${request.price} rounds to ${next.price} at tick ${str(filters.tickSize)}` };
    if (isPositive(filters.minPrice) && lt(next.price, filters.minPrice))
      return { ok: false, reason: `price ${next.price} below minPrice ${str(filters.minPrice)}` };
    if (isPositive(filters.maxPrice) && gt(next.price, filters.maxPrice))
      return { ok: false, reason: `price ${next.price} above maxPrice ${str(filters.maxPrice)}` };
  }

  if (request.quantity !== undefined) {
    const qty = floorToStep(request.quantity, step);
    if (isZero(qty) || lt(qty, minQty)) {
      return {
        ok: false,
        reason: `quantity ${request.quantity} rounds to ${qty}, below minQty ${str(minQty)} (step ${str(step)})`,
      };
    }
    if (isPositive(maxQty) && gt(qty, maxQty))
      return { ok: false, reason: `quantity ${qty} above maxQty ${str(maxQty)}` };
    next = { ...next, quantity: qty };
  }

  const price = next.price ?? (isMarket ? referencePrice : (next.stopPrice ?? null));
  const notional =
    next.quantity !== undefined && price !== null ? mul(next.quantity, price) : (next.quoteOrderQty ?? null);
  if (notional !== null) {
    if (isPositive(filters.minNotional) && lt(notional, filters.minNotional)) {
      return {
        ok: false,
        reason: `order value ${notional} ${filters.quoteAsset} is below the minimum notional ${str(filters.minNotional)}`,
      };
    }
    if (isPositive(filters.maxNotional) && gt(notional, filters.maxNotional)) {
      return {
        ok: false,
        reason: `order value ${notional} ${filters.quoteAsset} is above the maximum notional ${str(filters.maxNotional)}`,
      };
    }
  }
  return { ok: true, request: next };
}
