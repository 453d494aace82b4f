/**
 * Client-side bot operations, used by the CLI and the tests: start (refusing a second copy),
 * stop (graceful cancel), pause, resume, setParams, status and list.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { BotDefinition } from '../core/bot-definition';
import { parseBotDefinition } from '../core/bot-definition';
import { staticDetailsOf, staticSummaryOf } from '../core/digest';
import type { botWorkflow } from '../workflows/bot';
import {
  BOT_WORKFLOW_TYPE,
  type BotStateView,
  type RuntimeOptions,
  botWorkflowId,
  pauseSignal,
  resumeSignal,
  setParamsUpdate,
  stateQuery,
} from '../workflows/messages';
import { BotNameKey, BotStatusKey, StrategyKey, SymbolKey } from '../workflows/search-attributes';

export class BotCommandError extends Error {
  override name = 'BotCommandError';
}

export interface StartResult {
  readonly name: string;
  readonly workflowId: string;
  readonly started: boolean;
  readonly message: string;
}

export async function startBot(client: Client, definition: BotDefinition, taskQueue: string, options?: RuntimeOptions): Promise<StartResult> {
  // Validated here and again by the workflow: a bad definition never reaches the server.
  const def = parseBotDefinition(definition);
  const workflowId = botWorkflowId(def.name);
  try {
    await client.workflow.start<typeof botWorkflow>(BOT_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [{ definition: def, ...(options ? { options } : {}) }],
      workflowIdConflictPolicy: 'FAIL',
      // Shown on the workflow's page in the Web UI (the bot keeps its current details up to date).
      staticSummary: staticSummaryOf(def),
      staticDetails: staticDetailsOf(def),
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: BotNameKey, value: def.name },
        { key: StrategyKey, value: def.strategy },
        { key: SymbolKey, value: def.symbol },
        { key: BotStatusKey, value: 'RUNNING' },
      ],
    });
    return { name: def.name, workflowId, started: true, message: `started bot "${def.name}" (workflow ${workflowId})` };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return { name: def.name, workflowId, started: false, message: `bot "${def.name}" is already running (workflow ${workflowId}); not starting a second copy` };
    }
    throw err;
  }
}

function handle(client: Client, name: string) {
  return client.workflow.getHandle<typeof botWorkflow>(botWorkflowId(name));
}

async function running(client: Client, name: string) {
  const h = handle(client, name);
  try {
    const d = await h.describe();
    if (d.status.name !== 'RUNNING') throw new BotCommandError(`bot "${name}" is not running (${d.status.name.toLowerCase()})`);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new BotCommandError(`no bot named "${name}"`);
    throw err;
  }
  return h;
}

/** Graceful stop: the workflow handles open orders as configured and completes with a summary. */
export async function stopBot(client: Client, name: string, wait = true): Promise<BotStateView | null> {
  const h = await running(client, name);
  await h.cancel();
  return wait ? await h.result() : null;
}

export async function pauseBot(client: Client, name: string): Promise<void> {
  await (await running(client, name)).signal(pauseSignal);
}

export async function resumeBot(client: Client, name: string): Promise<void> {
  await (await running(client, name)).signal(resumeSignal);
}

export async function setBotParams(client: Client, name: string, params: Record<string, unknown>): Promise<unknown> {
  const h = await running(client, name);
  return h.executeUpdate(setParamsUpdate, { args: [params] });
}

export async function botState(client: Client, name: string): Promise<BotStateView> {
  return (await running(client, name)).query(stateQuery);
}

export interface BotListing {
  readonly name: string;
  readonly workflowId: string;
  readonly status: string;
  readonly botStatus: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly startTime: Date;
}

/** Bots known to Temporal; `taskQueue` keeps those of one deployment (the control API's). */
export async function listBots(client: Client, includeClosed = false, taskQueue?: string): Promise<BotListing[]> {
  const onQueue = taskQueue ? ` AND TaskQueue = '${taskQueue.replace(/'/g, "''")}'` : '';
  const query = `WorkflowType = '${BOT_WORKFLOW_TYPE}'${includeClosed ? '' : " AND ExecutionStatus = 'Running'"}${onQueue}`;
  const out: BotListing[] = [];
  const seen = new Set<string>();
  for await (const wf of client.workflow.list({ query })) {
    if (seen.has(wf.workflowId)) continue; // newest run first; older runs of the same bot are history
    seen.add(wf.workflowId);
    const sa = wf.typedSearchAttributes;
    out.push({
      name: sa.get(BotNameKey) ?? wf.workflowId.replace(/^bot-/, ''),
      workflowId: wf.workflowId,
      status: wf.status.name,
      botStatus: sa.get(BotStatusKey) ?? '',
      strategy: sa.get(StrategyKey) ?? '',
      symbol: sa.get(SymbolKey) ?? '',
      startTime: wf.startTime,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
