/**
 * Price levels between two bounds, both included: arithmetic (equal steps) or geometric (equal
 * ratios), each rounded to the tick (or to 8 decimals without filters). A grid's prices, a DCA's
 * safety orders, a ladder of limit buys. Pure.
 */
import { type Dec, d, roundToStep, str } from '../decimal';
import type { SymbolFilters } from '../market';

export type Spacing = 'arithmetic' | 'geometric';

/** `count` (≥ 2) prices from `low` to `high`; neighbours may round to the same tick (check before use). */
export function priceLevels(low: Dec, high: Dec, count: number, spacing: Spacing, filters: SymbolFilters | null): Dec[] {
  const n = count - 1;
  const prices: Dec[] = [];
  for (let i = 0; i <= n; i++) {
    const between = spacing === 'geometric' ? d(low).times(d(high).dividedBy(low).pow(d(i).dividedBy(n))) : d(low).plus(d(high).minus(low).times(i).dividedBy(n));
    const raw = i === 0 ? d(low) : i === n ? d(high) : between;
    prices.push(filters ? roundToStep(raw, filters.tickSize) : str(raw.toDecimalPlaces(8)));
  }
  return prices;
}
