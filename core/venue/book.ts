/**
 * The synthetic order book our taker orders meet: levels around a reference price and the fills a
 * taker order would get from them. Pure.
 */
import { type Dec, Decimal, d, str } from '../decimal';
import type { OrderSide } from '../orders';
import type { BookModel, VenueSymbol } from './types';

interface Level {
  readonly price: Decimal;
  readonly qty: Decimal | null;
}

export interface PlannedFill {
  readonly price: Dec;
  readonly qty: Dec;
}

/** Ask levels above the reference for a BUY, bid levels below it for a SELL. */
export function bookLevels(spec: VenueSymbol, book: BookModel, side: OrderSide, reference: Dec): Level[] {
  const tick = d(spec.filters.tickSize);
  const out: Level[] = [];
  const count = book.levelQty === null ? 1 : Math.max(1, book.levels);
  for (let i = 0; i < count; i++) {
    const offset = tick.times(book.spreadTicks + i * book.levelStepTicks);
    const price = side === 'BUY' ? d(reference).plus(offset) : d(reference).minus(offset);
    if (price.lessThanOrEqualTo(0)) break;
    out.push({ price, qty: book.levelQty === null ? null : d(book.levelQty) });
  }
  return out;
}

/**
 * Fills a taker order would get from the synthetic book around `reference`: by quantity or
 * quote budget, never beyond `limit`, never more than `liquidity` base units in total.
 * `complete` is false when the book (or the liquidity) ran out first.
 */
export function planTaker(
  spec: VenueSymbol,
  book: BookModel,
  side: OrderSide,
  reference: Dec,
  want: { qty: Dec | null; quoteBudget: Dec | null; limit: Dec | null; liquidity: Decimal | null },
): { fills: PlannedFill[]; complete: boolean } {
  const f = spec.filters;
  const lot = d(f.marketStepSize).greaterThan(0) ? d(f.marketStepSize) : d(f.stepSize);
  const step = lot.greaterThan(0) ? lot : new Decimal(10).pow(-spec.baseAssetPrecision);
  let remainingQty = want.qty !== null ? d(want.qty) : null;
  let remainingQuote = want.quoteBudget !== null ? d(want.quoteBudget) : null;
  let liquidity = want.liquidity;
  const fills: PlannedFill[] = [];
  for (const level of bookLevels(spec, book, side, reference)) {
    if (want.limit !== null && (side === 'BUY' ? level.price.greaterThan(want.limit) : level.price.lessThan(want.limit))) break;
    let qty: Decimal;
    if (remainingQty !== null) qty = remainingQty;
    else if (remainingQuote !== null) qty = remainingQuote.dividedBy(level.price).dividedBy(step).floor().times(step);
    else break;
    // A quote budget that no longer buys one step is spent: the order is complete.
    if (remainingQty === null && qty.lessThanOrEqualTo(0)) return { fills, complete: true };
    if (level.qty !== null) qty = Decimal.min(qty, level.qty);
    if (liquidity !== null) qty = Decimal.min(qty, liquidity);
    if (qty.lessThanOrEqualTo(0)) break;
    fills.push({ price: str(level.price), qty: str(qty) });
    if (remainingQty !== null) remainingQty = remainingQty.minus(qty);
    if (remainingQuote !== null) remainingQuote = remainingQuote.minus(level.price.times(qty));
    if (liquidity !== null) liquidity = liquidity.minus(qty);
    if (remainingQty !== null && remainingQty.lessThanOrEqualTo(0)) return { fills, complete: true };
    if (liquidity !== null && liquidity.lessThanOrEqualTo(0)) break;
  }
  if (remainingQuote !== null && fills.length > 0) {
    // Complete when what is left cannot buy one more step at the last price reached.
    const last = d((fills[fills.length - 1] as PlannedFill).price);
    if (remainingQuote.dividedBy(last).dividedBy(step).floor().isZero()) return { fills, complete: true };
  }
  return { fills, complete: false };
}
