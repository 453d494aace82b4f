/**
 * The optimisation's activity: evaluate one batch of backtests (workflows/optimize.ts). Runs on
 * the evaluation task queue (workers/optimize-worker.ts), one batch per evaluation thread, so the
 * worker's main thread stays free for bots and heartbeats. After every evaluation the results so
 * far go out as heartbeat details: a retry after a crash resumes there instead of redoing them.
 *
 * The data set is named, not sent: each worker loads it (cached) and refuses to evaluate unless
 * its digest matches the client's — every worker needs the same file or database.
 */
import { appendFileSync } from 'node:fs';
import { ApplicationFailure, CancelledFailure, Context, activityInfo } from '@temporalio/activity';
import type { DatasetRef } from '../backtest/optimize/datasets';
import type { EvalJob, EvalTask, Evaluation } from '../backtest/optimize/evaluate';
import { type EvalPool, PoolError } from '../backtest/optimize/pool';

export interface EvaluateBatchInput {
  readonly dataset: DatasetRef;
  readonly digest: string;
  readonly job: EvalJob;
  readonly tasks: readonly EvalTask[];
}

export interface EvaluateBatchResult {
  /** One per task, in task order. */
  readonly results: Evaluation[];
  /** Results taken over from the heartbeat of an earlier attempt. */
  readonly resumed: number;
  /** Results computed by this attempt. */
  readonly computed: number;
}

interface Progress {
  readonly results: Evaluation[];
}

export interface OptimizeActivityDeps {
  readonly pool: EvalPool;
  /** Append one line per evaluation computed (tests count redone work with it). */
  readonly traceFile?: string;
}

export function createOptimizeActivities(deps: OptimizeActivityDeps) {
  return {
    async evaluateBatch(input: EvaluateBatchInput): Promise<EvaluateBatchResult> {
      const ctx = Context.current();
      const info = activityInfo();
      const earlier = (info.heartbeatDetails as Progress | undefined)?.results;
      const results: Evaluation[] = Array.isArray(earlier) ? earlier.slice(0, input.tasks.length) : [];
      const resumed = results.length;
      // Heartbeat while a long backtest runs too, not only between them.
      const every = Math.max(500, Math.floor((info.heartbeatTimeoutMs ?? 30_000) / 3));
      const beat = () => ctx.heartbeat({ results } satisfies Progress);
      const timer = setInterval(beat, every);
      try {
        for (let i = results.length; i < input.tasks.length; i++) {
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('optimisation batch cancelled');
          let r: Evaluation;
          try {
            r = await deps.pool.run(input.dataset, input.job, input.tasks[i]!, input.digest);
          } catch (err) {
            if (err instanceof PoolError && err.dataset)
              throw ApplicationFailure.nonRetryable(`${err.message} (worker ${info.taskQueue})`, 'DatasetError');
            throw err;
          }
          results.push(r);
          if (deps.traceFile)
            appendFileSync(
              deps.traceFile,
              `${JSON.stringify({ workflowId: info.workflowExecution?.workflowId, runId: info.workflowExecution?.runId, activityId: info.activityId, attempt: info.attempt, index: i })}\n`,
            );
          beat();
        }
        return { results, resumed, computed: results.length - resumed };
      } finally {
        clearInterval(timer);
      }
    },
  };
}

export type OptimizeActivities = ReturnType<typeof createOptimizeActivities>;
