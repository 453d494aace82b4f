/**
 * The optimisation's result (`optimize.json`) built from the final search state, and the
 * ready-to-start bot definition of the best params. Pure: the same state gives the same JSON,
 * whether the search ran on local threads or as a Temporal workflow.
 */
import { type BotDefinition, BOT_NAME_PATTERN, checkBotDefinition } from '../../core/bot-definition';
import type { Json } from '../../core/strategy';
import type { DatasetRef } from './datasets';
import type { CompactMetrics } from './objectives';
import type { EquityPoint, EvalJob, Evaluation } from './evaluate';
import type { GaOptions, Gene } from './ga';
import { paramsOf, valuesOf } from './space';
import type { SearchPlan, SearchState } from './search';
import type { Fold, TimeRange } from './splits';

/** Everything a run needs besides the data: a Temporal workflow's input, optimize.json's `config`. */
export interface OptimizeSpec {
  readonly dataset: DatasetRef;
  /** Digest of the candles the client loaded; workers refuse other data. */
  readonly digest: string;
  readonly symbol: string;
  readonly interval: string;
  readonly candles: number;
  readonly job: EvalJob;
  readonly plan: SearchPlan;
  readonly walkForward: { readonly folds: number; readonly ratio: number } | null;
  readonly holdout: number;
}

export interface IndividualView {
  readonly values: Record<string, Json>;
  readonly fitness: number | null;
  readonly returnPct: number | null;
  readonly maxDrawdownPct: number | null;
  readonly trades: number | null;
}

export interface FoldView {
  readonly inSample: TimeRange;
  readonly outOfSample: TimeRange | null;
  readonly params: Json | null;
  readonly values: Record<string, Json> | null;
  readonly fitness: number | null;
  readonly inSampleMetrics: CompactMetrics | null;
  readonly outOfSampleMetrics: CompactMetrics | null;
  readonly equity: { readonly inSample: readonly EquityPoint[]; readonly outOfSample: readonly EquityPoint[] };
  readonly generations: readonly {
    readonly generation: number;
    readonly evaluated: number;
    readonly repaired: number;
    readonly best: number | null;
    readonly mean: number | null;
    readonly population: readonly IndividualView[];
  }[];
  readonly rejections: Readonly<Record<string, number>>;
}

