/**
 * Client-side bot operations, used by the CLI and the tests: start (refusing a second copy),
 * stop (graceful cancel), pause, resume, setParams, status and list. Every refusal says which bot
 * and why (client/errors.ts).
 */
import {
  type Client,
  type Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { type BotDefinition, parseBotDefinition } from '../core/bot-definition';
import { staticDetailsOf, staticSummaryOf } from '../core/digest';
import { formatIssues } from '../core/schema';
import type { botWorkflow } from '../workflows/bot';
import {
  BOT_WORKFLOW_TYPE,
  type BotStateView,
  type RuntimeOptions,
  botWorkflowId,
  pauseSignal,
  resumeSignal,
  runtimeOptionsSchema,
  setParamsUpdate,
  stateQuery,
} from '../workflows/messages';
import { BotNameKey, BotStatusKey, StrategyKey, SymbolKey } from '../workflows/search-attributes';
import { BotCommandError, explainTemporalError } from './errors';
import { checkFuturesSlotsFree } from './futures-slots';
import { claimFuturesSlot } from './position-slot';

export { BotCommandError } from './errors';

/** Temporal warns above 256 KB per payload; a bot's input is a few KB. */
export const MAX_START_INPUT_BYTES = 256 * 1024;

/** How long `status` waits for one bot's answer before showing it as unanswered. */
export const QUERY_DEADLINE_MS = 5_000;

export interface StartResult {
  readonly name: string;
  readonly workflowId: string;
  readonly started: boolean;
  readonly message: string;
}

function where(client: Client): { address?: string; namespace?: string } {
  const connection = client.connection as Partial<Connection>;
  return {
    ...(connection.options?.address ? { address: connection.options.address } : {}),
    namespace: client.options.namespace,
  };
}

export async function startBot(
  client: Client,
  definition: BotDefinition,
  taskQueue: string,
  options?: RuntimeOptions,
): Promise<StartResult> {
  // Validated here and again by the workflow: a bad definition never reaches the server.
  const def = parseBotDefinition(definition);
  if (options !== undefined) {
    const checked = runtimeOptionsSchema.safeParse(options);
    if (!checked.success)
      throw new BotCommandError(`bot "${def.name}": ${formatIssues(checked.error, 'options').join('; ')}`);
  }
  const workflowId = botWorkflowId(def.name);
  // One futures bot per account + symbol (one-way mode shares the position): the slot workflow's
  // id makes racing starts safe (client/position-slot.ts); spot bots skip both look-ups.
  const claim = def.market === 'futures' ? await claimSlot(client, taskQueue, def, workflowId) : null;
  try {
    // When it answers "already running", the slot (new or not) is that running bot's own.
    return await startClaimed(client, def, taskQueue, workflowId, options);
  } catch (err) {
    if (claim?.created) await claim.release(`bot "${def.name}" did not start`).catch(() => {});
    throw err;
  }
}

async function claimSlot(client: Client, taskQueue: string, def: BotDefinition, workflowId: string) {
  try {
    return await claimFuturesSlot(client, taskQueue, def, workflowId);
  } catch (err) {
    if (err instanceof BotCommandError) throw err;
    throw new BotCommandError(
      explainTemporalError(err, { what: `claim the futures position slot of bot "${def.name}"`, ...where(client) }),
      { cause: err },
    );
  }
}

async function startClaimed(
  client: Client,
  def: BotDefinition,
  taskQueue: string,
  workflowId: string,
  options: RuntimeOptions | undefined,
): Promise<StartResult> {
  // Bots started before slots existed hold none: the listing finds them.
  const clashes = await checkFuturesSlotsFree(client, taskQueue, [def]);
  if (clashes.length > 0) throw new BotCommandError(clashes.join('\n'));
  const args = [{ definition: def, ...(options ? { options } : {}) }] as const;
  const payloadBytes = Buffer.byteLength(JSON.stringify(args));
  if (payloadBytes > MAX_START_INPUT_BYTES) {
    throw new BotCommandError(
      `bot "${def.name}": the start input is ${payloadBytes} bytes; at most ${MAX_START_INPUT_BYTES} are sent (Temporal refuses payloads above 2 MB)`,
    );
  }
  try {
    await client.workflow.start<typeof botWorkflow>(BOT_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [...args],
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
      return {
        name: def.name,
        workflowId,
        started: false,
        message: `bot "${def.name}" is already running (workflow ${workflowId}); not starting a second copy`,
      };
    }
    throw new BotCommandError(
      explainTemporalError(err, { what: `start bot "${def.name}"`, payloadBytes, ...where(client) }),
      { cause: err },
    );
  }
}

/**
 * Names are unique ignoring case: refuse to start "Bot" while "bot" runs (two workflows nobody can
 * tell apart in a list). One listing for all the names of a start.
 */
export async function checkNamesFree(client: Client, names: readonly string[]): Promise<string[]> {
  const running = await listBots(client);
  const problems: string[] = [];
  for (const name of names) {
    const clash = running.find((b) => b.name !== name && b.name.toLowerCase() === name.toLowerCase());
    if (clash)
      problems.push(
        `bot "${name}": a bot named "${clash.name}" is already running (workflow ${clash.workflowId}); bot names are compared ignoring case`,
      );
  }
  return problems;
}

function handle(client: Client, name: string) {
  return client.workflow.getHandle<typeof botWorkflow>(botWorkflowId(name));
}

async function running(client: Client, name: string) {
  const h = handle(client, name);
  try {
    const d = await h.describe();
    if (d.status.name !== 'RUNNING')
      throw new BotCommandError(`bot "${name}" is not running (${d.status.name.toLowerCase()})`);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new BotCommandError(`no bot named "${name}"`);
    if (err instanceof BotCommandError) throw err;
    throw new BotCommandError(explainTemporalError(err, { what: `bot "${name}"`, ...where(client) }), { cause: err });
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

/** Refused params come back with the validator's own message (which param, what is wrong). */
export async function setBotParams(client: Client, name: string, params: Record<string, unknown>): Promise<unknown> {
  const h = await running(client, name);
  try {
    return await h.executeUpdate(setParamsUpdate, { args: [params] });
  } catch (err) {
    throw new BotCommandError(
      explainTemporalError(err, {
        what: `params of bot "${name}"`,
        payloadBytes: Buffer.byteLength(JSON.stringify(params) ?? ''),
        ...where(client),
      }),
      { cause: err },
    );
  }
}

export async function botState(client: Client, name: string): Promise<BotStateView> {
  const h = await running(client, name);
  try {
    return await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => h.query(stateQuery));
  } catch (err) {
    throw new BotCommandError(explainTemporalError(err, { what: `state of bot "${name}"`, ...where(client) }), {
      cause: err,
    });
  }
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
  try {
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
  } catch (err) {
    throw new BotCommandError(explainTemporalError(err, { what: 'list bots', ...where(client) }), { cause: err });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
