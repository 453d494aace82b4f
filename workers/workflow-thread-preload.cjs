/**
 * Loaded (node --require) into the worker's workflow thread before the Temporal SDK's thread code,
 * by workers/workflow-threads.ts. Plain CommonJS: it runs before any TypeScript loader.
 *
 * The SDK installs a V8 promise hook in that thread so the Web UI's "Stack Trace" query can show
 * where each workflow is blocked. For every promise a workflow creates, the hook compiles two small
 * functions and captures a source-mapped stack trace: about 40 % of the CPU of replaying a bot's
 * history (bench/README.md), which is what a restarted worker spends its first seconds on. Unless
 * WORKFLOW_STACK_TRACES=on, the hook is not installed; the query then answers "Workflow stack traces
 * are not enabled on this worker". Errors keep their source-mapped stacks (a separate hook).
 */
'use strict';
const { isMainThread } = require('node:worker_threads');

if (!isMainThread && process.env.WORKFLOW_STACK_TRACES !== 'on') {
  let handlers;
  try {
    handlers = require('@temporalio/worker/lib/workflow/vm-shared').globalHandlers;
  } catch {
    handlers = undefined;
  }
  if (handlers && typeof handlers.setPromiseHook === 'function' && handlers.installed === false) {
    handlers.setPromiseHook = function skipPromiseHook() {};
  } else {
    process.emitWarning(
      'WORKFLOW_STACK_TRACES: this Temporal SDK does not expose globalHandlers.setPromiseHook; workflow stack traces stay on',
    );
  }
}
