/**
 * `npm run optimize -- --temporal`: start (or join) the optimisation workflow and wait for its
 * result, drawing progress from its query. The workflow id is derived from the whole spec, so
 * running the same command again after the client died joins the run still going — or returns
 * the result of the one that finished — instead of starting over.
 */
import { createHash } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { connectionOptions, temporalSettings } from '../../infra/temporal-connection';
import { optimizeTaskQueue } from '../../workers/optimize-worker';
import type { OptimizeWorkflowInput } from '../../workflows/optimize';
import {
  OPTIMIZE_WORKFLOW_TYPE,
  type OptimizeProgress,
  optimizeProgressQuery,
} from '../../workflows/optimize-messages';
import type { OptimizeResult, OptimizeSpec } from './result';

export interface TemporalOptimizeOptions {
  readonly batchSize: number;
  readonly log?: (message: string) => void;
  readonly onProgress?: (p: OptimizeProgress) => void;
  /** Default: a connection from the environment (TEMPORAL_ADDRESS, TLS, API key). */
  readonly client?: Client;
  /** The bot workers' task queue (default TEMPORAL_TASK_QUEUE); batches go to `<queue>-optimize`. */
  readonly taskQueue?: string;
  readonly heartbeatTimeoutMs?: number;
  readonly continueAsNewAtHistoryLength?: number;
  readonly workflowId?: string;
  readonly pollMs?: number;
}

/** The same spec and batch size always get the same id. */
export function optimizeWorkflowId(spec: OptimizeSpec, batchSize: number): string {
  const hash = createHash('sha256').update(JSON.stringify({ spec, batchSize })).digest('hex').slice(0, 16);
  return `optimize-${spec.job.strategy}-${spec.symbol}-${spec.interval}-seed${spec.plan.seed}-${hash}`;
}

export async function optimizeOnTemporal(spec: OptimizeSpec, o: TemporalOptimizeOptions): Promise<OptimizeResult> {
  const settings = temporalSettings();
  const connection = o.client ? null : await Connection.connect(connectionOptions(settings));
  const client = o.client ?? new Client({ connection: connection!, namespace: settings.namespace });
  const taskQueue = o.taskQueue ?? settings.taskQueue;
  const workflowId = o.workflowId ?? optimizeWorkflowId(spec, o.batchSize);
  try {
    let handle = client.workflow.getHandle<(input: OptimizeWorkflowInput) => Promise<OptimizeResult>>(workflowId);
    let finished = false;
    try {
      const d = await handle.describe();
      finished = d.status.name === 'COMPLETED';
      if (finished) o.log?.(`workflow ${workflowId} already finished: its result`);
      else if (d.status.name === 'RUNNING') o.log?.(`joining the running workflow ${workflowId}`);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    if (!finished) {
      const input: OptimizeWorkflowInput = {
        spec,
        batchSize: o.batchSize,
        activityTaskQueue: optimizeTaskQueue(taskQueue),
        ...(o.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: o.heartbeatTimeoutMs } : {}),
        ...(o.continueAsNewAtHistoryLength !== undefined
          ? { continueAsNewAtHistoryLength: o.continueAsNewAtHistoryLength }
          : {}),
      };
      handle = await client.workflow.start<(input: OptimizeWorkflowInput) => Promise<OptimizeResult>>(
        OPTIMIZE_WORKFLOW_TYPE,
        {
          taskQueue,
          workflowId,
          args: [input],
          // A run of the same spec still going is joined, not duplicated.
          workflowIdConflictPolicy: 'USE_EXISTING',
        },
      );
      o.log?.(
        `workflow ${workflowId} on task queue ${taskQueue}; batches of ${o.batchSize} on ${optimizeTaskQueue(taskQueue)}`,
      );
    }
    let done = false;
    const polling = (async () => {
      while (!done && o.onProgress) {
        try {
          o.onProgress(await handle.query(optimizeProgressQuery));
        } catch {
          /* no worker answering right now (restarting): try again */
        }
        await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
      }
    })();
    try {
      // Follows continue-as-new runs to the last one's result.
      return await handle.result();
    } finally {
      done = true;
      await polling;
    }
  } finally {
    await connection?.close();
  }
}
