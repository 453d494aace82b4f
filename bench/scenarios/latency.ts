/**
 * Scenario 1, reaction latency: from the paper exchange emitting an event to the resulting order
 * arriving at the exchange, through the whole durable path
 *
 *   exchange stream → stream service → signal → workflow task → kernel → activity → REST
 *
 * and, on the same emission, through a plain non-durable handler on the same streams
 * (bench/support/baseline.ts). Two kinds of events, one after the other:
 *
 * - candle: `market.closeCandle` emits a closed kline on the combined market stream; a bench-echo
 *   bot in candle mode and the baseline each answer it with one MARKET order;
 * - fill: `market.setPrice` crosses the resting LIMIT orders of a bench-echo bot in fill mode and of
 *   the baseline (same levels); the executionReport on each account's user stream makes each rest
 *   the opposite LIMIT order.
 *
 * Events are sent one at a time: the next is emitted once both orders of the previous one arrived
 * and the bot is idle again (no workflow task or activity pending, read with describe), plus
 * `gapMs` — as when candles come a minute apart. Emitting on a fixed short gap instead measures
 * queueing behind the previous event's work (the order's completion and its fill reports).
 */
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import { stackTraceSetting } from '../../workers/workflow-threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { klineStreamName } from '../../workers/streams/market-stream';
import type { BaselineConfig } from '../support/baseline';
import { type Breakdown, candleBreakdown } from '../support/breakdown';
import { type LoadInfo, loadInfo } from '../support/machine';
import { type Summary, round, summarize } from '../support/stats';
import { type BenchStack, placedBy } from '../support/stack';

export interface LatencyOptions {
  /** Measured events of each kind (after the warm-up). */
  readonly events: number;
  readonly warmup: number;
  readonly gapMs: number;
  readonly log: (line: string) => void;
}

export interface PathLatency {
  readonly durable: Summary;
  readonly baseline: Summary;
  /** durable / baseline, per percentile. */
  readonly ratio: { readonly p50: number; readonly p90: number; readonly p99: number };
  /** Events whose order did not arrive within the timeout (not in the percentiles). */
  readonly missing: { readonly durable: number; readonly baseline: number };
}

export interface LatencyResult {
  readonly candle: PathLatency;
  /** Where the durable candle path's time goes, from the bot's history (see support/breakdown.ts). */
  readonly candleBreakdown: Breakdown;
  readonly fill: PathLatency;
  readonly gapMs: number;
  /** Replaying the candle bot's longest run, as a worker does for every bot after a restart. */
  readonly replay: ReplaySpeed | null;
  readonly load: LoadInfo;
  readonly seconds: number;
}

export interface ReplaySpeed {
  readonly historyEvents: number;
  /** ms per replay of that history (worker side only: no server, no network). */
  readonly msPerReplay: number;
  readonly eventsPerSecond: number;
}

const CANDLE_BOT = 'latcndl';
const FILL_BOT = 'latfill';
const BASE_PREFIX = 'base-';
const CANDLE_SYMBOL = 'BTCUSDT';
const FILL_SYMBOL = 'ETHUSDT';
const BUY_PRICE = '1900';
const SELL_PRICE = '2100';
const TIMEOUT_MS = 10_000;

