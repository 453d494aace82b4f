/**
 * `botPreflightWorkflow`: asks a worker of the bots' task queue whether a bot could trade there
 * (its account, symbol, key and filters; activities/preflight.ts) without starting the bot. The
 * CLI runs it before `start` and `validate`; it lives seconds and is listed under its own type, so
 * it never appears among the bots.
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PreflightInput, PreflightResult } from '../activities/preflight';

export const PREFLIGHT_WORKFLOW_TYPE = 'botPreflightWorkflow';

/** Activity options of the check, in the preflight workflow and in a bot's own start. */
export const PREFLIGHT_ACTIVITY_OPTIONS: wf.ActivityOptions = {
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
};

export async function botPreflightWorkflow(input: PreflightInput): Promise<PreflightResult> {
  const { preflightBot } = wf.proxyActivities<Activities>(PREFLIGHT_ACTIVITY_OPTIONS);
  return preflightBot(input);
}
