/**
 * `temporal workflow reset` (the Web UI's Reset) of a futures bot on the paper exchange's BTCUSDT
 * perpetual, with the real CLI against the dev server. After each reset the bot finds its
 * lineage's orders on the USDⓈ-M account (open orders, allOrders with their fills, open algo
 * orders by clientAlgoId) and adopts them: its signed position is positionRisk's, exactly one
 * protective stop covers it (the discarded branch's, adopted, never a second one sent), and no
 * entry is placed twice.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { temporal as proto } from '@temporalio/proto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTemporalCli } from '../../infra/temporal-cli';
import type { BotStateView } from '../../workflows/messages';
import { futuresAgreement } from '../support/futures-agreement';
import { eventually, harnessWithWorker } from '../support/harness';

type HistoryEvent = proto.api.history.v1.IHistoryEvent;
const taskCompleted = (e: HistoryEvent): boolean =>
  e.eventType === proto.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ||
  String(e.eventType) === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED';

const run = promisify(execFile);
let price = 30000;
const h = harnessWithWorker(String(price));
const cli = ensureTemporalCli();
/** The bot under test: terminated after a failure, so the next test gets the account's one futures slot. */
let current: string | null = null;
afterEach(async () => {
  h.exchange.faults.clear();
  if (current)
    await h
      .handle(current)
      .terminate('test failed')
      .catch(() => {});
  current = null;
});
beforeAll(() => h.exchange.futures.deposit('paper', 'USDT', '90000'));

let n = 0;
const SYMBOL = 'BTCUSDT';
const perp = () => h.exchange.futures.perp;
const positionAmt = () => Number(perp().positions('paper', SYMBOL)[0]?.positionAmt ?? '0');

/** A futures bot buying 0.01 BTC at market on a candle (one lot at most), take-profit 1 % above. */
async function bot(): Promise<{ name: string; workflowId: string; tag: string }> {
  const name = `freset-${++n}`;
  const workflowId = await h.startBot(
    {
      name,
      strategy: 'dca-take-profit',
      symbol: SYMBOL,
      market: 'futures',
      futures: { leverage: 10, marginType: 'ISOLATED' },
      params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
    },
    {
      attemptTimeout: '8s',
      reconcile: { openOrdersEveryMs: 4_000, staleEveryMs: 2_000, staleAfterMs: 3_000, idleEveryMs: 30_000 },
    },
  );
  current = name;
  const s = await h.waitForState(name, (x) => x.eventsProcessed >= 2, 'started');
  await eventually(async () => {
    if (!h.workers[0]!.directory.cached().some((b) => b.tag === s.clientIdTag)) throw new Error('not routed yet');
    if (!h.exchange.listening.market('btcusdt@kline_1m')) throw new Error('candle stream not open yet');
  });
  return { name, workflowId, tag: s.clientIdTag };
}

function candle(): void {
  h.exchange.market.setPrice(SYMBOL, String(price));
  h.exchange.market.closeCandle(SYMBOL, '1m');
}

async function temporal(...args: string[]): Promise<string> {
  return (await run(cli!, [...args, '--address', h.temporal.address], { encoding: 'utf8' })).stdout;
}

async function runIdOf(workflowId: string): Promise<string> {
  return (await h.client.workflow.getHandle(workflowId).describe()).runId;
}

async function reset(workflowId: string, eventId: number): Promise<void> {
  const before = await runIdOf(workflowId);
  await eventually(
    () => temporal('workflow', 'reset', '--workflow-id', workflowId, '--reason', 'test', '--event-id', String(eventId)),
    20_000,
    500,
  );
  await eventually(async () => expect(await runIdOf(workflowId)).not.toBe(before));
}

