/**
 * The futures depth shows the accounts' resting LIMIT orders on top of the synthetic book, as
 * Binance's book holds every participant's orders: another account's walls move the imbalance a
 * book strategy reads (seed 004), and a bot sees its own resting take-profit in the book. The
 * matching engine still fills taker orders from the synthetic book (venue/book.ts): resting
 * orders fill when the price reaches them, as before. Pure.
 */
import { type Decimal, d, str } from '../../core/decimal';
import type { PerpOrderView } from '../../venue/perpetual';

export type DepthLevel = readonly [price: string, qty: string];

/** Synthetic levels (best first) with the resting LIMIT orders' remaining quantity added, best first, at most `limit`. */
export function withResting(
  synthetic: readonly DepthLevel[],
  resting: readonly PerpOrderView[],
  side: 'BUY' | 'SELL',
  limit: number,
): { price: Decimal; qty: Decimal }[] {
  const byPrice = new Map<string, { price: Decimal; qty: Decimal }>();
  const add = (price: Decimal, qty: Decimal) => {
    const key = str(price);
    const at = byPrice.get(key);
    if (at) at.qty = at.qty.plus(qty);
    else byPrice.set(key, { price, qty });
  };
  for (const [p, q] of synthetic) add(d(p), d(q));
  for (const o of resting) {
    if (o.side !== side || o.type !== 'LIMIT') continue;
    const left = d(o.origQty).minus(o.executedQty);
    if (left.greaterThan(0)) add(d(o.price), left);
  }
  const levels = [...byPrice.values()].sort((a, b) =>
    side === 'BUY' ? b.price.comparedTo(a.price) : a.price.comparedTo(b.price),
  );
  return levels.slice(0, limit);
}
