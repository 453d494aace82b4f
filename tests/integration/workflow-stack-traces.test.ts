/**
 * WORKFLOW_STACK_TRACES (workers/workflow-threads.ts): by default the worker's workflow thread runs
 * without the SDK's per-promise stack-trace hook, so the Web UI's "Stack Trace" button gets a clear
 * refusal and the bot carries on; `on` brings the SDK's stack traces back; anything else stops the
 * worker before it connects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness';
import { dcaBot } from '../support/trading-bot';
import { stackTraceSetting } from '../../workers/workflow-threads';

async function stackTrace(h: Harness, bot: string): Promise<string> {
  return (await h.handle(bot).query<string>('__stack_trace')) ?? '';
}

describe('workflow stack traces', () => {
  const h = new Harness();
  const saved = process.env.WORKFLOW_STACK_TRACES;
  beforeAll(async () => {
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', '30000');
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.WORKFLOW_STACK_TRACES;
    else process.env.WORKFLOW_STACK_TRACES = saved;
    await h.stop();
  });

  it('are off by default: the Stack Trace query is refused in words, and the bot goes on answering', async () => {
    delete process.env.WORKFLOW_STACK_TRACES;
    const worker = await h.startWorker();
    try {
      await h.startBot(dcaBot('trace-off', { everyCandles: 2 }));
      await h.waitForState('trace-off', (s) => s.eventsProcessed >= 1, 'start');
      await expect(stackTrace(h, 'trace-off')).rejects.toThrow(/stack traces are not enabled/);
      await h.waitForState('trace-off', (s) => s.status === 'RUNNING', 'still running after the query');
    } finally {
      await h.stopWorker(worker);
    }
  });

  it('come back with WORKFLOW_STACK_TRACES=on', async () => {
    process.env.WORKFLOW_STACK_TRACES = 'on';
    const worker = await h.startWorker();
    try {
      await h.startBot(dcaBot('trace-on', { everyCandles: 2 }));
      await h.waitForState('trace-on', (s) => s.eventsProcessed >= 1, 'start');
      expect(await stackTrace(h, 'trace-on')).toMatch(/at /);
    } finally {
      await h.stopWorker(worker);
    }
  });

  it('refuse a value other than on or off, naming the variable', async () => {
    expect(stackTraceSetting(undefined)).toBe('off');
    expect(stackTraceSetting('on')).toBe('on');
    process.env.WORKFLOW_STACK_TRACES = 'yes';
    await expect(h.startWorker()).rejects.toThrow(/WORKFLOW_STACK_TRACES: "yes" is not one of on, off/);
  });
});
