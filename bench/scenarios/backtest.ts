/**
 * Scenario 4, backtest speed: candles per second of the backtester (kernel + strategy + venue, the
 * same code as live) for each registered strategy that runs on one kline series, over >= 1M
 * synthetic 1-minute candles, next to the ceiling: the same indicators alone over the same data
 * (what a strategy could never beat: it computes them and then decides and trades).
 *
 * bench/backtest.ts (the backtester's own speed script, by its author) is run as a child process
 * with `--ema-only` for its kernel floor (a strategy that never trades) and its EMA(50)
 * trend-following strategy; its rows are parsed from its table and get the EMA(50) ceiling here.
 * Strategies that need data the backtester does not simulate (model inference, order books, other
 * symbols) are listed with that reason.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runBacktest } from '../../backtest/engine';
import { atr, ema, extremes, nextAtr, nextEma, nextExtremes, nextRsi, rsi } from '../../core/indicators';
import type { Candle } from '../../core/market';
import { STRATEGIES } from '../../core/strategies';
import { PROJECT_ROOT } from '../../infra/temporal-cli';
import { syntheticCandles } from '../support/candles';
import { round } from '../support/stats';

export interface BacktestOptions {
  readonly candles: number;
  readonly log: (line: string) => void;
}

export interface BacktestRow {
  readonly strategy: string;
  readonly params: unknown;
  /** Where the figure comes from: this scenario, or bench/backtest.ts's table. */
  readonly source: 'bench' | 'bench/backtest.ts';
  readonly candles: number;
  readonly candlesPerSecond: number;
  readonly orders: number | null;
  readonly fills: number | null;
  /** The indicators the strategy computes per candle (null: none). */
  readonly indicators: string | null;
  /** Candles per second of those indicators alone over the same candles. */
  readonly ceilingPerSecond: number | null;
  /** candlesPerSecond / ceilingPerSecond. */
  readonly shareOfCeiling: number | null;
}

export interface BacktestScenarioResult {
  readonly candles: number;
  readonly rows: readonly BacktestRow[];
  /** Registered strategies not measured, and why. */
  readonly skipped: Readonly<Record<string, string>>;
  /** bench/backtest.ts's output, as printed (kept whole in case its format changes). */
  readonly scriptOutput: string;
  readonly seconds: number;
}

type Ceiling = { readonly label: string; readonly run: (candles: readonly Candle[]) => void };

/** The indicator work of each strategy, exactly as the strategy does it (string → number included). */
const CEILINGS: Readonly<Record<string, Ceiling>> = {
  ema50: {
    label: 'EMA(50) of the close',
    run(candles) {
      let s = ema(50);
      for (const c of candles) s = nextEma(s, Number(c.close));
      sink(s.value);
    },
  },
  rsi12: {
    label: 'RSI(12) of the close',
    run(candles) {
      let s = rsi(12);
      for (const c of candles) s = nextRsi(s, Number(c.close));
      sink(s.value);
    },
  },
  extremes60: {
    label: 'highest high / lowest low of 60 candles',
    run(candles) {
      let s = extremes(60);
      for (const c of candles) s = nextExtremes(s, { high: Number(c.high), low: Number(c.low) });
      sink(s.highest);
    },
  },
  atr14: {
    label: 'ATR(14)',
    run(candles) {
      let s = atr(14);
      for (const c of candles) s = nextAtr(s, { high: Number(c.high), low: Number(c.low), close: Number(c.close) });
      sink(s.value);
    },
  },
};

/** Registered strategies run here: params that make them trade on the synthetic walk. */
const MEASURED: ReadonlyArray<{ id: string; params: Record<string, unknown>; ceiling: keyof typeof CEILINGS | null }> =
  [
    {
      id: 'dca-take-profit',
      params: { quantity: '0.01', everyCandles: 60, takeProfitPct: '0.5', maxLots: 3 },
      ceiling: null,
    },
    // The seed's minimum volume (90) is a Kraken volume; the walk's volumes are 1-11.
    { id: 'rsi-sniper', params: { minVolume: '5' }, ceiling: 'rsi12' },
    {
      id: 'smart-trade',
      params: {
        sizing: { mode: 'quote', amount: '1000' },
        exits: { takeProfits: [{ pct: '1', share: '100' }], stopLoss: { pct: '1' } },
      },
      ceiling: null,
    },
    { id: 'grid', params: { low: '27000', high: '33000', levels: 20, quantity: '0.01' }, ceiling: null },
    {
      id: 'range-breakout',
      params: {
        rangeCandles: 60,
        pct: '0.2',
        repeat: true,
        sizing: { mode: 'quote', amount: '1000' },
        exits: { takeProfits: [{ pct: '0.5', share: '100' }], stopLoss: { pct: '0.5' } },
      },
      ceiling: 'extremes60',
    },
  ];

