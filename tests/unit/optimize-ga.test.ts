/**
 * The optimiser's pure parts: the genetic algorithm on hand-made fitness landscapes whose optimum
 * is known, its operators' bounds, determinism for a seed, the walk-forward splits, the search
 * spaces learnt from the strategies' schemas, and the objectives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../core/market';
import { STRATEGIES, findStrategy } from '../../core/strategies';
import {
  type Gene,
  crossover,
  generationRng,
  initialPopulation,
  mutate,
  nextGeneration,
  quantize,
  ranking,
  tournament,
  DEFAULT_GA,
} from '../../backtest/optimize/ga';
import type { EvalTask, Evaluation } from '../../backtest/optimize/evaluate';
import { type CompactMetrics, fitnessOf, multiMetric, ratios } from '../../backtest/optimize/objectives';
import { runSearch } from '../../backtest/optimize/run-local';
import { type SearchPlan, advanceSearch, pendingTasks, startSearch } from '../../backtest/optimize/search';
import {
  SpaceError,
  defaultSpace,
  geneValue,
  paramsOf,
  parseSpace,
  refusal,
  setAt,
} from '../../backtest/optimize/space';
import { SplitError, makeFolds, sliceRange } from '../../backtest/optimize/splits';

const GENES: Gene[] = [
  { path: 'x', type: 'float', min: -5, max: 5, step: 0.01 },
  { path: 'y', type: 'int', min: 0, max: 20, step: 1 },
  { path: 'c', type: 'choice', choices: ['a', 'b', 'c'] },
];

/**
 * Two peaks in x: a broad local one at x = -3 (height 0.6) and the global one at x = 1.3 (height
 * 1); a parabola in y with its top at 7; choice "b" adds 0.5. The optimum is (1.3, 7, "b"), 1.5.
 */
function landscape(g: readonly number[]): number {
  const [x, y, c] = g as [number, number, number];
  const peaks = Math.max(0.6 * Math.exp(-((x + 3) ** 2) / 2), Math.exp(-((x - 1.3) ** 2) / 0.5));
  return peaks - (y - 7) ** 2 / 40 + (c === 1 ? 0.5 : 0);
}

const pureEvaluator =
  (f: (g: readonly number[]) => number) =>
  async (tasks: readonly EvalTask[]): Promise<Evaluation[]> =>
    tasks.map((t) => ({ fitness: f(t.genome), metrics: null }));

const RANGE = { from: 0, to: 1 };

function plan(seed: number, o: Partial<SearchPlan> = {}): SearchPlan {
  return {
    genes: GENES,
    ga: { ...DEFAULT_GA, population: 40 },
    generations: 30,
    seed,
    folds: [{ inSample: RANGE, outOfSample: null }],
    ...o,
  };
}

