import type { Candle } from '../../core/market';
import { seededRandom } from '../../core/random';

/**
 * A deterministic random walk of 1-minute BTCUSDT candles around 30,000: bench/backtest.ts runs its
 * strategies over it and the backtest scenario runs the indicator ceilings over the same data.
 */
export function syntheticCandles(n: number, seed = 42): Candle[] {
  const rnd = seededRandom(seed);
  const out = new Array<Candle>(n);
  let price = 30_000;
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const open = price;
    price = Math.max(1000, price * (1 + (rnd() - 0.5) * 0.004));
    const high = Math.max(open, price) * (1 + rnd() * 0.001);
    const low = Math.min(open, price) * (1 - rnd() * 0.001);
    out[i] = {
      symbol: 'BTCUSDT',
      interval: '1m',
      openTime: t0 + i * 60_000,
      closeTime: t0 + (i + 1) * 60_000 - 1,
      open: open.toFixed(2),
      high: high.toFixed(2),
      low: low.toFixed(2),
      close: price.toFixed(2),
      volume: (1 + rnd() * 10).toFixed(5),
    };
  }
  return out;
}
