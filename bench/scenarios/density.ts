/**
 * Scenario 2, density: N = 100, 500, 1,000 bench-echo bots (candle mode, one symbol) on the stack's
 * worker processes (one on the dev server; --cluster-workers on a cluster), all receiving the same
 * closed candle at the same instant — the candle-close burst, when every bot of a 1m interval wakes
 * at once. Per N: worker and server RSS (idle, and peak during the bursts), their CPU per burst, and
 * the burst's latency (emission → each bot's order at the exchange). Figures are per group of
 * processes, read afresh at each sample (support/machine.ts GroupCpu, rssSumMiB): the workers, the
 * Temporal server's processes (the dev server; a cluster's four services) and, on a cluster,
 * PostgreSQL's postmaster and backends (PSS, so shared buffers count once; backends come and go).
 * Bots are added to reach each N, so the last stage leaves N bots running for the recovery scenario.
 *
 * History growth, measured on the side (see historyPerBotHour):
 * - per candle that places an order: the bench bots' history length before/after the bursts;
 * - per candle that places nothing: "silent" probe bots on the same symbol (a resting order far from
 *   the price, so candles reach them and never trade);
 * - per reconciliation: a probe on a symbol without candles, reconciling every 2 s.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { SYMBOL, candleBurst, quiet } from '../support/bots';
import { GroupCpu, type LoadInfo, PeakRss, loadInfo, pssSumMiB, rssSumMiB } from '../support/machine';
import { type Summary, round, summarize } from '../support/stats';
import { type BenchStack, TASK_QUEUE } from '../support/stack';

export interface DensityOptions {
  readonly sizes: readonly number[];
  readonly bursts: number;
  readonly log: (line: string) => void;
}

export interface DensityStage {
  readonly bots: number;
  /** Seconds to start the bots added at this stage, and bots started per second. */
  readonly startSeconds: number;
  readonly startPerSecond: number;
  /** Processes measured: worker processes, Temporal server processes (dev server 1, cluster 4). */
  readonly processes?: { readonly workers: number; readonly server: number };
  /** Sums over the worker processes (peak: the sum of each process's peak). */
  readonly workerRssMiB: { readonly idle: number | null; readonly peak: number | null };
  /** Sums over the Temporal server's processes. */
  readonly serverRssMiB: { readonly idle: number | null; readonly peak: number | null };
  /** Cores busy over IDLE_CPU_MS after the warm-up, with every bot running and nothing to do. */
  readonly coresAtIdle?: { readonly worker: number | null; readonly server: number | null };
  /** The cluster's PostgreSQL (postmaster and backends, proportional set size); null on the dev server (SQLite is in its process). */
  readonly databaseRssMiB?: { readonly idle: number | null };
  /** CPU seconds per burst (the whole burst: orders, their fill reports, until quiet again). */
  readonly cpuSecondsPerBurst: { readonly worker: number; readonly server: number; readonly database?: number };
  /** Average cores busy from emission to the last bot's order. */
  readonly coresDuringBurst: {
    readonly worker: number | null;
    readonly server: number | null;
    readonly database?: number | null;
  };
  readonly burst: Summary;
  /** Emission → last bot's order, per burst (ms). */
  readonly burstSpanMs: readonly number[];
  /** Bots that did not answer a burst within the timeout. */
  readonly missing: number;
  readonly load: LoadInfo;
}

export interface HistoryGrowth {
  /** History events per candle that places one (market) order, fill reports included. */
  readonly perCandleWithOrder: number;
  /** History events per candle that places nothing. */
  readonly perCandleWithoutOrder: number;
  /** The same per density stage (the figures above are the first stage's). */
  readonly byStage: ReadonlyArray<{
    readonly bots: number;
    readonly perCandleWithOrder: number;
    readonly perCandleWithoutOrder: number;
    readonly silentEventTypes: Readonly<Record<string, number>>;
  }>;
  /** History events per reconciliation poll (wake timer included). */
  readonly perReconcile: number;
  /** Extrapolated to 1m candles (60 per hour) with the kernel's default reconcile pace. */
  readonly perBotHour: {
    /** No order all hour (idle pace: one poll per hour). */
    readonly noOrders: number;
    /** An order on every candle (bench-echo; market orders, so no open order between). */
    readonly orderEveryCandle: number;
  };
  readonly method: string;
}

export interface DensityResult {
  readonly stages: readonly DensityStage[];
  readonly history: HistoryGrowth;
  readonly seconds: number;
}

