/**
 * The evaluation side of `npm run optimize -- --temporal`: a second Temporal worker in the bot
 * worker's process, on its own task queue (`<task queue>-optimize`), taking at most one batch per
 * evaluation thread. A worker never holds more batches than it computes at once, so batches
 * spread over every worker of the queue and a kill -9 loses only the ones in flight.
 *
 * OPTIMIZE_THREADS: evaluation threads (default: the cores less one, kept for the bots; 0: this
 * worker takes no optimisation work). OPTIMIZE_TRACE_FILE: a line per evaluation (tests).
 */
import os from 'node:os';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createOptimizeActivities } from '../activities/optimize';
import { EvalPool } from '../backtest/optimize/pool';

export function optimizeTaskQueue(taskQueue: string): string {
  return `${taskQueue}-optimize`;
}

export function optimizeThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OPTIMIZE_THREADS;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  if (raw === undefined || raw === '') return Math.max(1, cores - 1);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 256)
    throw new Error(`OPTIMIZE_THREADS: a whole number from 0 to 256, got ${raw}`);
  return n;
}

export interface OptimizeWorker {
  readonly worker: Worker;
  readonly pool: EvalPool;
}

export async function createOptimizeWorker(
  connection: NativeConnection,
  namespace: string,
  taskQueue: string,
  identity?: string,
): Promise<OptimizeWorker | null> {
  const threads = optimizeThreads();
  if (threads === 0) return null;
  const pool = new EvalPool(threads);
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue: optimizeTaskQueue(taskQueue),
    activities: createOptimizeActivities({
      pool,
      ...(process.env.OPTIMIZE_TRACE_FILE ? { traceFile: process.env.OPTIMIZE_TRACE_FILE } : {}),
    }),
    maxConcurrentActivityTaskExecutions: threads,
    ...(identity ? { identity: `${identity}-optimize` } : {}),
    shutdownGraceTime: '5s',
  });
  return { worker, pool };
}
