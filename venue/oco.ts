/** OCO order-list rules (errors.md -1165 … -1199). Pure. */
import type { Dec } from '../core/decimal';
import type { OrderSide } from '../core/orders';
import { Errors } from './errors';
import type { OcoLegRequest, VenueError } from './types';
import type { OrderSpec } from './validate';

/** Leg type rules of an OCO (errors.md -1165..-1199). */
export function ocoShape(
  side: OrderSide,
  above: OcoLegRequest['type'],
  below: OcoLegRequest['type'],
): VenueError | null {
  const isLimit = (t: string) => t === 'LIMIT_MAKER';
  const isStop = (t: string) => t.startsWith('STOP_LOSS');
  const isTp = (t: string) => t.startsWith('TAKE_PROFIT');
  if (isLimit(above) && isLimit(below)) return Errors.ocoBothLimit();
  if (side === 'BUY') {
    if (isLimit(above)) return Errors.ocoLimitBuyBelow();
    if (isTp(above)) return Errors.ocoTpBuyBelow();
    if (isStop(below)) return Errors.ocoStopBuyAbove();
  } else {
    if (isLimit(below)) return Errors.ocoLimitSellAbove();
    if (isStop(above)) return Errors.ocoStopSellBelow();
    if (isTp(below)) return Errors.ocoTpSellAbove();
  }
  return null;
}

/** The price that must sit on its side of the market: the limit price of a LIMIT_MAKER, else the stop price. */
export function ocoLegLevel(spec: OrderSpec): Dec | null {
  if (spec.type === 'LIMIT_MAKER') return spec.price;
  return spec.stopPrice;
}