export interface OptimizeResult {
  readonly version: 1;
  readonly config: {
    readonly strategy: string;
    readonly symbol: string;
    readonly interval: string;
    readonly dataset: DatasetRef;
    readonly digest: string;
    readonly candles: number;
    readonly objective: string;
    readonly minTrades: number;
    readonly seed: number;
    readonly population: number;
    readonly generations: number;
    readonly ga: GaOptions;
    readonly space: readonly Gene[];
    readonly baseParams: Json;
    readonly backtest: EvalJob['backtest'];
    readonly walkForward: OptimizeSpec['walkForward'];
    readonly holdout: number;
    readonly folds: readonly Fold[];
  };
  /** The params to trade: the (last) fold's best, judged out of sample. */
  readonly best: {
    readonly params: Json;
    readonly values: Record<string, Json>;
    readonly genome: readonly number[];
    readonly fitness: number;
    readonly inSample: CompactMetrics | null;
    readonly outOfSample: CompactMetrics | null;
  } | null;
  /** Walk-forward: the out-of-sample blocks together (compounded), and in/out efficiency. */
  readonly walkForward: {
    readonly outOfSampleReturnPct: number;
    readonly outOfSampleTrades: number;
    readonly worstDrawdownPct: number;
    /** Out-of-sample return per unit of time / in-sample return per unit of time (null: in-sample ≤ 0). */
    readonly efficiency: number | null;
  } | null;
  readonly folds: readonly FoldView[];
  readonly evaluations: number;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

export function buildResult(spec: OptimizeSpec, state: SearchState): OptimizeResult {
  const { plan, job } = spec;
  const folds: FoldView[] = state.folds.map((f, i) => {
    const fold = plan.folds[i]!;
    const pick = (e: Evaluation | null) => e?.metrics ?? null;
    return {
      inSample: fold.inSample,
      outOfSample: fold.outOfSample,
      params: f.best ? paramsOf(plan.genes, f.best.genome, job.base) : null,
      values: f.best ? valuesOf(plan.genes, f.best.genome) : null,
      fitness: f.best?.fitness ?? null,
      inSampleMetrics: pick(f.inSample),
      outOfSampleMetrics: pick(f.outOfSample),
      equity: { inSample: f.inSample?.equity ?? [], outOfSample: f.outOfSample?.equity ?? [] },
      generations: f.generations.map((g) => {
        const scored = g.fitness.filter((x): x is number => x !== null);
        return {
          generation: g.generation,
          evaluated: g.evaluated,
          // Candidates a cross-field rule refused as drawn, repaired before evaluation (feasibility.ts).
          repaired: g.repaired ?? 0,
          best: scored.length > 0 ? Math.max(...scored) : null,
          mean: mean(scored),
          population: g.genomes.map((genome, k) => ({
            values: valuesOf(plan.genes, genome),
            fitness: g.fitness[k]!,
            returnPct: g.returnPct[k]!,
            maxDrawdownPct: g.maxDrawdownPct[k]!,
            trades: g.trades[k]!,
          })),
        };
      }),
      rejections: f.rejections,
    };
  });
  const last = state.folds[state.folds.length - 1];
  const best =
    last?.best && folds.length > 0
      ? {
          params: paramsOf(plan.genes, last.best.genome, job.base),
          values: valuesOf(plan.genes, last.best.genome),
          genome: last.best.genome,
          fitness: last.best.fitness,
          inSample: last.inSample?.metrics ?? null,
          outOfSample: last.outOfSample?.metrics ?? null,
        }
      : null;
  let walkForward: OptimizeResult['walkForward'] = null;
  if (spec.walkForward) {
    let growth = 1;
    let trades = 0;
    let worst = 0;
    let isRate = 0;
    let isTime = 0;
    let oosRate = 0;
    let oosTime = 0;
    folds.forEach((f) => {
      const o = f.outOfSampleMetrics;
      const s = f.inSampleMetrics;
      if (o && f.outOfSample) {
        growth *= 1 + o.returnPct / 100;
        trades += o.trades;
        worst = Math.max(worst, o.maxDrawdownPct);
        oosRate += o.returnPct;
        oosTime += f.outOfSample.to - f.outOfSample.from;
      }
      if (s) {
        isRate += s.returnPct;
        isTime += f.inSample.to - f.inSample.from;
      }
    });
    const isPerMs = isTime > 0 ? isRate / isTime : 0;
    const oosPerMs = oosTime > 0 ? oosRate / oosTime : 0;
    walkForward = {
      outOfSampleReturnPct: Math.round((growth - 1) * 1e6) / 1e4,
      outOfSampleTrades: trades,
      worstDrawdownPct: worst,
      efficiency: isPerMs > 0 ? Math.round((oosPerMs / isPerMs) * 1e4) / 1e4 : null,
    };
  }
  return {
    version: 1,
    config: {
      strategy: job.strategy,
      symbol: spec.symbol,
      interval: spec.interval,
      dataset: spec.dataset,
      digest: spec.digest,
      candles: spec.candles,
      objective: job.objective,
      minTrades: job.minTrades,
      seed: plan.seed,
      population: plan.ga.population,
      generations: plan.generations,
      ga: plan.ga,
      space: plan.genes,
      baseParams: job.base,
      backtest: job.backtest,
      walkForward: spec.walkForward,
      holdout: spec.holdout,
      folds: plan.folds,
    },
    best,
    walkForward,
    folds,
    evaluations: state.evaluations,
  };
}

/** A bot definition of the best params, validated as `npm run bots -- start <file>` will. */
export function botDefinitionOf(result: OptimizeResult, account = 'paper'): BotDefinition | null {
  if (!result.best) return null;
  const c = result.config;
  let name = `${c.strategy}-${c.symbol}-${c.interval}-opt`
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-')
    .slice(0, 48);
  if (!BOT_NAME_PATTERN.test(name)) name = 'optimised-bot';
  const checked = checkBotDefinition({
    name,
    strategy: c.strategy,
    symbol: c.symbol,
    interval: c.interval,
    account,
    params: result.best.params,
    ...(c.backtest.onStop ? { onStop: c.backtest.onStop } : {}),
    ...(c.backtest.risk ? { risk: c.backtest.risk } : {}),
  });
  if (!checked.ok)
    throw new Error(`the best params do not make a valid bot definition: ${checked.problems.join('; ')}`);
  return checked.definition;
}
