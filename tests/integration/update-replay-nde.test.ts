/**
 * An SDK limitation kept on record: why order reports reach the bots by signal
 * (workers/stream-delivery.ts DEFAULT_DELIVERY), not by Workflow Update.
 *
 * In a 250-kill torture on @temporalio/* 1.24.0, bot-torture-4's workflow task timed out (its worker
 * killed -9) while order-report updates were in flight; the server kept them as UpdateAdmitted,
 * the next worker completed the task (UpdateAccepted ×5, one UpdateCompleted, two activities, then
 * the other UpdateCompleted), and every later worker replaying that history met "Activity machine
 * does not handle this event: WorkflowExecutionUpdateCompleted": the bot was wedged until a Reset.
 * The same history fails on the code before this session's refactors too. This test replays it
 * with the current code and expects that failure; when it fails (the SDK replays the history
 * cleanly), delivering order reports by update is safe again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_DELIVERY } from '../../workers/stream-delivery';

const FILE = path.resolve(__dirname, '../replay/sdk-nondeterminism/torture-4-update-admitted.json');

describe('updates admitted across a workflow task timeout (SDK nondeterminism on replay)', () => {
  it('the recorded history still fails to replay, so order reports go by signal', async () => {
    const history: unknown = JSON.parse(readFileSync(FILE, 'utf8'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, 'bot-torture-4'),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
    expect(DEFAULT_DELIVERY).toEqual({ candles: 'signal', orderReports: 'signal' });
  });
});
