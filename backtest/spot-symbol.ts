/** The symbol a spot backtest trades: given filters, the venue's known symbols, or loose defaults. Pure. */
import type { Candle } from '../core/market';
import { splitSymbol } from '../core/symbols';
import { DEFAULT_SYMBOLS, type VenueSymbol, venueSymbol } from '../venue';
import type { BacktestOptions } from './types';

/** Default filters for a symbol: the venue's known symbols, else loose filters from the prices. */
export function defaultVenueSymbol(symbol: string, candles: readonly Candle[]): VenueSymbol {
  const known = DEFAULT_SYMBOLS.find((s) => s.filters.symbol === symbol);
  if (known) return known;
  const { base, quote } = splitSymbol(symbol);
  let decimals = 2;
  for (const c of candles.slice(0, 500))
    for (const p of [c.open, c.high, c.low, c.close])
      decimals = Math.max(decimals, (p.split('.')[1] ?? '').replace(/0+$/, '').length);
  const tick = decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
  return venueSymbol({
    symbol,
    baseAsset: base,
    quoteAsset: quote,
    tickSize: tick,
    minPrice: tick,
    maxPrice: '100000000',
    stepSize: '0.00001',
    minQty: '0.00001',
    maxQty: '100000000',
    marketStepSize: '0',
    marketMinQty: '0',
    marketMaxQty: '100000000',
    minNotional: '1',
    maxNotional: '0',
    maxNumOrders: 200,
  });
}

/** The symbol a run trades: the given filters (on the venue's flags for a known symbol), else the defaults. */
export function spotSymbolOf(symbol: string, o: Pick<BacktestOptions, 'filters' | 'candles'>): VenueSymbol {
  if (!o.filters) return defaultVenueSymbol(symbol, o.candles);
  const known = DEFAULT_SYMBOLS.find((s) => s.filters.symbol === symbol);
  return { ...(known ?? venueSymbol(o.filters)), filters: o.filters };
}
