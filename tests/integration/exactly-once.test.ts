/**
 * Exactly-once order effects, one scenario per fault of the paper exchange. Each scenario ends with
 * the bot and the exchange agreeing (same open orders, every fill known, same position) and the
 * exchange's audit showing no client id executed twice and every balance change accounted for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../exchange';
import type { BotStateView } from '../../workflows/messages';
import { eventually, harnessWithWorker } from '../support/harness';
import { dcaBot, startRouted, stopAndAudit } from '../support/trading-bot';

let bot = 0;
let price = 30000;
const h = harnessWithWorker(String(price));
afterEach(() => h.exchange.faults.clear());

/**
 * A fresh bot that buys 0.01 BTC at the next candle and puts a take-profit 1 % above, routed and
 * its streams open (the first bot opens the candle stream).
 */
const freshBot = () => startRouted(h, dcaBot(`once-${++bot}`));

/** Close a candle; the bots on BTCUSDT buy at the current price. */
function candle(at = price): void {
  price = at;
  h.exchange.market.setPrice('BTCUSDT', String(at));
  h.exchange.market.closeCandle('BTCUSDT', '1m');
}

/** Trade through the bot's take-profit so it fills. */
function fillTakeProfit(): void {
  price = Math.round(price * 1.02);
  h.exchange.market.setPrice('BTCUSDT', String(price));
}

function fault(rule: FaultRule): void {
  h.exchange.faults.add(rule);
}

const placement = (tag: string): FaultRule['match'] => ({ endpoint: 'POST /api/v3/order', clientOrderId: `^${tag}-` });

async function boughtAndProtected(name: string): Promise<BotStateView> {
  await h.waitForState(
    name,
    (s) => s.openOrders.some((o) => o.tag.startsWith('tp-') && o.status === 'NEW'),
    'bought, take-profit resting',
  );
  return h.agreement(name);
}

const stopAndCheck = (name: string) => stopAndAudit(h, name);

function executions(clientOrderId: string): { submitted: number; executed: number } {
  const s = h.exchange.audit.clientId(clientOrderId, 'paper');
  return { submitted: s?.submitted ?? 0, executed: s?.executed ?? 0 };
}

/** The bot's n-th client id (`<tag>-<branch><seq>`, core/client-ids.ts), as a regular expression. */
const nth = (tag: string, n: number): string => `^${tag}-[A-Za-z0-9]{5}${n.toString(36)}$`;

/** The bot's first order: its first buy. */
function firstBuy(s: BotStateView): string {
  const first = h.exchange.audit
    .requests({ endpoint: 'POST /api/v3/order' })
    .find((r) => r.clientIds.some((id) => new RegExp(nth(s.clientIdTag, 1)).test(id)));
  return first!.clientIds.find((id) => new RegExp(nth(s.clientIdTag, 1)).test(id))!;
}

