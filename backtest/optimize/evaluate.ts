/**
 * One evaluation of an optimisation: the backtest of one genome's params over one time range of the
 * data set, judged by the objective. Pure and synchronous (it runs in worker threads and in
 * Temporal activities alike): the data set is loaded by the caller.
 */
import type { RecordedBook } from '../../core/analysis/book-replay';
import type { StopPolicy } from '../../core/kernel';
import { type Candle, type CandleInterval, intervalMs } from '../../core/market';
import type { RiskConfig } from '../../core/risk/guard';
import { findStrategy } from '../../core/strategies';
import { withLocalData } from '../../core/strategies/seed/local-data';
import type { Json } from '../../core/strategy';
import { recordedBookResolver } from '../depth-data';
import { runBacktest } from '../engine';
import type { Gene } from './ga';
import { type CompactMetrics, type Objective, fitnessOf, ratios } from './objectives';
import { paramsOf } from './space';
import { type TimeRange, sliceRange } from './splits';

export interface Dataset {
  readonly candles: readonly Candle[];
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly depth: readonly RecordedBook[] | null;
}

/** Backtest settings every evaluation shares (the `npm run backtest` options). */
export interface BacktestSettings {
  readonly balances?: Readonly<Record<string, string>>;
  readonly makerFee?: string;
  readonly takerFee?: string;
  readonly participation?: string;
  readonly risk?: RiskConfig;
  readonly onStop?: StopPolicy;
}

/** What every evaluation of one optimisation shares. Plain JSON (a workflow input). */
export interface EvalJob {
  readonly strategy: string;
  /** The strategy's params with defaults; genes override their paths. */
  readonly base: Json;
  readonly genes: readonly Gene[];
  readonly objective: Objective;
  readonly minTrades: number;
  readonly backtest: BacktestSettings;
}

export interface EvalTask {
  readonly genome: readonly number[];
  readonly range: TimeRange;
  /** Also return the equity curve (downsampled), for the report of the best params. */
  readonly detail?: boolean;
}

export interface EquityPoint {
  readonly time: number;
  readonly equity: number;
}

export interface Evaluation {
  /** null: rejected (see `rejected`). */
  readonly fitness: number | null;
  readonly metrics: CompactMetrics | null;
  readonly rejected?: string;
  readonly equity?: readonly EquityPoint[];
}

/** Equity points kept by a detailed evaluation. */
const DETAIL_POINTS = 400;

const sliceCache = new WeakMap<Dataset, Map<string, readonly Candle[]>>();

function candlesOf(dataset: Dataset, r: TimeRange): readonly Candle[] {
  let m = sliceCache.get(dataset);
  if (!m) sliceCache.set(dataset, (m = new Map<string, readonly Candle[]>()));
  const key = `${r.from}-${r.to}`;
  let c = m.get(key);
  if (!c) {
    c = sliceRange(dataset.candles, r);
    if (m.size > 64) m.clear();
    m.set(key, c);
  }
  return c;
}

function downsample(points: readonly EquityPoint[], max: number): EquityPoint[] {
  if (points.length <= max) return [...points];
  const out: EquityPoint[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]!);
  return out;
}

export function evaluate(dataset: Dataset, job: EvalJob, task: EvalTask): Evaluation {
  const strategy = findStrategy(job.strategy);
  if (!strategy) return { fitness: null, metrics: null, rejected: `unknown strategy ${job.strategy}` };
  const candles = candlesOf(dataset, task.range);
  if (candles.length === 0) return { fitness: null, metrics: null, rejected: 'no candle in the range' };
  const params = paramsOf(job.genes, task.genome, job.base);
  // A candidate the strategy's schema refuses (a cross-field rule the GA could not repair) is
  // infeasible: scored so, never backtested as if it were a strategy.
  const valid = strategy.params.safeParse(params);
  if (!valid.success)
    return {
      fitness: null,
      metrics: null,
      rejected:
        `infeasible params: ${valid.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`.slice(
          0,
          300,
        ),
    };
  let r;
  try {
    const b = job.backtest;
    r = runBacktest({
      strategy: dataset.depth ? withLocalData(strategy, recordedBookResolver(dataset.depth)) : strategy,
      params,
      candles,
      symbol: dataset.symbol,
      interval: dataset.interval,
      ...(b.balances ? { balances: b.balances } : {}),
      ...(b.makerFee !== undefined ? { makerFee: b.makerFee } : {}),
      ...(b.takerFee !== undefined ? { takerFee: b.takerFee } : {}),
      ...(b.participation !== undefined ? { participation: b.participation } : {}),
      ...(b.risk ? { risk: b.risk } : {}),
      ...(b.onStop ? { onStop: b.onStop } : {}),
      // Every point: the ratios need the per-candle returns.
      equityPoints: candles.length + 1,
    });
  } catch (err) {
    // A backtest that fails (a strategy's own start check, say) loses; it does not stop the search.
    return { fitness: null, metrics: null, rejected: (err as Error).message.slice(0, 300) };
  }
  const m = r.metrics;
  const equity = m.equity;
  const first = candles[0]!;
  const last = candles[candles.length - 1]!;
  const rat = ratios(
    {
      values: equity.map((p) => p.equity),
      stepMs: intervalMs(dataset.interval),
      durationMs: last.closeTime + 1 - first.openTime,
    },
    m.returnPct,
    m.maxDrawdownPct,
  );
  const metrics: CompactMetrics = {
    candles: r.candles,
    returnPct: m.returnPct,
    netProfit: m.netProfit,
    maxDrawdownPct: m.maxDrawdownPct,
    trades: m.trades,
    winRatePct: m.winRatePct,
    profitFactor: m.profitFactor,
    exposurePct: m.exposurePct,
    ...rat,
  };
  const judged = fitnessOf(job.objective, metrics, job.minTrades);
  return {
    fitness: judged.fitness,
    metrics,
    ...(judged.rejected !== undefined ? { rejected: judged.rejected } : {}),
    ...(task.detail ? { equity: downsample(equity, DETAIL_POINTS) } : {}),
  };
}
