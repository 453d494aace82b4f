/**
 * Is the order the exchange holds under a client id the one this request would have placed?
 * A -2010 "Duplicate order sent." (or a lookup before a resend) finds an order by client id; it is
 * adopted only when it matches the request (symbol, side, type, quantity, price). Anything else is
 * a collision: another owner's order under the same id, never adopted, reported.
 */
import { d } from '../core/decimal';
import type { OrderRequest } from '../core/orders';
import type { RawOrder } from './binance-types';

const num = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));

/** Why `raw` is not what `request` would have placed, or null when it is. */
export function mismatch(request: OrderRequest, raw: RawOrder): string | null {
  if (raw.symbol !== request.symbol) return `symbol ${raw.symbol} is not ${request.symbol}`;
  if (raw.side !== request.side) return `side ${raw.side} is not ${request.side}`;
  if (raw.type !== request.type) return `type ${raw.type} is not ${request.type}`;
  if (request.quantity !== undefined && !d(raw.origQty).equals(d(request.quantity)))
    return `quantity ${raw.origQty} is not ${request.quantity}`;
  if (
    request.quoteOrderQty !== undefined &&
    raw.origQuoteOrderQty !== undefined &&
    !d(raw.origQuoteOrderQty).equals(d(request.quoteOrderQty))
  ) {
    return `quote quantity ${raw.origQuoteOrderQty} is not ${request.quoteOrderQty}`;
  }
  if (request.price !== undefined && request.type !== 'MARKET' && num(raw.price) !== Number(request.price))
    return `price ${raw.price} is not ${request.price}`;
  return null;
}

/** The request an exchange order answers to (for adopting an order placed by a discarded branch). */
export function requestFromRaw(raw: RawOrder): OrderRequest {
  const positive = (v: string | undefined) => (v !== undefined && Number(v) > 0 ? d(v).toFixed() : undefined);
  const tif =
    raw.timeInForce === 'GTC' || raw.timeInForce === 'IOC' || raw.timeInForce === 'FOK' ? raw.timeInForce : undefined;
  const request: Record<string, unknown> = {
    symbol: raw.symbol,
    side: raw.side,
    type: raw.type,
    quantity: positive(raw.origQty),
    price: raw.type === 'MARKET' ? undefined : positive(raw.price),
    stopPrice: positive(raw.stopPrice),
    timeInForce: tif,
  };
  for (const k of Object.keys(request)) if (request[k] === undefined) delete request[k];
  return request as unknown as OrderRequest;
}