describe('exactly-once order effects under exchange faults', () => {
  it('response lost after execution: the order is looked up and adopted, never sent twice', async () => {
    const { name, tag } = await freshBot();
    fault({ kind: 'lose-response', match: placement(tag), afterMs: 4_000 });
    candle();
    const s = await boughtAndProtected(name);
    expect(executions(firstBuy(s))).toEqual({ submitted: 1, executed: 1 });
    expect(s.position.qty).toBe('0.00999');
    await stopAndCheck(name);
  });

  it('5xx -1007 while executing: outcome unknown, resolved by lookup', async () => {
    const { name, tag } = await freshBot();
    fault({ kind: 'unknown-while-executing', match: placement(tag), afterMs: 300 });
    candle();
    const s = await boughtAndProtected(name);
    expect(executions(firstBuy(s))).toEqual({ submitted: 1, executed: 1 });
    await stopAndCheck(name);
  });

  it('connection reset after execution: resolved by lookup', async () => {
    const { name, tag } = await freshBot();
    fault({ kind: 'reset-after-execute', match: placement(tag) });
    candle();
    const s = await boughtAndProtected(name);
    expect(executions(firstBuy(s))).toEqual({ submitted: 1, executed: 1 });
    await stopAndCheck(name);
  });

  it('order invisible for a while after placement: -2013 is not proof of absence, no resend', async () => {
    const { name, tag } = await freshBot();
    // Executed, answer lost, and lookups say "does not exist" for 3 s (the resend deadline is 4 s away).
    fault({ kind: 'hide-order', match: placement(tag), ms: 3_000 });
    fault({ kind: 'lose-response', match: placement(tag), afterMs: 500 });
    candle();
    const s = await boughtAndProtected(name);
    expect(executions(firstBuy(s))).toEqual({ submitted: 1, executed: 1 });
    await stopAndCheck(name);
  });

  it('5xx before executing: after the deadline it is sent again with the same id, and executes once', async () => {
    const { name, tag } = await freshBot();
    fault({ kind: 'fail-before-executing', match: placement(tag), status: 502 });
    candle();
    const s = await boughtAndProtected(name);
    expect(executions(firstBuy(s))).toEqual({ submitted: 2, executed: 1 });
    await stopAndCheck(name);
  });

  it('duplicate id: a resend that meets the still-open order (-2010) adopts it', async () => {
    const { name, tag } = await freshBot();
    // The take-profit (a resting limit order, the bot's 2nd id) is placed, its answer is lost, and
    // it stays hidden from lookups past the resend deadline: the resend gets -2010 "Duplicate
    // order sent." because the original is open, and the bot adopts the original.
    const tp = { endpoint: 'POST /api/v3/order', clientOrderId: nth(tag, 2) };
    fault({ kind: 'hide-order', match: tp, ms: 6_000 });
    fault({ kind: 'lose-response', match: tp, afterMs: 500 });
    candle();
    const s = await boughtAndProtected(name);
    const order = s.openOrders.find((o) => o.tag.startsWith('tp-'))!;
    expect(order.clientOrderId).toMatch(new RegExp(nth(tag, 2)));
    expect(executions(order.clientOrderId)).toEqual({ submitted: 2, executed: 1 });
    const resend = h.exchange.audit
      .requests({ clientOrderId: order.clientOrderId, endpoint: 'POST /api/v3/order' })
      .at(-1)!;
    expect(resend.code).toBe(-2010);
    await stopAndCheck(name);
  });

  it('cancel of an order that just filled: the fill is kept, nothing is lost', async () => {
    const { name, tag } = await freshBot();
    candle();
    await boughtAndProtected(name);
    // The stop's cancel is held 1 s before reaching the exchange; meanwhile the take-profit fills.
    fault({
      kind: 'delay',
      match: { endpoint: 'DELETE /api/v3/order', clientOrderId: `^${tag}-` },
      ms: 1_000,
      phase: 'before',
    });
    const firedBefore = h.exchange.faults.firings.filter((f) => f.kind === 'delay').length;
    const stopping = h.handle(name).cancel();
    // The take-profit fills while its cancel is held (not before the bot sends it, on a slow machine).
    await eventually(
      async () => {
        if (h.exchange.faults.firings.filter((f) => f.kind === 'delay').length === firedBefore)
          throw new Error('the cancel has not reached the exchange yet');
      },
      30_000,
      10,
    );
    fillTakeProfit();
    await stopping;
    const summary = (await h.handle(name).result()) as BotStateView;
    expect(summary.status).toBe('STOPPED');
    expect(summary.stats.roundTrips).toBe(1);
    expect(summary.openOrders).toEqual([]);
    expect(h.auditProblems()).toEqual([]);
  });

  it('user-stream events dropped: reconciliation finds the fill', async () => {
    const { name, tag } = await freshBot();
    candle();
    await boughtAndProtected(name);
    fault({ kind: 'user-drop', match: { eventType: 'executionReport', clientOrderId: `^${tag}-` }, count: -1 });
    fillTakeProfit();
    const s = await h.waitForState(name, (x) => x.stats.roundTrips === 1, 'take-profit fill found by polling', 60_000);
    expect(s.openOrders.filter((o) => o.tag.startsWith('tp-'))).toEqual([]);
    h.exchange.faults.clear();
    await h.agreement(name);
    await stopAndCheck(name);
  });

  it('user-stream events duplicated and reordered: each fill counted once, status never backwards', async () => {
    const { name, tag } = await freshBot();
    fault({ kind: 'user-duplicate', match: { eventType: 'executionReport', clientOrderId: `^${tag}-` }, count: -1 });
    fault({
      kind: 'user-reorder',
      match: { eventType: 'executionReport', clientOrderId: `^${tag}-` },
      count: 4,
      flushMs: 300,
    });
    candle();
    await boughtAndProtected(name);
    fillTakeProfit();
    const s = await h.waitForState(name, (x) => x.stats.roundTrips === 1, 'round trip');
    expect(s.stats.fills).toBe(2);
    h.exchange.faults.clear();
    await h.agreement(name);
    await stopAndCheck(name);
  });

  it('WebSocket cut: the bots reconcile after the stream comes back', async () => {
    const { name } = await freshBot();
    candle();
    await boughtAndProtected(name);
    h.exchange.faults.cutConnections('all');
    fillTakeProfit(); // while the streams are down
    await h.waitForState(name, (x) => x.stats.roundTrips === 1, 'fill recovered after the cut');
    await h.agreement(name);
    await stopAndCheck(name);
  });

  it('rate-limit burst: 429s with Retry-After are waited out, then the order goes once', async () => {
    const { name, tag } = await freshBot();
    fault({ kind: 'rate-limit', match: placement(tag), count: 3, retryAfterSec: 1 });
    candle();
    const s = await boughtAndProtected(name);
    expect(executions(firstBuy(s)).executed).toBe(1);
    const requests = h.exchange.audit.requests({ clientOrderId: firstBuy(s), endpoint: 'POST /api/v3/order' });
    expect(requests.map((r) => r.httpStatus)).toEqual([429, 429, 429, 200]);
    // Each resend waited for the exchange's Retry-After (1 s).
    for (let i = 1; i < requests.length; i++)
      expect(requests[i]!.time - requests[i - 1]!.time).toBeGreaterThanOrEqual(950);
    await stopAndCheck(name);
  });
});
