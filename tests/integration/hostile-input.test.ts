/**
 * Hostile and careless messages on the real dev server: every malformed signal is dropped and
 * recorded, every malformed update refused with the validator's reason, every malformed start
 * refused as a failed run naming the problem — and no workflow task ever fails (Temporal would
 * retry it for ever: the bot deaf, its queries unanswered, `stop` hanging).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../core/market';
import { ensureTemporalCli } from '../../infra/temporal-cli';
import {
  BOT_WORKFLOW_TYPE,
  type BotStateView,
  botWorkflowId,
  candleSignal,
  setParamsUpdate,
  stateQuery,
} from '../../workflows/messages';
import { BotStatusKey } from '../../workflows/search-attributes';
import { eventually, harnessWithWorker } from '../support/harness';

const run = promisify(execFile);
const MINUTE = 60_000;

/** A sane closed 1m candle `ago` minutes back (aligned, in the past). */
function pastCandle(ago: number, price = '30000'): Candle {
  const openTime = Math.floor(Date.now() / MINUTE) * MINUTE - ago * MINUTE;
  return {
    symbol: 'BTCUSDT',
    interval: '1m',
    openTime,
    closeTime: openTime + MINUTE - 1,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: '1',
  };
}

describe('hostile and careless messages', () => {
  const h = harnessWithWorker();
  const cli = ensureTemporalCli();
  const temporal = async (...args: string[]) =>
    (await run(cli!, [...args, '--address', h.temporal.address], { encoding: 'utf8' })).stdout;

  async function workflowTaskFailures(workflowId: string): Promise<number> {
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
  }

  /** A bot that trades nothing on its own (buys every 1,000 candles) and checks candles against the real clock. */
  async function quietBot(name: string): Promise<void> {
    await h.startBot(
      { name, strategy: 'dca-take-profit', symbol: 'BTCUSDT', params: { everyCandles: 1000, quantity: '0.001' } },
      { maxCandleLeadMs: 60_000 },
    );
    await h.waitForState(name, (s) => s.eventsProcessed >= 2, 'started and reconciled');
  }

  const candlesSeen = (s: BotStateView) => (s.strategyState as { candlesSeen: number }).candlesSeen;

  it('malformed signals are dropped and recorded; the bot keeps running and answering', async () => {
    await quietBot('hostile-signals');
    const handle = h.handle('hostile-signals');
    const good = pastCandle(3);
    const sends: Array<[string, unknown[], RegExp]> = [
      ['candle', [], /no input/],
      ['candle', [null], /must be an object|expected object/i],
      ['candle', [{ openTime: 'x' }], /openTime: must be a time in ms/],
      ['candle', [{ ...good, close: 'NaN' }], /close: must be a plain decimal/],
      ['candle', [{ ...good, close: 'abc' }], /close: must be a plain decimal/],
      ['candle', [{ ...good, high: '29000' }], /high: 29000 is below the open or the close/],
      [
        'candle',
        [{ ...good, openTime: good.openTime + 1, closeTime: good.closeTime + 1 }],
        /openTime: .* is not on a 1m boundary/,
      ],
      [
        'candle',
        [{ ...good, openTime: 9_000_000_000_000, closeTime: 9_000_000_000_000 + MINUTE - 1 }],
        /closeTime: .*2255.* is in the future/,
      ],
      ['candle', [{ ...good, symbol: 'ETHUSDT' }], /candle of ETHUSDT 1m: this bot trades BTCUSDT 1m/],
      ['candle', [good, good], /2 inputs/],
      ['orderUpdate', [null], /expected object|must be an object/i],
      [
        'orderUpdate',
        [
          {
            clientOrderId: 'someone-else-1',
            symbol: 'BTCUSDT',
            status: 'FILLED',
            executedQty: '1',
            cumulativeQuoteQty: '1',
            updateTime: 1,
          },
        ],
        /not one of this bot's orders/,
      ],
      ['orderUpdate', [{ clientOrderId: 'x', status: 'MOON' }], /status: must be an exchange order status/],
      ['trigger', ['boom'], /expected object|must be an object/i],
      ['book', [{ symbol: 'BTCUSDT', time: 1, bids: 'many', asks: [] }], /bids: /],
      ['no-such-signal', [{}], /no such signal/],
    ];
    for (const [name, args] of sends) await handle.signal(name, ...args);
    // A real candle after the one dated 2255 is still heard (it would have been a "duplicate").
    await handle.signal(candleSignal, good);
    await handle.signal(candleSignal, pastCandle(2));
    // Pause with a stray input is still a pause.
    await handle.signal('pause', 'please');
    const state = await h.waitForState(
      'hostile-signals',
      (s) => s.inputRejections.count >= sends.length && candlesSeen(s) === 2 && s.status === 'PAUSED',
      'all signals handled',
    );
    const reasons = state.inputRejections.recent.map((r) => `${r.message}: ${r.reason}`);
    for (const [name, , reason] of sends)
      expect(
        reasons.some((r) => r.startsWith(`signal ${name}`) && reason.test(r)),
        `${name} ${reason}\n${reasons.join('\n')}`,
      ).toBe(true);
    expect(state.lastPrice).toBe('30000');
    expect(await workflowTaskFailures(botWorkflowId('hostile-signals'))).toBe(0);
  });

  it("malformed updates are refused with the validator's reason; the bot is untouched", async () => {
    await quietBot('hostile-updates');
    const handle = h.handle('hostile-updates');
    const cases: Array<[unknown[], RegExp]> = [
      [[], /takes one JSON object of params \(got 0 inputs\)/],
      [[null], /params must be a JSON object .*not null/],
      [[[1, 2]], /not \[1,2\]/],
      [['x'], /params must be a JSON object/],
      [[{ quantity: 'abc' }], /params\.quantity: must be a plain decimal/],
      [[{ quantity: '1'.repeat(1_000_000) }], /params are 10000\d\d bytes; at most 16384/],
      [[{ surprise: 1 }], /unknown field\(s\) "surprise"/],
      [[{}], /at least one param/],
    ];
    for (const [args, reason] of cases) {
      const err = await handle
        .executeUpdate(setParamsUpdate, { args: args as [Record<string, unknown>] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(reason);
    }
    const state = await h.state('hostile-updates');
    expect(state.params).toMatchObject({ everyCandles: 1000, quantity: '0.001' });
    expect(state.status).toBe('RUNNING');
    const d = await handle.describe();
    expect(d.historyLength).toBeLessThan(100); // refused updates write nothing
    expect(await workflowTaskFailures(botWorkflowId('hostile-updates'))).toBe(0);
  });

  describe('malformed starts are refused as failed runs, each naming its problem', () => {
    const definition = {
      name: 'raw',
      strategy: 'dca-take-profit',
      symbol: 'BTCUSDT',
      interval: '1m',
      account: 'paper',
      params: { quantity: '0.001' },
    };
    const cases: Array<[string, unknown[], RegExp]> = [
      ['null input', [null], /the input must be a JSON object .*not null/],
      ['no input', [], /the input must be a JSON object .*not nothing/],
      [
        'strategy "toString"',
        [{ definition: { ...definition, strategy: 'toString' } }],
        /strategy: unknown strategy "toString"/,
      ],
      [
        'quantity "abc"',
        [{ definition: { ...definition, params: { quantity: 'abc' } } }],
        /params\.quantity: must be a plain decimal/,
      ],
      ['carried state "x"', [{ definition, carried: { state: 'x' } }], /carried\.state: /],
      ['carried state of another bot', [{ definition, carried: { state: { schema: 1 } } }], /carried\.state\.setup: /],
      [
        'continue-as-new at 1 event',
        [{ definition, options: { continueAsNewAtHistoryLength: 1 } }],
        /options\.continueAsNewAtHistoryLength: must be at least 50/,
      ],
      [
        'reconcile every 0 ms',
        [{ definition, options: { reconcile: { openOrdersEveryMs: 0 } } }],
        /options\.reconcile\.openOrdersEveryMs: must be at least 1000 ms/,
      ],
      [
        'a garbage attempt timeout',
        [{ definition, options: { attemptTimeout: 'soon' } }],
        /options\.attemptTimeout: must be a duration/,
      ],
      ['an unknown option', [{ definition, options: { turbo: true } }], /options: unknown field\(s\) "turbo"/],
      [
        'a futures bot of a spot-only strategy',
        [{ definition: { ...definition, strategy: 'rsi-dip', params: {}, market: 'futures' } }],
        /market: strategy rsi-dip does not run on futures yet/,
      ],
    ];
    it.each(cases)('%s', async (what, args, reason) => {
      const workflowId = `bot-raw-${what.replace(/[^a-z0-9]+/gi, '-')}`;
      const handle = await h.client.workflow.start(BOT_WORKFLOW_TYPE, { workflowId, taskQueue: h.taskQueue, args });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause as Error & { type?: string };
      expect(cause.type).toBe('InvalidBotInput');
      expect(cause.message).toMatch(reason);
      expect(await workflowTaskFailures(workflowId)).toBe(0);
      const d = await handle.describe();
      expect(d.status.name).toBe('FAILED');
      expect(d.typedSearchAttributes.get(BotStatusKey)).toBe('REFUSED');
    });
  });

  it('with the raw temporal CLI: a null start fails with the reason; a signal without input leaves the bot queryable and stoppable', async () => {
    expect(cli).toBeTruthy();
    await temporal(
      'workflow',
      'start',
      '--type',
      'botWorkflow',
      '--task-queue',
      h.taskQueue,
      '--workflow-id',
      'bot-cli-null',
      '--input',
      'null',
    );
    const described = await eventually(async () => {
      const d = JSON.parse(await temporal('workflow', 'describe', '--workflow-id', 'bot-cli-null', '--output', 'json'));
      expect(d.workflowExecutionInfo.status).toMatch(/FAILED/);
      return d;
    });
    expect(JSON.stringify(described)).toMatch(/refused: invalid start input/);
    const shown = await temporal('workflow', 'show', '--workflow-id', 'bot-cli-null');
    expect(shown).toMatch(/the input must be a JSON object/);

    await quietBot('cli-deaf');
    await temporal('workflow', 'signal', '--workflow-id', 'bot-cli-deaf', '--name', 'candle');
    await temporal('workflow', 'signal', '--workflow-id', 'bot-cli-deaf', '--name', 'candle', '--input', 'null');
    await temporal(
      'workflow',
      'signal',
      '--workflow-id',
      'bot-cli-deaf',
      '--name',
      'candle',
      '--input',
      JSON.stringify({ ...pastCandle(1), openTime: 9_000_000_000_000 }),
    );
    const state = await eventually(async () => {
      const s = JSON.parse(
        await temporal('workflow', 'query', '--workflow-id', 'bot-cli-deaf', '--type', 'state', '--output', 'json'),
      ).queryResult[0] as BotStateView;
      expect(s.inputRejections.count).toBe(3);
      return s;
    });
    expect(state.status).toBe('RUNNING');
    await expect(
      temporal(
        'workflow',
        'update',
        'execute',
        '--workflow-id',
        'bot-cli-deaf',
        '--name',
        'setParams',
        '--input',
        'null',
      ),
    ).rejects.toThrow(/params must be a JSON object/);
    await temporal('workflow', 'cancel', '--workflow-id', 'bot-cli-deaf');
    const result = await h.handle('cli-deaf').result();
    expect((result as BotStateView).status).toBe('STOPPED');
    expect(await workflowTaskFailures('bot-cli-deaf')).toBe(0);
    // The query keeps answering after the stop (Temporal answers queries of closed runs).
    expect((await h.handle('cli-deaf').query(stateQuery)).inputRejections.count).toBe(3);
  });
});
