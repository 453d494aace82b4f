/**
 * Order parameter and filter validation, in the order Binance applies it: parameter combination
 * (-1102/-1106/-1114), precision (-1111), then filters (-1013 "Filter failure: NAME"). Balance,
 * duplicate-id and would-trigger checks belong to the matching engine (venue.ts). Pure.
 */
import { type Dec, d, isDecimalString, isMultipleOf, str } from '../core/decimal';
import {
  ORDER_SIDES,
  ORDER_TYPES,
  type OrderSide,
  type OrderType,
  TIME_IN_FORCE,
  type TimeInForce,
} from '../core/orders';
import { Errors } from './errors';
import type { VenueError, VenueSymbol } from './types';

/** A validated order: canonical decimal strings, null where a parameter does not apply. */
export interface OrderSpec {
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce | null;
  readonly quantity: Dec | null;
  readonly quoteOrderQty: Dec | null;
  readonly price: Dec | null;
  readonly stopPrice: Dec | null;
  readonly trailingDelta: number | null;
}

export interface OrderParams {
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce?: TimeInForce;
  readonly quantity?: Dec;
  readonly quoteOrderQty?: Dec;
  readonly price?: Dec;
  readonly stopPrice?: Dec;
  readonly trailingDelta?: number;
}

const DECIMAL_RANGE = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
const WIRE_DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
// The enums of core/orders.ts, the same lists the REST parser accepts (exchange/routes/order-params.ts).
const SIDES: ReadonlySet<string> = new Set(ORDER_SIDES);
const TYPES: ReadonlySet<string> = new Set(ORDER_TYPES);
const TIFS: ReadonlySet<string> = new Set(TIME_IN_FORCE);

export const isStopType = (type: OrderType): boolean =>
  type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT' || type === 'TAKE_PROFIT_LIMIT';
export const hasLimitPrice = (type: OrderType): boolean =>
  type === 'LIMIT' || type === 'LIMIT_MAKER' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
const needsTimeInForce = (type: OrderType): boolean =>
  type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';