describe('genetic algorithm', () => {
  it('finds the known optimum of a two-peaked landscape (not the local peak)', async () => {
    for (const seed of [1, 2, 3]) {
      const s = await runSearch(plan(seed), pureEvaluator(landscape));
      const best = s.folds[0]!.best!;
      expect(Math.abs(best.genome[0]! - 1.3)).toBeLessThanOrEqual(0.05);
      expect(best.genome[1]).toBe(7);
      expect(best.genome[2]).toBe(1);
      expect(best.fitness).toBeGreaterThan(1.49);
    }
  });

  it('the same seed gives the same populations and best; another seed other populations', async () => {
    const a = await runSearch(plan(42), pureEvaluator(landscape));
    const b = await runSearch(plan(42), pureEvaluator(landscape));
    const c = await runSearch(plan(43), pureEvaluator(landscape));
    expect(b).toEqual(a);
    expect(c.folds[0]!.generations[0]!.genomes).not.toEqual(a.folds[0]!.generations[0]!.genomes);
  });

  it('with elitism the best fitness never gets worse from one generation to the next', async () => {
    const s = await runSearch(plan(5, { generations: 15 }), pureEvaluator(landscape));
    const bests = s.folds[0]!.generations.map((g) => Math.max(...g.fitness.map((f) => f ?? -Infinity)));
    for (let i = 1; i < bests.length; i++) expect(bests[i]!).toBeGreaterThanOrEqual(bests[i - 1]!);
  });

  it('rejected individuals (fitness null) never win and never enter the elite', () => {
    const rng = generationRng(1, 0, 0);
    const scored = [
      { genome: [0, 0, 0], fitness: null },
      { genome: [1, 1, 1], fitness: -5 },
      { genome: [2, 2, 2], fitness: null },
    ];
    // A tournament that draws the scored individual at all picks it (size 40: it is drawn).
    for (let i = 0; i < 20; i++) expect(scored[tournament(scored, 40, rng)]!.fitness).toBe(-5);
    expect(ranking(scored)).toEqual([1, 0, 2]);
    const next = nextGeneration(scored, GENES, { ...DEFAULT_GA, population: 3, elitism: 2 }, rng);
    expect(next[0]).toEqual([1, 1, 1]);
    expect(next).toHaveLength(3);
  });

  it('crossover and mutation stay within the bounds and on the step grid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const rng = generationRng(seed, 0, 0);
        const [a, b] = initialPopulation(GENES, 2, rng) as [number[], number[]];
        const [c1, c2] = crossover(a, b, GENES, rng);
        for (const g of [a, b, c1, c2, mutate(c1, GENES, 1, 0.5, rng), mutate(c2, GENES, 1, 3, rng)]) {
          GENES.forEach((gene, i) => {
            const v = g[i]!;
            expect(quantize(gene, v)).toBe(v);
            if (gene.type !== 'choice') {
              expect(v).toBeGreaterThanOrEqual(gene.min);
              expect(v).toBeLessThanOrEqual(gene.max);
            } else expect(Number.isInteger(v) && v >= 0 && v < gene.choices.length).toBe(true);
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a mutation always moves a coarse gene (a step too small to leave the grid moves one step)', () => {
    const gene: Gene = { path: 'n', type: 'int', min: 1, max: 3, step: 1 };
    const rng = generationRng(9, 0, 0);
    for (let i = 0; i < 50; i++) expect(mutate([2], [gene], 1, 0.001, rng)[0]).not.toBe(2);
  });

  it('a genome already evaluated is not evaluated again (cache), and the search is resumable from its JSON state', () => {
    const p = plan(7, { generations: 4, ga: { ...DEFAULT_GA, population: 10 } });
    let s = startSearch(p);
    let resumed = JSON.parse(JSON.stringify(s));
    let evaluated = 0;
    while (s.stage !== 'done') {
      const tasks = pendingTasks(p, s);
      const keys = new Set(tasks.map((t) => t.genome.join(',')));
      expect(keys.size).toBe(tasks.length);
      evaluated += tasks.length;
      const results = tasks.map((t) => ({ fitness: landscape(t.genome), metrics: null }));
      s = advanceSearch(p, s, tasks, results);
      // A copy through JSON (what continue-as-new carries) continues identically.
      resumed = advanceSearch(p, resumed, pendingTasks(p, resumed), results);
      expect(resumed).toEqual(JSON.parse(JSON.stringify(s)));
      resumed = JSON.parse(JSON.stringify(resumed));
    }
    expect(s.evaluations).toBe(evaluated);
    expect(evaluated).toBeLessThan(4 * 10 + 1);
  });
});

function candles(n: number, t0 = Date.UTC(2024, 0, 1)): Candle[] {
  return Array.from({ length: n }, (_, i) => ({
    symbol: 'BTCUSDT',
    interval: '1m',
    openTime: t0 + i * 60_000,
    closeTime: t0 + (i + 1) * 60_000 - 1,
    open: '100',
    high: '101',
    low: '99',
    close: '100',
    volume: '1',
  }));
}

describe('walk-forward and hold-out splits', () => {
  it('k rolling folds: in sample ratio× out of sample, out-of-sample blocks adjacent and ending with the data', () => {
    const c = candles(600);
    const folds = makeFolds(c, { walkForward: 3, ratio: 3 });
    expect(folds).toHaveLength(3);
    const len = (r: { from: number; to: number }) => sliceRange(c, r).length;
    folds.forEach((f, i) => {
      expect(f.outOfSample).not.toBeNull();
      // In sample strictly before out of sample, touching it.
      expect(f.inSample.to).toBe(f.outOfSample!.from);
      expect(len(f.inSample)).toBe(300);
      expect(len(f.outOfSample!)).toBe(100);
      if (i > 0) {
        expect(f.outOfSample!.from).toBe(folds[i - 1]!.outOfSample!.to);
        expect(f.inSample.from).toBe(folds[i - 1]!.inSample.from + 100 * 60_000);
      }
    });
    expect(folds[2]!.outOfSample!.to).toBe(c.at(-1)!.closeTime + 1);
    // Every candle of the out-of-sample record counted once.
    expect(folds.reduce((n, f) => n + len(f.outOfSample!), 0)).toBe(300);
  });

  it('uneven sizes: blocks still cover the tail, nothing overlaps', () => {
    const c = candles(257);
    const folds = makeFolds(c, { walkForward: 4, ratio: 2 });
    const oos = folds.map((f) => sliceRange(c, f.outOfSample!));
    expect(oos.flat().map((x) => x.openTime)).toEqual([...new Set(oos.flat().map((x) => x.openTime))]);
    expect(oos.at(-1)!.at(-1)!.openTime).toBe(c.at(-1)!.openTime);
    for (const f of folds)
      expect(sliceRange(c, f.inSample).at(-1)!.openTime).toBeLessThan(sliceRange(c, f.outOfSample!)[0]!.openTime);
  });

  it('hold-out: the last share out of sample; 0: none; too little data: a clear error', () => {
    const c = candles(100);
    const [f] = makeFolds(c, { holdout: 0.25 });
    expect(sliceRange(c, f!.inSample)).toHaveLength(75);
    expect(sliceRange(c, f!.outOfSample!)).toHaveLength(25);
    expect(makeFolds(c, { holdout: 0 })[0]!.outOfSample).toBeNull();
    expect(() => makeFolds(candles(30), { walkForward: 3 })).toThrow(SplitError);
    expect(() => makeFolds(candles(30), { walkForward: 3 })).toThrow(/at least 10/);
    expect(() => makeFolds(c, { holdout: 1 })).toThrow(/--holdout/);
  });
});

const BASES: Record<string, unknown> = {
  'dca-take-profit': { quantity: '0.01' },
  'fault-dca': { quantity: '0.01' },
  grid: { low: '29000', high: '31000', quantity: '0.01' },
  'range-breakout': {
    rangeCandles: 30,
    pct: '0.5',
    sizing: { mode: 'quote', amount: '500' },
    exits: { takeProfits: [{ pct: '2', share: '100' }], stopLoss: { pct: '1' } },
  },
  'smart-trade': {
    sizing: { mode: 'quote', amount: '500' },
    exits: { takeProfits: [{ pct: '2', share: '100' }], stopLoss: { pct: '1' } },
  },
  'macd-portfolio': { symbols: ['BTCUSDT'] },
  'model-scalper': { quantity: '0.01', numTrades: 3 },
};

describe('search spaces from the strategies', () => {
  it('every strategy: the default space is numeric params only, each bound accepted by the schema', () => {
    for (const s of Object.values(STRATEGIES)) {
      const base = BASES[s.id] ?? {};
      const params = s.params.parse(base);
      const { genes, skipped } = defaultSpace(s, base);
      for (const g of genes) {
        expect(g.type).not.toBe('choice');
        if (g.type === 'choice') continue;
        expect(g.max).toBeGreaterThan(g.min);
        for (const v of [g.min, g.max])
          expect(refusal(s, params as never, g.path, geneValue(g, v)), `${s.id} ${g.path} = ${v}`).toBeNull();
      }
      // Sizes and money are never searched by default.
      for (const g of genes) expect(g.path).not.toMatch(/quantity|amount|capital|leverage|sizing\./);
      expect(skipped.every((x) => !genes.some((g) => g.path === x.path))).toBe(true);
    }
  });

  it('knows whole numbers, decimal strings and nested paths from the schema', () => {
    const rsi = findStrategy('rsi-sniper')!;
    const { genes } = defaultSpace(rsi, {});
    expect(genes.find((g) => g.path === 'rsiPeriod')).toMatchObject({ type: 'int', min: 6, max: 30 });
    expect(genes.find((g) => g.path === 'long1.stopLossPct')).toMatchObject({ type: 'decimal' });
    // An RSI level, never above the base's rsiN2Max (26) so that the bound alone is a valid strategy.
    expect(genes.find((g) => g.path === 'long1.rsiN2Min')).toMatchObject({ type: 'float', min: 0, max: 26 });
    const book = defaultSpace(findStrategy('book-imbalance')!, {});
    expect(book.genes.find((g) => g.path === 'longPressure')).toMatchObject({ type: 'float' });
    const p = paramsOf(
      genes,
      genes.map((g) => (g.type === 'choice' ? 0 : g.min)),
      rsi.params.parse({}) as never,
    ) as Record<string, Record<string, unknown>>;
    expect(p.long1!.stopLossPct).toBe('0.1');
    expect(p.rsiPeriod).toBe(6);
  });

  it('--space: ranges, steps, choices, nested paths; bad bounds refused with the path and the reason', () => {
    const dca = findStrategy('dca-take-profit')!;
    const genes = parseSpace(
      { takeProfitPct: [0.2, 3, 0.1], everyCandles: [1, 10], maxLots: { choices: [1, 2, 4] } },
      dca,
      { quantity: '0.01' },
    );
    expect(genes).toEqual([
      { path: 'takeProfitPct', type: 'decimal', min: 0.2, max: 3, step: 0.1 },
      { path: 'everyCandles', type: 'int', min: 1, max: 10, step: 1 },
      { path: 'maxLots', type: 'choice', choices: [1, 2, 4] },
    ]);
    expect(paramsOf(genes, [0.3, 4, 2], { quantity: '0.01', everyCandles: 3, takeProfitPct: '1', maxLots: 3 })).toEqual(
      { quantity: '0.01', everyCandles: 4, takeProfitPct: '0.3', maxLots: 4 },
    );
    expect(() => parseSpace({ everyCandles: [0, 10] }, dca, { quantity: '0.01' })).toThrow(
      /everyCandles: min 0 is refused by dca-take-profit/,
    );
    expect(() => parseSpace({ everyCandles: [1.5, 10] }, dca, { quantity: '0.01' })).toThrow(/whole/);
    expect(() => parseSpace({ nope: [1, 2] }, dca, { quantity: '0.01' })).toThrow(SpaceError);
    expect(() => parseSpace({ takeProfitPct: [3, 1] }, dca, { quantity: '0.01' })).toThrow(
      /max \(1\) must be above min \(3\)/,
    );
    const rsi = findStrategy('rsi-sniper')!;
    expect(parseSpace({ 'long1.stopLossPct': ['0.5', '2', '0.25'] }, rsi, {})[0]).toMatchObject({
      type: 'decimal',
      min: 0.5,
      max: 2,
      step: 0.25,
    });
    expect(parseSpace({ sizing: ['max', { mode: 'percent', percent: '50' }] }, rsi, {})[0]).toMatchObject({
      type: 'choice',
    });
    expect(setAt({ a: [{ b: 1 }] }, 'a.0.b', 2)).toEqual({ a: [{ b: 2 }] });
  });
});

const M = (o: Partial<CompactMetrics>): CompactMetrics => ({
  candles: 100,
  returnPct: 0,
  netProfit: '0',
  maxDrawdownPct: 0,
  trades: 10,
  winRatePct: 50,
  profitFactor: 1,
  exposurePct: 50,
  sharpe: 0,
  sortino: 0,
  calmar: 0,
  ...o,
});

describe('objectives', () => {
  it('sharpe, sortino and calmar of known curves', () => {
    const day = 86_400_000;
    // Alternating +1 % / -0.5 %: positive mean, both signs.
    const v = [100];
    for (let i = 0; i < 100; i++) v.push(v.at(-1)! * (i % 2 === 0 ? 1.01 : 0.995));
    const r = ratios({ values: v, stepMs: day, durationMs: 100 * day }, (v.at(-1)! / 100 - 1) * 100, 0.5);
    expect(r.sharpe).toBeCloseTo((0.0025 / 0.0075377) * Math.sqrt(365), 1);
    expect(r.sortino).toBeGreaterThan(r.sharpe);
    expect(r.calmar).toBeCloseTo(((v.at(-1)! / 100 - 1) * 100 * 3.65) / 0.5, 3);
    // Flat: zero, not NaN.
    expect(ratios({ values: [1, 1, 1], stepMs: day, durationMs: 2 * day }, 0, 0)).toEqual({
      sharpe: 0,
      sortino: 0,
      calmar: 0,
    });
  });

  it('--min-trades rejects; multi rewards profit and punishes drawdown and few trades', () => {
    expect(fitnessOf('profit', M({ trades: 2, returnPct: 50 }), 3)).toEqual({
      fitness: null,
      rejected: '2 trade(s), fewer than --min-trades 3',
    });
    expect(fitnessOf('sharpe', M({ sharpe: 1.5 }), 1)).toEqual({ fitness: 1.5 });
    expect(multiMetric(M({ returnPct: 10 }))).toBeGreaterThan(multiMetric(M({ returnPct: 5 })));
    expect(multiMetric(M({ returnPct: 10, maxDrawdownPct: 10 }))).toBeLessThan(
      multiMetric(M({ returnPct: 10, maxDrawdownPct: 2 })),
    );
    expect(multiMetric(M({ trades: 2 }))).toBeLessThan(multiMetric(M({ trades: 50 })));
  });
});
