/**
 * `npm run optimize -- --strategy <id> --file <klines> | --db <market.db> --symbol S --interval I [options]`
 *
 * Searches a strategy's params with a genetic algorithm over backtests (all cores, worker
 * threads; or `--temporal`: a Temporal workflow fanning batches out to every worker), and writes
 * `<out>/optimize.json`, `<out>/optimize.html` and `<out>/bot.json` (a bot definition of the best
 * params, ready for `npm run bots -- start`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CandleInterval } from '../../core/market';
import { strategyIds } from '../../core/strategies';
import {
  type CliIo,
  UsageError,
  checkInterval,
  commonSettings,
  failureExit,
  jsonOption,
  period,
  processIo,
  readCommandLine,
  showProgress,
} from '../cli-options';
import type { DatasetRef } from './datasets';
import type { BacktestSettings } from './evaluate';
import { optimizeHtml } from './html';
import { type CompactMetrics, OBJECTIVES } from './objectives';
import { defaultThreads } from './pool';
import { OptimizeError, prepareOptimization } from './prepare';
import { type OptimizeResult, botDefinitionOf } from './result';
import { optimizeLocally } from './run-local';
import { maxEvaluations, progressOf } from './search';

const USAGE = `usage: npm run optimize -- --strategy <id> --file <klines> [options]
       npm run optimize -- --strategy <id> --db <market.db> --symbol <S> --interval <I> [--from --to] [options]

  --strategy <id>          one of: ${strategyIds().join(', ')}
  --file <path> | --db <path>   the candles (as npm run backtest reads them); --depth <file|db> for book strategies
  --params '<json>'        base params (required ones, and the values of params not searched); or --params-file
  --space '<json>'         {"param": [min, max] | [min, max, step] | [choice, ...] | {"choices": [...]}}, dot paths
                           for nested params (long1.stopLossPct); default: every numeric param of the strategy
                           within documented bounds (README). Or --space-file
  --population <n>         individuals per generation (default 30)
  --generations <n>        default 20
  --seed <n>               default 1: the same seed gives the same result
  --objective <name>       ${OBJECTIVES.join(' | ')} (default profit)
  --min-trades <n>         params with fewer trades are rejected (default 1)
  --holdout <share>        last share of the candles judged out of sample (default 0.25; 0: none)
  --walk-forward <k>       k rolling in-sample/out-of-sample folds instead (--walk-forward-ratio, default 3)
  --elitism <n> --tournament <n> --crossover <p> --mutation <p> --mutation-scale <s>   GA settings (2, 3, 0.9, 0.2, 0.15)
  --threads <n>            worker threads (default: every core, ${defaultThreads()} here)
  --balance, --fee, --maker-fee, --taker-fee, --participation, --risk, --on-stop   as npm run backtest
  --out <dir>              default reports/optimize/<strategy>-<symbol>-<interval>-seed<seed>
  --temporal               run as a Temporal workflow (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE): batches of
                           backtests fan out as activities to every worker; survives worker and client crashes
  --batch <n>              evaluations per activity with --temporal (default 4)
  --progress / --no-progress, --quiet
`;

function num(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${what}: not a number: ${v}`);
  return n;
}

/** "[#####      ]  40 %  120 / 300 evaluations · fold 1/1 · generation 3/10 · best 12.3400" */
export function optimizeBar(done: number, total: number, info: string, width = 28): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)} %  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} evaluations · ${info}`;
}

export function writeOutputs(
  result: OptimizeResult,
  outDir: string,
): { json: string; html: string; bot: string | null } {
  mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, 'optimize.json');
  const html = path.join(outDir, 'optimize.html');
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(html, optimizeHtml(result));
  const def = botDefinitionOf(result);
  if (!def) return { json, html, bot: null };
  const bot = path.join(outDir, 'bot.json');
  writeFileSync(bot, `${JSON.stringify([def], null, 2)}\n`);
  return { json, html, bot };
}

export function summary(r: OptimizeResult): string {
  const lines = [
    `${r.config.strategy} on ${r.config.symbol} ${r.config.interval}: ${r.evaluations} backtests, objective ${r.config.objective}`,
  ];
  if (!r.best) {
    const reasons = r.folds.flatMap((f) => Object.entries(f.rejections)).slice(0, 3);
    lines.push(
      `no params were accepted${reasons.length > 0 ? `; e.g. ${reasons.map(([k, n]) => `${n}× ${k}`).join('; ')}` : ''}`,
    );
    return lines.join('\n');
  }
  const m = (x: CompactMetrics | null, label: string) =>
    x
      ? `${label}: return ${x.returnPct.toFixed(2)} %, max drawdown ${x.maxDrawdownPct.toFixed(2)} %, ${x.trades} trades, sharpe ${x.sharpe.toFixed(2)}`
      : `${label}: —`;
  lines.push(`best fitness ${r.best.fitness.toFixed(4)} with ${JSON.stringify(r.best.values)}`);
  lines.push(m(r.best.inSample, '  in sample'));
  lines.push(m(r.best.outOfSample, '  out of sample'));
  if (r.walkForward)
    lines.push(
      `  walk-forward, all out-of-sample blocks: ${r.walkForward.outOfSampleReturnPct.toFixed(2)} % compounded, ${r.walkForward.outOfSampleTrades} trades, efficiency ${r.walkForward.efficiency ?? '—'}`,
    );
  return lines.join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const line = readCommandLine(
    argv,
    {
      space: { type: 'string' },
      'space-file': { type: 'string' },
      population: { type: 'string' },
      generations: { type: 'string' },
      seed: { type: 'string' },
      objective: { type: 'string' },
      'min-trades': { type: 'string' },
      holdout: { type: 'string' },
      'walk-forward': { type: 'string' },
      'walk-forward-ratio': { type: 'string' },
      elitism: { type: 'string' },
      tournament: { type: 'string' },
      crossover: { type: 'string' },
      mutation: { type: 'string' },
      'mutation-scale': { type: 'string' },
      threads: { type: 'string' },
      temporal: { type: 'boolean' },
      batch: { type: 'string' },
    },
    USAGE,
    io,
  );
  if ('exit' in line) return line.exit;
  const a = line.values;
  try {
    if (!a.strategy) throw new UsageError('--strategy is required');
    if (!a.file === !a.db) throw new UsageError('give --file <klines> or --db <market.db> (one of them)');
    if (a.db && (!a.symbol || !a.interval)) throw new UsageError('--db needs --symbol and --interval');
    checkInterval(a.interval);
    const params = jsonOption(a.params, a['params-file'], '--params', {});
    const space = jsonOption(a.space, a['space-file'], '--space');
    const backtest: BacktestSettings = commonSettings(a);
    const dataset: DatasetRef = {
      source: a.db ? { kind: 'db', path: path.resolve(a.db) } : { kind: 'file', path: path.resolve(a.file!) },
      ...(a.symbol ? { symbol: a.symbol } : {}),
      ...(a.interval ? { interval: a.interval as CandleInterval } : {}),
      ...period(a),
      ...(a.depth !== undefined ? { depth: path.resolve(a.depth) } : {}),
    };
    const threads = num(a.threads, '--threads');
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256))
      throw new UsageError('--threads: a whole number from 1 to 256');
    const prepared = prepareOptimization({
      strategy: a.strategy,
      dataset,
      params,
      ...(space !== undefined ? { space } : {}),
      ...(a.population !== undefined ? { population: num(a.population, '--population')! } : {}),
      ...(a.generations !== undefined ? { generations: num(a.generations, '--generations')! } : {}),
      ...(a.seed !== undefined ? { seed: num(a.seed, '--seed')! } : {}),
      ...(a.objective !== undefined ? { objective: a.objective } : {}),
      ...(a['min-trades'] !== undefined ? { minTrades: num(a['min-trades'], '--min-trades')! } : {}),
      ...(a.holdout !== undefined ? { holdout: num(a.holdout, '--holdout')! } : {}),
      ...(a['walk-forward'] !== undefined ? { walkForward: num(a['walk-forward'], '--walk-forward')! } : {}),
      ...(a['walk-forward-ratio'] !== undefined
        ? { walkForwardRatio: num(a['walk-forward-ratio'], '--walk-forward-ratio')! }
        : {}),
      ga: {
        ...(a.elitism !== undefined ? { elitism: num(a.elitism, '--elitism')! } : {}),
        ...(a.tournament !== undefined ? { tournamentSize: num(a.tournament, '--tournament')! } : {}),
        ...(a.crossover !== undefined ? { crossoverRate: num(a.crossover, '--crossover')! } : {}),
        ...(a.mutation !== undefined ? { mutationRate: num(a.mutation, '--mutation')! } : {}),
        ...(a['mutation-scale'] !== undefined ? { mutationScale: num(a['mutation-scale'], '--mutation-scale')! } : {}),
      },
      backtest,
    });
    const { spec } = prepared;
    for (const w of prepared.data.warnings) io.err(`${dataset.source.path}: ${w}\n`);
    if (!a.quiet) {
      io.err(
        `searching ${spec.plan.genes.length} param(s): ${spec.plan.genes.map((g) => (g.type === 'choice' ? `${g.path} ∈ ${JSON.stringify(g.choices)}` : `${g.path} ∈ [${g.min}, ${g.max}${g.step !== null ? ` step ${g.step}` : ''}]`)).join(', ')}\n`,
      );
      if (prepared.skipped.length > 0)
        io.err(`left out: ${prepared.skipped.map((s) => s.path).join(', ')} (give --space to search them)\n`);
    }
    const progress = showProgress(a, io);
    const total = maxEvaluations(spec.plan);
    let lastDraw = 0;
    const draw = (done: number, info: string, force = false) => {
      if (!progress) return;
      const t = Date.now();
      if (!force && t - lastDraw < 100) return;
      lastDraw = t;
      io.err(`\r${optimizeBar(done, total, info)}`);
    };
    const started = Date.now();
    let result: OptimizeResult;
    if (a.temporal) {
      const batch = num(a.batch, '--batch') ?? 4;
      if (!Number.isInteger(batch) || batch < 1 || batch > 1000)
        throw new UsageError('--batch: a whole number from 1 to 1000');
      const { optimizeOnTemporal } = await import('./temporal-client');
      result = await optimizeOnTemporal(spec, {
        batchSize: batch,
        log: (m) => io.err(`${m}\n`),
        onProgress: (p) =>
          draw(
            p.evaluations,
            `fold ${p.fold}/${p.folds} · generation ${p.generation}/${p.generations} · best ${p.bestFitness === null ? '—' : p.bestFitness.toFixed(4)}`,
          ),
      });
    } else {
      result = await optimizeLocally(spec, {
        ...(threads !== undefined ? { threads } : {}),
        onProgress: (p) => {
          const pr = progressOf(spec.plan, p.state);
          draw(
            p.state.evaluations + p.stepDone,
            `fold ${pr.fold}/${pr.folds} · generation ${pr.generation}/${pr.generations} · best ${pr.bestFitness === null ? '—' : pr.bestFitness.toFixed(4)}`,
          );
        },
      });
    }
    if (progress) io.err(`\r${optimizeBar(result.evaluations, result.evaluations, 'done')}\n`);
    const outDir =
      a.out ??
      path.join('reports/optimize', `${spec.job.strategy}-${spec.symbol}-${spec.interval}-seed${spec.plan.seed}`);
    const files = writeOutputs(result, outDir);
    if (!a.quiet)
      io.out(
        `${summary(result)}\n  ${((Date.now() - started) / 1000).toFixed(1)} s, ${(result.evaluations / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1)} evaluations/s\n\n`,
      );
    io.out(
      `result: ${files.json}\nreport: ${files.html}\n${files.bot ? `bot definition: ${files.bot} (npm run bots -- start ${files.bot})\n` : ''}`,
    );
    return result.best ? 0 : 1;
  } catch (err) {
    return failureExit(err, USAGE, io, [OptimizeError]);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`optimize failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
