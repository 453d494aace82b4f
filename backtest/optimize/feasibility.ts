/**
 * Cross-field constraints in the search. A strategy's schema has rules between params (rsi-sniper:
 * rsiN2Min ≤ rsiN2Max; book-imbalance: longPressure < shortPressure; macd: fast < slow; ...). The
 * genes are bounded one by one, so a random draw, a crossover or a mutation can cross two of them:
 * such a candidate is not a strategy anyone could run, and scoring it as a loss would spend a share
 * of every generation on nothing (with rsi-sniper's five ordered pairs, a good part of a random
 * population).
 *
 * So every new individual is checked against the strategy's own schema (the same safeParse a bot's
 * start uses) and repaired: the genes the schema's complaint names are drawn again within their
 * bounds — then, if that does not do, the genes beside them (same parent object), then all genes —
 * until the schema accepts the candidate. The draws come from a generator seeded by (seed, fold,
 * generation) alone, so repairs are the same on every run of a seed, on threads or on Temporal.
 * A candidate still refused after every round is kept as it is and scored infeasible by the
 * evaluation, which checks the schema before any backtest (evaluate.ts): it never wins.
 *
 * Pure (runs in the workflow sandbox too).
 */
import { findStrategy } from '../../core/strategies';
import type { Json } from '../../core/strategy';
import { type Gene, type Genome, type Rng, mixSeed, randomGene } from './ga';
import { paramsOf } from './space';
import { seededRandom } from '../../core/random';

/** The schema every candidate must satisfy: the strategy's params, the genes setting paths of `base`. */
export interface Constraints {
  readonly strategy: string;
  readonly base: Json;
}

/** Why the schema refuses a genome, and the indices of the genes its complaints name. */
export interface Refusal {
  readonly reason: string;
  readonly genes: readonly number[];
  /** The complaints' paths (to find the genes beside them). */
  readonly paths: readonly string[];
}

export type FeasibilityCheck = (genome: Genome) => Refusal | null;

/** Rounds of each repair scope (named genes, their siblings, every gene). */
export const REPAIR_ROUNDS = 20;

const under = (path: string, prefix: string): boolean =>
  prefix === '' || path === prefix || path.startsWith(`${prefix}.`);

/** The check of a genome against the strategy's schema (null: accepted). */
export function feasibilityCheck(c: Constraints, genes: readonly Gene[]): FeasibilityCheck {
  const strategy = findStrategy(c.strategy);
  if (!strategy) throw new Error(`unknown strategy ${c.strategy}`);
  return (genome) => {
    const r = strategy.params.safeParse(paramsOf(genes, genome, c.base));
    if (r.success) return null;
    const paths = r.error.issues.map((i) => i.path.join('.'));
    const named = new Set<number>();
    genes.forEach((g, i) => {
      if (paths.some((p) => p !== '' && (under(g.path, p) || under(p, g.path)))) named.add(i);
    });
    return {
      reason: r.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; '),
      genes: [...named].sort((a, b) => a - b),
      paths,
    };
  };
}

/** Genes under the parent object of any of the paths ("long1.rsiN2Min" → every "long1." gene). */
function siblings(genes: readonly Gene[], paths: readonly string[]): number[] {
  const parents = paths.map((p) => p.split('.').slice(0, -1).join('.'));
  return genes.map((g, i) => (parents.some((q) => under(g.path, q)) ? i : -1)).filter((i) => i >= 0);
}

export interface Repaired {
  readonly genome: number[];
  /** The schema accepts the genome. */
  readonly feasible: boolean;
  /** Some gene was drawn again. */
  readonly repaired: boolean;
}

/** The genome, or a repair of it the schema accepts (see the module comment). */
export function repair(genome: Genome, genes: readonly Gene[], check: FeasibilityCheck, rng: Rng): Repaired {
  let why = check(genome);
  if (why === null) return { genome: [...genome], feasible: true, repaired: false };
  const all = genes.map((_, i) => i);
  const g = [...genome];
  for (let round = 0; round < 3 * REPAIR_ROUNDS; round++) {
    const scope = round < REPAIR_ROUNDS ? why.genes : round < 2 * REPAIR_ROUNDS ? siblings(genes, why.paths) : all;
    for (const i of scope.length > 0 ? scope : all) g[i] = randomGene(genes[i]!, rng);
    const next = check(g);
    if (next === null) return { genome: g, feasible: true, repaired: true };
    why = next;
  }
  // Unrepairable here: kept unchanged, scored infeasible by the evaluation.
  return { genome: [...genome], feasible: false, repaired: false };
}

/** The repair generator of one generation of one fold (a stream apart from the GA's own draws). */
export function repairRng(seed: number, fold: number, generation: number): Rng {
  return seededRandom(mixSeed(seed, fold, generation, 0x7e9a12));
}

/** A population with every individual repaired where it can be; how many were. */
export function repairPopulation(
  population: readonly Genome[],
  genes: readonly Gene[],
  check: FeasibilityCheck,
  rng: Rng,
): { population: number[][]; repaired: number; infeasible: number } {
  let repaired = 0;
  let infeasible = 0;
  const out = population.map((p) => {
    const r = repair(p, genes, check, rng);
    if (r.repaired) repaired++;
    if (!r.feasible) infeasible++;
    return r.genome;
  });
  return { population: out, repaired, infeasible };
}
