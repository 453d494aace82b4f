/**
 * The optimisation as a state machine: which evaluations are due next, and the state after their
 * results. The local runner (worker threads) and the Temporal workflow both drive this same code,
 * so the same plan and seed give the same result on either, and the workflow can carry the state
 * through continue-as-new. Plain JSON state; pure (it runs inside the workflow sandbox).
 *
 * Stages per fold: `evolve` (one GA generation per step, evaluated in sample), then `judge` (the
 * fold's best params evaluated in detail, in and out of sample); then the next fold; then `done`.
 */
import {
  type GaOptions,
  type Gene,
  type Genome,
  generationRng,
  genomeKey,
  initialPopulation,
  nextGeneration,
  ranking,
} from './ga';
import type { EvalTask, Evaluation } from './evaluate';
import { type Constraints, type FeasibilityCheck, feasibilityCheck, repairPopulation, repairRng } from './feasibility';
import type { Fold } from './splits';

export interface SearchPlan {
  readonly genes: readonly Gene[];
  readonly ga: GaOptions;
  readonly generations: number;
  readonly seed: number;
  readonly folds: readonly Fold[];
  /**
   * The strategy whose schema every candidate must satisfy (cross-field rules such as rsiN2Min ≤
   * rsiN2Max): new individuals are repaired to satisfy it (feasibility.ts). Absent: no check.
   */
  readonly constraints?: Constraints;
}

/** One generation: its population and, per individual, [fitness, return %, max drawdown %, trades]. */
export interface GenerationRecord {
  readonly generation: number;
  readonly genomes: readonly (readonly number[])[];
  readonly fitness: readonly (number | null)[];
  readonly returnPct: readonly (number | null)[];
  readonly maxDrawdownPct: readonly (number | null)[];
  readonly trades: readonly (number | null)[];
  /** Individuals evaluated for this generation (the rest were known from earlier ones). */
  readonly evaluated: number;
  /** Individuals the schema refused as drawn, repaired by drawing the genes at fault again. */
  readonly repaired?: number;
}

export interface FoldResult {
  readonly generations: GenerationRecord[];
  readonly best: { readonly genome: readonly number[]; readonly fitness: number } | null;
  readonly inSample: Evaluation | null;
  readonly outOfSample: Evaluation | null;
  /** Why params were rejected, with counts (at most 20 distinct reasons). */
  readonly rejections: Readonly<Record<string, number>>;
}

export interface SearchState {
  readonly stage: 'evolve' | 'judge' | 'done';
  readonly fold: number;
  readonly generation: number;
  readonly population: readonly (readonly number[])[];
  /** Evaluations of the current fold by genome key (a genome seen again is not evaluated again). */
  readonly cache: Readonly<Record<string, Evaluation>>;
  readonly folds: readonly FoldResult[];
  /** Evaluations computed so far (cache hits not counted). */
  readonly evaluations: number;
  /** Individuals of the current population repaired (see SearchPlan.constraints). */
  readonly repaired?: number;
}

const checks = new WeakMap<SearchPlan, FeasibilityCheck>();

/** The population as the GA drew it, repaired where the plan's constraints refuse an individual. */
function feasiblePopulation(
  plan: SearchPlan,
  population: readonly Genome[],
  fold: number,
  generation: number,
): { population: readonly (readonly number[])[]; repaired?: number } {
  if (!plan.constraints) return { population };
  let check = checks.get(plan);
  if (!check) checks.set(plan, (check = feasibilityCheck(plan.constraints, plan.genes)));
  const r = repairPopulation(population, plan.genes, check, repairRng(plan.seed, fold, generation));
  return { population: r.population, repaired: r.repaired };
}

export function startSearch(plan: SearchPlan): SearchState {
  return {
    stage: 'evolve',
    fold: 0,
    generation: 0,
    ...feasiblePopulation(
      plan,
      initialPopulation(plan.genes, plan.ga.population, generationRng(plan.seed, 0, 0)),
      0,
      0,
    ),
    cache: {},
    folds: [],
    evaluations: 0,
  };
}

/** The evaluations due now (none when done). Duplicates and cached genomes are left out. */
export function pendingTasks(plan: SearchPlan, s: SearchState): EvalTask[] {
  const fold = plan.folds[s.fold];
  if (s.stage === 'done' || !fold) return [];
  if (s.stage === 'evolve') {
    const seen = new Set<string>();
    const tasks: EvalTask[] = [];
    for (const g of s.population) {
      const key = genomeKey(g);
      if (seen.has(key) || s.cache[key] !== undefined) continue;
      seen.add(key);
      tasks.push({ genome: g, range: fold.inSample });
    }
    return tasks;
  }
  const best = currentBest(s);
  if (!best) return [];
  return [
    { genome: best.genome, range: fold.inSample, detail: true },
    ...(fold.outOfSample ? [{ genome: best.genome, range: fold.outOfSample, detail: true }] : []),
  ];
}

