/**
 * The synthetic order book our taker orders meet — and, on the paper exchange, the book its depth,
 * bookTicker and diff-depth streams show: levels around a reference price and the fills a taker
 * order would get from them. Pure and deterministic.
 *
 * Level i of the asks is at `reference + (spreadTicks + i * levelStepTicks) * tickSize`, bids
 * mirrored below. Its quantity is `levelQty` base units, or `levelNotional / price` when a quote
 * value per level is given; `qtyJitter` (0..1) varies it by up to ± that share with a hash of the
 * level's price, so the book is not flat and a level keeps its size while the price moves around
 * it. The best level of each side also varies with `seq` (the venue's book version: +1 per price
 * point and per fill): every trade changes the top of the book, as on a real exchange, and a
 * backtest fed the same points sees the same sizes. Quantities are floored to the lot step, one
 * step at least. `levelQty: null` without a notional means unlimited depth at the first
 * level (the backtester's default: every taker order fills at the reference price).
 */
import { type Dec, Decimal, d, str } from '../core/decimal';
import { marketStep } from '../core/market';
import type { OrderSide } from '../core/orders';
import type { BookModel, VenueSymbol } from './types';

interface Level {
  readonly price: Decimal;
  readonly qty: Decimal | null;
}

export interface PlannedFill {
  readonly price: Dec;
  readonly qty: Dec;
}

/** True when the book has no depth limit (one level of unlimited quantity). */
export function unlimitedBook(book: BookModel): boolean {
  return book.levelQty === null && !book.levelNotional;
}

/** FNV-1a of a string → [0, 1). Deterministic across runs and platforms. */
function unit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // One more avalanche step: nearby prices should not get nearby quantities.
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

/** The lot step quantities are floored to (MARKET lot first, then LOT_SIZE, else the base precision). */
export function lotStep(spec: VenueSymbol): Decimal {
  const f = spec.filters;
  const lot = d(marketStep(f));
  return lot.greaterThan(0) ? lot : new Decimal(10).pow(-spec.baseAssetPrecision);
}

/**
 * Quantity of the level at `price` (canonical decimal string, e.g. "30000.01"), or null for an
 * unlimited book. `top` marks the best level of its side, whose size also depends on `seq`.
 */
export function levelQuantity(spec: VenueSymbol, book: BookModel, price: Dec, top: boolean, seq: number): Dec | null {
  if (unlimitedBook(book)) return null;
  if (!book.levelNotional && !book.qtyJitter) return book.levelQty; // a flat book, exactly as configured
  const jitter = Math.min(1, Math.max(0, book.qtyJitter ?? 0));
  const factor =
    jitter > 0
      ? 1 -
        jitter +
        2 * jitter * unit(top ? `${spec.filters.symbol}:${price}:${seq}` : `${spec.filters.symbol}:${price}`)
      : 1;
  const step = lotStepInfo(spec);
  // Sizes are synthetic: doubles are exact enough to pick a whole number of steps, and they are
  // deterministic, so the book shown and the fills computed from it always agree. Decimals format it.
  const base = book.levelNotional ? Number(book.levelNotional) / Number(price) : Number(book.levelQty);
  const steps = Math.max(1, Math.floor((base * factor) / step.value));
  if (Number.isSafeInteger(steps) && step.pow >= 0) return scaled(steps, step.pow);
  return str(new Decimal(steps).times(step.decimal));
}

const stepCache = new WeakMap<VenueSymbol, { value: number; pow: number; decimal: Decimal }>();

/** The lot step as a double, and k when it is 10^-k (else -1). */
function lotStepInfo(spec: VenueSymbol): { value: number; pow: number; decimal: Decimal } {
  let info = stepCache.get(spec);
  if (!info) {
    const decimal = lotStep(spec);
    const k = decimal.decimalPlaces();
    info = { value: decimal.toNumber(), pow: new Decimal(10).pow(-k).equals(decimal) ? k : -1, decimal };
    stepCache.set(spec, info);
  }
  return info;
}

/** n × 10^-k as a canonical decimal string ("123", 5 → "0.00123"). */
function scaled(n: number, k: number): string {
  if (k === 0) return String(n);
  const digits = String(n).padStart(k + 1, '0');
  const whole = digits.slice(0, digits.length - k);
  const frac = digits.slice(digits.length - k).replace(/0+$/, '');
  return frac === '' ? whole : `${whole}.${frac}`;
}

/** Price of level `i` of the side a BUY takes (asks above the reference) or a SELL takes (bids below). */
export function levelPrice(spec: VenueSymbol, book: BookModel, side: OrderSide, reference: Dec, i: number): Decimal {
  const offset = d(spec.filters.tickSize).times(book.spreadTicks + i * book.levelStepTicks);
  return side === 'BUY' ? d(reference).plus(offset) : d(reference).minus(offset);
}

/** Ask levels above the reference for a BUY, bid levels below it for a SELL, best first, computed as needed. */
export function* bookLevels(
  spec: VenueSymbol,
  book: BookModel,
  side: OrderSide,
  reference: Dec,
  seq = 0,
): Generator<Level> {
  const count = unlimitedBook(book) ? 1 : Math.max(1, book.levels);
  for (let i = 0; i < count; i++) {
    const price = levelPrice(spec, book, side, reference, i);
    if (price.lessThanOrEqualTo(0)) return;
    const qty = levelQuantity(spec, book, str(price), i === 0, seq);
    yield { price, qty: qty === null ? null : d(qty) };
  }
}

/**
 * Fills a taker order would get from the synthetic book around `reference`: by quantity or
 * quote budget, never beyond `limit`, never more than `liquidity` base units in total.
 * `complete` is false when the book (or the liquidity) ran out first. `seq` is the venue's book
 * version (the size of the best level).
 */
export function planTaker(
  spec: VenueSymbol,
  book: BookModel,
  side: OrderSide,
  reference: Dec,
  want: { qty: Dec | null; quoteBudget: Dec | null; limit: Dec | null; liquidity: Decimal | null },
  seq = 0,
): { fills: PlannedFill[]; complete: boolean } {
  const step = lotStep(spec);
  let remainingQty = want.qty !== null ? d(want.qty) : null;
  let remainingQuote = want.quoteBudget !== null ? d(want.quoteBudget) : null;
  let liquidity = want.liquidity;
  const fills: PlannedFill[] = [];
  for (const level of bookLevels(spec, book, side, reference, seq)) {
    if (
      want.limit !== null &&
      (side === 'BUY' ? level.price.greaterThan(want.limit) : level.price.lessThan(want.limit))
    )
      break;
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
