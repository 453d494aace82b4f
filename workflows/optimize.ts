/**
 * The optimisation as a Temporal workflow (`npm run optimize -- --temporal`): the search state
 * machine of backtest/optimize/search.ts in the workflow, each step's backtests fanned out as
 * batches of activities on the optimisation task queue, where every worker takes as many batches
 * as it has evaluation threads. The history is the log of finished batches, so a worker killed
 * mid-run costs only its batches in flight — and those resume from their last heartbeat — and the
 * run ends with the result an undisturbed run of the same seed gives (the same code decides).
 *
 * Thin: the GA and the bookkeeping are pure (search.ts, result.ts); the workflow only schedules.
 */
import * as wf from '@temporalio/workflow';
import type { OptimizeActivities } from '../activities/optimize';
import { type OptimizeResult, type OptimizeSpec, buildResult } from '../backtest/optimize/result';
import {
  type SearchState,
  advanceSearch,
  maxEvaluations,
  pendingTasks,
  progressOf,
  startSearch,
} from '../backtest/optimize/search';
import type { Evaluation } from '../backtest/optimize/evaluate';
import { type OptimizeProgress, optimizeProgressQuery } from './optimize-messages';

export interface OptimizeWorkflowInput {
  readonly spec: OptimizeSpec;
  /** Evaluations per activity. */
  readonly batchSize: number;
  /** The task queue of the evaluation workers (workers/optimize-worker.ts). */
  readonly activityTaskQueue: string;
  /** A batch whose worker stops heartbeating this long is retried elsewhere (default 30 s). */
  readonly heartbeatTimeoutMs?: number;
  /** Continue-as-new at a step boundary once the run's history holds this many events (default 5,000). */
  readonly continueAsNewAtHistoryLength?: number;
  /** Set by continue-as-new: the state to go on from. */
  readonly resume?: SearchState;
}

export async function optimizeWorkflow(input: OptimizeWorkflowInput): Promise<OptimizeResult> {
  const { spec } = input;
  const acts = wf.proxyActivities<OptimizeActivities>({
    taskQueue: input.activityTaskQueue,
    // A batch of long backtests may take long; a dead worker is noticed by the heartbeat instead.
    startToCloseTimeout: '6 hours',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 30_000,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: ['DatasetError'],
    },
  });
  let state = input.resume ?? startSearch(spec.plan);
  let stepDone = 0;
  wf.setHandler(optimizeProgressQuery, (): OptimizeProgress => ({
    ...progressOf(spec.plan, state),
    evaluations: state.evaluations + stepDone,
    maxEvaluations: maxEvaluations(spec.plan),
    stage: state.stage,
  }));

  while (state.stage !== 'done') {
    const tasks = pendingTasks(spec.plan, state);
    const batches: (typeof tasks)[] = [];
    for (let i = 0; i < tasks.length; i += input.batchSize) batches.push(tasks.slice(i, i + input.batchSize));
    stepDone = 0;
    const answers = await Promise.all(
      batches.map((batch) =>
        acts.evaluateBatch({ dataset: spec.dataset, digest: spec.digest, job: spec.job, tasks: batch }).then((r) => {
          stepDone += r.results.length;
          return r.results;
        }),
      ),
    );
    const results: Evaluation[] = answers.flat();
    state = advanceSearch(spec.plan, state, tasks, results);
    stepDone = 0;
    const info = wf.workflowInfo();
    if (
      state.stage !== 'done' &&
      (info.continueAsNewSuggested || info.historyLength >= (input.continueAsNewAtHistoryLength ?? 5_000))
    ) {
      await wf.continueAsNew<typeof optimizeWorkflow>({ ...input, resume: state });
    }
  }
  return buildResult(spec, state);
}
