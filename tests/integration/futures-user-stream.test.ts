/**
 * The worker follows the USDⓈ-M user stream (listenKey) of an account with a running futures bot
 * and relays ORDER_TRADE_UPDATE to the bot as an order report (real Temporal dev server, paper
 * exchange). The bot's reconcile polls are set to a day, so a reaction within seconds can only
 * come from the stream; its history shows no reconciliation between the fill and the reaction.
 * After the listenKey expires the stream reconnects with a new key and the bots reconcile: a fill
 * made while it was down is caught up.
 */
import { describe, expect, it } from 'vitest';
import { eventually, harnessWithWorker } from '../support/harness';

const h = harnessWithWorker('30000');
const DAY = 24 * 60 * 60_000;
const NAME = 'fstream-echo';

/** The bot's history as a list of what matters here: reconciles scheduled and order reports signalled. */
async function timeline(): Promise<Array<'reconcile' | 'orderUpdate'>> {
  const history = await h.handle(NAME).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.activityTaskScheduledEventAttributes?.activityType?.name === 'futuresReconcile'
      ? (['reconcile'] as const)
      : e.workflowExecutionSignaledEventAttributes?.signalName === 'orderUpdate'
        ? (['orderUpdate'] as const)
        : [],
  );
}
/**
 * The bot is quiet: it has taken in the stream's connect reconcile (the worker asks for it when the
 * stream subscribes: a `streamReconnected` signal followed by a completed workflow task), nothing is
 * in flight, and no new reconcile or report comes for 2 s.
 */
async function quiet(): Promise<Array<'reconcile' | 'orderUpdate'>> {
  await eventually(async () => {
    const events = (await h.handle(NAME).fetchHistory()).events ?? [];
    let asked = -1;
    events.forEach((e, i) => {
      if (e.workflowExecutionSignaledEventAttributes?.signalName === 'streamReconnected') asked = i;
    });
    if (asked < 0 || !events.slice(asked).some((e) => e.workflowTaskCompletedEventAttributes))
      throw new Error("the stream's connect reconcile is not taken in yet");
  }, 30_000);
  for (;;) {
    const first = await timeline();
    await new Promise((r) => setTimeout(r, 2_000));
    const again = await timeline();
    if (again.length === first.length && (await h.state(NAME)).activitiesInFlight === 0) return again;
  }
}
const reconcilesScheduled = async () => (await timeline()).filter((x) => x === 'reconcile').length;

const openTags = async () => (await h.state(NAME)).openOrders.map((o) => `${o.tag}:${o.request.side}:${o.status}`);

describe('futures user stream in the worker', () => {
  it('a LIMIT entry filled on the paper exchange reaches the bot by the stream; after a reconnect a missed fill is caught up', async () => {
    h.exchange.futures.deposit('paper', 'USDT', '90000');
    await h.startBot(
      {
        name: NAME,
        strategy: 'bench-echo',
        symbol: 'BTCUSDT',
        market: 'futures',
        futures: { leverage: 5, marginType: 'ISOLATED' },
        params: { mode: 'fill', quantity: '0.01', buyPrice: '29000', sellPrice: '31000' },
      },
      {
        attemptTimeout: '8s',
        reconcile: {
          openOrdersEveryMs: DAY,
          staleEveryMs: DAY,
          staleAfterMs: DAY,
          idleEveryMs: DAY,
          verifyAfterMs: DAY,
        },
      },
    );
    const streams = h.workers[0]!.streams!;
    await h.waitForState(
      NAME,
      (s) => s.openOrders.some((o) => o.tag === 'echo-0' && o.status === 'NEW') && s.activitiesInFlight === 0,
      'LIMIT BUY resting',
    );
    await eventually(async () => {
      if (!h.exchange.futures.listening('paper')) throw new Error('no futures user stream yet');
      if (!streams.futures.status().get('paper')?.subscribed) throw new Error('not subscribed yet');
    });
    const before = { timeline: await quiet(), reports: streams.futures.stats.futuresOrderReports };

    // The price falls through the resting BUY: the perpetual fills it and streams ORDER_TRADE_UPDATE.
    const filledAt = Date.now();
    h.exchange.market.setPrice('BTCUSDT', '28900');
    const reacted = await h.waitForState(
      NAME,
      (s) => s.openOrders.some((o) => o.tag === 'echo-1' && o.request.side === 'SELL'),
      'the SELL placed on the BUY fill',
      20_000,
    );
    expect(reacted.position.qty).toBe('0.01');
    expect(streams.futures.stats.futuresOrderReports).toBeGreaterThan(before.reports);
    expect(streams.stats.orderUpdatesRelayed).toBeGreaterThan(0);
    // No reconciliation told it: the polls are a day apart, and what came after the fill began with
    // the stream's order report (the reconciles that follow are the bot's own margin refresh).
    const after = (await timeline()).slice(before.timeline.length);
    expect(after[0], JSON.stringify({ before: before.timeline, after })).toBe('orderUpdate');
    expect(Date.now() - filledAt).toBeLessThan(20_000);
    const fills = h.exchange.futures.audit.fills({ accountId: 'paper' });
    expect(fills.filter((f) => f.clientOrderId.startsWith(`${reacted.clientIdTag}-`))).toHaveLength(1);

    // The listenKey expires and, before the stream is back, the SELL fills: its report is lost.
    await h.waitForState(NAME, (s) => s.activitiesInFlight === 0, 'settled');
    const reconnectsBefore = streams.futures.stats.futuresReconnects;
    h.exchange.futures.expireListenKeys('paper');
    h.exchange.market.setPrice('BTCUSDT', '31100');
    const caughtUp = await h.waitForState(
      NAME,
      (s) => s.position.qty === '0' && s.openOrders.some((o) => o.tag === 'echo-2' && o.request.side === 'BUY'),
      `flat and the next BUY resting after the reconnect (open: ${(await openTags()).join(', ')})`,
      30_000,
    );
    expect(caughtUp.stats.fills).toBe(2);
    expect(streams.futures.stats.futuresReconnects).toBeGreaterThan(reconnectsBefore);
    const reconcilesBefore = before.timeline.filter((x) => x === 'reconcile').length;
    expect(await reconcilesScheduled()).toBeGreaterThan(reconcilesBefore);
    expect(h.exchange.futures.audit.check(h.exchange.futures.perp)).toEqual([]);

    await h.handle(NAME).cancel();
    await h.handle(NAME).result();
  }, 120_000);
});
