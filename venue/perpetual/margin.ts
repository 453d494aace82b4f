/**
 * Margin arithmetic of a linear USDT-margined perpetual in one-way mode, as Binance documents it.
 * Plain functions of their inputs (no state, no clock). Decimal.js throughout.
 *
 * - notional = |position| × mark; unrealised PnL = position × (mark − entry) (signed position);
 * - initial margin = notional / leverage;
 * - maintenance margin = notional × maintMarginRatio − cum, with the bracket of that notional;
 * - liquidation: margin balance (wallet + unrealised PnL; isolated: the position's isolated
 *   wallet) falls to the maintenance margin. Solving that equality for the mark gives Binance's
 *   liquidation price:
 *     LP = (WB − TMM1 + UPNL1 + cum − side × size × entry) / (size × MMR − side × size)
 *   WB: cross wallet (isolated: isolated wallet), TMM1 / UPNL1: maintenance margin and
 *   unrealised PnL of the account's other cross positions (0 isolated), side +1 long / −1 short.
 */
import { type Dec, Decimal, d, str } from '../../core/decimal';
import type { LeverageBracket } from './types';

export type DecIn = Dec | Decimal;

/** The bracket a notional falls in (floor ≤ notional < cap); the first for 0, the last beyond. */
export function bracketFor(brackets: readonly LeverageBracket[], notional: DecIn): LeverageBracket {
  const n = d(notional);
  for (const b of brackets) if (n.lessThan(b.notionalCap)) return b;
  return brackets[brackets.length - 1] as LeverageBracket;
}

export function maintenanceMargin(brackets: readonly LeverageBracket[], notional: DecIn): Decimal {
  const n = d(notional).abs();
  if (n.isZero()) return new Decimal(0);
  const b = bracketFor(brackets, n);
  return Decimal.max(0, n.times(b.maintMarginRatio).minus(b.cum));
}

/** Highest leverage the symbol allows (its first bracket's). */
export function maxLeverage(brackets: readonly LeverageBracket[]): number {
  return (brackets[0] as LeverageBracket).initialLeverage;
}

/** Largest position notional allowed at `leverage`: the cap of the last bracket allowing it. */
export function maxNotional(brackets: readonly LeverageBracket[], leverage: number): Decimal {
  let cap = new Decimal(0);
  for (const b of brackets) if (b.initialLeverage >= leverage) cap = d(b.notionalCap);
  return cap;
}

export function unrealizedPnl(amount: DecIn, entryPrice: DecIn, mark: DecIn): Decimal {
  return d(amount).times(d(mark).minus(entryPrice));
}

export function initialMargin(amount: DecIn, mark: DecIn, leverage: number): Decimal {
  return d(amount).abs().times(mark).dividedBy(leverage);
}

export interface LiquidationInput {
  /** Signed position. */
  readonly amount: DecIn;
  readonly entryPrice: DecIn;
  /** Cross: the cross wallet balance; isolated: the isolated wallet. */
  readonly walletBalance: DecIn;
  /** Cross only: maintenance margin and unrealised PnL of the account's other cross positions. */
  readonly otherMaintenance: DecIn;
  readonly otherUnrealized: DecIn;
  readonly brackets: readonly LeverageBracket[];
}

/**
 * Binance's liquidation price (formula above), with the bracket that holds at that price. Null
 * when the position cannot be liquidated (flat, or the solution is not a positive price).
 */
export function liquidationPrice(i: LiquidationInput): Decimal | null {
  const amount = d(i.amount);
  if (amount.isZero()) return null;
  const size = amount.abs();
  const side = amount.isPositive() ? 1 : -1;
  const base = d(i.walletBalance).minus(i.otherMaintenance).plus(i.otherUnrealized);
  const solve = (b: LeverageBracket): Decimal | null => {
    const denominator = size.times(b.maintMarginRatio).minus(size.times(side));
    if (denominator.isZero()) return null;
    return base.plus(b.cum).minus(size.times(i.entryPrice).times(side)).dividedBy(denominator);
  };
  // The bracket depends on the notional at the liquidation price: take the one that is consistent.
  for (const b of i.brackets) {
    const p = solve(b);
    if (p === null || !p.isPositive()) continue;
    const n = size.times(p);
    if (n.greaterThanOrEqualTo(b.notionalFloor) && n.lessThan(b.notionalCap)) return p;
  }
  const p = solve(bracketFor(i.brackets, size.times(i.entryPrice)));
  return p !== null && p.isPositive() ? p : null;
}

/** The price at which closing with a taker fee pays back both fees: long E(1+f)/(1−f), short E(1−f)/(1+f). */
export function breakEvenPrice(amount: DecIn, entryPrice: DecIn, takerFee: DecIn): Dec {
  const a = d(amount);
  if (a.isZero()) return '0';
  const f = d(takerFee);
  const e = d(entryPrice);
  const p = a.isPositive()
    ? e.times(f.plus(1)).dividedBy(new Decimal(1).minus(f))
    : e.times(new Decimal(1).minus(f)).dividedBy(f.plus(1));
  return str(p.toDecimalPlaces(8));
}

/**
 * What an order needs from the available balance (Binance's order cost): the initial margin of the
 * part that opens or grows a position, plus its open loss (buying above the mark, selling below).
 * `closable` is how much of the quantity only reduces the current position.
 */
export function orderCost(
  qty: DecIn,
  price: DecIn,
  mark: DecIn | null,
  side: 'BUY' | 'SELL',
  closable: DecIn,
  leverage: number,
): Decimal {
  const opening = Decimal.max(0, d(qty).minus(closable));
  if (opening.isZero()) return new Decimal(0);
  const margin = opening.times(price).dividedBy(leverage);
  if (mark === null) return margin;
  const loss = side === 'BUY' ? d(price).minus(mark) : d(mark).minus(price);
  return margin.plus(opening.times(Decimal.max(0, loss)));
}
