/**
 * The price source the paper exchange runs (random walk, replay, mirror or manual) and the prices
 * it starts from, chosen from its `prices` option. Sources themselves are in sources.ts and mirror.ts.
 */
import type { Dec } from '../../core/decimal';
import type { VenueSymbol } from '../../venue';
import type { Market } from './market';
import { mirrorSource } from './mirror';
import {
  DEFAULT_START_PRICES,
  type PriceSource,
  type PriceSourceOptions,
  loadReplay,
  randomWalkSource,
  replaySource,
} from './sources';

/**
 * Hand every symbol its start price (the option's, else the default) for spot and for futures. A
 * replay starts from its file's first candle instead.
 */
export function setStartPrices(
  prices: PriceSourceOptions,
  symbols: readonly VenueSymbol[],
  setSpot: (symbol: string, price: Dec) => void,
  setFutures: (symbol: string, price: Dec) => void,
): void {
  if (prices.kind === 'replay') return;
  const start =
    prices.kind === 'random-walk' || prices.kind === 'manual'
      ? { ...DEFAULT_START_PRICES, ...prices.startPrices }
      : DEFAULT_START_PRICES;
  for (const s of symbols) {
    const name = s.filters.symbol;
    const price = start[name];
    if (price === undefined) continue;
    setSpot(name, price);
    setFutures(name, price);
  }
}

export function priceSourceFor(
  prices: PriceSourceOptions,
  market: Market,
  symbols: readonly VenueSymbol[],
  isFrozen: () => boolean,
  now: () => number,
): PriceSource {
  switch (prices.kind) {
    case 'random-walk': {
      const steps = new Map(
        symbols.map((s) => [s.filters.symbol, { tick: s.filters.tickSize, step: s.filters.stepSize }]),
      );
      return randomWalkSource(market, {
        seed: prices.seed ?? 42,
        tickMs: prices.tickMs ?? 1000,
        volatility: prices.volatility ?? 0.0005,
        history: prices.history ?? 500,
        now,
        isFrozen,
        steps,
      });
    }
    case 'replay': {
      const symbol = prices.symbol ?? symbols[0]?.filters.symbol ?? 'BTCUSDT';
      const candles = loadReplay(prices.file, symbol, prices.interval);
      const interval = prices.interval ?? candles[0]?.interval ?? '1m';
      return replaySource(market, {
        candles,
        symbol,
        interval,
        candleMs: prices.candleMs ?? 1000,
        manual: prices.manual ?? false,
        loop: prices.loop ?? false,
        isFrozen,
      });
    }
    case 'mirror':
      return mirrorSource(market, { symbols: prices.symbols ?? symbols.map((s) => s.filters.symbol), isFrozen });
    default:
      return { start() {}, stop() {} };
  }
}
