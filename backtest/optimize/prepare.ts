/**
 * From what a user asks (`npm run optimize` options) to a checked optimisation spec: the data
 * loaded once here (its digest pins what every worker must load), the strategy and its base
 * params validated, the search space resolved, the splits made. Every problem is an
 * OptimizeError naming the option at fault.
 */
import { findStrategy, strategyIds } from '../../core/strategies';
import type { Json } from '../../core/strategy';
import { type DatasetRef, type LoadedDataset, loadDataset } from './datasets';
import type { BacktestSettings } from './evaluate';
import { DEFAULT_GA, type GaOptions, cardinality } from './ga';
import { OBJECTIVES, type Objective } from './objectives';
import type { OptimizeSpec } from './result';
import { type DefaultSpace, defaultSpace, effectiveParams, parseSpace } from './space';
import { makeFolds } from './splits';

export class OptimizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptimizeError';
  }
}

export interface OptimizeOptions {
  readonly strategy: string;
  readonly dataset: DatasetRef;
  readonly params?: unknown;
  /** `--space` JSON; default: the strategy's documented space. */
  readonly space?: unknown;
  readonly population?: number;
  readonly generations?: number;
  readonly seed?: number;
  readonly objective?: string;
  readonly minTrades?: number;
  readonly walkForward?: number;
  readonly walkForwardRatio?: number;
  readonly holdout?: number;
  readonly ga?: Partial<Omit<GaOptions, 'population'>>;
  readonly backtest?: BacktestSettings;
}

export interface Prepared {
  readonly spec: OptimizeSpec;
  readonly data: LoadedDataset;
  /** Default space only: numeric params left out, and why. */
  readonly skipped: DefaultSpace['skipped'];
}

function whole(v: number | undefined, def: number, min: number, max: number, what: string): number {
  const x = v ?? def;
  if (!Number.isInteger(x) || x < min || x > max)
    throw new OptimizeError(`${what}: a whole number from ${min} to ${max}, got ${v}`);
  return x;
}

function share(v: number | undefined, def: number, what: string, maxIncl = 1): number {
  const x = v ?? def;
  if (!Number.isFinite(x) || x < 0 || x > maxIncl)
    throw new OptimizeError(`${what}: a number from 0 to ${maxIncl}, got ${v}`);
  return x;
}

export function prepareOptimization(o: OptimizeOptions): Prepared {
  const strategy = findStrategy(o.strategy);
  if (!strategy)
    throw new OptimizeError(`--strategy: unknown strategy "${o.strategy}" (known: ${strategyIds().join(', ')})`);
  const population = whole(o.population, 30, 2, 10_000, '--population');
  const generations = whole(o.generations, 20, 1, 10_000, '--generations');
  const seed = whole(o.seed, 1, 0, 2 ** 32 - 1, '--seed');
  const minTrades = whole(o.minTrades, 1, 0, 1_000_000, '--min-trades');
  const objective = (o.objective ?? 'profit') as Objective;
  if (!OBJECTIVES.includes(objective)) throw new OptimizeError(`--objective: one of ${OBJECTIVES.join(', ')}`);
  const ga: GaOptions = {
    population,
    elitism: whole(o.ga?.elitism, Math.min(DEFAULT_GA.elitism, population - 1), 0, population - 1, '--elitism'),
    tournamentSize: whole(o.ga?.tournamentSize, DEFAULT_GA.tournamentSize, 1, population, '--tournament'),
    crossoverRate: share(o.ga?.crossoverRate, DEFAULT_GA.crossoverRate, '--crossover'),
    mutationRate: share(o.ga?.mutationRate, DEFAULT_GA.mutationRate, '--mutation'),
    mutationScale: share(o.ga?.mutationScale, DEFAULT_GA.mutationScale, '--mutation-scale'),
  };

  let base: Json;
  let genes;
  let skipped: DefaultSpace['skipped'] = [];
  try {
    base = effectiveParams(strategy, o.params ?? {});
    if (o.space !== undefined) genes = parseSpace(o.space, strategy, o.params ?? {});
    else {
      const d = defaultSpace(strategy, o.params ?? {});
      genes = d.genes;
      skipped = d.skipped;
    }
  } catch (err) {
    throw new OptimizeError((err as Error).message);
  }
  if (genes.length === 0)
    throw new OptimizeError(
      `${strategy.id}: no numeric param to search by default${skipped.length > 0 ? ` (left out: ${skipped.map((s) => s.path).join(', ')})` : ''}; give --space`,
    );
  const combinations = genes.reduce((n, g) => n * cardinality(g), 1);
  if (combinations < 2) throw new OptimizeError('--space: a single combination: nothing to search');

  let data: LoadedDataset;
  try {
    data = loadDataset(o.dataset);
  } catch (err) {
    throw new OptimizeError((err as Error).message);
  }
  let folds;
  try {
    folds = makeFolds(data.candles, {
      ...(o.walkForward ? { walkForward: o.walkForward } : {}),
      ...(o.walkForwardRatio !== undefined ? { ratio: o.walkForwardRatio } : {}),
      ...(o.holdout !== undefined ? { holdout: o.holdout } : {}),
    });
  } catch (err) {
    throw new OptimizeError((err as Error).message);
  }
  const spec: OptimizeSpec = {
    dataset: { ...o.dataset, symbol: data.symbol, interval: data.interval },
    digest: data.digest,
    symbol: data.symbol,
    interval: data.interval,
    candles: data.candles.length,
    job: { strategy: strategy.id, base, genes, objective, minTrades, backtest: o.backtest ?? {} },
    plan: { genes, ga, generations, seed, folds, constraints: { strategy: strategy.id, base } },
    walkForward: o.walkForward ? { folds: o.walkForward, ratio: o.walkForwardRatio ?? 3 } : null,
    holdout: o.walkForward ? 0 : (o.holdout ?? 0.25),
  };
  return { spec, data, skipped };
}
