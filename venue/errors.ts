/** Binance error codes and messages the venue produces, verbatim. Pure. */
import type { VenueError } from './types';

export const CLIENT_ID_RANGE = '^[a-zA-Z0-9-_]{1,36}$';
export const CLIENT_ID_REGEX = /^[a-zA-Z0-9\-_]{1,36}$/;

const e = (code: number, msg: string): VenueError => ({ code, msg });

export const Errors = {
  invalidSymbol: () => e(-1121, 'Invalid symbol.'),
  mandatory: (name: string) => e(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  eitherParam: (a: string, b: string) => e(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  notRequired: (name: string) => e(-1106, `Parameter '${name}' sent when not required.`),
  tifNotRequired: () => e(-1114, 'TimeInForce parameter sent when not required.'),
  illegalChars: (name: string, range: string) =>
    e(-1100, `Illegal characters found in parameter '${name}'; legal range is '${range}'.`),
  emptyClientId: () => e(-1118, 'New client order ID was empty.'),
  emptyOrigClientId: () => e(-1119, 'Original client order ID was empty.'),
  precision: (name: string) => e(-1111, `Parameter '${name}' has too much precision.`),
  filter: (name: string) => e(-1013, `Filter failure: ${name}`),
  invalidData: (name: string) => e(-1130, `Data sent for parameter '${name}' is not valid.`),
  duplicate: () => e(-2010, 'Duplicate order sent.'),
  insufficientBalance: () => e(-2010, 'Account has insufficient balance for requested action.'),
  marketClosed: () => e(-2010, 'Market is closed.'),
  wouldTrigger: () => e(-2010, 'Order would trigger immediately.'),
  wouldTake: () => e(-2010, 'Order would immediately match and take.'),
  ocoPrices: () => e(-2010, 'The relationship of the prices for the orders is not correct.'),
  unsupportedCombination: () => e(-1014, 'Unsupported order combination.'),
  priceQtyZero: () => e(-2010, 'Price * QTY is zero or less.'),
  noSuchOrder: () => e(-2013, 'Order does not exist.'),
  unknownOrder: () => e(-2011, 'Unknown order sent.'),
  cancelRestricted: () => e(-2011, 'Order was not canceled due to cancel restrictions.'),
  clientIdMismatch: () => e(-2039, 'Client order ID is not correct for this order ID.'),
  ocoLimitBuyBelow: () => e(-1165, 'A limit order in a buy OCO must be below.'),
  ocoLimitSellAbove: () => e(-1166, 'A limit order in a sell OCO must be above.'),
  ocoBothLimit: () => e(-1168, 'At least one OCO order must be contingent.'),
  ocoStopBuyAbove: () => e(-1196, 'A stop loss order in a buy OCO must be above.'),
  ocoStopSellBelow: () => e(-1197, 'A stop loss order in a sell OCO must be below.'),
  ocoTpBuyBelow: () => e(-1198, 'A take profit order in a buy OCO must be below.'),
  ocoTpSellAbove: () => e(-1199, 'A take profit order in a sell OCO must be above.'),
  unknownAccount: () => e(-2015, 'Invalid API-key, IP, or permissions for action.'),
  noLiquidity: () => e(-2010, 'Order book liquidity is less than symbol minimum quantity.'),
} as const;
