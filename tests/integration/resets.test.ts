/**
 * The Web UI's Reset button and `temporal workflow reset`, every type, in a first run and after
 * continue-as-new, done with the real CLI against the dev server: no client id ever executes twice,
 * the orders the discarded branch placed are found on the exchange and adopted (position, open
 * orders, fills agree with the exchange), and events the reset delivers again are not taken as
 * fresh decisions.
 */
import { execFile } from 'node:child_process';
import Binance from 'binance-api-node';
import { promisify } from 'node:util';
import { temporal as proto } from '@temporalio/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/decimal';
import { ensureTemporalCli } from '../../infra/temporal-cli';
import type { BotStateView, RuntimeOptions } from '../../workflows/messages';
import { eventually, harnessWithWorker } from '../support/harness';
import { dcaBot, protectedLot, startRouted, stopAndAudit } from '../support/trading-bot';

/** A workflow task completion, whether the history came decoded (enum number) or as JSON (its name). */
const taskCompleted = (e: proto.api.history.v1.IHistoryEvent): boolean =>
  e.eventType === proto.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ||
  String(e.eventType) === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED';

const run = promisify(execFile);
const h = harnessWithWorker('30000');
const cli = ensureTemporalCli();
afterEach(() => h.exchange.faults.clear());

let n = 0;
let price = 30000;

async function temporal(...args: string[]): Promise<string> {
  return (await run(cli!, [...args, '--address', h.temporal.address], { encoding: 'utf8' })).stdout;
}

/** A bot that buys 0.01 BTC at every candle (at most `maxLots` lots) with a take-profit 1 % above. */
const bot = (options: RuntimeOptions = {}, maxLots = 3) => startRouted(h, dcaBot(`reset-${++n}`, { maxLots }), options);

function candle(): void {
  h.exchange.market.setPrice('BTCUSDT', String(price));
  h.exchange.market.closeCandle('BTCUSDT', '1m');
}

const lots = (s: BotStateView) => s.openOrders.filter((o) => o.tag.startsWith('tp-') || o.tag === '__adopted').length;

/** `count` lots protected, every open order resting on the book. */
const lotsResting = (count: number) => (s: BotStateView) =>
  lots(s) === count && s.openOrders.every((o) => o.status === 'NEW');

/** A candle, then the bot waited for until it holds `count` lots, each protected by a resting take-profit. */
async function lotBought(name: string, count: number, what: string): Promise<BotStateView> {
  candle();
  return h.waitForState(name, lotsResting(count), what);
}

/** The first lot, a new run (the bot continues as new at 50 events), the second lot. */
async function twoLotsAcrossRuns(name: string): Promise<void> {
  candle();
  await h.waitForState(name, (s) => lotsResting(1)(s) && s.generation >= 2, 'a lot, then a new run');
  await lotBought(name, 2, 'second lot');
}

/** The last WorkflowTaskCompleted before the first event matching `before` (a reset point). */
async function resetPointBefore(
  workflowId: string,
  before: (e: {
    eventType?: unknown;
    workflowExecutionSignaledEventAttributes?: { signalName?: string | null } | null;
  }) => boolean,
): Promise<number> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  let point = 0;
  for (const e of history.events ?? []) {
    if (before(e)) break;
    if (taskCompleted(e)) point = Number(e.eventId);
  }
  expect(point).toBeGreaterThan(0);
  return point;
}

const isCandleSignal = (e: {
  eventType?: unknown;
  workflowExecutionSignaledEventAttributes?: { signalName?: string | null } | null;
}) => e.workflowExecutionSignaledEventAttributes?.signalName === 'candle';

async function runIdOf(workflowId: string): Promise<string> {
  return (await h.client.workflow.getHandle(workflowId).describe()).runId;
}

/** Reset with the CLI and wait for the new run to be the current one. */
async function reset(workflowId: string, ...args: string[]): Promise<void> {
  const before = await runIdOf(workflowId);
  // A run that continued as new a moment ago may not have completed its first task yet.
  await eventually(
    () => temporal('workflow', 'reset', '--workflow-id', workflowId, '--reason', 'test', ...args),
    20_000,
    500,
  );
  await eventually(async () => expect(await runIdOf(workflowId)).not.toBe(before));
}

/**
 * Nothing executed twice, every balance change accounted for; bot and exchange agree; and the
 * position is protected once, not twice (a take-profit per lot: open sells add up to the position).
 */
