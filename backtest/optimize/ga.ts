/**
 * A small genetic algorithm over a bounded search space: tournament selection, elitism, blend
 * crossover (BLX-α) for numbers and uniform crossover for choices, Gaussian mutation clipped to the
 * bounds and snapped to the step. Deterministic for a seed: every random draw comes from
 * core/random.ts's seeded generator, and the generator of each generation is derived from
 * (seed, fold, generation) alone, so a run can be resumed at any generation boundary (the Temporal
 * workflow does) and gives the same populations as a run that never stopped.
 *
 * Pure: no I/O, no clock, no Node import (it runs inside the workflow sandbox too).
 */
import { seededRandom } from '../../core/random';
import type { Json } from '../../core/strategy';

/** One searched parameter. Numeric genes hold the value itself, choice genes the choice's index. */
export type Gene =
  | {
      readonly path: string;
      /** int: whole numbers; float: a JSON number; decimal: a decimal string ("0.7"), as money params are. */
      readonly type: 'int' | 'float' | 'decimal';
      readonly min: number;
      readonly max: number;
      /** Values are min + k × step; null: continuous (ints always step by at least 1). */
      readonly step: number | null;
    }
  | { readonly path: string; readonly type: 'choice'; readonly choices: readonly Json[] };

export type Genome = readonly number[];

export interface GaOptions {
  readonly population: number;
  /** Best individuals copied unchanged into the next generation. */
  readonly elitism: number;
  /** Individuals drawn per tournament; the fittest of them is a parent. */
  readonly tournamentSize: number;
  /** Probability that two parents are crossed (otherwise the children are copies). */
  readonly crossoverRate: number;
  /** Probability that each gene of a child mutates. */
  readonly mutationRate: number;
  /** Standard deviation of a numeric mutation, as a share of the gene's range. */
  readonly mutationScale: number;
}

export const DEFAULT_GA: Omit<GaOptions, 'population'> = {
  elitism: 2,
  tournamentSize: 3,
  crossoverRate: 0.9,
  mutationRate: 0.2,
  mutationScale: 0.15,
};

/** An evaluated individual; fitness null means rejected (invalid params, too few trades, ...). */
export interface Scored {
  readonly genome: Genome;
  readonly fitness: number | null;
}

export type Rng = () => number;

/** 32-bit mix of several integers (a splitmix-style finaliser), for per-generation seeds. */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The generator of one generation of one fold: independent of how the run got there. */
export function generationRng(seed: number, fold: number, generation: number): Rng {
  return seededRandom(mixSeed(seed, fold, generation));
}

function decimalsOf(x: number): number {
  if (Number.isInteger(x)) return 0;
  const s = String(x);
  const e = /e-(\d+)$/.exec(s);
  if (e) return Number(e[1]) + (s.split('e')[0]!.split('.')[1]?.length ?? 0);
  return s.split('.')[1]?.length ?? 0;
}

/** Clip to the bounds and snap to the step (ints to whole numbers); exact to the step's decimals. */
export function quantize(gene: Gene, x: number): number {
  if (gene.type === 'choice') return Math.min(gene.choices.length - 1, Math.max(0, Math.round(x)));
  let v = Math.min(gene.max, Math.max(gene.min, x));
  const step = gene.type === 'int' ? Math.max(1, Math.round(gene.step ?? 1)) : gene.step;
  if (step !== null && step > 0) {
    const k = Math.round((v - gene.min) / step);
    v = gene.min + k * step;
    if (v > gene.max + 1e-12) v -= step;
    v = Number(v.toFixed(Math.min(15, Math.max(decimalsOf(step), decimalsOf(gene.min)))));
  }
  return gene.type === 'int' ? Math.round(v) : v;
}

/** A value drawn uniformly within the gene's bounds (on its step grid). */
export function randomGene(gene: Gene, rng: Rng): number {
  if (gene.type === 'choice') return Math.floor(rng() * gene.choices.length);
  return quantize(gene, gene.min + rng() * (gene.max - gene.min));
}

/** Standard normal draw (Box–Muller). */
function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function randomGenome(genes: readonly Gene[], rng: Rng): number[] {
  return genes.map((g) => randomGene(g, rng));
}

/** A stable key of a genome (cache of evaluations, duplicates). */
export function genomeKey(genome: Genome): string {
  return genome.join(',');
}

/** Higher is better; a rejected individual (null) loses to every scored one. */
export function better(a: number | null, b: number | null): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return a > b;
}

