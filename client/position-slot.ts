/**
 * Claim the position slot of a futures bot before starting it (core/futures/position-slot.ts):
 * start the slot workflow with id conflict policy FAIL. Of two starts racing for one account +
 * symbol exactly one creates it; the other reads the holder from the slot's memo and is refused
 * with the same words as the listing check (core/futures/one-way-slot.ts). A slot whose owner is
 * gone (terminated before the slot noticed, or a client that died between claim and start) is
 * ended by its run id — never a newer claim — and claimed again.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { ownerRun } from '../infra/owner-run';
import { positionSlotWorkflowId, slotOwnerGone } from '../core/futures/position-slot';
import { type SlotHolder, futuresSlotClash } from '../core/futures/one-way-slot';
import { FUTURES_SLOT_WORKFLOW_TYPE, type FuturesSlotMemo, type futuresSlotWorkflow } from '../workflows/futures-slot';
import { BotCommandError } from './errors';

export interface SlotClaim {
  /** This start created the slot (so it ends it if the bot does not start). */
  readonly created: boolean;
  release(reason: string): Promise<void>;
}

const NOTHING_TO_RELEASE: SlotClaim = { created: false, release: async () => {} };

async function terminateRun(client: Client, workflowId: string, runId: string, reason: string): Promise<void> {
  try {
    await client.workflow.getHandle(workflowId, runId).terminate(reason);
  } catch (err) {
    // Already ended (the slot released itself, or another client ended it): nothing to do.
    if (err instanceof WorkflowNotFoundError) return;
    if (/already (completed|closed|terminated)|not running/i.test((err as Error).message)) return;
    throw err;
  }
}

export async function claimFuturesSlot(
  client: Client,
  taskQueue: string,
  bot: SlotHolder,
  owner: string,
): Promise<SlotClaim> {
  const slotId = positionSlotWorkflowId(taskQueue, bot.account, bot.symbol);
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const memo: FuturesSlotMemo = { owner, botName: bot.name };
      const handle = await client.workflow.start<typeof futuresSlotWorkflow>(FUTURES_SLOT_WORKFLOW_TYPE, {
        workflowId: slotId,
        taskQueue,
        args: [{ owner, botName: bot.name, account: bot.account, symbol: bot.symbol.toUpperCase() }],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        memo: { slot: memo },
        staticSummary: `futures position slot of ${bot.account} ${bot.symbol.toUpperCase()}: held by bot "${bot.name}"`,
      });
      const runId = handle.firstExecutionRunId;
      return {
        created: true,
        release: (reason) => terminateRun(client, slotId, runId, reason),
      };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    let slot: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['describe']>>;
    try {
      slot = await client.workflow.getHandle(slotId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) continue;
      throw err;
    }
    if (slot.status.name !== 'RUNNING') continue; // it just ended: claim again
    const held = (slot.memo?.slot ?? {}) as Partial<FuturesSlotMemo>;
    const holder = typeof held.owner === 'string' ? held.owner : '';
    const run = holder ? await ownerRun(client, holder) : null;
    if (run?.running) {
      // Its own slot: the bot runs (the start will say so) and keeps it.
      if (holder === owner) return NOTHING_TO_RELEASE;
      throw new BotCommandError(
        futuresSlotClash(
          bot,
          { name: held.botName ?? holder, account: bot.account, symbol: bot.symbol },
          `workflow ${holder}`,
        ),
      );
    }
    const gone = holder === '' || slotOwnerGone(run, slot.startTime.getTime(), Date.now());
    if (!gone && holder !== owner)
      throw new BotCommandError(
        futuresSlotClash(
          bot,
          { name: held.botName ?? holder, account: bot.account, symbol: bot.symbol },
          `workflow ${holder}, being started`,
        ),
      );
    // The holder is gone (or is this very bot, not running): end that run of the slot, claim anew.
    await terminateRun(client, slotId, slot.runId, `owner ${holder || '?'} no longer runs; claimed by ${owner}`);
  }
  throw new BotCommandError(
    `bot "${bot.name}": could not claim the futures position slot ${slotId} (it changed hands during the start); try again`,
  );
}
