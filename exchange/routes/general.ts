/**
 * General endpoints: ping, server time and exchangeInfo (symbols with their filters padded like
 * Binance's, the rate limits in force).
 */
import { type Dec, fixed } from '../../core/decimal';
import type { Json } from '../../core/json';
import type { Venue, VenueSymbol } from '../../venue';
import type { RateLimitOptions } from '../ratelimit';
import { type AddRoute, fixedWeight, paramReaders } from './common';

export interface GeneralDeps {
  readonly venue: Venue;
  readonly now: () => number;
  readonly limits: RateLimitOptions;
}

export function addGeneralRoutes(add: AddRoute, deps: GeneralDeps): void {
  const { venue, now } = deps;
  const { symbolParam, symbolsParam, done } = paramReaders(venue);

  add({
    method: 'GET',
    path: '/api/v3/ping',
    signed: false,
    weight: fixedWeight(1),
    handler: ({ params }) => (done(params, false), { body: {} }),
  });
  add({
    method: 'GET',
    path: '/api/v3/time',
    signed: false,
    weight: fixedWeight(1),
    handler: ({ params }) => (done(params, false), { body: { serverTime: now() } }),
  });

  add({
    method: 'GET',
    path: '/api/v3/exchangeInfo',
    signed: false,
    weight: fixedWeight(20),
    handler: ({ params }) => {
      const one = symbolParam(params, false);
      const many = symbolsParam(params);
      params.str('permissions');
      params.str('showPermissionSets');
      params.str('symbolStatus');
      done(params, false);
      const wanted = one !== undefined ? [one] : many;
      const specs = venue.symbols().filter((s) => wanted === undefined || wanted.includes(s.filters.symbol));
      return {
        body: {
          timezone: 'UTC',
          serverTime: now(),
          rateLimits: [
            {
              rateLimitType: 'REQUEST_WEIGHT',
              interval: 'MINUTE',
              intervalNum: 1,
              limit: deps.limits.requestWeightPerMinute,
            },
            { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: deps.limits.ordersPer10s },
            { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: deps.limits.ordersPerDay },
            { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
          ],
          exchangeFilters: [],
          symbols: specs.map(symbolInfo),
        },
      };
    },
  });
}

/** One symbol of exchangeInfo, filters padded like Binance's. */
export function symbolInfo(s: VenueSymbol): Json {
  const f = s.filters;
  const p8 = (v: Dec) => fixed(v, 8);
  return {
    symbol: f.symbol,
    status: s.status,
    baseAsset: f.baseAsset,
    baseAssetPrecision: s.baseAssetPrecision,
    quoteAsset: f.quoteAsset,
    quotePrecision: s.quoteAssetPrecision,
    quoteAssetPrecision: s.quoteAssetPrecision,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: false,
    ocoAllowed: true,
    otoAllowed: false,
    opoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: false,
    amendAllowed: false,
    pegInstructionsAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: p8(f.minPrice), maxPrice: p8(f.maxPrice), tickSize: p8(f.tickSize) },
      { filterType: 'LOT_SIZE', minQty: p8(f.minQty), maxQty: p8(f.maxQty), stepSize: p8(f.stepSize) },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: p8(f.marketMinQty),
        maxQty: p8(f.marketMaxQty),
        stepSize: p8(f.marketStepSize),
      },
      {
        filterType: 'TRAILING_DELTA',
        minTrailingAboveDelta: s.minTrailingDelta,
        maxTrailingAboveDelta: s.maxTrailingDelta,
        minTrailingBelowDelta: s.minTrailingDelta,
        maxTrailingBelowDelta: s.maxTrailingDelta,
      },
      {
        filterType: 'NOTIONAL',
        minNotional: p8(f.minNotional),
        applyMinToMarket: s.applyMinToMarket,
        maxNotional: p8(f.maxNotional),
        applyMaxToMarket: s.applyMaxToMarket,
        avgPriceMins: 5,
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: f.maxNumOrders },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}