export async function latencyScenario(stack: BenchStack, o: LatencyOptions): Promise<LatencyResult> {
  const t0 = performance.now();
  const ex = stack.exchange;
  ex.market.setPrice(CANDLE_SYMBOL, '30000');
  ex.market.setPrice(FILL_SYMBOL, '2000');
  if (!stack.worker) await stack.spawnWorker();
  await stack.startBots([
    { name: CANDLE_BOT, symbol: CANDLE_SYMBOL, strategy: 'bench-echo', params: { mode: 'candle', quantity: '0.001' } },
    {
      name: FILL_BOT,
      symbol: FILL_SYMBOL,
      strategy: 'bench-echo',
      params: { mode: 'fill', quantity: '0.01', buyPrice: BUY_PRICE, sellPrice: SELL_PRICE },
    },
  ]);
  const baseline: BaselineConfig = {
    account: stack.baselineAccount,
    // The same combined connection the worker's stream service holds for these two bots.
    streams: [klineStreamName(CANDLE_SYMBOL, '1m'), klineStreamName(FILL_SYMBOL, '1m')],
    candle: { symbol: CANDLE_SYMBOL, interval: '1m', quantity: '0.001' },
    fill: { symbol: FILL_SYMBOL, buyPrice: BUY_PRICE, sellPrice: SELL_PRICE, quantity: '0.01' },
    idPrefix: BASE_PREFIX,
  };
  await stack.spawnBaseline(baseline);

  // Both resting BUYs of the fill phase are in place before anything is measured.
  const rested = await stack.waitFor(
    () =>
      stack.arrivals.some((a) => placedBy(a.clientOrderId, FILL_BOT)) &&
      stack.arrivals.some((a) => a.clientOrderId === `${BASE_PREFIX}1`),
    60_000,
  );
  if (!rested) throw new Error('latency: the resting orders of the fill phase never arrived');

  const emitted = new Map<number, number>();
  const closeCandle = () => {
    const wall = performance.timeOrigin + performance.now();
    emitted.set(ex.market.closeCandle(CANDLE_SYMBOL, '1m').openTime, wall);
  };
  // The stream service learns about new bots from visibility every 2 s: emit until both answer.
  await untilRoutable(stack, closeCandle, CANDLE_BOT, o.log);
  o.log(`latency: candle path routable; ${o.warmup} warm-up + ${o.events} measured candles`);
  const firstMeasured = stack.arrivals.length;
  const candle = await measure(stack, closeCandle, CANDLE_BOT, o);
  const arrived = new Map(
    stack.arrivals.slice(firstMeasured).map((a) => [a.clientOrderId, performance.timeOrigin + a.t]),
  );

  let low = true;
  const crossPrice = () => {
    // Alternately below the BUY and above the SELL, so each move fills exactly the order resting there.
    ex.market.setPrice(FILL_SYMBOL, low ? '1890' : '2110');
    low = !low;
  };
  o.log(`latency: ${o.warmup} warm-up + ${o.events} measured fills`);
  const fill = await measure(stack, crossPrice, FILL_BOT, o);

  await stack.stopBaseline();
  const breakdown = await candleBreakdown(stack.client, `bot-${CANDLE_BOT}`, emitted, arrived);
  matchWorkerStackTraces(stack.workerEnv());
  const replay = await replaySpeed(stack.client, `bot-${CANDLE_BOT}`, stack.bundlePath);
  for (const name of [CANDLE_BOT, FILL_BOT])
    await stack.client.workflow
      .getHandle(`bot-${name}`)
      .terminate('benchmark over')
      .catch(() => {});
  return {
    candle,
    candleBreakdown: breakdown,
    fill,
    gapMs: o.gapMs,
    replay,
    load: loadInfo(),
    seconds: round((performance.now() - t0) / 1000, 1),
  };
}

/** Emit candles until one reaches the bot (the stream service routes it once visibility lists the bot). */
async function untilRoutable(
  stack: BenchStack,
  emit: () => void,
  bot: string,
  log: (l: string) => void,
): Promise<void> {
  for (let attempt = 1; attempt <= 30; attempt++) {
    const mark = stack.arrivals.length;
    emit();
    const ok = await stack.waitFor(() => stack.arrivals.slice(mark).some((a) => placedBy(a.clientOrderId, bot)), 2_000);
    if (ok) {
      await sleep(200);
      return;
    }
    log(`latency: ${bot} not routed yet (attempt ${attempt})`);
  }
  throw new Error(`latency: ${bot} never received a candle`);
}

/**
 * The bot has no workflow task and no activity pending (bounded wait). Its fill reports reach it
 * before its placement completes (the exchange sends them before the REST answer), so one idle
 * read after the order arrived is enough.
 */
async function untilIdle(client: Client, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  let idleReads = 0;
  for (let i = 0; i < 400 && idleReads < 1; i++) {
    const d = await handle.describe();
    idleReads = !d.raw.pendingWorkflowTask && (d.raw.pendingActivities ?? []).length === 0 ? idleReads + 1 : 0;
    if (idleReads < 1) await sleep(5);
  }
}

