/**
 * The README's raw `temporal` CLI commands drive a bot as our CLI does: start (a second copy is
 * refused), query state and config, pause/resume signals, the setParams update, cancel.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureTemporalCli } from '../../infra/temporal-cli';
import { harnessWithWorker, eventually } from '../support/harness';

const run = promisify(execFile);

describe('driving a bot with the temporal CLI', () => {
  const h = harnessWithWorker();
  const cli = ensureTemporalCli();
  const temporal = async (...args: string[]) =>
    (await run(cli!, [...args, '--address', h.temporal.address], { encoding: 'utf8' })).stdout;
  const definition = {
    name: 'cli-bot',
    strategy: 'dca-take-profit',
    symbol: 'BTCUSDT',
    interval: '1m',
    account: 'paper',
    params: { quantity: '0.001' },
  };
  const start = () =>
    temporal(
      'workflow',
      'start',
      '--type',
      'botWorkflow',
      '--task-queue',
      h.taskQueue,
      '--workflow-id',
      'bot-cli-bot',
      '--id-conflict-policy',
      'Fail',
      '--input',
      JSON.stringify({ definition }),
    );
  const state = async () =>
    JSON.parse(
      await temporal('workflow', 'query', '--workflow-id', 'bot-cli-bot', '--type', 'state', '--output', 'json'),
    ).queryResult[0];

  it('start, query, signal, update and cancel', async () => {
    expect(cli).toBeTruthy();
    const first = await start();
    // A second start never makes a second copy: the CLI answers with the run already going.
    const second = await start();
    const runId = (out: string) => /RunId\s+(\S+)/.exec(out)?.[1];
    expect(runId(second)).toBe(runId(first));
    await eventually(async () => expect((await state()).status).toBe('RUNNING'));
    const config = JSON.parse(
      await temporal('workflow', 'query', '--workflow-id', 'bot-cli-bot', '--type', 'config', '--output', 'json'),
    ).queryResult[0];
    expect(config).toMatchObject({
      name: 'cli-bot',
      onStop: 'cancel-orders',
      params: { quantity: '0.001', everyCandles: 3 },
    });

    await temporal('workflow', 'signal', '--workflow-id', 'bot-cli-bot', '--name', 'pause');
    await eventually(async () => expect((await state()).status).toBe('PAUSED'));
    await temporal('workflow', 'signal', '--workflow-id', 'bot-cli-bot', '--name', 'resume');
    await eventually(async () => expect((await state()).status).toBe('RUNNING'));

    await temporal(
      'workflow',
      'update',
      'execute',
      '--workflow-id',
      'bot-cli-bot',
      '--name',
      'setParams',
      '--input',
      '{"takeProfitPct":"0.5"}',
    );
    expect((await state()).params).toMatchObject({ takeProfitPct: '0.5' });
    await expect(
      temporal(
        'workflow',
        'update',
        'execute',
        '--workflow-id',
        'bot-cli-bot',
        '--name',
        'setParams',
        '--input',
        '{"takeProfitPct":"-1"}',
      ),
    ).rejects.toThrow(/params\.takeProfitPct/);

    await temporal('workflow', 'cancel', '--workflow-id', 'bot-cli-bot');
    await eventually(async () => {
      const described = JSON.parse(
        await temporal('workflow', 'describe', '--workflow-id', 'bot-cli-bot', '--output', 'json'),
      );
      expect(described.workflowExecutionInfo.status).toMatch(/COMPLETED/);
    });
    // Visibility records the close and the last search attributes a moment after it (longer on a cluster).
    await eventually(async () => {
      const listed = await temporal('workflow', 'list', '--query', `BotName='cli-bot' AND BotStatus='STOPPED'`);
      expect(listed).toContain('bot-cli-bot');
    });
  });
});
