/**
 * The order a fill makes the bot send does not wait for the fill's notice to be stored
 * (workflows/notifications.ts NOTICES_AFTER_ORDERS_PATCH): a workflow task that runs a local
 * activity completes only once it has ended, so the notice goes in the next task — and still goes,
 * once, with the fill's id. Real dev server, paper exchange, in-process worker.
 */
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerQuery } from '../../workflows/control';
import { Harness, eventually } from '../support/harness';
import { TelegramStandIn } from '../support/telegram-stand-in';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const BOT = {
  name: 'notices-after-orders',
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '0.5', maxLots: 1 },
};

const CHAT = 778;
const tg = new TelegramStandIn();
const env: NodeJS.ProcessEnv = {};
const h = new Harness({ notifyEnv: env });

const decode = (data: Uint8Array | null | undefined): unknown => JSON.parse(Buffer.from(data ?? []).toString());

/** The local activity a marker records, or null for other markers (patches). */
function localActivityType(e: HistoryEvent): string | null {
  const a = e.markerRecordedEventAttributes;
  if (a?.markerName !== 'core_local_activity') return null;
  return (decode(a.details?.data?.payloads?.[0]?.data) as { activity_type: string }).activity_type;
}

/** The events the completion of the workflow task that scheduled event `index` produced. */
function commandsOfTaskBefore(events: HistoryEvent[], index: number): HistoryEvent[] {
  let start = index;
  while (start > 0 && events[start - 1]!.workflowTaskCompletedEventAttributes == null) start--;
  let end = index;
  while (end + 1 < events.length && !isWorkflowTaskEvent(events[end + 1]!) && isCommandEvent(events[end + 1]!)) end++;
  return events.slice(start, end + 1);
}

const isWorkflowTaskEvent = (e: HistoryEvent) =>
  e.workflowTaskScheduledEventAttributes != null || e.workflowTaskStartedEventAttributes != null;
const isCommandEvent = (e: HistoryEvent) =>
  e.activityTaskScheduledEventAttributes != null ||
  e.markerRecordedEventAttributes != null ||
  e.timerStartedEventAttributes != null ||
  e.timerCanceledEventAttributes != null ||
  e.upsertWorkflowSearchAttributesEventAttributes != null ||
  e.workflowPropertiesModifiedEventAttributes != null;

describe("a fill's order and its notice", () => {
  beforeAll(async () => {
    await tg.start();
    Object.assign(env, {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_ALLOWED_CHATS: String(CHAT),
      TELEGRAM_API_ROOT: tg.apiRoot,
    });
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
    await tg.close();
  });

  it('the take-profit the fill makes is scheduled by a task without the notice; the notice follows in a later one', async () => {
    h.exchange.market.setPrice('BTCUSDT', '30000');
    await h.startWorker();
    await h.startBot(BOT);
    await h.waitForState(BOT.name, (s) => s.eventsProcessed >= 2, 'started and reconciled');
    await eventually(async () => {
      if (h.exchange.stats().connections < 2) throw new Error('streams not connected yet');
    }, 30_000);

    h.exchange.market.closeCandle('BTCUSDT', '1m');
    const resting = await h.waitForState(
      BOT.name,
      (s) => s.stats.fills === 1 && s.openOrders.some((o) => o.status === 'NEW' && o.request.side === 'SELL'),
      'the buy filled and its take-profit resting',
    );
    const tp = resting.openOrders.find((o) => o.request.side === 'SELL')!.clientOrderId;

    const events = await eventually(async () => {
      const history = (await h.handle(BOT.name).fetchHistory()).events ?? [];
      if (!history.some((e) => localActivityType(e) === 'deliverNotifications'))
        throw new Error('the fill notice is not stored yet');
      return history;
    }, 20_000);
    const tpScheduled = events.findIndex((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      return (
        a?.activityType?.name === 'placeOrder' && JSON.stringify(decode(a.input?.payloads?.[0]?.data)).includes(tp)
      );
    });
    expect(tpScheduled).toBeGreaterThan(0);
    // The task that sent the take-profit stored no notice...
    const sameTask = commandsOfTaskBefore(events, tpScheduled);
    expect(sameTask.map(localActivityType).filter((t) => t !== null)).toEqual([]);
    // ...a later one did, and the buy's notice reached the chat once.
    expect(events.slice(tpScheduled + 1).some((e) => localActivityType(e) === 'deliverNotifications')).toBe(true);
    const buy = (await h.handle(BOT.name).query(ledgerQuery)).orders.find((o) => o.tag === 'buy-1')!;
    const message = await tg.waitFor(CHAT, (m) => m.text.includes('entry filled'), 20_000);
    expect(message.text).toContain('BUY 0.01 BTCUSDT');
    expect(tg.messages(CHAT).filter((m) => m.text.includes('entry filled'))).toHaveLength(1);
    expect(buy.status).toBe('FILLED');
    expect(h.auditProblems()).toEqual([]);
  }, 90_000);

  it('notices a run holds while it rolls over are sent by the next run, each once', async () => {
    // Rolling over every few events: a run that is due stores no notice itself
    // (workflows/continue-as-new.ts NOTICES_CARRIED_PATCH), the next run sends what it carried.
    const name = 'notices-carried';
    const CANDLES = 4;
    await h.startBot(
      { ...BOT, name, params: { ...BOT.params, maxLots: CANDLES, takeProfitPct: '50' } },
      { continueAsNewAfterEvents: 5 },
    );
    await h.waitForState(name, (s) => s.eventsProcessed >= 1, 'started');
    for (let i = 1; i <= CANDLES; i++) {
      h.exchange.market.closeCandle('BTCUSDT', '1m');
      await h.waitForState(
        name,
        (s) => s.stats.fills === i && s.openOrders.filter((o) => o.status === 'NEW').length === i,
        `buy ${i} filled and its take-profit resting`,
      );
    }
    const entries = () => tg.messages(CHAT).filter((m) => m.text.includes(name) && m.text.includes('entry filled'));
    await eventually(async () => {
      if (entries().length < CANDLES) throw new Error(`${entries().length} entry notices so far`);
    }, 20_000);
    // Each buy's notice once, however many runs it crossed.
    expect(entries()).toHaveLength(CANDLES);
    expect(new Set(entries().map((m) => m.text)).size).toBe(CANDLES);
    // And some run did carry notices to the next.
    let carried = 0;
    for await (const run of h.client.workflow.list({ query: `WorkflowId = 'bot-${name}'` })) {
      const first = (await h.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events?.[0];
      const input = decode(first?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data) as {
        carried?: { notices?: unknown[] };
      };
      carried += input.carried?.notices?.length ?? 0;
    }
    expect(carried).toBeGreaterThan(0);
    expect(h.auditProblems()).toEqual([]);
  }, 120_000);
});
