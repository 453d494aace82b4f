/**
 * Only proof finalises an order, and nothing unbounded wedges a bot: failures that come after a
 * possible send (credentials refused on a lookup, the worker's own weight budget) leave the order
 * in flight or UNKNOWN until the exchange shows it; a cancel of an order the exchange does not know
 * ends; continue-as-new happens while a placement waits out a ban; a 429 with `Retry-After: 0` is
 * not retried a millisecond later.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { observeAnswer } from '../../activities/rate-limit';
import { runCli } from '../../client/cli';
import type { FaultRule } from '../../exchange';
import {
  type BotStateView,
  type RuntimeOptions,
  candleSignal,
  pauseSignal,
  resumeSignal,
} from '../../workflows/messages';
import { eventually, harnessWithWorker } from '../support/harness';
import { anHourAhead, dcaBot, flatCandle, protectedLot, startRouted, stopBot } from '../support/trading-bot';

const h = harnessWithWorker('30000');
afterEach(() => h.exchange.faults.clear());

let n = 0;
const bot = (options: RuntimeOptions = {}) => startRouted(h, dcaBot(`proof-${++n}`), options);

const candle = () => h.exchange.market.closeCandle('BTCUSDT', '1m');
const fault = (rule: FaultRule) => h.exchange.faults.add(rule);
const host = () => new URL(h.exchange.httpBase).host;
const placements = (tag: string) =>
  h.exchange.audit
    .requests({ endpoint: 'POST /api/v3/order' })
    .filter((r) => r.clientIds.some((id) => id.startsWith(`${tag}-`)));
const executedOnce = (tag: string) => {
  const mine = h.exchange.audit.clientIds().filter((c) => c.clientOrderId.startsWith(`${tag}-`) && c.executed > 0);
  expect(mine.every((c) => c.executed === 1)).toBe(true);
  return mine.length;
};
const stopped = (name: string) => stopBot(h, name);

/** The placements' answers are lost once they executed, and the stream loses the news too: only lookups can tell. */
function loseAnswersAndReports(tag: string): void {
  fault({
    kind: 'lose-response',
    match: { endpoint: 'POST /api/v3/order', clientOrderId: `^${tag}-` },
    afterMs: 300,
  });
  fault({ kind: 'user-drop', match: { eventType: 'executionReport', clientOrderId: `^${tag}-` }, count: -1 });
}

