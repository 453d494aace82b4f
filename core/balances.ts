/**
 * The free balances a strategy sizes with, kept current between reconciliations by the bot's own
 * orders, the way the exchange's ledger moves them. Pure.
 *
 * Reconciliation reads the account's free balances (every 15 min with open orders, hourly
 * without); in between, each change of one of the bot's orders moves them:
 *   - a resting order locks what it may spend (a buy: remaining quantity x limit price in quote;
 *     a sell: the remaining quantity in base) and unlocks what it no longer may (fills, cancel);
 *   - a fill moves base and quote by its quantity and quote amount, fees out of their asset.
 * So an entry placed a few candles after an exit is sized from what the exit brought back, not
 * from the balance seen while in the position. Other activity on the account (another bot, a
 * deposit) shows at the next reconciliation.
 */
import { type Dec, add, isPositive, max, mul, sub } from './decimal';
import { type Fill, type OrderRecord, isFinalStatus } from './orders';

export interface FreeBalances {
  readonly base: Dec;
  readonly quote: Dec;
}

/** What an order holds locked on the exchange right now (only one leg of an OCO list locks). */
export function lockedBy(order: OrderRecord): FreeBalances {
  const r = order.request;
  const none = { base: '0', quote: '0' };
  if (isFinalStatus(order.status) || order.status === 'SUBMITTING' || order.status === 'UNKNOWN') return none;
  if (r.type === 'MARKET') return none;
  if (order.listClientOrderId !== undefined && !isLockingLeg(order)) return none;
  const remaining = max('0', sub(r.quantity ?? '0', order.executedQty));
  if (!isPositive(remaining)) return none;
  if (r.side === 'SELL') return { base: remaining, quote: '0' };
  const price = r.price ?? r.stopPrice;
  return price === undefined ? none : { base: '0', quote: mul(remaining, price) };
}

/** Of an OCO list's two legs, the one above the market carries the lock in our books (either would do). */
function isLockingLeg(order: OrderRecord): boolean {
  const t = order.request.type;
  return order.request.side === 'SELL'
    ? t === 'LIMIT_MAKER' || t === 'TAKE_PROFIT' || t === 'TAKE_PROFIT_LIMIT'
    : t === 'STOP_LOSS' || t === 'STOP_LOSS_LIMIT';
}

/**
 * Free balances after `before` became `after` with `newFills`. `assets` names the symbol's base and
 * quote; orders on other symbols leave these balances alone.
 */
export function balancesAfterOrderChange(
  balances: FreeBalances,
  before: OrderRecord,
  after: OrderRecord,
  newFills: readonly Fill[],
  assets: { readonly base: string; readonly quote: string },
): FreeBalances {
  const lockedBefore = lockedBy(before);
  const lockedAfter = lockedBy(after);
  let base = add(balances.base, sub(lockedBefore.base, lockedAfter.base));
  let quote = add(balances.quote, sub(lockedBefore.quote, lockedAfter.quote));
  const buy = after.request.side === 'BUY';
  for (const f of newFills) {
    const baseFee = f.commissionAsset === assets.base ? f.commission : '0';
    const quoteFee = f.commissionAsset === assets.quote ? f.commission : '0';
    if (buy) {
      base = sub(add(base, f.qty), baseFee);
      quote = sub(sub(quote, f.quoteQty), quoteFee);
    } else {
      base = sub(sub(base, f.qty), baseFee);
      quote = sub(add(quote, f.quoteQty), quoteFee);
    }
  }
  return { base: max('0', base), quote: max('0', quote) };
}
