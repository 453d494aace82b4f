/**
 * `npm run optimize -- --temporal` on the run's real dev server: the optimisation workflow fans
 * batches out to worker processes; the one holding a batch is killed -9 mid-run, another takes
 * over, and the run (crossing continue-as-new on the way) ends with exactly the result of an
 * undisturbed Temporal run and of a local run of the same seed — having redone at most one
 * batch's evaluations.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareOptimization } from '../../backtest/optimize/prepare';
import { optimizeLocally } from '../../backtest/optimize/run-local';
import type { OptimizeResult } from '../../backtest/optimize/result';
import { optimizeOnTemporal } from '../../backtest/optimize/temporal-client';
import { syntheticCandles } from '../../bench/support/candles';
import { killHard, spawnWorkerProcess } from '../../infra/worker-process';
import { Harness, eventually } from '../support/harness';

const BATCH = 2;
let h: Harness;
let dir: string;
let file: string;

beforeAll(async () => {
  h = await new Harness().start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'optimize-temporal-'));
  file = path.join(dir, 'BTCUSDT-1m-synthetic.csv');
  const c = syntheticCandles(10_000, 21);
  writeFileSync(
    file,
    `open_time,open,high,low,close,volume,close_time\n${c.map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.volume, k.closeTime].join(',')).join('\n')}\n`,
  );
});
afterAll(() => h?.stop());

function spec() {
  return prepareOptimization({
    strategy: 'rsi-sniper',
    dataset: { source: { kind: 'file', path: file } },
    params: { minVolume: '0' },
    space: { rsiPeriod: [6, 24], 'long1.stopLossPct': [0.3, 2, 0.05], 'long1.rsiN2Max': [15, 40, 1] },
    population: 8,
    generations: 4,
    seed: 77,
    minTrades: 0,
  }).spec;
}

async function evaluationWorker(trace: string): Promise<ChildProcess> {
  const child = await spawnWorkerProcess({ ...h.workerEnv(), OPTIMIZE_THREADS: '1', OPTIMIZE_TRACE_FILE: trace });
  h.processes.push(child);
  return child;
}

const traceLines = (trace: string) =>
  existsSync(trace)
    ? readFileSync(trace, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as { workflowId: string; runId: string; activityId: string; attempt: number; index: number },
        )
    : [];

describe('optimisation as a Temporal workflow', () => {
  it('survives a kill -9 of the worker mid-run and ends with the result of an undisturbed run of the same seed', async () => {
    const s = spec();
    const local = await optimizeLocally(s, { threads: 2 });

    expect(local.best).not.toBeNull();

    const trace = path.join(dir, 'evaluations.jsonl');
    let worker = await evaluationWorker(trace);

    const crashedId = `optimize-crash-${Date.now()}`;
    const crashed = optimizeOnTemporal(s, {
      client: h.client,
      taskQueue: h.taskQueue,
      batchSize: BATCH,
      heartbeatTimeoutMs: 3_000,
      continueAsNewAtHistoryLength: 30,
      workflowId: crashedId,
    });
    crashed.catch(() => {});
    // Pull the plug in the middle of a batch: its first evaluation done, its second running.
    await eventually(
      async () => {
        const lines = traceLines(trace);
        if (lines.length < 4 || lines.at(-1)!.index !== 0) throw new Error(`${lines.length} evaluations so far`);
      },
      60_000,
      5,
    );
    await killHard(worker);
    const beforeRestart = traceLines(trace).length;
    worker = await evaluationWorker(trace);
    const result: OptimizeResult = await crashed;

    expect(result).toEqual(local);
    const lines = traceLines(trace).filter((l) => l.workflowId === crashedId);
    const unique = new Set(lines.map((l) => `${l.runId}/${l.activityId}/${l.index}`));
    // Every evaluation of the run was computed; the kill cost at most one batch of them again.
    expect(unique.size).toBe(local.evaluations);
    expect(lines.length - unique.size).toBeLessThanOrEqual(BATCH);
    if (process.env.OPTIMIZE_TEST_REPORT)
      console.log(
        `evaluations ${unique.size}, computed ${lines.length} (redone ${lines.length - unique.size}), killed after ${beforeRestart}`,
      );
    expect(beforeRestart).toBeLessThan(local.evaluations);
    // The batch in flight at the kill was taken over by the new worker (a second attempt)...
    const history = await h.client.workflow.getHandle(crashedId).fetchHistory();
    const starts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
    const runs = h.client.workflow.list({ query: `WorkflowId = '${crashedId}'` });
    let runCount = 0;
    for await (const _ of runs) runCount++;
    // ...and the run went through continue-as-new at least once on the way.
    expect(runCount).toBeGreaterThan(1);
    const retried = starts.some((a) => a > 1) || lines.some((l) => l.attempt > 1);
    expect(retried || runCount > 1).toBe(true);

    // An undisturbed Temporal run of the same seed: the same result again.
    const undisturbed = await optimizeOnTemporal(s, {
      client: h.client,
      taskQueue: h.taskQueue,
      batchSize: BATCH,
      workflowId: `optimize-calm-${Date.now()}`,
    });
    expect(undisturbed).toEqual(local);
    await killHard(worker);
  });
});