describe('only proof finalises an order', () => {
  it('-2015 on the lookup after a send whose answer was lost: UNKNOWN, resolved by reconciliation, never REJECTED', async () => {
    const { name, tag } = await bot();
    loseAnswersAndReports(tag);
    // The home IP changed: the exchange refuses the key on lookups, until it is fixed.
    const refused = fault({
      kind: 'fail-before-executing',
      match: { endpoint: 'GET /api/v3/order', clientOrderId: `^${tag}-` },
      status: 401,
      body: 'json',
      code: -2015,
      count: -1,
    });
    candle();
    const unknown = await h.waitForState(
      name,
      (s) => s.openOrders.some((o) => o.tag === 'buy-1' && o.status === 'UNKNOWN'),
      'the buy of unknown outcome',
    );
    expect(unknown.stats.ordersRejected).toBe(0);
    // `state` and our CLI show it as such.
    const lines: string[] = [];
    const env = {
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: process.env.TEMPORAL_TASK_QUEUE,
    };
    Object.assign(process.env, { TEMPORAL_ADDRESS: h.temporal.address, TEMPORAL_TASK_QUEUE: h.taskQueue });
    try {
      expect(await runCli(['status', name], (l) => lines.push(l))).toBe(0);
    } finally {
      for (const [k, v] of Object.entries(env))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    expect(lines.join('\n')).toMatch(/1 \(1 UNKNOWN\)/);
    // Still looked up while refused: never finalised, however long it lasts.
    await new Promise((r) => setTimeout(r, 5_000));
    expect((await h.state(name)).openOrders.find((o) => o.tag === 'buy-1')?.status).toBe('UNKNOWN');
    h.exchange.faults.remove(refused);
    const s = await h.waitForState(name, protectedLot, 'buy found filled, take-profit placed', 60_000);
    expect(s.stats.ordersRejected).toBe(0);
    expect(executedOnce(tag)).toBe(2);
    await h.agreement(name);
    await stopped(name);
    expect(h.auditProblems()).toEqual([]);
  });

  it("the worker's own weight budget spent during an unknown-outcome retry and during a cancel: waited out, nothing finalised", async () => {
    const { name, tag } = await bot();
    loseAnswersAndReports(tag);
    candle();
    // The moment the buy executed (its answer being lost), this worker's budget stops every call for 3 s.
    await eventually(async () => expect(placements(tag).some((r) => r.executed)).toBe(true), 10_000, 20);
    observeAnswer(host(), 429, { 'retry-after': '3' });
    const s = await h.waitForState(name, protectedLot, 'buy adopted after the wait, take-profit placed', 60_000);
    expect(s.stats.ordersRejected).toBe(0);
    expect(executedOnce(tag)).toBe(2);
    // Found by a lookup once the wait was over, not by the stream.
    const buyId = placements(tag)[0]!.clientIds[0]!;
    expect(h.exchange.audit.requests({ endpoint: 'GET /api/v3/order', clientOrderId: buyId }).length).toBeGreaterThan(
      0,
    );
    h.exchange.faults.clear();
    // And a stop while the budget is spent: the cancel waits, then cancels.
    observeAnswer(host(), 429, { 'retry-after': '3' });
    const final = await stopped(name);
    expect(final.status).toBe('STOPPED');
    expect(final.openOrders).toEqual([]);
    expect(h.exchange.venue.openOrders('paper').filter((o) => o.clientOrderId.startsWith(`${tag}-`))).toEqual([]);
    expect(h.auditProblems()).toEqual([]);
  });
});

describe('nothing unbounded wedges a bot', () => {
  it('an open order the exchange does not know: continue-as-new still happens, and a stop ends and says so', async () => {
    const { name, tag } = await bot({ continueAsNewAtHistoryLength: 50 });
    candle();
    const s = await h.waitForState(name, protectedLot, 'bought and protected');
    const tp = s.openOrders.find((o) => o.tag === 'tp-1')!.clientOrderId;
    // The exchange lost the order: lookups say -2013, cancels -2011.
    fault({
      kind: 'fail-before-executing',
      match: { endpoint: 'GET /api/v3/order', clientOrderId: tp },
      status: 400,
      body: 'json',
      code: -2013,
      count: -1,
    });
    fault({
      kind: 'fail-before-executing',
      match: { endpoint: 'DELETE /api/v3/order', clientOrderId: tp },
      status: 400,
      body: 'json',
      code: -2011,
      count: -1,
    });
    await h.waitForState(
      name,
      (x) => x.notifications.some((n) => n.message.includes(`does not know these open orders (yet): ${tp}`)),
      'reported missing',
    );
    // Candles keep coming; the run continues as new with the order still missing, carried over.
    const T0 = anHourAhead();
    let i = 0;
    await eventually(
      async () => {
        await h.handle(name).signal(candleSignal, flatCandle(T0, i++));
        const x = await h.state(name);
        if (x.generation <= s.generation) throw new Error(`generation ${x.generation}`);
      },
      90_000,
      200,
    );
    // A stop: the cancel ends after a few attempts instead of retrying forever; the stop completes.
    const final = await stopped(name);
    expect(final.status).toBe('STOPPED');
    expect(final.notifications.map((x) => x.message).join('\n')).toMatch(
      new RegExp(`${tp} \\(NEW, unknown to the exchange\\)`),
    );
    expect(executedOnce(tag)).toBe(2);
  });

  it('continue-as-new still happens while a placement waits out a long ban; the new run places it exactly once', async () => {
    const { name, tag } = await bot({ continueAsNewAtHistoryLength: 50 });
    const first = await h.state(name);
    fault({
      kind: 'rate-limit',
      status: 418,
      retryAfterSec: 2,
      match: { endpoint: 'POST /api/v3/order', clientOrderId: `^${tag}-` },
      count: -1,
    });
    candle();
    await h.waitForState(
      name,
      (s) => s.openOrders.some((o) => o.tag === 'buy-1' && o.status === 'SUBMITTING'),
      'buy waiting out the ban',
    );
    // Candles keep coming (the stream's, signalled directly here): the run's history grows.
    const T0 = anHourAhead();
    let i = 0;
    const grown = await eventually(
      async () => {
        await h.handle(name).signal(candleSignal, flatCandle(T0, i++));
        const s = await h.state(name);
        if (s.generation <= first.generation) throw new Error(`generation ${s.generation}`);
        return s;
      },
      90_000,
      200,
    );
    expect(grown.openOrders.find((o) => o.tag === 'buy-1')?.status).toMatch(/SUBMITTING|UNKNOWN/);
    h.exchange.faults.clear();
    const s = await h.waitForState(name, protectedLot, 'the ban over, bought once and protected', 60_000);
    expect(placements(tag).filter((r) => r.executed)).toHaveLength(2);
    expect(executedOnce(tag)).toBe(2);
    await h.agreement(name);
    expect(s.stats.ordersRejected).toBe(0);
    await stopped(name);
  });
});

describe('rate limits', () => {
  it('429 with Retry-After: 0 is retried after a sane floor, not a millisecond later', async () => {
    const { name, tag } = await bot();
    fault({
      kind: 'rate-limit',
      match: { endpoint: 'POST /api/v3/order', clientOrderId: `^${tag}-` },
      count: 3,
      retryAfterSec: 0,
    });
    candle();
    await h.waitForState(name, protectedLot, 'bought after the 429s');
    const buys = placements(tag).filter((r) => r.clientIds.some((id) => id === placements(tag)[0]!.clientIds[0]));
    expect(buys.map((r) => r.httpStatus)).toEqual([429, 429, 429, 200]);
    for (let k = 1; k < buys.length; k++) expect(buys[k]!.time - buys[k - 1]!.time).toBeGreaterThanOrEqual(950);
    await stopped(name);
  });
});

describe("the Web UI's Cancel", () => {
  it('a cancel whose workflow task brings the run to its continue-as-new limit stops the bot; it is not lost in a new run', async () => {
    // A quiet bot (no trade, no reconciliation for an hour) whose run continues as new at 50 events.
    const hour = 3_600_000;
    const limit = 50;
    const name = `proof-${++n}`;
    await h.startBot(dcaBot(name, { everyCandles: 1000 }), {
      continueAsNewAtHistoryLength: limit,
      reconcile: { openOrdersEveryMs: hour, staleEveryMs: hour, staleAfterMs: hour, idleEveryMs: hour },
    });
    await h.waitForState(
      name,
      (s) => s.eventsProcessed >= 2 && s.activitiesInFlight === 0 && s.pendingEvents === 0,
      'started and quiet',
    );
    /** The history length once the bot has handled everything (no workflow task pending). */
    const settled = () =>
      eventually(async () => {
        const events = (await h.handle(name).fetchHistory()).events ?? [];
        const last = (pick: (e: (typeof events)[number]) => unknown) =>
          events.reduce((found, e, i) => (pick(e) ? i : found), -1);
        if (last((e) => e.workflowTaskCompletedEventAttributes) < last((e) => e.workflowTaskScheduledEventAttributes))
          throw new Error('a workflow task is pending');
        return { length: events.length, runId: (await h.handle(name).describe()).runId };
      });
    // Walk the history up to 3 events short of the limit with signals the bot handles without any
    // exchange call: a no-op one (resume a running bot, pause a paused one) costs 4 events (signal,
    // task scheduled, started, completed), one that changes the status one or two more (its search
    // attribute), used to leave a length from which steps of 4 would jump over the target. The
    // cancel then costs 3 (cancel requested, task scheduled, started): the task that delivers it is
    // the first to see the run at its limit.
    let at = await settled();
    let paused = false;
    for (let i = 0; i < 40 && !(at.length >= limit - 3 && at.length < limit); i++) {
      const change = at.length % 4 === (limit - 4) % 4;
      await h.handle(name).signal(paused === change ? resumeSignal : pauseSignal);
      if (change) paused = !paused;
      at = await settled();
    }
    expect(at.length, 'history walked to just short of the limit').toBeGreaterThanOrEqual(limit - 3);
    expect(at.length).toBeLessThan(limit);
    await h.handle(name).cancel();
    const final = await Promise.race([
      h.handle(name).result() as Promise<BotStateView>,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the bot did not stop: the cancel was lost in a continue-as-new')), 30_000),
      ),
    ]);
    expect(final.status).toBe('STOPPED');
    const after = await h.handle(name).describe();
    expect(after.runId).toBe(at.runId);
    expect(after.status.name).toBe('COMPLETED');
  });
});
