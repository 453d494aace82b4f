/**
 * The one order parser of the REST API and the WebSocket API's order methods: Binance's
 * parameters, codes and messages, with the order enums from core/orders.ts (the venue validates
 * against the same lists). Also the small readers every order route shares.
 */
import { d } from '../../core/decimal';
import { stripUndefined } from '../../core/json';
import {
  ORDER_SIDES,
  ORDER_TYPES,
  type OrderSide,
  type OrderType,
  TIME_IN_FORCE,
  type TimeInForce,
} from '../../core/orders';
import { OCO_LEG_TYPES, type OcoLegRequest, type OcoLegType, type OrderRef, type VenueResult } from '../../venue';
import type { RespType } from '../format';
import { Api, ApiError, type Params, err } from '../http/params';

export const RESP_TYPES: readonly RespType[] = ['ACK', 'RESULT', 'FULL'];
export const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER'] as const;
const CANCEL_RESTRICTIONS = ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const;

/** A venue refusal as the API error Binance sends (HTTP 400 with the venue's code and message). */
export function unwrap<T>(r: VenueResult<T>): T {
  if (!r.ok) throw new ApiError(r.code, r.msg, 400);
  return r;
}

export const readSide = (params: Params): OrderSide =>
  params.oneOf('side', ORDER_SIDES, () => err(-1117, 'Invalid side.'), { required: true }) as OrderSide;
export const readTimeInForce = (params: Params, name: string): TimeInForce | undefined =>
  params.oneOf(name, TIME_IN_FORCE, () => err(-1115, 'Invalid timeInForce.'));
export const readLegType = (params: Params, name: string): OcoLegType =>
  params.oneOf(name, OCO_LEG_TYPES, () => err(-1158, 'Order type not supported in OCO.'), {
    required: true,
  }) as OcoLegType;
export const readRespType = (params: Params): RespType | undefined =>
  params.oneOf('newOrderRespType', RESP_TYPES, () => Api.invalidData('newOrderRespType'));
export const readStpMode = (params: Params): void =>
  void params.oneOf('selfTradePreventionMode', STP_MODES, () => Api.invalidData('selfTradePreventionMode'));
export const readCancelRestrictions = (
  params: Params,
  name = 'cancelRestrictions',
): (typeof CANCEL_RESTRICTIONS)[number] | undefined =>
  params.oneOf(name, CANCEL_RESTRICTIONS, () =>
    err(-1145, '`cancelRestrictions` has to be either `ONLY_NEW` or `ONLY_PARTIALLY_FILLED`.'),
  );

/** Iceberg quantities other than zero are refused like on a symbol without icebergs. */
export function refuseIceberg(params: Params, name: string): void {
  const v = params.dec(name);
  if (v !== undefined && !d(v).isZero()) throw err(-2010, 'Iceberg orders are not supported for this symbol.');
}

export interface ParsedOrder {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce?: TimeInForce;
  readonly quantity?: string;
  readonly quoteOrderQty?: string;
  readonly price?: string;
  readonly stopPrice?: string;
  readonly trailingDelta?: number;
  readonly newClientOrderId?: string;
  readonly respType: RespType | undefined;
}

/** POST /api/v3/order's parameters (also order/test and cancelReplace's new order). */
export function parseOrder(params: Params, symbolParam: (p: Params) => string | undefined): ParsedOrder {
  const symbol = symbolParam(params) as string;
  const side = readSide(params);
  const type = params.oneOf('type', ORDER_TYPES, () => err(-1116, 'Invalid orderType.'), {
    required: true,
  }) as OrderType;
  const timeInForce = readTimeInForce(params, 'timeInForce');
  const quantity = params.dec('quantity');
  const quoteOrderQty = params.dec('quoteOrderQty');
  const price = params.dec('price');
  const stopPrice = params.dec('stopPrice');
  const trailingDelta = params.int('trailingDelta');
  const newClientOrderId = params.str('newClientOrderId', { allowEmpty: true });
  const respType = readRespType(params);
  refuseIceberg(params, 'icebergQty');
  readStpMode(params);
  params.int('strategyId');
  const strategyType = params.int('strategyType');
  if (strategyType !== undefined && strategyType < 1_000_000) throw err(-1134, '`strategyType` was less than 1000000.');
  return {
    ...stripUndefined({
      symbol,
      side,
      type,
      timeInForce,
      quantity,
      quoteOrderQty,
      price,
      stopPrice,
      trailingDelta,
      newClientOrderId,
    }),
    respType,
  };
}

/** The response type Binance uses when none is asked for: FULL for MARKET and LIMIT, else ACK. */
export const defaultRespType = (o: ParsedOrder): RespType =>
  o.respType ?? (o.type === 'MARKET' || o.type === 'LIMIT' ? 'FULL' : 'ACK');

/** orderId and/or origClientOrderId, as sent. */
export function orderRef(params: Params): OrderRef {
  return stripUndefined({
    orderId: params.int('orderId'),
    origClientOrderId: params.str('origClientOrderId', { allowEmpty: true }),
  });
}

/** An OCO leg without the fields that were not sent. */
export const leg = (l: { [K in keyof OcoLegRequest]: OcoLegRequest[K] | undefined }): OcoLegRequest =>
  stripUndefined(l) as OcoLegRequest;
