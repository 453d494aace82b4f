/**
 * Parameter, precision and filter checks of perpetual orders, in Binance USDⓈ-M's order:
 * combination (-1102 / -1106 / -4136 / -4061), precision (-1111: more decimals than
 * `pricePrecision` / `quantityPrecision`), then the filters: PRICE_FILTER (-4001 / -4013 / -4016 /
 * -4014), LOT_SIZE or MARKET_LOT_SIZE (-4003 / -4004 / -4005 / -4023). PERCENT_PRICE and
 * MIN_NOTIONAL need the mark and belong to matching.ts. Pure.
 */
import { type Dec, d, isMultipleOf } from '../../core/decimal';
import { PERP_CLIENT_ID_REGEX, PerpErrors } from './errors';
import type { PerpAlgoRequest, PerpError, PerpOrderRequest, PerpSymbol } from './types';

/** Decimals of a wire decimal, trailing zeros ignored ("0.10" has one). */
export function decimals(value: Dec): number {
  const dot = value.indexOf('.');
  if (dot < 0) return 0;
  let end = value.length;
  while (end > dot + 1 && value.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

export function checkPrice(spec: PerpSymbol, price: Dec): PerpError | null {
  if (decimals(price) > spec.pricePrecision) return PerpErrors.precision();
  const f = spec.filters;
  const p = d(price);
  if (p.lessThanOrEqualTo(0)) return PerpErrors.priceNotPositive();
  if (d(f.minPrice).greaterThan(0) && p.lessThan(f.minPrice)) return PerpErrors.priceBelowMin();
  if (d(f.maxPrice).greaterThan(0) && p.greaterThan(f.maxPrice)) return PerpErrors.priceAboveMax();
  if (!isMultipleOf(p.minus(f.minPrice), f.tickSize)) return PerpErrors.priceTick();
  return null;
}

export function checkQuantity(spec: PerpSymbol, qty: Dec, market: boolean): PerpError | null {
  if (decimals(qty) > spec.quantityPrecision) return PerpErrors.precision();
  const f = spec.filters;
  const q = d(qty);
  const [min, max, step] =
    market && d(f.marketStepSize).greaterThan(0)
      ? [f.marketMinQty, f.marketMaxQty, f.marketStepSize]
      : [f.minQty, f.maxQty, f.stepSize];
  if (q.lessThanOrEqualTo(0)) return PerpErrors.qtyNotPositive();
  if (d(min).greaterThan(0) && q.lessThan(min)) return PerpErrors.qtyBelowMin();
  if (d(max).greaterThan(0) && q.greaterThan(max)) return PerpErrors.qtyAboveMax();
  if (!isMultipleOf(q, step)) return PerpErrors.qtyStep();
  return null;
}

export function checkClientId(id: string | undefined): PerpError | null {
  return id !== undefined && !PERP_CLIENT_ID_REGEX.test(id) ? PerpErrors.clientIdInvalid() : null;
}

/** A regular order (LIMIT / MARKET) before it meets the book. */
export function validateRegular(spec: PerpSymbol, r: PerpOrderRequest): PerpError | null {
  if (r.positionSide !== undefined && r.positionSide !== 'BOTH') return PerpErrors.positionSideMismatch();
  const idError = checkClientId(r.newClientOrderId);
  if (idError) return idError;
  if (r.type === 'LIMIT') {
    if (r.price === undefined) return PerpErrors.mandatory('price');
    if (r.timeInForce === undefined) return PerpErrors.mandatory('timeInForce');
  } else if (r.price !== undefined) return PerpErrors.notRequired('price');
  if (r.type === 'MARKET' && r.timeInForce !== undefined && r.timeInForce !== 'GTC')
    return PerpErrors.notRequired('timeInForce');
  const priceError = r.price !== undefined ? checkPrice(spec, r.price) : null;
  if (priceError) return priceError;
  return checkQuantity(spec, r.quantity, r.type === 'MARKET');
}

const isLimitAlgo = (t: PerpAlgoRequest['type']): boolean => t === 'STOP' || t === 'TAKE_PROFIT';

/** A conditional order before its trigger is compared with the market. */
export function validateAlgo(spec: PerpSymbol, r: PerpAlgoRequest): PerpError | null {
  if (r.positionSide !== undefined && r.positionSide !== 'BOTH') return PerpErrors.positionSideMismatch();
  const idError = checkClientId(r.clientAlgoId);
  if (idError) return idError;
  if (r.closePosition) {
    if (r.type !== 'STOP_MARKET' && r.type !== 'TAKE_PROFIT_MARKET') return PerpErrors.closePositionType();
    if (r.quantity !== undefined) return PerpErrors.notRequired('quantity');
    if (r.reduceOnly) return PerpErrors.notRequired('reduceOnly');
  } else if (r.quantity === undefined) return PerpErrors.mandatory('quantity');
  if (isLimitAlgo(r.type)) {
    if (r.price === undefined) return PerpErrors.mandatory('price');
  } else if (r.price !== undefined) return PerpErrors.notRequired('price');
  if (r.type === 'TRAILING_STOP_MARKET') {
    if (r.callbackRate === undefined) return PerpErrors.mandatory('callbackRate');
    const rate = d(r.callbackRate);
    if (rate.lessThan('0.1') || rate.greaterThan(10) || decimals(r.callbackRate) > 1)
      return PerpErrors.invalidData('callbackRate');
    if (r.triggerPrice !== undefined) return PerpErrors.notRequired('triggerPrice');
  } else {
    if (r.triggerPrice === undefined) return PerpErrors.mandatory('triggerPrice');
    if (r.callbackRate !== undefined) return PerpErrors.notRequired('callbackRate');
    if (r.activatePrice !== undefined) return PerpErrors.notRequired('activatePrice');
  }
  for (const p of [r.price, r.triggerPrice, r.activatePrice]) {
    const e = p !== undefined ? checkPrice(spec, p) : null;
    if (e) return e;
  }
  return r.quantity !== undefined ? checkQuantity(spec, r.quantity, !isLimitAlgo(r.type)) : null;
}