function currentBest(s: SearchState): FoldResult['best'] {
  let best: FoldResult['best'] = null;
  for (const gen of foldGenerations(s)) {
    gen.fitness.forEach((f, i) => {
      if (f !== null && (best === null || f > best.fitness)) best = { genome: gen.genomes[i]!, fitness: f };
    });
  }
  return best;
}

/** Generations of the fold in progress (kept in the last FoldResult while evolving). */
function foldGenerations(s: SearchState): readonly GenerationRecord[] {
  return s.folds.length > s.fold ? s.folds[s.fold]!.generations : [];
}

function withFold(s: SearchState, update: (f: FoldResult) => FoldResult): FoldResult[] {
  const folds = [...s.folds];
  const current = folds[s.fold] ?? { generations: [], best: null, inSample: null, outOfSample: null, rejections: {} };
  folds[s.fold] = update(current);
  return folds;
}

/** The state after the results of `pendingTasks(plan, s)` (same order). */
export function advanceSearch(
  plan: SearchPlan,
  s: SearchState,
  tasks: readonly EvalTask[],
  results: readonly Evaluation[],
): SearchState {
  if (results.length !== tasks.length) throw new Error(`expected ${tasks.length} results, got ${results.length}`);
  if (s.stage === 'done') return s;
  if (s.stage === 'evolve') {
    const cache: Record<string, Evaluation> = { ...s.cache };
    tasks.forEach((t, i) => (cache[genomeKey(t.genome)] = results[i]!));
    const evals = s.population.map((g) => cache[genomeKey(g)]!);
    const record: GenerationRecord = {
      generation: s.generation,
      genomes: s.population,
      fitness: evals.map((e) => e.fitness),
      returnPct: evals.map((e) => e.metrics?.returnPct ?? null),
      maxDrawdownPct: evals.map((e) => e.metrics?.maxDrawdownPct ?? null),
      trades: evals.map((e) => e.metrics?.trades ?? null),
      evaluated: tasks.length,
      ...(s.repaired !== undefined ? { repaired: s.repaired } : {}),
    };
    const folds = withFold(s, (f) => {
      const rejections = { ...f.rejections };
      for (const r of results) {
        if (r.rejected === undefined) continue;
        const reason = r.rejected.slice(0, 160);
        if (rejections[reason] !== undefined || Object.keys(rejections).length < 20)
          rejections[reason] = (rejections[reason] ?? 0) + 1;
      }
      return { ...f, generations: [...f.generations, record], rejections };
    });
    const evaluations = s.evaluations + tasks.length;
    const base = { ...s, folds, cache, evaluations };
    if (s.generation + 1 < plan.generations) {
      const scored = s.population.map((genome, i) => ({ genome, fitness: record.fitness[i]! }));
      const drawn = nextGeneration(scored, plan.genes, plan.ga, generationRng(plan.seed, s.fold, s.generation + 1));
      return { ...base, generation: s.generation + 1, ...feasiblePopulation(plan, drawn, s.fold, s.generation + 1) };
    }
    const best = currentBest(base);
    const withBest = { ...base, folds: withFold(base, (f) => ({ ...f, best })) };
    // Nothing scored (every params rejected): nothing to judge.
    return best ? { ...withBest, stage: 'judge' } : nextFold(plan, withBest);
  }
  const fold = plan.folds[s.fold]!;
  const folds = withFold(s, (f) => ({
    ...f,
    inSample: results[0] ?? null,
    outOfSample: fold.outOfSample ? (results[1] ?? null) : null,
  }));
  return nextFold(plan, { ...s, folds, evaluations: s.evaluations + tasks.length });
}

function nextFold(plan: SearchPlan, s: SearchState): SearchState {
  const fold = s.fold + 1;
  const { repaired: _, ...rest } = s;
  if (fold >= plan.folds.length) return { ...rest, stage: 'done', fold, cache: {}, population: [] };
  return {
    ...rest,
    stage: 'evolve',
    fold,
    generation: 0,
    cache: {},
    ...feasiblePopulation(
      plan,
      initialPopulation(plan.genes, plan.ga.population, generationRng(plan.seed, fold, 0)),
      fold,
      0,
    ),
  };
}

/** Evaluations a run makes at most (every individual new, every fold judged). */
export function maxEvaluations(plan: SearchPlan): number {
  return plan.folds.reduce((n, f) => n + plan.generations * plan.ga.population + (f.outOfSample ? 2 : 1), 0);
}

/** Progress for bars and queries. */
export function progressOf(
  plan: SearchPlan,
  s: SearchState,
): {
  fold: number;
  folds: number;
  generation: number;
  generations: number;
  evaluations: number;
  bestFitness: number | null;
} {
  const best = s.stage === 'done' ? null : currentBest(s);
  return {
    fold: Math.min(s.fold + 1, plan.folds.length),
    folds: plan.folds.length,
    generation: Math.min(s.generation + 1, plan.generations),
    generations: plan.generations,
    evaluations: s.evaluations,
    bestFitness: best?.fitness ?? null,
  };
}

export { ranking };
