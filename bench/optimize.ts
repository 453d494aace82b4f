/**
 * Optimiser speed: evaluations (backtests judged by the objective) per second on 1 and on 2
 * worker threads (and on every core when there are more), over the same synthetic candles and the
 * same seed, so the runs do the same work and must give the same result. A script, not a test:
 * `npm run bench:optimize [-- --candles 20000 --population 16 --generations 3 --strategy rsi-sniper]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareOptimization } from '../backtest/optimize/prepare';
import { optimizeLocally } from '../backtest/optimize/run-local';
import { defaultThreads } from '../backtest/optimize/pool';
import { syntheticCandles } from './support/candles';

const { values: a } = parseArgs({
  options: {
    candles: { type: 'string', default: '20000' },
    population: { type: 'string', default: '16' },
    generations: { type: 'string', default: '3' },
    strategy: { type: 'string', default: 'rsi-sniper' },
  },
});

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-optimize-'));
  try {
    const file = path.join(dir, 'BTCUSDT-1m-bench.csv');
    const c = syntheticCandles(Number(a.candles), 42);
    writeFileSync(
      file,
      `open_time,open,high,low,close,volume,close_time\n${c.map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.volume, k.closeTime].join(',')).join('\n')}\n`,
    );
    const params =
      a.strategy === 'rsi-sniper' ? { minVolume: '0' } : a.strategy === 'dca-take-profit' ? { quantity: '0.01' } : {};
    const { spec } = prepareOptimization({
      strategy: a.strategy,
      dataset: { source: { kind: 'file', path: file } },
      params,
      population: Number(a.population),
      generations: Number(a.generations),
      seed: 1,
      minTrades: 0,
    });
    console.log(
      `${a.strategy}, default space (${spec.plan.genes.length} params), ${c.length.toLocaleString('en-US')} synthetic 1m candles (${spec.candles} loaded, 75 % in sample), population ${a.population} × ${a.generations} generations; node ${process.version}; ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg()[0]!.toFixed(2)}`,
    );
    const counts = [...new Set([1, 2, defaultThreads()])].sort((x, y) => x - y);
    const rows: { threads: number; seconds: number; evaluations: number; rate: number; cpu: number }[] = [];
    let reference: string | null = null;
    for (const threads of counts) {
      const t0 = performance.now();
      // The process's CPU time covers its threads: evaluations per CPU-second do not depend on
      // what else the machine runs, wall-clock evaluations per second do.
      const c0 = process.cpuUsage();
      const r = await optimizeLocally(spec, { threads });
      const seconds = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(c0);
      const cpu = (used.user + used.system) / 1e6;
      const key = JSON.stringify(r.best);
      if (reference === null) reference = key;
      else if (key !== reference)
        throw new Error(`${threads} threads gave another best than 1 thread: the optimiser is not deterministic`);
      rows.push({ threads, seconds, evaluations: r.evaluations, rate: r.evaluations / seconds, cpu });
    }
    console.log(
      `${'threads'.padStart(7)} ${'evaluations'.padStart(11)} ${'seconds'.padStart(8)} ${'evals/s'.padStart(8)} ${'× 1 thread'.padStart(10)} ${'CPU s'.padStart(7)} ${'evals/CPU-s'.padStart(11)} ${'cores busy'.padStart(10)}`,
    );
    for (const r of rows)
      console.log(
        `${String(r.threads).padStart(7)} ${String(r.evaluations).padStart(11)} ${r.seconds.toFixed(2).padStart(8)} ${r.rate.toFixed(2).padStart(8)} ${(r.rate / rows[0]!.rate).toFixed(2).padStart(10)} ${r.cpu.toFixed(1).padStart(7)} ${(r.evaluations / r.cpu).toFixed(2).padStart(11)} ${(r.cpu / r.seconds).toFixed(2).padStart(10)}`,
      );
    console.log(`load after: ${os.loadavg()[0]!.toFixed(2)}`);
    console.log('same best params and fitness on every thread count: yes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).stack ?? err);
  process.exitCode = 1;
});