const SILENT = ['silent1', 'silent2', 'silent3'];
const IDLE_CPU_MS = 20_000;
const RECONCILE_PROBE = 'reconprobe';
/** Reconciliations per hour at the kernel's default pace with no open order (DEFAULT_RECONCILE_TIMING). */
const IDLE_POLLS_PER_HOUR = 1;

export function densityBotName(i: number): string {
  return `d${String(i + 1).padStart(4, '0')}`;
}

export async function densityScenario(stack: BenchStack, o: DensityOptions): Promise<DensityResult> {
  const t0 = performance.now();
  const ex = stack.exchange;
  ex.market.setPrice(SYMBOL, '30000');
  ex.market.setPrice('BNBUSDT', '300');
  if (!stack.worker) await stack.spawnWorker();
  const workerPids = () => stack.workerPids();
  const temporalPids = () => stack.server.serverPids();
  const databasePids = () => stack.server.databasePids();
  const allPids = () => [...workerPids(), ...temporalPids(), ...databasePids()];
  const sumPeaks = (peaks: Map<number, number>, pids: readonly number[]) =>
    pids.some((p) => peaks.has(p))
      ? round(
          pids.reduce((t, p) => t + (peaks.get(p) ?? 0), 0),
          1,
        )
      : null;

  await stack.startBots(
    SILENT.map((name) => ({
      name,
      symbol: SYMBOL,
      strategy: 'bench-echo',
      params: { mode: 'fill', quantity: '0.01', buyPrice: '1000', sellPrice: '100000' },
    })),
  );
  await stack.startBots(
    [
      {
        name: RECONCILE_PROBE,
        symbol: 'BNBUSDT',
        strategy: 'bench-echo',
        params: { mode: 'fill', quantity: '0.1', buyPrice: '10', sellPrice: '100000' },
      },
    ],
    {
      reconcile: { openOrdersEveryMs: 2_000, staleEveryMs: 2_000, idleEveryMs: 2_000 },
    },
  );

  const stages: DensityStage[] = [];
  let running = 0;
  // History growth per stage: under overload (bursts longer than the sticky queue timeout) a bot's
  // task can time out on the sticky queue and be rescheduled, which adds events; the per-hour
  // figure comes from the first (least loaded) stage, the others are reported beside it.
  const historyByStage: Array<HistoryGrowth['byStage'][number]> = [];
  for (const n of o.sizes) {
    const added = Array.from({ length: n - running }, (_, i) => densityBotName(running + i));
    const ts = performance.now();
    await stack.startBots(
      added.map((name) => ({
        name,
        symbol: SYMBOL,
        strategy: 'bench-echo',
        params: { mode: 'candle', quantity: '0.001' },
      })),
      undefined,
      50,
    );
    const startSeconds = (performance.now() - ts) / 1000;
    running = n;
    const slugs = new Set(Array.from({ length: n }, (_, i) => densityBotName(i)));
    o.log(`density: ${added.length} bots started in ${startSeconds.toFixed(1)} s (${n} running); warming up`);
    await warmUp(stack, slugs, allPids, o.log);
    const idleWorker = rssSumMiB(workerPids());
    const idleServer = rssSumMiB(temporalPids());
    const idleDatabase = pssSumMiB(databasePids());
    // What 1,000 bots cost with nothing happening: the directory's listings, timers, polls.
    const idleWorkerCpu = new GroupCpu(workerPids);
    const idleServerCpu = new GroupCpu(temporalPids);
    await sleep(IDLE_CPU_MS);
    const coresAtIdle = { worker: idleWorkerCpu.cores(), server: idleServerCpu.cores() };
    o.log(
      `density: N=${n} idle for ${IDLE_CPU_MS / 1000} s: worker ${coresAtIdle.worker} cores, server ${coresAtIdle.server}`,
    );

    const sample = SILENT.concat([densityBotName(0), densityBotName(Math.floor(n / 2)), densityBotName(n - 1)]);
    const before = await historyLengths(stack, sample);
    const peak = new PeakRss(() => [...workerPids(), ...temporalPids()]);
    const latencies: number[] = [];
    const spans: number[] = [];
    const cores = { worker: [] as number[], server: [] as number[], database: [] as number[] };
    const cpu = { worker: 0, server: 0, database: 0 };
    let missing = 0;
    for (let b = 0; b < o.bursts; b++) {
      const cw = new GroupCpu(workerPids);
      const cs = new GroupCpu(temporalPids);
      const cd = new GroupCpu(databasePids);
      const burst = await candleBurst(stack, slugs, 120_000);
      const span = Math.max(...burst.reactions.values());
      spans.push(round(span, 1));
      const wc = cw.cores();
      const sc = cs.cores();
      const dc = cd.cores();
      if (wc !== null) cores.worker.push(wc);
      if (sc !== null) cores.server.push(sc);
      if (dc !== null) cores.database.push(dc);
      latencies.push(...burst.reactions.values());
      missing += n - burst.reactions.size;
      await quiet(allPids(), { maxMs: 60_000 });
      cpu.worker += cw.seconds();
      cpu.server += cs.seconds();
      cpu.database += cd.seconds();
      o.log(
        `density: N=${n} burst ${b + 1}: last order after ${span.toFixed(0)} ms${burst.reactions.size < n ? ` (${n - burst.reactions.size} missing)` : ''}`,
      );
    }
    const peaks = peak.stop();
    const after = await historyLengths(stack, sample);
    const withOrder: number[] = [];
    const withoutOrder: number[] = [];
    for (const name of sample) {
      const b = before.get(name);
      const a = after.get(name);
      if (!a || !b || a.runId !== b.runId) continue; // continued-as-new in between: not comparable
      (SILENT.includes(name) ? withoutOrder : withOrder).push((a.length - b.length) / o.bursts);
    }
    historyByStage.push({
      bots: n,
      perCandleWithOrder: round(avg(withOrder) ?? Number.NaN, 1),
      perCandleWithoutOrder: round(avg(withoutOrder) ?? Number.NaN, 1),
      silentEventTypes: await eventTypesSince(stack, SILENT[0]!, before.get(SILENT[0]!)),
    });
    const burst = summarize(latencies);
    stages.push({
      bots: n,
      startSeconds: round(startSeconds, 1),
      startPerSecond: round(added.length / startSeconds, 1),
      processes: { workers: workerPids().length, server: temporalPids().length },
      workerRssMiB: { idle: idleWorker, peak: sumPeaks(peaks, workerPids()) },
      serverRssMiB: { idle: idleServer, peak: sumPeaks(peaks, temporalPids()) },
      coresAtIdle,
      ...(stack.server.kind === 'cluster' ? { databaseRssMiB: { idle: idleDatabase } } : {}),
      cpuSecondsPerBurst: {
        worker: round(cpu.worker / o.bursts),
        server: round(cpu.server / o.bursts),
        ...(stack.server.kind === 'cluster' ? { database: round(cpu.database / o.bursts) } : {}),
      },
      coresDuringBurst: {
        worker: avg(cores.worker),
        server: avg(cores.server),
        ...(stack.server.kind === 'cluster' ? { database: avg(cores.database) } : {}),
      },
      burst,
      burstSpanMs: spans,
      missing,
      load: loadInfo(),
    });
    o.log(
      `density: N=${n}: burst p50 ${burst.p50} ms, p99 ${burst.p99} ms; worker RSS ${idleWorker} MiB idle, ${sumPeaks(peaks, workerPids())} MiB peak`,
    );
  }

  const perReconcile = await reconcileCost(stack);
  const { perCandleWithOrder, perCandleWithoutOrder } = historyByStage[0] ?? {
    perCandleWithOrder: Number.NaN,
    perCandleWithoutOrder: Number.NaN,
  };
  const history: HistoryGrowth = {
    perCandleWithOrder,
    perCandleWithoutOrder,
    byStage: historyByStage,
    perReconcile,
    perBotHour: {
      noOrders: Math.round(60 * perCandleWithoutOrder + IDLE_POLLS_PER_HOUR * perReconcile),
      orderEveryCandle: Math.round(60 * perCandleWithOrder + IDLE_POLLS_PER_HOUR * perReconcile),
    },
    method:
      'history length (describe) of sample bots before and after the measured bursts, divided by the bursts, at the first (least loaded) stage, the others in byStage: bench bots (one MARKET order per candle, its fill reports included) and silent probes (candles, no order); a probe reconciling every 2 s on a symbol without candles gives the cost of one poll. Per bot-hour = 60 candles (1m) x events per candle + polls per hour (1 at the idle pace of DEFAULT_RECONCILE_TIMING) x events per poll.',
  };
  // Probes are not part of the recovery scenario's population.
  for (const name of [...SILENT, RECONCILE_PROBE])
    await stack.client.workflow
      .getHandle(`bot-${name}`)
      .terminate('benchmark probe done')
      .catch(() => {});
  return { stages, history, seconds: round((performance.now() - t0) / 1000, 1) };
}

