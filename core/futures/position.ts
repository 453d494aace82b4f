/**
 * The kernel's position on a USDⓈ-M perpetual (one-way mode): a signed quantity (negative is a
 * short), the average entry price of the open side (fees excluded, as Binance's entryPrice), and
 * the realised PnL net of fees. Reducing fills realise (exit - entry) x closed x sign; a fill
 * larger than the position flips it, the rest opening at the fill price. Pure.
 */
import { type Dec, Decimal, abs, add, d, isPositive, str, sub } from '../decimal';
import type { Fill } from '../orders';
import type { PositionState } from '../kernel';

export function perpPositionAfterFill(
  p: PositionState,
  side: 'BUY' | 'SELL',
  fill: Fill,
  quoteAsset: string,
): PositionState {
  const fee = fill.commissionAsset === quoteAsset ? fill.commission : '0';
  const fees = isPositive(fill.commission)
    ? { ...p.fees, [fill.commissionAsset]: add(p.fees[fill.commissionAsset] ?? '0', fill.commission) }
    : p.fees;
  const delta = side === 'BUY' ? d(fill.qty) : d(fill.qty).negated();
  const qty = d(p.qty);
  const next = qty.plus(delta);
  const opening = qty.isZero() || qty.isNegative() === delta.isNegative();
  if (opening) {
    const cost = d(p.cost).plus(d(fill.qty).times(fill.price));
    return {
      ...p,
      qty: str(next),
      cost: str(cost),
      avgEntryPrice: avg(cost, next),
      realizedPnl: sub(p.realizedPnl, fee),
      fees,
    };
  }
  const closed = Decimal.min(d(fill.qty), qty.abs());
  const sign = qty.isNegative() ? -1 : 1;
  const pnl = closed.times(d(fill.price).minus(p.avgEntryPrice)).times(sign);
  const realizedPnl = str(d(p.realizedPnl).plus(pnl).minus(fee).toDecimalPlaces(8));
  if (next.isZero()) return { ...p, qty: '0', cost: '0', avgEntryPrice: '0', realizedPnl, fees };
  if (next.isNegative() === qty.isNegative()) {
    // Partly reduced: the entry price of what is left does not change.
    return { ...p, qty: str(next), cost: str(next.abs().times(p.avgEntryPrice).toDecimalPlaces(8)), realizedPnl, fees };
  }
  // Flipped: the rest of the fill opened the other side at the fill price.
  const cost = next.abs().times(fill.price);
  return { ...p, qty: str(next), cost: str(cost), avgEntryPrice: str(fill.price), realizedPnl, fees };
}

function avg(cost: Decimal, qty: Decimal): Dec {
  return qty.isZero() ? '0' : str(cost.dividedBy(qty.abs()).toDecimalPlaces(12));
}

/** The position's size, whichever its side. */
export function positionSize(qty: Dec): Dec {
  return abs(qty);
}

/**
 * What closing a round trip brought back, for its average exit price: a long sold for its entry
 * cost plus the PnL; a short bought back for its entry proceeds less the PnL.
 */
export function perpExitValue(entryCost: Dec, pnl: Dec, side: 'long' | 'short'): Dec {
  return side === 'short' ? sub(entryCost, pnl) : add(entryCost, pnl);
}
