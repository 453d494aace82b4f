/**
 * Ask the worker side, before starting anything, whether each bot of a file could trade: its
 * account on the worker, its symbol on the exchange, its key, its sizes against the filters
 * (activities/preflight.ts, through the short `botPreflightWorkflow`). A bot that could not is
 * refused with every reason, naming the file, the bot and the field; when no worker answers, the
 * start goes ahead and says the check was not made (the bot then shows BLOCKED itself if needed).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { PreflightProblem, PreflightResult } from '../activities/preflight';
import type { BotDefinition } from '../core/bot-definition';
import { PREFLIGHT_WORKFLOW_TYPE } from '../workflows/preflight';

export type PreflightOutcome =
  | { readonly checked: true; readonly problems: readonly PreflightProblem[] }
  | { readonly checked: false; readonly why: string };

/** How long one check may take before the start goes ahead unchecked. */
export const PREFLIGHT_TIMEOUT_MS = 30_000;

/** True when some worker polled the task queue lately (else a check would only time out). */
export async function workerPolls(client: Client, taskQueue: string): Promise<boolean> {
  const answer = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (answer.pollers ?? []).length > 0;
}

export async function preflightBots(
  client: Client,
  taskQueue: string,
  definitions: readonly BotDefinition[],
  timeoutMs = PREFLIGHT_TIMEOUT_MS,
): Promise<Map<string, PreflightOutcome>> {
  const outcomes = new Map<string, PreflightOutcome>();
  if (!(await workerPolls(client, taskQueue))) {
    for (const d of definitions)
      outcomes.set(d.name, { checked: false, why: `no worker polls task queue "${taskQueue}"` });
    return outcomes;
  }
  await Promise.all(
    definitions.map(async (definition) => {
      try {
        const result = (await client.workflow.execute(PREFLIGHT_WORKFLOW_TYPE, {
          workflowId: `preflight-${definition.name}-${randomUUID()}`,
          taskQueue,
          args: [
            {
              definition: {
                name: definition.name,
                strategy: definition.strategy,
                symbol: definition.symbol,
                account: definition.account,
                // A futures bot is checked against the perpetual (its filters, the account's position mode).
                market: definition.market,
                params: definition.params,
              },
            },
          ],
          workflowExecutionTimeout: timeoutMs,
        })) as PreflightResult;
        outcomes.set(definition.name, { checked: true, problems: result.problems });
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        outcomes.set(definition.name, {
          checked: false,
          why: `the check did not finish (${cause ?? (err as Error).message})`,
        });
      }
    }),
  );
  return outcomes;
}

/** "file: bot "x" (#2): symbol: BTCUSDX is not ..." lines for the problems found. */
export function preflightProblems(
  file: string,
  definitions: readonly BotDefinition[],
  outcomes: ReadonlyMap<string, PreflightOutcome>,
): string[] {
  const lines: string[] = [];
  definitions.forEach((d, i) => {
    const outcome = outcomes.get(d.name);
    if (outcome?.checked)
      for (const p of outcome.problems) lines.push(`${file}: bot "${d.name}" (#${i + 1}): ${p.field}: ${p.message}`);
  });
  return lines;
}
