/**
 * Client-side operations the control API adds to client/bots.ts: the `ledger` query, the `config`
 * query, the `runNow` update (seed 002's market check) and an account's balance, read by the
 * worker through a short workflow (the worker holds the exchange credentials, the API does not).
 */
import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { BalanceReport } from '../activities/account';
import type { BotDefinition } from '../core/bot-definition';
import { ACCOUNT_BALANCE_WORKFLOW_TYPE, type accountBalanceWorkflow } from '../workflows/account';
import { type BotLedger, type RunNowResult, ledgerQuery, runNowUpdate } from '../workflows/control';
import { botWorkflowId, configQuery } from '../workflows/messages';
import { BotCommandError } from './bots';

function handle(client: Client, name: string) {
  return client.workflow.getHandle(botWorkflowId(name));
}

async function running(client: Client, name: string) {
  const h = handle(client, name);
  try {
    const d = await h.describe();
    if (d.status.name !== 'RUNNING')
      throw new BotCommandError(`bot "${name}" is not running (${d.status.name.toLowerCase()})`);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new BotCommandError(`no bot named "${name}"`);
    throw err;
  }
  return h;
}

export async function botLedger(client: Client, name: string): Promise<BotLedger> {
  return (await running(client, name)).query(ledgerQuery);
}

export async function botConfig(client: Client, name: string): Promise<BotDefinition> {
  return (await running(client, name)).query(configQuery);
}

/** Run the strategy's scheduled work now; resolves once the bot has applied it (refusals throw). */
export async function runBotNow(client: Client, name: string): Promise<RunNowResult> {
  return (await running(client, name)).executeUpdate(runNowUpdate);
}

/** An account's balances valued in USDT, read by a worker of `taskQueue`. */
export async function accountBalance(
  client: Client,
  taskQueue: string,
  account: string,
  timeoutMs = 30_000,
): Promise<BalanceReport> {
  return client.workflow.execute<typeof accountBalanceWorkflow>(ACCOUNT_BALANCE_WORKFLOW_TYPE, {
    workflowId: `balance-${account}-${randomUUID()}`,
    taskQueue,
    args: [{ account }],
    // No worker, no answer: give up rather than leave the read waiting for one.
    workflowExecutionTimeout: timeoutMs,
    staticSummary: `balance of account ${account} (control API)`,
  });
}
