/**
 * The optimiser and the strategies' cross-field rules (rsi-sniper's rsiN2Min ≤ rsiN2Max and
 * orderings, book-imbalance's longPressure < shortPressure, ...): default bounds consistent with
 * the base params, candidates the schema refuses repaired before evaluation (deterministically for
 * a seed), and what cannot be repaired scored infeasible without a backtest.
 */
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../core/market';
import { findStrategy } from '../../core/strategies';
import type { Json } from '../../core/strategy';
import { type EvalTask, type Evaluation, evaluate } from '../../backtest/optimize/evaluate';
import { DEFAULT_GA, type Gene } from '../../backtest/optimize/ga';
import { runSearch } from '../../backtest/optimize/run-local';
import type { SearchPlan, SearchState } from '../../backtest/optimize/search';
import {
  defaultSpace,
  effectiveParams,
  geneValue,
  getAt,
  paramsOf,
  parseSpace,
  refusal,
} from '../../backtest/optimize/space';

const rsi = findStrategy('rsi-sniper')!;
const RANGE = { from: 0, to: 1 };

function plan(genes: Gene[], base: Json, seed: number, constrained = true): SearchPlan {
  return {
    genes,
    ga: { ...DEFAULT_GA, population: 40 },
    generations: 12,
    seed,
    folds: [{ inSample: RANGE, outOfSample: null }],
    ...(constrained ? { constraints: { strategy: 'rsi-sniper', base } } : {}),
  };
}

describe('cross-field rules in the search', () => {
  it("default bounds follow the base params: a user's narrower RSI range clips its partner's bound", () => {
    const base = { long1: { rsiN2Min: 18, rsiN2Max: 20 }, long2: { volumeRatioAbove: '1.2', volumeRatioMax: '1.3' } };
    const params = effectiveParams(rsi, base);
    const { genes } = defaultSpace(rsi, base);
    const at = (p: string) => genes.find((g) => g.path === p)! as Extract<Gene, { min: number }>;
    expect(at('long1.rsiN2Min')).toMatchObject({ min: 0, max: 20 });
    expect(at('long1.rsiN2Max')).toMatchObject({ min: 18, max: 50 });
    // Strict rule (volumeRatioAbove < volumeRatioMax): the clipped bound stays on the 0.05 grid, below 1.3.
    expect(at('long2.volumeRatioAbove')).toMatchObject({ min: 0, max: 1.25 });
    expect(at('long2.volumeRatioMax')).toMatchObject({ min: 1.25, max: 4 });
    for (const g of genes)
      for (const v of [g.type === 'choice' ? 0 : g.min, g.type === 'choice' ? 0 : g.max])
        expect(refusal(rsi, params, g.path, geneValue(g, v)), `${g.path} = ${v}`).toBeNull();
  });

  it('rsi-sniper, default space, fitness pulling RSI ranges closed: every candidate evaluated is valid; the same for a seed', async () => {
    const base = effectiveParams(rsi, {});
    const { genes } = defaultSpace(rsi, {});
    const i1 = genes.findIndex((g) => g.path === 'long1.rsiN2Min');
    const i2 = genes.findIndex((g) => g.path === 'long1.rsiN2Max');
    const run = async (p: SearchPlan) => {
      let refused = 0;
      // Rewards a narrow long1 range: the pressure is toward rsiN2Min = rsiN2Max, so crossover and
      // mutation keep producing crossed pairs (and the other pairs cross at random).
      const evaluator = async (tasks: readonly EvalTask[]): Promise<Evaluation[]> =>
        tasks.map((t) => {
          if (!rsi.params.safeParse(paramsOf(genes, t.genome, base)).success) refused++;
          return { fitness: -Math.abs(t.genome[i2]! - t.genome[i1]!), metrics: null };
        });
      const state = await runSearch(p, evaluator);
      return { state, refused };
    };
    const repairedOf = (s: SearchState) => s.folds[0]!.generations.reduce((n, g) => n + (g.repaired ?? 0), 0);

    const a = await run(plan(genes, base, 11));
    expect(a.refused).toBe(0);
    expect(repairedOf(a.state)).toBeGreaterThan(0);
    const best = paramsOf(genes, a.state.folds[0]!.best!.genome, base);
    expect(rsi.params.safeParse(best).success).toBe(true);
    expect(Number(getAt(best, 'long1.rsiN2Max')) - Number(getAt(best, 'long1.rsiN2Min'))).toBeLessThanOrEqual(1);

    // Deterministic for a seed, repairs included; another seed searches elsewhere.
    const b = await run(plan(genes, base, 11));
    expect(b.state).toEqual(a.state);
    expect((await run(plan(genes, base, 12))).state.folds[0]!.generations[0]!.genomes).not.toEqual(
      a.state.folds[0]!.generations[0]!.genomes,
    );

    // Without the constraints the same GA does evaluate refused candidates: the repair is what prevents it.
    expect((await run(plan(genes, base, 11, false))).refused).toBeGreaterThan(0);
  });

  it('a space no candidate of which the schema accepts: each one scored infeasible without a backtest, no best', async () => {
    // Each bound alone is accepted (with the other params at their defaults), but extremeBelow is
    // always above extremeReset, which the schema forbids.
    const genes = parseSpace({ extremeBelow: [45, 49], extremeReset: [11, 44] }, rsi, {});
    const base = effectiveParams(rsi, {});
    const t0 = Date.UTC(2024, 0, 1);
    const candles: Candle[] = Array.from({ length: 60 }, (_, i) => ({
      symbol: 'BTCUSDT',
      interval: '1m',
      openTime: t0 + i * 60_000,
      closeTime: t0 + (i + 1) * 60_000 - 1,
      open: '100',
      high: '101',
      low: '99',
      close: '100',
      volume: '100',
    }));
    const dataset = { candles, symbol: 'BTCUSDT', interval: '1m' as const, depth: null };
    const job = { strategy: 'rsi-sniper', base, genes, objective: 'profit' as const, minTrades: 0, backtest: {} };
    const results: Evaluation[] = [];
    const state = await runSearch(
      {
        ...plan(genes, base, 3),
        generations: 3,
        folds: [{ inSample: { from: t0, to: t0 + 60 * 60_000 }, outOfSample: null }],
      },
      async (tasks) =>
        tasks.map((t) => {
          const r = evaluate(dataset, job, t);
          results.push(r);
          return r;
        }),
    );
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(r).toMatchObject({ fitness: null, metrics: null });
      expect(r.rejected).toMatch(/^infeasible params: extremeBelow: [\d.]+ must be below extremeReset/);
    }
    expect(state.folds[0]!.best).toBeNull();
    expect(Object.keys(state.folds[0]!.rejections).every((k) => k.startsWith('infeasible params'))).toBe(true);
  });
});
