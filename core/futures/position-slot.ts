/**
 * The race-proof half of "one futures bot per account + symbol" (./one-way-slot.ts): a small
 * workflow per slot (workflows/futures-slot.ts), its id derived from the deployment's task queue,
 * the account and the symbol. Temporal keeps a workflow id unique among running workflows, so of
 * two starts racing for a slot exactly one creates it; the other finds it held and is refused.
 *
 * The slot names its owner (a bot workflow id) and lives while the owner runs: through the bot's
 * continue-as-new and resets (the workflow id keeps a running run) and ends once no run of the
 * owner runs (stopped, cancelled, failed, terminated in the Web UI). Whether the owner is gone is
 * decided here, from what Temporal says of the owner's current run. Pure.
 */

/** The slot workflow's id. */
export function positionSlotWorkflowId(taskQueue: string, account: string, symbol: string): string {
  return `futures-slot/${taskQueue}/${account}/${symbol.toUpperCase()}`;
}

/** What Temporal says of the owner's current run (describe without a run id), or null: no such workflow. */
export interface OwnerRun {
  readonly running: boolean;
  readonly startTime: number;
  readonly closeTime: number | null;
}

/**
 * A client claims a slot just before it starts the bot: until the bot is started (or for as long
 * as a client that died in between would hold it), the owner may not exist yet, or be a previous
 * run of the same name that closed before the claim.
 */
export const SLOT_START_GRACE_MS = 30_000;

/** No run of the owner runs, and it is not a bot that is still being started. */
export function slotOwnerGone(
  owner: OwnerRun | null,
  slotStartedAt: number,
  now: number,
  graceMs: number = SLOT_START_GRACE_MS,
): boolean {
  if (owner?.running) return false;
  // It ran under this slot and ended (its close is after the claim): gone.
  if (owner && owner.closeTime !== null && owner.closeTime >= slotStartedAt) return true;
  // Not started yet, or only an earlier run that ended before the claim: its start may be under way.
  return now - slotStartedAt > graceMs;
}
