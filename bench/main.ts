/**
 * `npm run bench [-- <scenario>...] [options]` — the benchmarks of bench/README.md, on a real
 * Temporal dev server and the paper exchange. A script, never part of `npm test`.
 *
 *   scenarios: latency, density, recovery, backtest (default: all, in that order; density and
 *              recovery share one stack, so recovery runs on the density scenario's bots)
 *   --events <n>      latency: measured events of each kind (default 1000)
 *   --sizes <a,b,c>   density: bot counts (default 100,500,1000); recovery uses the last
 *   --bursts <n>      density: measured bursts per size (default 2)
 *   --candles <n>     backtest: candles (default 1000000)
 *   --profile <name>  system settings, see support/profiles.ts (default shipped)
 *   --compare         also run latency and density at the first size with the other profile
 *   --compare-with <name>  the profile --compare runs (default previous, or shipped)
 *   --server cluster  also run latency, density and recovery on a real Temporal cluster (PostgreSQL, four
 *                     service processes, infra/cluster/) with --cluster-workers workers (2),
 *                     reported beside the dev server's figures of the same run
 *   --out <file>      JSON results (default bench/results/latest.json)
 *
 * Prints a table and writes the JSON with every figure, the machine and the load it ran under.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { PROJECT_ROOT, TEMPORAL_SERVER_VERSION } from '../infra/temporal-cli';
import { type BacktestScenarioResult, backtestScenario } from './scenarios/backtest';
import { type DensityResult, densityBotName, densityScenario, ensureBots } from './scenarios/density';
import { type LatencyResult, latencyScenario } from './scenarios/latency';
import { type RecoveryResult, recoveryScenario } from './scenarios/recovery';
import { type LoadInfo, type MachineInfo, loadInfo, machineInfo } from './support/machine';
import { PROFILES, type Profile, stackOptions } from './support/profiles';
import { BenchStack } from './support/stack';
import { type TargetCheck, checkTargets, renderReport } from './support/report';

export interface ClusterRun {
  readonly workers: number;
  readonly serverVersion: string;
  readonly historyShards: number;
  readonly latency?: LatencyResult;
  readonly density?: DensityResult;
  /** Every worker killed -9; then the history service, then the matching service. */
  readonly recovery?: RecoveryResult;
}

const SCENARIOS = ['latency', 'density', 'recovery', 'backtest'] as const;
type Scenario = (typeof SCENARIOS)[number];

export interface BenchResults {
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: MachineInfo;
  readonly loadAtStart: LoadInfo;
  readonly profile: Profile;
  readonly latency?: LatencyResult;
  readonly density?: DensityResult;
  readonly recovery?: RecoveryResult;
  readonly backtest?: BacktestScenarioResult;
  /** The same scenarios with the other profile (--compare). */
  readonly comparison?: {
    readonly profile: Profile;
    readonly latency?: LatencyResult;
    readonly density?: DensityResult;
  };
  /** Latency and density on a real cluster with several workers (--server cluster). */
  readonly cluster?: ClusterRun;
  readonly targets: readonly TargetCheck[];
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    events: { type: 'string', default: '1000' },
    sizes: { type: 'string', default: '100,500,1000' },
    bursts: { type: 'string', default: '2' },
    candles: { type: 'string', default: '1000000' },
    profile: { type: 'string', default: 'shipped' },
    compare: { type: 'boolean', default: false },
    'compare-with': { type: 'string' },
    server: { type: 'string', default: 'dev' },
    'cluster-workers': { type: 'string', default: '2' },
    out: { type: 'string', default: path.join(PROJECT_ROOT, 'bench/results/latest.json') },
  },
});

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
// The replay measurement runs a replay worker in this process: warnings and errors only.
Runtime.install({ logger: new DefaultLogger('WARN') });