const SKIPPED: Readonly<Record<string, string>> = {
  'model-scalper': 'needs model inference (a data activity live); the backtester answers candle requests only',
  'book-imbalance': 'needs order-book snapshots, which kline data does not have',
  'macd-portfolio': 'trades several symbols and needs their history; the backtester runs one series',
  'bench-echo': 'benchmark tool (one order per event), not a strategy to backtest',
};

export async function backtestScenario(o: BacktestOptions): Promise<BacktestScenarioResult> {
  const t0 = performance.now();
  const scriptOutput = await runScript(o.candles);
  o.log('backtest: bench/backtest.ts --ema-only done');
  const candles = syntheticCandles(o.candles);
  const ceilings = new Map<string, number>();
  const ceiling = (key: keyof typeof CEILINGS) => {
    if (!ceilings.has(key))
      ceilings.set(
        key,
        rate(candles.length, () => CEILINGS[key]!.run(candles)),
      );
    return ceilings.get(key)!;
  };

  const rows: BacktestRow[] = parseScript(scriptOutput).map((r) => {
    const c = r.label.startsWith('EMA(50)') ? ceiling('ema50') : null;
    return {
      strategy: r.label,
      params: null,
      source: 'bench/backtest.ts' as const,
      candles: r.candles,
      candlesPerSecond: r.rate,
      orders: r.orders,
      fills: r.fills,
      indicators: c ? CEILINGS.ema50!.label : null,
      ceilingPerSecond: c,
      shareOfCeiling: c ? round(r.rate / c, 2) : null,
    };
  });

  for (const m of MEASURED) {
    const strategy = STRATEGIES[m.id];
    if (!strategy) continue;
    const run = () => runBacktest({ strategy, params: m.params, candles, balances: { USDT: '1000000' } });
    // Warm the JIT on a short run first, as a long backtest does by itself.
    runBacktest({ strategy, params: m.params, candles: candles.slice(0, 20_000), balances: { USDT: '1000000' } });
    const start = performance.now();
    const result = run();
    const cps = Math.round(result.candles / ((performance.now() - start) / 1000));
    const c = m.ceiling ? ceiling(m.ceiling) : null;
    rows.push({
      strategy: m.id,
      params: m.params,
      source: 'bench',
      candles: result.candles,
      candlesPerSecond: cps,
      orders: result.orders.length,
      fills: result.fills.length,
      indicators: m.ceiling ? CEILINGS[m.ceiling]!.label : null,
      ceilingPerSecond: c,
      shareOfCeiling: c ? round(cps / c, 2) : null,
    });
    o.log(
      `backtest: ${m.id}: ${cps.toLocaleString('en-US')} candles/s${c ? ` (ceiling ${c.toLocaleString('en-US')})` : ''}`,
    );
  }
  const skipped = Object.fromEntries(
    Object.keys(STRATEGIES)
      .filter((id) => SKIPPED[id])
      .map((id) => [id, SKIPPED[id]!]),
  );
  return { candles: o.candles, rows, skipped, scriptOutput, seconds: round((performance.now() - t0) / 1000, 1) };
}

/** Best of three runs (after a warm-up run): candles per second. */
function rate(n: number, fn: () => void): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return Math.round(n / (best / 1000));
}

let sunk: unknown;
/** Keep results alive so the JIT cannot drop the loop. */
function sink(v: unknown): void {
  sunk = v;
}
export const lastSunk = () => sunk;

function runScript(candles: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench/backtest.ts'), '--candles', String(candles), '--ema-only'],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bench/backtest.ts exited with ${code}:\n${out}`)),
    );
  });
}

interface ScriptRow {
  readonly label: string;
  readonly candles: number;
  readonly rate: number;
  readonly orders: number;
  readonly fills: number;
}

/** Rows of bench/backtest.ts's table: a label (36 columns), then candles, ms, candles/s, orders, fills. */
export function parseScript(output: string): ScriptRow[] {
  const rows: ScriptRow[] = [];
  for (const line of output.split('\n')) {
    const m = /^(.{36}) +([\d,]+) +(\d+) +([\d,]+) +(\d+) +(\d+)/.exec(line);
    if (!m) continue;
    const num = (s: string) => Number(s.replace(/,/g, ''));
    rows.push({ label: m[1]!.trim(), candles: num(m[2]!), rate: num(m[4]!), orders: num(m[5]!), fills: num(m[6]!) });
  }
  return rows;
}
