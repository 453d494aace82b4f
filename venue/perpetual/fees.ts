/**
 * Trading fees of the perpetual: a rate on the traded notional (maker for a resting order that is
 * hit, taker for an order that takes liquidity), paid in the margin asset (USDT) from the wallet,
 * rounded up to 8 decimals like the spot venue's commissions. USDⓈ-M base tier: maker 0.02 %,
 * taker 0.05 %. Pure.
 */
import { type Dec, Decimal, d, str } from '../../core/decimal';

export const DEFAULT_MAKER_FEE: Dec = '0.0002';
export const DEFAULT_TAKER_FEE: Dec = '0.0005';
export const COMMISSION_DECIMALS = 8;

export function commission(qty: Dec, price: Dec, rate: Dec): Dec {
  return str(d(qty).times(price).times(rate).toDecimalPlaces(COMMISSION_DECIMALS, Decimal.ROUND_UP));
}

/** Liquidation clearance fee: the rate on the liquidated notional, at most what margin is left (the rest goes to the insurance fund). */
export function clearanceFee(notional: Decimal, rate: Dec, marginLeft: Decimal): Decimal {
  return Decimal.min(
    notional.times(rate).toDecimalPlaces(COMMISSION_DECIMALS, Decimal.ROUND_UP),
    Decimal.max(0, marginLeft),
  );
}
