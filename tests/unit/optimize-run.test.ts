/**
 * The optimiser end to end on real backtests over worker threads: the same seed gives the same
 * best params and fitness twice (and on 1 or 2 threads), walk-forward judges each fold's params
 * on the block after it, and the CLI writes optimize.json, optimize.html and a bot definition that
 * the bot config validator accepts and whose params backtest to the reported figures.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../backtest/engine';
import { main as optimizeCli } from '../../backtest/optimize/cli';
import { prepareOptimization } from '../../backtest/optimize/prepare';
import { optimizeLocally } from '../../backtest/optimize/run-local';
import { sliceRange } from '../../backtest/optimize/splits';
import type { OptimizeResult } from '../../backtest/optimize/result';
import { syntheticCandles } from '../../bench/support/candles';
import { parseBotConfig } from '../../core/bot-definition';
import { findStrategy } from '../../core/strategies';

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'optimize-'));
  file = path.join(dir, 'BTCUSDT-1m-synthetic.csv');
  const c = syntheticCandles(3_000, 11);
  writeFileSync(
    file,
    `open_time,open,high,low,close,volume,close_time\n${c.map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.volume, k.closeTime].join(',')).join('\n')}\n`,
  );
});

const options = (o: Record<string, unknown> = {}) => ({
  strategy: 'dca-take-profit',
  dataset: { source: { kind: 'file' as const, path: file } },
  params: { quantity: '0.01' },
  population: 8,
  generations: 3,
  seed: 123,
  ...o,
});

describe('optimisation over backtests', () => {
  it('the same seed gives the same best params and fitness twice, on 2 threads or 1', async () => {
    const { spec } = prepareOptimization(options());
    const a = await optimizeLocally(spec, { threads: 2 });
    const b = await optimizeLocally(spec, { threads: 2 });
    const c = await optimizeLocally(spec, { threads: 1 });
    expect(a.best).not.toBeNull();
    expect(b.best).toEqual(a.best);
    expect(b.folds).toEqual(a.folds);
    expect(c).toEqual(a);
    // Every generation recorded whole; the GA never leaves the space.
    expect(a.folds[0]!.generations).toHaveLength(3);
    for (const g of a.folds[0]!.generations) expect(g.population).toHaveLength(8);
    const other = await optimizeLocally(prepareOptimization(options({ seed: 124 })).spec, { threads: 2 });
    expect(other.folds[0]!.generations[0]!.population).not.toEqual(a.folds[0]!.generations[0]!.population);
  });

  it('walk-forward: each fold optimised in sample, its params judged on the next block; the last fold gives the params', async () => {
    const { spec, data } = prepareOptimization(
      options({ walkForward: 2, walkForwardRatio: 2, generations: 2, objective: 'sharpe' }),
    );
    const r = await optimizeLocally(spec, { threads: 2 });
    expect(r.folds).toHaveLength(2);
    r.folds.forEach((f) => {
      expect(f.inSample.to).toBe(f.outOfSample!.from);
      expect(f.inSampleMetrics!.candles).toBe(sliceRange(data.candles, f.inSample).length);
      expect(f.outOfSampleMetrics!.candles).toBe(sliceRange(data.candles, f.outOfSample!).length);
      expect(f.equity.outOfSample.length).toBeGreaterThan(1);
    });
    expect(r.best!.params).toEqual(r.folds[1]!.params);
    expect(r.best!.outOfSample).toEqual(r.folds[1]!.outOfSampleMetrics);
    expect(r.walkForward).not.toBeNull();
    const growth = r.folds.reduce((g, f) => g * (1 + f.outOfSampleMetrics!.returnPct / 100), 1);
    expect(r.walkForward!.outOfSampleReturnPct).toBeCloseTo((growth - 1) * 100, 2);
  });

  it('npm run optimize: optimize.json, a standalone optimize.html and a bot definition that backtests to the reported figures', async () => {
    const out = path.join(dir, 'cli-out');
    const lines: string[] = [];
    const code = await optimizeCli(
      [
        '--strategy',
        'dca-take-profit',
        '--file',
        file,
        '--params',
        '{"quantity":"0.01"}',
        '--space',
        '{"takeProfitPct":[0.2,2,0.1],"everyCandles":[1,12]}',
        '--population',
        '6',
        '--generations',
        '2',
        '--seed',
        '5',
        '--min-trades',
        '3',
        '--out',
        out,
        '--threads',
        '2',
      ],
      {
        out: (s) => lines.push(s),
        err: () => {},
        isTty: false,
      },
    );
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(path.join(out, 'optimize.json'), 'utf8')) as OptimizeResult;
    expect(r.config.space.map((g) => g.path)).toEqual(['takeProfitPct', 'everyCandles']);
    expect(r.best!.inSample!.trades).toBeGreaterThanOrEqual(3);
    const html = readFileSync(path.join(out, 'optimize.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).toContain('Fitness per generation');
    expect(html).toContain('out of sample');
    const bots = parseBotConfig(JSON.parse(readFileSync(path.join(out, 'bot.json'), 'utf8')), 'bot.json');
    expect(bots).toHaveLength(1);
    expect(bots[0]!.params).toEqual(r.best!.params);
    // The bot's params, backtested alone over the in-sample candles, give the figures reported.
    const { data } = prepareOptimization(options());
    const again = runBacktest({
      strategy: findStrategy('dca-take-profit')!,
      params: bots[0]!.params,
      candles: sliceRange(data.candles, r.config.folds[0]!.inSample),
    });
    expect(again.metrics.returnPct).toBe(r.best!.inSample!.returnPct);
    expect(again.metrics.trades).toBe(r.best!.inSample!.trades);
    expect(lines.join('')).toMatch(/bot definition: .*bot\.json/);
  });

  it('refuses bad options with the option named', async () => {
    const errs: string[] = [];
    const io = { out: () => {}, err: (s: string) => errs.push(s), isTty: false };
    expect(
      await optimizeCli(
        ['--strategy', 'dca-take-profit', '--file', file, '--params', '{"quantity":"0.01"}', '--objective', 'luck'],
        io,
      ),
    ).toBe(1);
    expect(errs.join('')).toMatch(/--objective: one of profit, sharpe, sortino, calmar, multi/);
    expect(await optimizeCli(['--strategy', 'dca-take-profit', '--file', file], io)).toBe(1);
    expect(errs.join('')).toMatch(/invalid --params for dca-take-profit: quantity/);
    expect(await optimizeCli(['--strategy', 'dca-take-profit', '--db', file], io)).toBe(2);
    expect(errs.join('')).toMatch(/--db needs --symbol and --interval/);
  });
});
