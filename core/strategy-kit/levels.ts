/**
 * Price levels between two bounds, both included: arithmetic (equal steps) or geometric (equal
 * ratios), each rounded to the tick (or to 8 decimals without filters). A grid's prices, a DCA's
 * safety orders, a ladder of limit buys; the size of each of its orders, in base or in quote; and
 * whether the exchange would take a ladder's orders. Pure.
 */
import { type Dec, d, lt, roundToStep, str } from '../decimal';
import type { SymbolFilters } from '../market';
import { positiveDecimal } from '../schema';
import { floorQty, tooSmall } from './orders';

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

/** The levels of a ladder's params (`low`, `high`, `levels` prices both included, `spacing`), rounded to the tick. */
export function ladderPrices(
  p: { readonly low: Dec; readonly high: Dec; readonly levels: number; readonly spacing: Spacing },
  filters: SymbolFilters | null,
): Dec[] {
  return priceLevels(p.low, p.high, p.levels, p.spacing, filters);
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

/** Params fields: the size of each order of a ladder, in base or in quote (give exactly one). */
export const ladderSizeFields = {
  /** Base quantity of each order. Give this or `amount`. */
  quantity: positiveDecimal.optional(),
  /** Quote amount of each buy (its quantity is amount / buy price). Give this or `quantity`. */
  amount: positiveDecimal.optional(),
};

export interface LadderSize {
  readonly quantity?: Dec | undefined;
  readonly amount?: Dec | undefined;
}

/** For `issues`: a ladder's `high` must lie above its `low`, and it takes exactly one of `quantity` and `amount`. */
export function ladderIssues(p: LadderSize & { readonly low: Dec; readonly high: Dec }): [boolean, string, string][] {
  return [
    [!lt(p.low, p.high), 'high', `must be above low (${p.low})`],
    [
      (p.quantity === undefined) === (p.amount === undefined),
      'quantity',
      'give exactly one of quantity (base per order) or amount (quote per order)',
    ],
  ];
}

/** One order's quantity at `price`: `quantity`, or `amount` worth at that price, on the lot step. */
export function ladderQty(p: LadderSize, price: Dec, f: SymbolFilters | null): Dec {
  return floorQty(p.quantity ?? str(d(p.amount!).dividedBy(price)), f);
}
