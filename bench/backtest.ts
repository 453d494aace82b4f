/**
 * Backtest speed: candles per second for a single-indicator strategy (EMA trend-following with
 * market orders) over synthetic 1-minute candles, plus the three seed strategies. A script, not a
 * test: `npm run bench:backtest [-- --candles 1000000]`.
 */
import os from 'node:os';
import { z } from 'zod';
import { runBacktest } from '../backtest/engine';
import { fromFloat } from '../core/decimal';
import { ema, nextEma, type EmaState } from '../core/indicators/ema';
import type { Candle } from '../core/market';
import { syntheticCandles } from './support/candles';
import { grid } from '../core/strategies/grid';
import { rangeBreakout } from '../core/strategies/range-breakout';
import { type AnyStrategy, defineStrategy } from '../core/strategy';

/**
 * The single-indicator strategy of the target: trend-following on EMA(period) with a band, market
 * orders. It buys when the close rises `bandPct` % above the EMA and sells everything when it
 * falls `bandPct` % below: a few trades a day on 1-minute candles, like a real trend strategy.
 */
const emaTrend = defineStrategy<
  { period: number; bandPct: number; quantity: string },
  { ema: EmaState; holding: boolean }
>({
  id: 'bench-ema-trend',
  title: 'EMA trend (benchmark)',
  description: 'Market-buys when the close is bandPct % above EMA(period), sells when it is bandPct % below.',
  params: z
    .object({
      period: z.number().int().positive().default(50),
      bandPct: z.number().nonnegative().default(0.5),
      quantity: z.string().default('0.01'),
    })
    .strict(),
  init: (ctx) => ({ ema: ema(ctx.params.period), holding: false }),
  onEvent(state, event, ctx) {
    if (event.type === 'order') {
      if (event.order.status === 'FILLED') return { state: { ...state, holding: event.order.request.side === 'BUY' } };
      return { state };
    }
    if (event.type !== 'candle') return { state };
    // Floats for the indicator (not money); the EMA state is plain JSON.
    const close = Number(event.candle.close);
    const e = nextEma(state.ema, close);
    const next = { ema: e, holding: state.holding };
    if (e.value === null || ctx.openOrders.length > 0) return { state: next };
    const band = (e.value * ctx.params.bandPct) / 100;
    if (!state.holding && close > e.value + band) {
      return {
        state: next,
        intents: [
          {
            kind: 'place',
            tag: 'buy',
            side: 'BUY',
            type: 'MARKET',
            quantity: ctx.params.quantity,
            purpose: 'entry',
            reason: `close ${event.candle.close} above EMA ${fromFloat(e.value, 2)} + ${ctx.params.bandPct}%`,
          },
        ],
      };
    }
    if (state.holding && close < e.value - band) {
      return {
        state: next,
        intents: [
          {
            kind: 'place',
            tag: 'sell',
            side: 'SELL',
            type: 'MARKET',
            quantity: ctx.position.qty,
            purpose: 'exit',
            reason: `close ${event.candle.close} below EMA ${fromFloat(e.value, 2)} − ${ctx.params.bandPct}%`,
          },
        ],
      };
    }
    return { state: next };
  },
});

/** The floor: the kernel, the venue and the metrics with a strategy that never trades. */
const idle = defineStrategy<Record<string, never>, null>({
  id: 'bench-idle',
  title: 'idle (benchmark)',
  description: 'Does nothing.',
  params: z.object({}).strict(),
  init: () => null,
  onEvent: (state) => ({ state }),
});

function bench(label: string, strategy: AnyStrategy, params: unknown, candles: readonly Candle[]): void {
  // Warm the JIT on a short run first, as a long backtest does by itself.
  runBacktest({
    strategy,
    params,
    candles: candles.slice(0, Math.min(candles.length, 20_000)),
    balances: { USDT: '1000000' },
  });
  const t0 = performance.now();
  const r = runBacktest({ strategy, params, candles, balances: { USDT: '1000000' } });
  const ms = performance.now() - t0;
  const rate = Math.round(r.candles / (ms / 1000));
  console.log(
    `${label.padEnd(36)} ${r.candles.toLocaleString('en-US').padStart(10)} ${ms.toFixed(0).padStart(8)} ${rate.toLocaleString('en-US').padStart(12)} ${String(r.orders.length).padStart(7)} ${String(r.fills.length).padStart(7)}  ${r.botStatus}`,
  );
}

const arg = process.argv.indexOf('--candles');
const n = arg > 0 ? Number(process.argv[arg + 1]) : 1_000_000;
const only = process.argv.includes('--ema-only');
const candles = syntheticCandles(n);
console.log(
  `synthetic BTCUSDT 1m random walk; node ${process.version}; ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `${'strategy'.padEnd(36)} ${'candles'.padStart(10)} ${'ms'.padStart(8)} ${'candles/s'.padStart(12)} ${'orders'.padStart(7)} ${'fills'.padStart(7)}  status`,
);
bench('idle (kernel + venue floor)', idle, {}, candles);
bench('EMA(50) trend ±0.5%, market orders', emaTrend, { period: 50, bandPct: 0.5 }, candles);
if (!only) {
  bench('EMA(50) trend ±0.1% (trades often)', emaTrend, { period: 50, bandPct: 0.1 }, candles);
  bench('grid 20 levels 27,000-33,000', grid, { low: '27000', high: '33000', levels: 20, quantity: '0.01' }, candles);
  bench(
    'range breakout ±0.2%, repeat',
    rangeBreakout,
    {
      rangeCandles: 60,
      pct: '0.2',
      repeat: true,
      sizing: { mode: 'quote', amount: '1000' },
      exits: { takeProfits: [{ pct: '0.5', share: '100' }], stopLoss: { pct: '0.5' } },
    },
    candles,
  );
}
