/**
 * A deliberately altered bot workflow for the replay test: it waits on a timer before doing
 * anything, so its commands no longer match recorded histories. Replay must call it
 * nondeterministic — proof that the replay test would catch a careless change.
 */
import * as wf from '@temporalio/workflow';
import { botWorkflow as current } from '../../../workflows/bot';
import type { BotWorkflowInput } from '../../../workflows/messages';

export async function botWorkflow(input: BotWorkflowInput): ReturnType<typeof current> {
  await wf.sleep('1 second');
  return current(input);
}