async function measure(stack: BenchStack, emit: () => void, bot: string, o: LatencyOptions): Promise<PathLatency> {
  const durable: number[] = [];
  const base: number[] = [];
  const missing = { durable: 0, baseline: 0 };
  for (let i = 0; i < o.warmup + o.events; i++) {
    const mark = stack.arrivals.length;
    const fresh = () => stack.arrivals.slice(mark);
    const t = performance.now();
    emit();
    await stack.waitFor(() => {
      const got = fresh();
      return (
        got.some((a) => placedBy(a.clientOrderId, bot)) && got.some((a) => a.clientOrderId.startsWith(BASE_PREFIX))
      );
    }, TIMEOUT_MS);
    const got = fresh();
    const d = got.find((a) => placedBy(a.clientOrderId, bot));
    const b = got.find((a) => a.clientOrderId.startsWith(BASE_PREFIX));
    if (i >= o.warmup) {
      if (d) durable.push(d.t - t);
      else missing.durable++;
      if (b) base.push(b.t - t);
      else missing.baseline++;
    }
    // Candles come a minute apart: the next event finds the bot idle (its order's completion and
    // fill reports handled), not queued behind the previous one's work.
    await untilIdle(stack.client, `bot-${bot}`);
    await sleep(o.gapMs);
  }
  const ds = summarize(durable);
  const bs = summarize(base);
  return {
    durable: ds,
    baseline: bs,
    ratio: { p50: round(ds.p50 / bs.p50, 1), p90: round(ds.p90 / bs.p90, 1), p99: round(ds.p99 / bs.p99, 1) },
    missing,
  };
}

/**
 * This process replays in its main thread (the SDK's replay worker); the bot worker's workflow
 * thread has the SDK's per-promise stack-trace hook only with WORKFLOW_STACK_TRACES=on
 * (workers/workflow-thread-preload.cjs). The same here, so the replay figure is the worker's.
 */
function matchWorkerStackTraces(env: NodeJS.ProcessEnv): void {
  const handlers = globalHandlers as unknown as {
    install(): void;
    setPromiseHook(): void;
    stopPromiseHook(): void;
    promiseHookInstalled: boolean;
  };
  handlers.install();
  const on = stackTraceSetting(env.WORKFLOW_STACK_TRACES) === 'on';
  if (on && !handlers.promiseHookInstalled) handlers.setPromiseHook();
  if (!on && handlers.promiseHookInstalled) {
    handlers.stopPromiseHook();
    handlers.promiseHookInstalled = false;
  }
}

/**
 * Replay speed of a real bot history (the candle bot's longest run): what a restarted worker pays
 * per bot before the bot can act, since its cache is empty. Five replays in one replay worker; the
 * first pays the worker's start and is not counted.
 */
async function replaySpeed(client: Client, workflowId: string, bundlePath: string): Promise<ReplaySpeed | null> {
  let longest: { runId: string; length: number } | null = null;
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const d = await client.workflow.getHandle(workflowId, wf.runId).describe();
    if (!longest || d.historyLength > longest.length) longest = { runId: wf.runId, length: d.historyLength };
  }
  if (!longest) return null;
  const history = await client.workflow.getHandle(workflowId, longest.runId).fetchHistory();
  // For profiling replay offline (bench/README.md): BENCH_SAVE_HISTORY=<file>.
  if (process.env.BENCH_SAVE_HISTORY) writeFileSync(process.env.BENCH_SAVE_HISTORY, historyToJSON(history));
  const runs = 5;
  const times: number[] = [];
  // Under the bot's own workflow id: the bot derives its identity from it (another id replays as
  // another bot, whose notices differ: a nondeterminism error on the notifications patch).
  const histories = Array.from({ length: runs }, () => ({ workflowId, history }));
  for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath } }, histories)) {
    if (r.error) throw new Error(`replay of ${workflowId} failed: ${r.error.message}`);
    times.push(performance.now());
  }
  const ms = (times[times.length - 1]! - times[0]!) / (runs - 1);
  return {
    historyEvents: history.events?.length ?? 0,
    msPerReplay: round(ms, 1),
    eventsPerSecond: Math.round(((history.events?.length ?? 0) / ms) * 1000),
  };
}
