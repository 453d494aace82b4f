/** Symbol helpers. Pure. */
import type { SymbolFilters } from './market';

const KNOWN_QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'EUR', 'TRY', 'BRL', 'BTC', 'ETH', 'BNB'] as const;

/** Split a symbol into base and quote assets, using the exchange filters when known. */
export function splitSymbol(symbol: string, filters?: SymbolFilters | null): { base: string; quote: string } {
  if (filters && filters.symbol === symbol) return { base: filters.baseAsset, quote: filters.quoteAsset };
  for (const quote of KNOWN_QUOTES) {
    if (symbol.endsWith(quote) && symbol.length > quote.length) return { base: symbol.slice(0, -quote.length), quote };
  }
  return { base: symbol.slice(0, -4), quote: symbol.slice(-4) };
}
