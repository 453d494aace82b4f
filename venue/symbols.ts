/** Default symbols with filters close to Binance spot's (2026). Pure. */
import type { SymbolFilters } from '../core/market';
import type { VenueSymbol } from './types';

function spot(filters: SymbolFilters): VenueSymbol {
  return {
    filters,
    baseAssetPrecision: 8,
    quoteAssetPrecision: 8,
    applyMinToMarket: true,
    applyMaxToMarket: false,
    minTrailingDelta: 10,
    maxTrailingDelta: 2000,
    status: 'TRADING',
  };
}

/** BTCUSDT's filters as Binance lists them (tests derive their variants from these). */
export const BTCUSDT_SPOT_FILTERS: SymbolFilters = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  tickSize: '0.01',
  minPrice: '0.01',
  maxPrice: '1000000',
  stepSize: '0.00001',
  minQty: '0.00001',
  maxQty: '9000',
  marketStepSize: '0',
  marketMinQty: '0',
  marketMaxQty: '120',
  minNotional: '5',
  maxNotional: '9000000',
  maxNumOrders: 200,
};

export const DEFAULT_SYMBOLS: readonly VenueSymbol[] = [
  spot(BTCUSDT_SPOT_FILTERS),
  spot({
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    minPrice: '0.01',
    maxPrice: '1000000',
    stepSize: '0.0001',
    minQty: '0.0001',
    maxQty: '9000',
    marketStepSize: '0',
    marketMinQty: '0',
    marketMaxQty: '2000',
    minNotional: '5',
    maxNotional: '9000000',
    maxNumOrders: 200,
  }),
  spot({
    symbol: 'BNBUSDT',
    baseAsset: 'BNB',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    minPrice: '0.01',
    maxPrice: '100000',
    stepSize: '0.001',
    minQty: '0.001',
    maxQty: '9000',
    marketStepSize: '0',
    marketMinQty: '0',
    marketMaxQty: '9000',
    minNotional: '5',
    maxNotional: '9000000',
    maxNumOrders: 200,
  }),
];

/** A symbol with given filters and Binance's usual precision and flags. */
export function venueSymbol(
  filters: SymbolFilters,
  overrides: Partial<Omit<VenueSymbol, 'filters'>> = {},
): VenueSymbol {
  return { ...spot(filters), ...overrides };
}