async function history(workflowId: string): Promise<HistoryEvent[]> {
  return (await h.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** The last workflow task completed before the first event matching `before`. */
function pointBefore(events: readonly HistoryEvent[], before: (e: HistoryEvent) => boolean): number {
  let point = 0;
  for (const e of events) {
    if (before(e)) break;
    if (taskCompleted(e)) point = Number(e.eventId);
  }
  expect(point).toBeGreaterThan(0);
  return point;
}

/** A placement's order request, read from its scheduled activity's input. */
function placedRequest(e: HistoryEvent): { type?: string } | null {
  const a = e.activityTaskScheduledEventAttributes;
  if (a?.activityType?.name !== 'futuresPlaceOrder') return null;
  const data = a.input?.payloads?.[0]?.data;
  if (!data) return null;
  return (JSON.parse(Buffer.from(data).toString('utf8')) as { request: { type?: string } }).request;
}

const mine = (tag: string) => (id: string) => id.startsWith(`${tag}-`);
/** Entries the exchange ever took from this bot (neither reduce-only nor closePosition). */
const entries = (tag: string) =>
  perp()
    .allOrders('paper', SYMBOL)
    .filter((o) => mine(tag)(o.clientOrderId) && !o.reduceOnly && !o.closePosition);
const stopsSent = (tag: string) =>
  h.exchange.audit.requests({ endpoint: 'POST /fapi/v1/algoOrder' }).filter((r) => r.clientIds.some(mine(tag))).length;

/** Bought, take-profit and protective stop resting. */
async function protectedLot(name: string): Promise<BotStateView> {
  return h.waitForState(
    name,
    (x) =>
      x.openOrders.some((o) => o.tag === 'tp-1' && o.status === 'NEW') &&
      x.openOrders.some((o) => o.tag === '__protect' && o.status === 'NEW') &&
      x.activitiesInFlight === 0,
    'bought, take-profit and protective stop open',
  );
}

/** Agrees with the perpetual; exactly one protective stop (the bot's) covers the position. */
async function oneStopCovers(name: string, tag: string): Promise<BotStateView> {
  const s = await futuresAgreement(h, name, SYMBOL, 90_000);
  expect(Number(s.position.qty)).toBe(positionAmt());
  const algos = perp()
    .openAlgos('paper', SYMBOL)
    .filter((a) => mine(tag)(a.clientAlgoId));
  expect(algos.map((a) => [a.type, a.side, a.closePosition])).toEqual([['STOP_MARKET', 'SELL', true]]);
  const stop = s.openOrders.filter((o) => o.tag === '__protect');
  expect(stop.map((o) => o.clientOrderId)).toEqual([algos[0]!.clientAlgoId]);
  expect(h.exchange.audit.duplicates()).toEqual([]);
  expect(h.exchange.futures.audit.check(perp())).toEqual([]);
  return s;
}

/** The take-profit fills: flat, the (adopted) stop cancelled, nothing left open. */
async function closeOut(name: string, tag: string): Promise<void> {
  const entry = Number((await h.state(name)).position.avgEntryPrice);
  price = Math.round(Math.max(price, entry) * 1.02);
  h.exchange.market.setPrice(SYMBOL, String(price));
  const s = await h.waitForState(
    name,
    (x) => x.position.qty === '0' && x.openOrders.length === 0 && x.activitiesInFlight === 0,
    'flat, stop cancelled',
  );
  expect(positionAmt()).toBe(0);
  expect(
    perp()
      .openAlgos('paper', SYMBOL)
      .filter((a) => mine(tag)(a.clientAlgoId)),
  ).toEqual([]);
  expect(s.stats.positionCorrections ?? 0).toBe(0);
  await h.handle(name).cancel();
  await h.handle(name).result();
  current = null;
}

describe('Temporal resets of a futures bot', () => {
  it('to a point before its entry: the entry, take-profit and protective stop are adopted; the position is positionRisk, one stop, no second entry', async () => {
    expect(cli).toBeTruthy();
    const { name, workflowId, tag } = await bot();
    candle();
    const before = await protectedLot(name);
    const discarded = before.openOrders.map((o) => o.clientOrderId).sort();
    expect(positionAmt()).toBe(0.01);
    const point = pointBefore(
      await history(workflowId),
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'candle',
    );
    await reset(workflowId, point);
    const s = await h.waitForState(name, (x) => (x.stats.adopted ?? 0) >= 3, 'the discarded branch adopted');
    // The buy (filled, from allOrders with its userTrades), its take-profit and its stop (by clientAlgoId).
    expect(s.openOrders.map((o) => o.clientOrderId).sort()).toEqual(discarded);
    expect(s.openOrders.map((o) => o.tag).sort()).toEqual(['__adopted', '__protect']);
    expect(s.notifications.map((x) => x.message).join('\n')).toMatch(/delivered again by a history reset/);
    const after = await oneStopCovers(name, tag);
    expect(after.position.qty).toBe('0.01');
    expect(after.stats.fills).toBe(1);
    expect(entries(tag)).toHaveLength(1);
    expect(stopsSent(tag)).toBe(1);
    await closeOut(name, tag);
  });

  it('to the task that reacted to the fill (after the entry, before the stop): the stop waits for the scan and the discarded one is adopted, never a second one sent', async () => {
    const { name, workflowId, tag } = await bot();
    candle();
    const before = await protectedLot(name);
    const discardedStop = before.openOrders.find((o) => o.tag === '__protect')!.clientOrderId;
    const events = await history(workflowId);
    const point = pointBefore(events, (e) => placedRequest(e)?.type === 'STOP_MARKET');
    // The reset point is after the entry's placement: the new branch keeps the entry as its own.
    const entryScheduled = events.find((e) => placedRequest(e)?.type === 'MARKET')!;
    expect(Number(entryScheduled.eventId)).toBeLessThan(point);
    await reset(workflowId, point);
    const s = await h.waitForState(
      name,
      (x) =>
        (x.stats.adopted ?? 0) >= 1 &&
        x.openOrders.some((o) => o.tag === '__protect' && o.clientOrderId === discardedStop) &&
        x.openOrders.some((o) => o.tag === 'tp-1' && o.status === 'NEW'),
      'the discarded stop adopted, the take-profit bound',
    );
    expect(s.notifications.map((x) => x.message).join('\n')).toMatch(/the same exit is already on the exchange/);
    const after = await oneStopCovers(name, tag);
    expect(after.position.qty).toBe('0.01');
    expect(entries(tag)).toHaveLength(1);
    // No second stop reached the exchange (it waited for the scan, which adopted the first).
    expect(stopsSent(tag)).toBe(1);
    expect(after.stats.ordersRejected).toBe(0);
    await closeOut(name, tag);
  });
});
