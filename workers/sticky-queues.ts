/**
 * A worker that starts (after a crash, a kill -9, a deploy) tells the server to forget which worker
 * each running bot was "sticky" to. Without this, a bot's next workflow task goes to the dead
 * worker's sticky queue and waits out the sticky schedule-to-start timeout there before it reaches
 * this worker. With it, that timeout can be long enough for a large candle-close burst (a task
 * that waits longer than it is moved to the shared queue and replayed from its whole history).
 *
 * The cost: one small server call per running bot at worker start, and a bot that was cached on
 * another, live worker replays its history once on its next task.
 */
import type { Client } from '@temporalio/client';
import type { RunningBot } from './directory';

/** Concurrent reset calls: bounded so a thousand bots do not flood the server at once. */
const CONCURRENCY = 16;

export async function releaseStickyQueues(
  client: Client,
  namespace: string,
  bots: readonly RunningBot[],
  log: (m: string) => void,
): Promise<void> {
  let next = 0;
  let failed = 0;
  const run = async () => {
    while (next < bots.length) {
      const bot = bots[next++]!;
      try {
        await client.workflowService.resetStickyTaskQueue({ namespace, execution: { workflowId: bot.workflowId } });
      } catch {
        failed++; // the bot just ended, or the server is busy: its task goes the slow way once
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, bots.length) }, run));
  if (failed > 0) log(`sticky queues: ${failed} of ${bots.length} bots not released`);
}