/** Indices sorted best first; ties keep the population order (stable, so deterministic). */
export function ranking(scored: readonly Scored[]): number[] {
  return scored
    .map((_, i) => i)
    .sort((i, j) => {
      const a = scored[i]!.fitness;
      const b = scored[j]!.fitness;
      if (a === b) return i - j;
      return better(a, b) ? -1 : better(b, a) ? 1 : i - j;
    });
}

/** Draw `size` individuals at random (with replacement) and return the fittest one's index. */
export function tournament(scored: readonly Scored[], size: number, rng: Rng): number {
  let best = Math.floor(rng() * scored.length);
  for (let i = 1; i < size; i++) {
    const c = Math.floor(rng() * scored.length);
    if (better(scored[c]!.fitness, scored[best]!.fitness) || (scored[c]!.fitness === scored[best]!.fitness && c < best))
      best = c;
  }
  return best;
}

/** Blend crossover (BLX-0.5) for numeric genes, a coin flip per choice gene. */
export function crossover(a: Genome, b: Genome, genes: readonly Gene[], rng: Rng): [number[], number[]] {
  const c1: number[] = [];
  const c2: number[] = [];
  genes.forEach((g, i) => {
    const x = a[i]!;
    const y = b[i]!;
    if (g.type === 'choice') {
      const swap = rng() < 0.5;
      c1.push(swap ? y : x);
      c2.push(swap ? x : y);
      return;
    }
    const lo = Math.min(x, y);
    const hi = Math.max(x, y);
    const span = (hi - lo) * 0.5;
    c1.push(quantize(g, lo - span + rng() * (hi - lo + 2 * span)));
    c2.push(quantize(g, lo - span + rng() * (hi - lo + 2 * span)));
  });
  return [c1, c2];
}

/** Each gene mutates with probability `rate`: a Gaussian step (numbers) or another choice. */
export function mutate(genome: Genome, genes: readonly Gene[], rate: number, scale: number, rng: Rng): number[] {
  return genes.map((g, i) => {
    const v = genome[i]!;
    if (rng() >= rate) return v;
    if (g.type === 'choice') {
      if (g.choices.length < 2) return v;
      const other = Math.floor(rng() * (g.choices.length - 1));
      return other >= v ? other + 1 : other;
    }
    const range = g.max - g.min;
    let next = quantize(g, v + gaussian(rng) * scale * range);
    // A step too small to leave the current value on a coarse grid: move one step instead.
    if (next === v && range > 0) {
      const step = g.type === 'int' ? Math.max(1, g.step ?? 1) : (g.step ?? range / 100);
      next = quantize(g, v + (rng() < 0.5 ? -step : step));
    }
    return next;
  });
}

export function initialPopulation(genes: readonly Gene[], size: number, rng: Rng): number[][] {
  return Array.from({ length: size }, () => randomGenome(genes, rng));
}

/** The next generation: the elite unchanged, then children of tournament winners, crossed and mutated. */
export function nextGeneration(scored: readonly Scored[], genes: readonly Gene[], o: GaOptions, rng: Rng): number[][] {
  const order = ranking(scored);
  const next: number[][] = [];
  const elite = Math.min(o.elitism, o.population, scored.length);
  for (let i = 0; i < elite; i++) {
    const e = scored[order[i]!]!;
    if (e.fitness !== null) next.push([...e.genome]);
  }
  while (next.length < o.population) {
    const a = scored[tournament(scored, o.tournamentSize, rng)]!.genome;
    const b = scored[tournament(scored, o.tournamentSize, rng)]!.genome;
    const [c1, c2] = rng() < o.crossoverRate ? crossover(a, b, genes, rng) : [[...a], [...b]];
    next.push(mutate(c1, genes, o.mutationRate, o.mutationScale, rng));
    if (next.length < o.population) next.push(mutate(c2, genes, o.mutationRate, o.mutationScale, rng));
  }
  return next;
}

/** How many distinct values a gene can take (Infinity when continuous). */
export function cardinality(gene: Gene): number {
  if (gene.type === 'choice') return gene.choices.length;
  const step = gene.type === 'int' ? Math.max(1, gene.step ?? 1) : gene.step;
  if (step === null || step <= 0) return Number.POSITIVE_INFINITY;
  return Math.floor((gene.max - gene.min) / step + 1e-9) + 1;
}
