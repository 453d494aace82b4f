/**
 * The position slot of one futures account + symbol (core/futures/position-slot.ts): started by
 * the client before the bot (id conflict policy FAIL: of two racing starts one gets it), held
 * while the owner runs, completed once the owner is gone. Its memo names the owner, so a client
 * refused by the id can say who holds it without asking a worker. A few events per six hours.
 */
import * as wf from '@temporalio/workflow';
import type { PositionSlotActivities } from '../activities/position-slot';

export const FUTURES_SLOT_WORKFLOW_TYPE = 'futuresSlotWorkflow';

export interface FuturesSlotInput {
  /** The bot workflow id holding the slot. */
  readonly owner: string;
  readonly botName: string;
  readonly account: string;
  readonly symbol: string;
  /** Set by the workflow on continue-as-new: when the slot was first claimed. */
  readonly slotStartedAt?: number;
}

/** The memo a slot carries (read by the client on a conflict). */
export interface FuturesSlotMemo {
  readonly owner: string;
  readonly botName: string;
}

const { awaitSlotOwnerGone } = wf.proxyActivities<PositionSlotActivities>({
  startToCloseTimeout: '7h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

export async function futuresSlotWorkflow(input: FuturesSlotInput): Promise<string> {
  const slotStartedAt = input.slotStartedAt ?? wf.workflowInfo().startTime.getTime();
  for (;;) {
    const r = await awaitSlotOwnerGone({ owner: input.owner, slotStartedAt });
    if (r === 'gone') return `released: ${input.owner} no longer runs`;
    if (wf.workflowInfo().historyLength > 500)
      await wf.continueAsNew<typeof futuresSlotWorkflow>({ ...input, slotStartedAt });
  }
}
