/**
 * Binance USDⓈ-M futures error codes and messages the simulated perpetual answers with (Binance's
 * error-code page; messages verbatim where Binance documents them). Pure.
 */
import type { PerpError } from './types';

/** newClientOrderId / clientAlgoId: Binance futures allows `. : /` besides spot's characters. */
export const PERP_CLIENT_ID_RANGE = '^[\\.A-Z\\:/a-z0-9_-]{1,36}$';
export const PERP_CLIENT_ID_REGEX = /^[.A-Z:/a-z0-9_-]{1,36}$/;

const e = (code: number, msg: string): PerpError => ({ code, msg });

export const PerpErrors = {
  invalidSymbol: () => e(-1121, 'Invalid symbol.'),
  unknownAccount: () => e(-2015, 'Invalid API-key, IP, or permissions for action.'),
  mandatory: (name: string) => e(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  notRequired: (name: string) => e(-1106, `Parameter '${name}' sent when not required.`),
  invalidData: (name: string) => e(-1130, `Data sent for parameter '${name}' is not valid.`),
  precision: () => e(-1111, 'Precision is over the maximum defined for this asset.'),
  clientIdInvalid: () => e(-4015, 'Client order id is not valid.'),
  duplicateClientId: () => e(-4116, 'ClientOrderId is duplicated.'),
  qtyNotPositive: () => e(-4003, 'Quantity less than or equal to zero.'),
  qtyBelowMin: () => e(-4004, 'Quantity less than min quantity.'),
  qtyAboveMax: () => e(-4005, 'Quantity greater than max quantity.'),
  qtyStep: () => e(-4023, 'Qty not increased by step size.'),
  priceNotPositive: () => e(-4001, 'Price less than 0.'),
  priceBelowMin: () => e(-4013, 'Price less than min price.'),
  priceAboveMax: () => e(-4016, 'Price greater than max price.'),
  priceTick: () => e(-4014, 'Price not increased by tick size.'),
  priceAboveMultiplier: (limit: string) => e(-4016, `Limit price can't be higher than ${limit}.`),
  priceBelowMultiplier: (limit: string) => e(-4024, `Limit price can't be lower than ${limit}.`),
  minNotional: (notional: string) =>
    e(-4164, `Order's notional must be no smaller than ${notional} (unless you choose reduce only).`),
  marginInsufficient: () => e(-2019, 'Margin is insufficient.'),
  wouldTrigger: () => e(-2021, 'Order would immediately trigger.'),
  reduceOnlyRejected: () => e(-2022, 'ReduceOnly Order is rejected.'),
  maxPosition: () => e(-2027, 'Exceeded the maximum allowable position at current leverage.'),
  noSuchOrder: () => e(-2013, 'Order does not exist.'),
  unknownOrder: () => e(-2011, 'Unknown order sent.'),
  clientIdMismatch: () => e(-2013, 'Order does not exist.'),
  positionSideMismatch: () => e(-4061, "Order's position side does not match user's setting."),
  noNeedPositionSide: () => e(-4059, 'No need to change position side.'),
  positionSideOpenOrders: () => e(-4067, 'Position side cannot be changed if there exists open orders.'),
  positionSidePosition: () => e(-4068, 'Position side cannot be changed if there exists position.'),
  hedgeModeUnsupported: () =>
    e(
      -1130,
      "Data sent for parameter 'dualSidePosition' is not valid: this exchange trades one-way mode only (dualSidePosition=false).",
    ),
  noNeedMarginType: () => e(-4046, 'No need to change margin type.'),
  marginTypeOpenOrders: () => e(-4047, 'Margin type cannot be changed if there exists open orders.'),
  marginTypePosition: () => e(-4048, 'Margin type cannot be changed if there exists position.'),
  invalidLeverage: (leverage: number) => e(-4028, `Leverage ${leverage} is not valid`),
  useAlgoEndpoint: () =>
    e(-4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.'),
  fokRejected: () =>
    e(
      -5021,
      'Due to the order could not be filled immediately, the FOK order has been rejected. The order will not be recorded in the order history',
    ),
  gtxRejected: () =>
    e(
      -5022,
      'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history',
    ),
  maxOpenOrders: () => e(-2025, 'Reach max open order limit.'),
  maxAlgoOrders: () => e(-4045, 'Reach max stop order limit.'),
  closePositionExists: () =>
    e(-4130, 'An open stop or take profit order with GTE and closePosition in the direction is existing.'),
  closePositionType: () => e(-4136, 'Target strategy invalid for orderType, closePosition true.'),
  marketClosed: () => e(-4140, 'Invalid symbol status for opening position.'),
  noLiquidity: () => e(-4131, "The counterparty's best price does not meet the PERCENT_PRICE filter limit."),
  withdrawTooMuch: () => e(-2019, 'Margin is insufficient.'),
} as const;