/** Start bench bots d0001..d<n> and warm them up (recovery run alone, without the density stages). */
export async function ensureBots(stack: BenchStack, n: number, log: (l: string) => void): Promise<void> {
  stack.exchange.market.setPrice(SYMBOL, '30000');
  if (!stack.worker) await stack.spawnWorker();
  const names = Array.from({ length: n }, (_, i) => densityBotName(i));
  await stack.startBots(
    names.map((name) => ({
      name,
      symbol: SYMBOL,
      strategy: 'bench-echo',
      params: { mode: 'candle', quantity: '0.001' },
    })),
    undefined,
    50,
  );
  await warmUp(stack, new Set(names), () => [...stack.workerPids(), ...stack.serverPids()], log);
}

/**
 * Every bot is running and routable, and has answered one candle: first wait until visibility
 * lists every bot with the routing memo the stream service reads (and one refresh of its 2 s
 * directory), then emit one candle and wait until every bot answered it, or no bot did for 90 s.
 * A candle goes only to the bots that have not answered: re-emitting to all while some are slow
 * would pile bursts up.
 */
export async function warmUp(
  stack: BenchStack,
  slugs: ReadonlySet<string>,
  pids: () => number[],
  log: (l: string) => void,
): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const listed = await routable(stack, slugs);
    if (listed >= slugs.size) break;
    if (Date.now() > deadline) throw new Error(`warm-up: only ${listed}/${slugs.size} bots ever became routable`);
    await sleep(1_000);
  }
  await sleep(2_500);
  await quiet(pids(), { maxMs: 120_000 });
  let pending = new Set(slugs);
  for (let attempt = 1; attempt <= 4 && pending.size > 0; attempt++) {
    // A candle no bot answers for 90 s was lost, not slow: on the manual candle clock a
    // candle whose minute has passed is already "closed" to the stream service's catch-up, so
    // closing it by hand again is a duplicate every bot drops. The next one is new.
    const burst = await candleBurst(stack, pending, 300_000, { stallMs: 90_000 });
    pending = new Set([...pending].filter((s) => !burst.reactions.has(s)));
    await quiet(pids(), { maxMs: 120_000 });
    if (pending.size > 0) log(`warm-up: ${pending.size}/${slugs.size} bots did not answer candle ${attempt}`);
  }
  if (pending.size > 0) throw new Error(`warm-up: ${pending.size}/${slugs.size} bots never answered a candle`);
}

