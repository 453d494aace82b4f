/**
 * Price levels between two bounds, both included: arithmetic (equal steps) or geometric (equal
 * ratios), each rounded to the tick (or to 8 decimals without filters). A grid's prices, a DCA's
 * safety orders, a ladder of limit buys; and whether the exchange would take a ladder's orders. Pure.
 */
import { type Dec, d, lt, roundToStep, str } from '../decimal';
import type { SymbolFilters } from '../market';
import { tooSmall } from './orders';

export type Spacing = 'arithmetic' | 'geometric';

/** `count` (≥ 2) prices from `low` to `high`; neighbours may round to the same tick (check before use). */
export function priceLevels(
  low: Dec,
  high: Dec,
  count: number,
  spacing: Spacing,
  filters: SymbolFilters | null,
): Dec[] {
  const n = count - 1;
  const prices: Dec[] = [];
  for (let i = 0; i <= n; i++) {
    const between =
      spacing === 'geometric'
        ? d(low).times(d(high).dividedBy(low).pow(d(i).dividedBy(n)))
        : d(low).plus(d(high).minus(low).times(i).dividedBy(n));
    const raw = i === 0 ? d(low) : i === n ? d(high) : between;
    prices.push(filters ? roundToStep(raw, filters.tickSize) : str(raw.toDecimalPlaces(8)));
  }
  return prices;
}

/**
 * Why a ladder of orders cannot be placed, or null: two neighbouring levels equal at the tick
 * ("levels 1 and 1 collapse at the tick size: use fewer levels"), else the first order (at each
 * level but the last, of `qtyAt(price)`) the exchange would refuse as too small.
 */
export function ladderProblem(
  prices: readonly Dec[],
  qtyAt: (price: Dec) => Dec,
  filters: SymbolFilters | null,
): string | null {
  for (let i = 1; i < prices.length; i++)
    if (!lt(prices[i - 1]!, prices[i]!))
      return `levels ${prices[i - 1]} and ${prices[i]} collapse at the tick size: use fewer levels`;
  for (const price of prices.slice(0, -1)) {
    const problem = tooSmall(qtyAt(price), price, filters);
    if (problem) return `order at ${price} too small: ${problem}`;
  }
  return null;
}
