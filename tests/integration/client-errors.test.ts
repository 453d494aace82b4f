/**
 * The CLI against the real dev server, as a careless user meets it: refusals carry the
 * validator's words, `status` survives odd workflows, names are unique ignoring case, and a
 * server that is down or a payload that is too big is explained with the address and the size.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainTemporalError } from '../../client/errors';
import { runCli } from '../../client/cli';
import { BOT_WORKFLOW_TYPE } from '../../workflows/messages';
import { harnessWithWorker } from '../support/harness';

describe('the CLI on odd and careless input', () => {
  const h = harnessWithWorker();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  const lines: string[] = [];
  const cli = (...args: string[]) => runCli(args, (l) => lines.push(l));
  const definition = {
    strategy: 'dca-take-profit',
    symbol: 'BTCUSDT',
    interval: '1m',
    account: 'paper',
    params: { everyCandles: 1000, quantity: '0.001' },
  };

  beforeAll(() => {
    process.env.TEMPORAL_ADDRESS = h.temporal.address;
    process.env.TEMPORAL_TASK_QUEUE = h.taskQueue;
  });

  it('`bots params` shows the validator\'s message, not "Workflow Update failed"', async () => {
    await h.startBot({ name: 'cli-params', ...definition } as never);
    await h.waitForState('cli-params', (s) => s.eventsProcessed >= 2, 'started');
    await expect(cli('params', 'cli-params', '{"quantity":"abc"}')).rejects.toThrow(
      /^params of bot "cli-params" refused: .*params\.quantity: must be a plain decimal such as "12\.5" \(got "abc"\)/,
    );
    await expect(cli('params', 'cli-params', '{"takeProfitPct":"1,5"}')).rejects.toThrow(
      /params\.takeProfitPct: uses a comma/,
    );
    await cli('params', 'cli-params', '{"takeProfitPct":"2"}');
    expect(lines.at(-1)).toMatch(/params of "cli-params" now .*"takeProfitPct":"2"/);
  });

  it('`bots status` survives a workflow whose id does not match its name and one that never answers', async () => {
    // A raw start under an id our CLI would never choose, and one on a queue no worker polls.
    await h.client.workflow.start(BOT_WORKFLOW_TYPE, {
      workflowId: 'not-bot-id',
      taskQueue: h.taskQueue,
      args: [{ definition: { name: 'odd-one', ...definition } }],
    });
    await h.client.workflow.start(BOT_WORKFLOW_TYPE, {
      workflowId: 'bot-orphaned',
      taskQueue: `${h.taskQueue}-nobody`,
      args: [{ definition: { name: 'orphaned', ...definition } }],
    });
    await h.waitForState('cli-params', () => true, 'visible');
    lines.length = 0;
    await cli('status');
    const table = lines.join('\n');
    expect(table).toMatch(/cli-params\s+dca-take-profit\s+BTCUSDT\s+RUNNING/);
    expect(table).toMatch(/odd-one .*workflow id not-bot-id does not match the name/);
    expect(table).toMatch(/orphaned .*UNANSWERED .*no answer in time/);
  });

  it('names are unique ignoring case: "CLI-Params" is refused while "cli-params" runs', async () => {
    const file = path.join(dir, 'case.json');
    writeFileSync(file, JSON.stringify([{ name: 'CLI-Params', ...definition }]));
    await expect(cli('start', file)).rejects.toThrow(
      /bot "CLI-Params": a bot named "cli-params" is already running .*ignoring case/,
    );
  });

  it('`validate` refuses an empty list (it used to say "0 bot(s) valid")', async () => {
    const file = path.join(dir, 'empty.json');
    writeFileSync(file, '[]');
    await expect(cli('validate', file)).rejects.toThrow(/empty\.json: lists no bots/);
  });

  it('a server that is down is named by its address', async () => {
    const saved = process.env.TEMPORAL_ADDRESS;
    process.env.TEMPORAL_ADDRESS = '127.0.0.1:1';
    try {
      await expect(cli('list')).rejects.toThrow(
        /^connect: cannot reach Temporal at 127\.0\.0\.1:1 \(set by TEMPORAL_ADDRESS\)/,
      );
    } finally {
      process.env.TEMPORAL_ADDRESS = saved;
    }
  });

  it('a payload too large is explained with its size and the server', async () => {
    const args = [{ definition: { name: 'huge', ...definition, params: { quantity: '1'.repeat(3_000_000) } } }];
    const err = await h.client.workflow
      .start(BOT_WORKFLOW_TYPE, { workflowId: 'bot-huge', taskQueue: h.taskQueue, args })
      .catch((e: unknown) => e);
    const message = explainTemporalError(err, {
      what: 'start bot "huge"',
      address: h.temporal.address,
      payloadBytes: JSON.stringify(args).length,
    });
    expect(message).toMatch(
      new RegExp(
        `^start bot "huge": the payload \\(2\\.9 MB\\) is larger than the Temporal server at ${h.temporal.address.replace(/\./g, '\\.')} accepts \\(2 MB by default\\): .*Blob data size exceeds limit`,
      ),
    );
  });
});