async function main(): Promise<number> {
  const chosen = positionals.length > 0 ? positionals : [...SCENARIOS];
  const unknown = chosen.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})`);
  const want = (s: Scenario) => chosen.includes(s);
  const profile = PROFILES[args.profile];
  if (!profile) throw new Error(`unknown profile ${args.profile} (known: ${Object.keys(PROFILES).join(', ')})`);
  const sizes = args.sizes.split(',').map((s) => Number(s.trim()));
  const events = Number(args.events);
  const bursts = Number(args.bursts);
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const loadAtStart = loadInfo();
  log(
    `bench: ${chosen.join(', ')} with the ${profile.name} profile on ${machine.nproc} CPU(s) ${machine.cpuModel}, ${machine.memTotalMiB} MiB; load ${loadAtStart.loadavg1}${loadAtStart.tortureRunning ? ' (torture run active)' : ''}`,
  );

  const results: { -readonly [K in keyof BenchResults]?: BenchResults[K] } = {
    startedAt,
    machine,
    loadAtStart,
    profile,
  };

  if (want('latency'))
    results.latency = await withStack(profile, (stack) =>
      latencyScenario(stack, { events, warmup: 20, gapMs: 0, log }),
    );

  if (want('density') || want('recovery')) {
    await withStack(profile, async (stack) => {
      const n = sizes[sizes.length - 1]!;
      if (want('density')) results.density = await densityScenario(stack, { sizes, bursts, log });
      else await ensureBots(stack, n, log);
      if (want('recovery')) {
        const slugs = new Set(Array.from({ length: n }, (_, i) => densityBotName(i)));
        results.recovery = await recoveryScenario(stack, slugs, { bots: n, log });
      }
    });
  }

  if (args.compare) {
    const other = PROFILES[args['compare-with'] ?? (profile.name === 'shipped' ? 'previous' : 'shipped')];
    if (!other) throw new Error(`unknown profile ${args['compare-with']}`);
    log(`bench: comparison with the ${other.name} profile`);
    const comparison: { profile: Profile; latency?: LatencyResult; density?: DensityResult } = { profile: other };
    if (want('latency'))
      comparison.latency = await withStack(other, (stack) =>
        latencyScenario(stack, { events: Math.min(events, 300), warmup: 20, gapMs: 0, log }),
      );
    if (want('density'))
      comparison.density = await withStack(other, (stack) =>
        densityScenario(stack, { sizes: [sizes[0]!], bursts, log }),
      );
    results.comparison = comparison;
  }

  if (args.server === 'cluster') {
    const workers = Number(args['cluster-workers']);
    log(`bench: the same on a Temporal cluster (PostgreSQL, four service processes) with ${workers} workers`);
    const cluster: { -readonly [K in keyof ClusterRun]?: ClusterRun[K] } = {
      workers,
      serverVersion: TEMPORAL_SERVER_VERSION,
      historyShards: 4,
    };
    const on = { server: 'cluster' as const, workers };
    if (want('latency'))
      cluster.latency = await withStack(
        profile,
        (stack) => latencyScenario(stack, { events, warmup: 20, gapMs: 0, log }),
        on,
      );
    if (want('density') || want('recovery')) {
      await withStack(
        profile,
        async (stack) => {
          const n = sizes[sizes.length - 1]!;
          if (want('density')) cluster.density = await densityScenario(stack, { sizes, bursts, log });
          else await ensureBots(stack, n, log);
          if (want('recovery'))
            cluster.recovery = await recoveryScenario(
              stack,
              new Set(Array.from({ length: n }, (_, i) => densityBotName(i))),
              { bots: n, log },
            );
        },
        on,
      );
    }
    results.cluster = cluster as ClusterRun;
  } else if (args.server !== 'dev') throw new Error(`--server ${args.server}: dev or cluster`);

  if (want('backtest')) results.backtest = await backtestScenario({ candles: Number(args.candles), log });

  results.seconds = Math.round((performance.now() - t0) / 1000);
  results.targets = checkTargets(results as BenchResults);
  const final = results as BenchResults;
  mkdirSync(path.dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(final, null, 2)}\n`);
  console.log(renderReport(final));
  console.log(`\nwritten to ${path.relative(process.cwd(), args.out)} (${final.seconds} s)`);
  return 0;
}

async function withStack<T>(
  profile: Profile,
  fn: (stack: BenchStack) => Promise<T>,
  on: { server: 'dev' | 'cluster'; workers: number } = { server: 'dev', workers: 1 },
): Promise<T> {
  const stack = await BenchStack.start({ ...stackOptions(profile, log), ...on });
  try {
    return await fn(stack);
  } finally {
    await stack.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
