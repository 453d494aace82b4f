/**
 * Refuse a futures bot whose account + symbol is already traded by another running futures bot
 * (one-way mode shares one position per symbol: core/futures/one-way-slot.ts). The running bots'
 * account and market are read from the input of their current run (its first history event), so
 * a bot continued as new is seen with the definition it really runs.
 */
import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { type SlotHolder, futuresSlotOf, futuresSlotProblems } from '../core/futures/one-way-slot';
import { BOT_WORKFLOW_TYPE } from '../workflows/messages';
import { BotNameKey } from '../workflows/search-attributes';
import { BotCommandError, explainTemporalError } from './errors';

type RunningHolder = SlotHolder & { readonly where: string };

/** The definition a running bot was started (or continued) with, or null when it cannot be read. */
async function runningDefinition(client: Client, workflowId: string, runId: string): Promise<SlotHolder | null> {
  const page = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const started = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) return null;
  const [input] = await decodeArrayFromPayloads(client.options.loadedDataConverter, started.input?.payloads);
  const def = (input as { definition?: Partial<SlotHolder> } | undefined)?.definition;
  if (typeof def?.name !== 'string' || typeof def.account !== 'string' || typeof def.symbol !== 'string') return null;
  return { name: def.name, account: def.account, symbol: def.symbol, market: def.market };
}

/** Running futures bots on the symbols of `candidates` (only those can clash). */
async function runningFuturesBots(
  client: Client,
  taskQueue: string,
  symbols: readonly string[],
): Promise<RunningHolder[]> {
  const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const query =
    `WorkflowType = '${BOT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = ${q(taskQueue)}` +
    ` AND Symbol IN (${symbols.map(q).join(', ')})`;
  const out: RunningHolder[] = [];
  for await (const wf of client.workflow.list({ query })) {
    const def = await runningDefinition(client, wf.workflowId, wf.runId);
    if (def === null || def.market !== 'futures') continue;
    // The listing lags a bot that has just stopped; its own record says whether it still runs.
    const now = await client.workflow.getHandle(wf.workflowId).describe();
    if (now.status.name !== 'RUNNING') continue;
    out.push({
      ...def,
      name: wf.typedSearchAttributes.get(BotNameKey) ?? def.name,
      where: `workflow ${wf.workflowId}`,
    });
  }
  return out;
}

/**
 * Problems (one line per refused bot) for starting `candidates` beside the bots running on
 * `taskQueue`. Account names are those of the workers of one task queue (another deployment's
 * "main" may be another Binance account), so bots of other task queues are not compared.
 */
export async function checkFuturesSlotsFree(
  client: Client,
  taskQueue: string,
  candidates: readonly SlotHolder[],
): Promise<string[]> {
  const futures = candidates.filter((c) => futuresSlotOf(c) !== null);
  if (futures.length === 0) return [];
  const symbols = [...new Set(futures.map((c) => c.symbol.toUpperCase()))];
  let running: RunningHolder[];
  try {
    running = await runningFuturesBots(client, taskQueue, symbols);
  } catch (err) {
    throw new BotCommandError(explainTemporalError(err, { what: 'list the running futures bots' }), { cause: err });
  }
  return futuresSlotProblems(futures, running);
}
