/**
 * The activity of the futures position slot (workflows/futures-slot.ts): wait, heartbeating, until
 * the slot's owner is gone (core/futures/position-slot.ts). It reads the owner with the worker's
 * Temporal client; a worker that dies mid-wait is replaced after the heartbeat timeout, and a slot
 * terminated by hand cancels the wait at the next heartbeat.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { slotOwnerGone } from '../core/futures/position-slot';
import { ownerRun } from '../infra/owner-run';

export interface AwaitSlotOwnerGoneInput {
  readonly owner: string;
  /** When the slot was claimed (its first run's start, server time). */
  readonly slotStartedAt: number;
  /** Give up after this long and report the owner still running (the workflow waits again). */
  readonly maxWaitMs?: number;
  readonly pollMs?: number;
}

export function positionSlotActivities(client: Client) {
  return {
    /** 'gone' once no run of the owner runs; 'running' after `maxWaitMs` of it running. */
    async awaitSlotOwnerGone(input: AwaitSlotOwnerGoneInput): Promise<'gone' | 'running'> {
      const ctx = Context.current();
      const pollMs = input.pollMs ?? 3_000;
      const until = Date.now() + (input.maxWaitMs ?? 6 * 60 * 60_000);
      for (;;) {
        const owner = await ownerRun(client, input.owner);
        if (slotOwnerGone(owner, input.slotStartedAt, Date.now())) return 'gone';
        if (Date.now() >= until) return 'running';
        ctx.heartbeat();
        await ctx.sleep(pollMs); // rejects once the slot workflow is gone (cancellation)
      }
    },
  };
}

export type PositionSlotActivities = ReturnType<typeof positionSlotActivities>;
