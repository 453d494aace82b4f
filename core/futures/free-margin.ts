/**
 * The free margin a futures bot sizes with, kept current by its own fills. Pure.
 *
 * Reconciliation reads the account's availableBalance; a fill that opens, reduces or closes the
 * position changes it on the exchange at once (margin locked or released, PnL realised, fee paid),
 * so a bot that kept the number read while a short was open would size its next entry from margin
 * it no longer has, or refuse an entry it can afford. So after a fill the kernel:
 *   1. moves its free margin by the fill's effect (the estimate below), right away, and
 *   2. reads the exchange's availableBalance again (a reconcile), which replaces the estimate. A
 *      reconcile already in flight when the fill came may have read the account before it: its
 *      balances are not taken, and another reconcile follows.
 * Live and the backtester run this same code against the same perpetual, so both size the next
 * entry from the exchange's number, read after the fill.
 */
import { type Dec, d, max, str } from '../decimal';
import type { PositionState } from '../kernel';

export interface FreeBalances {
  readonly base: Dec;
  readonly quote: Dec;
}

/**
 * Free margin after a fill moved the position from `before` to `after` (core/futures/position.ts:
 * `cost` is |qty| × entry price, `realizedPnl` is net of fees): the initial margin of the position
 * (cost / leverage) it released or locked, plus the PnL it realised less its fee. `base` is the
 * signed position, as positionRisk says it.
 */
export function freeMarginAfterFill(
  balances: FreeBalances,
  before: PositionState,
  after: PositionState,
  leverage: number,
): FreeBalances {
  const released = d(before.cost).minus(after.cost).dividedBy(leverage);
  const realised = d(after.realizedPnl).minus(before.realizedPnl);
  const quote = str(d(balances.quote).plus(released).plus(realised).toDecimalPlaces(8, 1));
  return { base: after.qty, quote: max('0', quote) };
}