/** How many of the bots visibility lists as running with their routing memo (what BotDirectory reads). */
async function routable(stack: BenchStack, slugs: ReadonlySet<string>): Promise<number> {
  let n = 0;
  const query = `WorkflowType = 'botWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${TASK_QUEUE}'`;
  for await (const wf of stack.client.workflow.list({ query })) {
    const tag = (wf.memo?.bot as { tag?: string } | undefined)?.tag;
    if (tag && slugs.has(tag.slice(0, tag.indexOf('_')))) n++;
  }
  return n;
}

/** What a bot's history gained since `since` (same run), by event type: explains the per-candle figure. */
async function eventTypesSince(
  stack: BenchStack,
  name: string,
  since: { runId: string; length: number } | undefined,
): Promise<Record<string, number>> {
  if (!since) return {};
  const history = await stack.client.workflow.getHandle(`bot-${name}`, since.runId).fetchHistory();
  const counts: Record<string, number> = {};
  // The JSON form names the event types (the proto objects carry enum numbers).
  const events = (JSON.parse(historyToJSON(history)) as { events?: Array<{ eventType?: string }> }).events ?? [];
  for (const e of events.slice(since.length)) {
    const type = (e.eventType ?? 'unknown').replace(/^EVENT_TYPE_/, '');
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

async function historyLengths(
  stack: BenchStack,
  names: readonly string[],
): Promise<Map<string, { runId: string; length: number }>> {
  const out = new Map<string, { runId: string; length: number }>();
  for (const name of names) {
    const d = await stack.client.workflow.getHandle(`bot-${name}`).describe();
    out.set(name, { runId: d.runId, length: d.historyLength });
  }
  return out;
}

/** History events per reconciliation: the probe polls every 2 s; count its polls over a window. */
async function reconcileCost(stack: BenchStack): Promise<number> {
  const handle = stack.client.workflow.getHandle(`bot-${RECONCILE_PROBE}`);
  const polls = async () => {
    const h = await handle.fetchHistory();
    const events = h.events ?? [];
    const reconciles = events.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'reconcile',
    ).length;
    return { events: events.length, reconciles };
  };
  const a = await polls();
  await sleep(10_000);
  const b = await polls();
  return b.reconciles > a.reconciles ? round((b.events - a.events) / (b.reconciles - a.reconciles), 1) : Number.NaN;
}

function avg(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : round(xs.reduce((s, x) => s + x, 0) / xs.length);
}
