/**
 * The worker's workflow thread without the SDK's per-promise stack-trace hook (see
 * workflow-thread-preload.cjs for what it costs and what is lost). Temporal starts that thread with
 * `new Worker(<sdk>/workflow-worker-thread.js)`, inheriting this process's Node options; this adds
 * `--require workflow-thread-preload.cjs` to them for that file only. Every other thread is left as is.
 */
import path from 'node:path';
import workerThreads from 'node:worker_threads';

const SDK_THREAD = require.resolve('@temporalio/worker/lib/workflow/workflow-worker-thread');
const PRELOAD = path.join(__dirname, 'workflow-thread-preload.cjs');

export type StackTraceSetting = 'on' | 'off';

/** WORKFLOW_STACK_TRACES: unset or `off` = no stack-trace hook (faster replay); `on` = the SDK's default. */
export function stackTraceSetting(value: string | undefined): StackTraceSetting {
  if (value === undefined || value === '' || value === 'off') return 'off';
  if (value === 'on') return 'on';
  throw new Error(`WORKFLOW_STACK_TRACES: "${value}" is not one of on, off (unset: off)`);
}

let installed = false;

/** Idempotent: from here on, Temporal's workflow threads start with the preload. */
export function leanWorkflowThreads(): void {
  if (installed) return;
  installed = true;
  const Original = workerThreads.Worker;
  class WorkflowThread extends Original {
    constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
      const sdkThread = typeof filename === 'string' && path.resolve(filename) === SDK_THREAD;
      super(
        filename,
        sdkThread
          ? { ...options, execArgv: [...(options?.execArgv ?? process.execArgv), '--require', PRELOAD] }
          : options,
      );
    }
  }
  workerThreads.Worker = WorkflowThread;
}