function decimals(value: Dec): number {
  const dot = value.indexOf('.');
  if (dot < 0) return 0;
  let end = value.length;
  // Trailing zeros carry no precision ("0.10000000" is one decimal), as Binance treats padded values.
  while (end > dot + 1 && value.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

function checkDecimal(name: string, value: Dec, maxDecimals: number): VenueError | null {
  if (!WIRE_DECIMAL.test(value) || !isDecimalString(value)) return Errors.illegalChars(name, DECIMAL_RANGE);
  if (decimals(value) > maxDecimals) return Errors.precision(name);
  return null;
}

function priceFilter(price: Dec, s: VenueSymbol): boolean {
  const f = s.filters;
  const p = d(price);
  if (d(f.minPrice).greaterThan(0) && p.lessThan(f.minPrice)) return false;
  if (d(f.maxPrice).greaterThan(0) && p.greaterThan(f.maxPrice)) return false;
  // Binance's rule: (price - minPrice) % tickSize == 0.
  return isMultipleOf(p.minus(f.minPrice), f.tickSize);
}

function lotFilter(qty: Dec, min: Dec, max: Dec, step: Dec): boolean {
  const q = d(qty);
  if (q.lessThanOrEqualTo(0)) return false;
  if (d(min).greaterThan(0) && q.lessThan(min)) return false;
  if (d(max).greaterThan(0) && q.greaterThan(max)) return false;
  return isMultipleOf(q, step);
}

/**
 * Validate parameters and filters. `lastPrice` values MARKET and stop-market orders for the
 * NOTIONAL filter (Binance uses a recent average price; the last price is our stand-in).
 */
export function validateOrder(
  p: OrderParams,
  s: VenueSymbol,
  lastPrice: Dec | null,
): { ok: true; spec: OrderSpec } | ({ ok: false } & VenueError) {
  const fail = (e: VenueError) => ({ ok: false as const, ...e });
  if (!SIDES.has(p.side)) return fail({ code: -1117, msg: 'Invalid side.' });
  if (!TYPES.has(p.type)) return fail({ code: -1116, msg: 'Invalid orderType.' });
  if (p.timeInForce !== undefined && !TIFS.has(p.timeInForce))
    return fail({ code: -1115, msg: 'Invalid timeInForce.' });
  const type = p.type;
  const stop = isStopType(type);
  const limit = hasLimitPrice(type);

  // Parameter combination.
  if (needsTimeInForce(type)) {
    if (p.timeInForce === undefined) return fail(Errors.mandatory('timeInForce'));
  } else if (p.timeInForce !== undefined) {
    return fail(Errors.tifNotRequired());
  }
  if (type === 'MARKET') {
    if (p.quantity === undefined && p.quoteOrderQty === undefined)
      return fail(Errors.eitherParam('quantity', 'quoteOrderQty'));
    if (p.quantity !== undefined && p.quoteOrderQty !== undefined) return fail(Errors.notRequired('quoteOrderQty'));
  } else {
    if (p.quantity === undefined) return fail(Errors.mandatory('quantity'));
    if (p.quoteOrderQty !== undefined) return fail(Errors.notRequired('quoteOrderQty'));
  }
  if (limit && p.price === undefined) return fail(Errors.mandatory('price'));
  if (!limit && p.price !== undefined) return fail(Errors.notRequired('price'));
  if (stop) {
    if (p.stopPrice === undefined && p.trailingDelta === undefined)
      return fail(Errors.eitherParam('stopPrice', 'trailingDelta'));
  } else {
    if (p.stopPrice !== undefined) return fail(Errors.notRequired('stopPrice'));
    if (p.trailingDelta !== undefined) return fail(Errors.notRequired('trailingDelta'));
  }

  // Precision.
  const checks: Array<[string, Dec | undefined, number]> = [
    ['quantity', p.quantity, s.baseAssetPrecision],
    ['quoteOrderQty', p.quoteOrderQty, s.quoteAssetPrecision],
    ['price', p.price, s.quoteAssetPrecision],
    ['stopPrice', p.stopPrice, s.quoteAssetPrecision],
  ];
  for (const [name, value, max] of checks) {
    if (value === undefined) continue;
    const err = checkDecimal(name, value, max);
    if (err) return fail(err);
  }
  if (p.trailingDelta !== undefined && (!Number.isInteger(p.trailingDelta) || p.trailingDelta <= 0)) {
    return fail(Errors.invalidData('trailingDelta'));
  }

  const f = s.filters;
  const price = p.price !== undefined ? str(p.price) : null;
  const stopPrice = p.stopPrice !== undefined ? str(p.stopPrice) : null;
  const quantity = p.quantity !== undefined ? str(p.quantity) : null;
  const quoteOrderQty = p.quoteOrderQty !== undefined ? str(p.quoteOrderQty) : null;

  // Filters, in exchangeInfo order.
  if (price !== null && !priceFilter(price, s)) return fail(Errors.filter('PRICE_FILTER'));
  if (stopPrice !== null && !priceFilter(stopPrice, s)) return fail(Errors.filter('PRICE_FILTER'));
  if (quantity !== null) {
    if (!lotFilter(quantity, f.minQty, f.maxQty, f.stepSize)) return fail(Errors.filter('LOT_SIZE'));
    const marketLike = type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
    if (marketLike && !lotFilter(quantity, f.marketMinQty, f.marketMaxQty, f.marketStepSize))
      return fail(Errors.filter('MARKET_LOT_SIZE'));
  }
  if (quoteOrderQty !== null && d(quoteOrderQty).lessThanOrEqualTo(0)) return fail(Errors.filter('NOTIONAL'));

  const marketLike = type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
  const valuation = price ?? (marketLike ? (stopPrice ?? lastPrice) : null);
  const notional =
    quoteOrderQty ?? (quantity !== null && valuation !== null ? str(d(quantity).times(valuation)) : null);
  if (notional !== null) {
    const n = d(notional);
    const applyMin = !marketLike || s.applyMinToMarket;
    const applyMax = !marketLike || s.applyMaxToMarket;
    if (applyMin && d(f.minNotional).greaterThan(0) && n.lessThan(f.minNotional))
      return fail(Errors.filter('NOTIONAL'));
    if (applyMax && d(f.maxNotional).greaterThan(0) && n.greaterThan(f.maxNotional))
      return fail(Errors.filter('NOTIONAL'));
  }
  if (p.trailingDelta !== undefined && (p.trailingDelta < s.minTrailingDelta || p.trailingDelta > s.maxTrailingDelta)) {
    return fail(Errors.filter('TRAILING_DELTA'));
  }

  return {
    ok: true,
    spec: {
      side: p.side,
      type,
      timeInForce: p.timeInForce ?? null,
      quantity,
      quoteOrderQty,
      price,
      stopPrice,
      trailingDelta: p.trailingDelta ?? null,
    },
  };
}
