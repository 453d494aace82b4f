/** What Temporal says of a workflow's current run (the futures position slot's owner check; core/futures/position-slot.ts). */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { OwnerRun } from '../core/futures/position-slot';

/** Describe without a run id: the current run (after continue-as-new or a reset, the new one); null when none exists. */
export async function ownerRun(client: Client, workflowId: string): Promise<OwnerRun | null> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return {
      running: d.status.name === 'RUNNING',
      startTime: d.startTime.getTime(),
      closeTime: d.closeTime?.getTime() ?? null,
    };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