async function consistent(name: string): Promise<BotStateView> {
  const s = await h.agreement(name, 90_000);
  expect(h.exchange.audit.duplicates()).toEqual([]);
  expect(h.auditProblems()).toEqual([]);
  const selling = s.openOrders
    .filter((o) => o.request.side === 'SELL')
    .reduce((sum, o) => sum.plus(o.request.quantity ?? '0').minus(o.executedQty), new Decimal(0));
  expect(selling.toFixed()).toBe(new Decimal(s.position.qty).toFixed());
  return s;
}

const stop = (name: string) => stopAndAudit(h, name);

describe('Temporal resets of a bot', () => {
  it('in a first run, to a point before its buy: the replayed candle is not acted on again; the buy and take-profit are adopted', async () => {
    expect(cli).toBeTruthy();
    const { name, workflowId } = await bot();
    candle();
    const bought = await h.waitForState(name, protectedLot, 'bought, take-profit resting');
    const point = await resetPointBefore(workflowId, isCandleSignal);
    await reset(workflowId, '--event-id', String(point));
    const s = await h.waitForState(name, (x) => (x.stats.adopted ?? 0) >= 2, 'the discarded branch adopted');
    // One buy only (the discarded branch's), and its take-profit: both the bot's now.
    expect(h.exchange.venue.allOrders('paper', 'BTCUSDT').filter((o) => o.side === 'BUY')).toHaveLength(1);
    expect(s.position.qty).toBe(bought.position.qty);
    expect(s.openOrders.map((o) => o.tag)).toEqual(['__adopted']);
    expect(s.notifications.map((x) => x.message).join('\n')).toMatch(/delivered again by a history reset/);
    await consistent(name);
    // The adopted take-profit fills like any of the bot's orders.
    price = Math.round(price * 1.02);
    h.exchange.market.setPrice('BTCUSDT', String(price));
    await h.waitForState(
      name,
      (x) => x.openOrders.length === 0 && x.position.qty === '0',
      'adopted take-profit filled',
    );
    await consistent(name);
    await stop(name);
  });

  it('to the task that reacted to a fill: the take-profit waits for the scan and is the adopted one, never sent twice; the lot protected once', async () => {
    // The account holds more than this bot's lot (another program bought too), so the exchange
    // would accept a second take-profit: only the bot can see it is a copy. Since exits wait for
    // the reset's scan (core/reset-exit-hold.ts), the new branch's take-profit is bound to the
    // discarded branch's, found resting, and nothing is sent again.
    const other = Binance({ apiKey: h.apiKey, apiSecret: h.apiSecret, httpBase: h.exchange.httpBase });
    h.exchange.market.setPrice('BTCUSDT', String(price));
    await other.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.05' } as never);
    const { name, workflowId } = await bot();
    candle();
    await h.waitForState(name, protectedLot, 'bought, take-profit resting');
    const events = (await h.client.workflow.getHandle(workflowId).fetchHistory()).events!;
    // The task that placed the take-profit: the last task completed before its placement was
    // scheduled (the fill reached the bot by the buy's answer or, as often under load, by the
    // stream first: either way that task reacted to it).
    const [, takeProfit] = events.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'placeOrder',
    );
    expect(takeProfit, 'the take-profit placement in the history').toBeTruthy();
    const reaction = events.filter((e) => Number(e.eventId) < Number(takeProfit!.eventId) && taskCompleted(e)).at(-1)!;
    await reset(workflowId, '--event-id', String(reaction.eventId));
    const s = await h.waitForState(
      name,
      (x) =>
        x.notifications.some((n) => /the same exit is already on the exchange/.test(n.message)) &&
        x.openOrders.length === 1,
      'the take-profit bound to the adopted one',
    );
    expect(s.openOrders.map((o) => `${o.tag}:${o.status}`)).toEqual(['tp-1:NEW']);
    expect(
      s.notifications.some((n) => /placed again after the reset/.test(n.message)),
      'no copy to cancel',
    ).toBe(false);
    expect(s.position.qty).toBe('0.00999');
    await consistent(name);
    await stop(name);
  });

  it('in a first run: FirstWorkflowTask, LastWorkflowTask and by event id without reapplying signals', async () => {
    const { name, workflowId } = await bot({}, 4);
    await lotBought(name, 1, 'first lot');
    // Back to the very start: a fresh state, the whole first branch discarded and adopted.
    await reset(workflowId, '--type', 'FirstWorkflowTask');
    let s = await h.waitForState(name, (x) => (x.stats.adopted ?? 0) >= 2, 'first branch adopted');
    expect(s.position.qty).toBe('0.00999');
    await consistent(name);
    s = await lotBought(name, 2, 'second lot');
    await reset(workflowId, '--type', 'LastWorkflowTask');
    await consistent(name);
    // To before the last candle, without its signal: the next candle is the first fresh one.
    const signals = (await h.client.workflow.getHandle(workflowId).fetchHistory()).events!.filter((e) =>
      isCandleSignal(e as never),
    ).length;
    let seen = 0;
    const point = await resetPointBefore(workflowId, (e) => isCandleSignal(e) && ++seen === signals);
    await reset(workflowId, '--event-id', String(point), '--reapply-exclude', 'Signal');
    s = await consistent(name);
    expect(lots(s)).toBe(2);
    s = await lotBought(name, 3, 'a fresh candle trades');
    expect(s.position.qty).toBe('0.02997');
    await consistent(name);
    await stop(name);
  });

  it('after continue-as-new: FirstWorkflowTask and LastContinuedAsNew never send a filled buy again', async () => {
    const { name, workflowId } = await bot({ continueAsNewAtHistoryLength: 50 }, 5);
    await twoLotsAcrossRuns(name);
    await reset(workflowId, '--type', 'FirstWorkflowTask');
    let s = await consistent(name);
    expect(s.position.qty).toBe('0.01998');
    await lotBought(name, 3, 'third lot');
    await reset(workflowId, '--type', 'LastContinuedAsNew');
    s = await consistent(name);
    expect(lots(s)).toBe(3);
    expect(s.position.qty).toBe('0.02997');
    s = await lotBought(name, 4, 'fourth lot');
    await consistent(name);
    await stop(name);
  });

  it("into an earlier run: BuildId (before continue-as-new), and the Web UI's Reset on a run that continued as new, excluding signals and updates", async () => {
    const { name, workflowId } = await bot({ continueAsNewAtHistoryLength: 50 }, 5);
    const firstRun = await runIdOf(workflowId);
    await twoLotsAcrossRuns(name);
    // BuildId: back to the first task this worker's build processed, which is in the first run.
    const first = await h.client.workflow.getHandle(workflowId, firstRun).fetchHistory();
    const completed = first.events!.find(
      (e) => e.workflowTaskCompletedEventAttributes,
    )!.workflowTaskCompletedEventAttributes!;
    const buildId =
      completed.workerVersion?.buildId || completed.deploymentVersion?.buildId || completed.binaryChecksum;
    expect(buildId).toBeTruthy();
    // The CLI offers BuildId for batch resets only (by a visibility query), as the Web UI's batch Reset does.
    const before = await runIdOf(workflowId);
    await temporal(
      'workflow',
      'reset',
      '--query',
      `WorkflowId = '${workflowId}'`,
      '--type',
      'BuildId',
      '--build-id',
      buildId!,
      '--reason',
      'test',
      '--yes',
    );
    await eventually(async () => expect(await runIdOf(workflowId)).not.toBe(before), 60_000, 500);
    let s = await consistent(name);
    expect(lots(s)).toBe(2);
    expect(s.position.qty).toBe('0.01998');
    // Both lots (buy and take-profit each) were placed after that point: all four adopted.
    expect(s.stats.adopted).toBe(4);
    s = await lotBought(name, 3, 'third lot');
    // Reset on a closed run of the chain (here: the run BuildId discarded) to one of its tasks,
    // nothing reapplied: the running run is terminated, its orders adopted by the new one.
    const closedRun = firstRun;
    const point = await (async () => {
      const history = await h.client.workflow.getHandle(workflowId, closedRun).fetchHistory();
      const tasks = history.events!.filter((e) => taskCompleted(e)).map((e) => Number(e.eventId));
      return tasks[Math.floor(tasks.length / 2)]!;
    })();
    await reset(workflowId, '--run-id', closedRun, '--event-id', String(point), '--reapply-exclude', 'All');
    s = await consistent(name);
    expect(lots(s)).toBe(3);
    expect(s.position.qty).toBe('0.02997');
    expect(s.stats.adopted).toBeGreaterThanOrEqual(4);
    await reset(workflowId, '--type', 'LastWorkflowTask', '--reapply-exclude', 'Update');
    s = await consistent(name);
    s = await lotBought(name, 4, 'fourth lot');
    expect(s.position.qty).toBe('0.03996');
    await consistent(name);
    await stop(name);
  });
});
