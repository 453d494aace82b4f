/**
 * What the Temporal Web UI shows of a bot, read from the dev server's API the UI itself calls: the
 * static summary and details (describe), the current details (the `__temporal_workflow_metadata`
 * query the UI sends when a workflow's page opens) and a summary on each order activity's
 * ActivityTaskScheduled event, so the event history reads as a trade log.
 */
import type { temporal as proto } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { ZERO_SPREAD_BOOK } from '../../exchange';
import { eventually, harnessWithWorker } from '../support/harness';
import { untilRouted } from '../support/trading-bot';

// The expected position, unrealised PnL and take-profit price below are computed from the last
// price (a market buy at 30000): a book with bid = ask = last makes that the fill price. The
// default book's spread would fill at the ask, one tick above.
const h = harnessWithWorker('30000', { exchange: { book: ZERO_SPREAD_BOOK } });

function closeCandle(price: string): void {
  h.exchange.market.setPrice('BTCUSDT', price);
  h.exchange.market.closeCandle('BTCUSDT', '1m');
}

async function currentDetails(name: string): Promise<string> {
  const meta = await h.handle(name).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return meta.currentDetails ?? '';
}

function decode(payload: { data?: Uint8Array | null } | null | undefined): string {
  return payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : '';
}

describe('Temporal Web UI visibility', () => {
  it('shows a static summary, current details kept up to date, and a summary on each order activity', async () => {
    await h.startBot(
      {
        name: 'webui-1',
        strategy: 'dca-take-profit',
        symbol: 'BTCUSDT',
        params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
      },
      { continueAsNewAfterEvents: 12 },
    );
    const d = await h.handle('webui-1').describe();
    expect(await d.staticSummary()).toBe('dca-take-profit on BTCUSDT 1m · account paper');
    expect(await d.staticDetails()).toContain('**params at start**');

    await eventually(async () =>
      expect(await currentDetails('webui-1')).toMatch(
        /^dca-take-profit on BTCUSDT 1m · account paper\n\n\*\*RUNNING\*\* · position flat · realised 0 USDT/,
      ),
    );
    expect(await currentDetails('webui-1')).toContain('no decision yet');

    // One candle once the bot is routed: candles closed again and again while a slow machine
    // places the orders would each add events, and could roll the run over before its history is read.
    await untilRouted(h, ['webui-1']);
    closeCandle('30000');
    await h.waitForState(
      'webui-1',
      (s) => s.openOrders.some((o) => o.tag.startsWith('tp-') && o.status === 'NEW'),
      'take-profit resting',
    );
    const details = await eventually(async () => {
      const text = await currentDetails('webui-1');
      expect(text).toContain('1 open order');
      return text;
    });
    expect(details).toMatch(/position 0\.00999 @ 30030\.03/); // 0.01 bought at 30000, fee in BTC
    expect(details).toMatch(/unrealised -0\.3 USDT/);
    expect(details).toMatch(/last decision .* UTC — SELL tp-1 \(exit\): /);

    // The orders' events from the first run on (a continue-as-new may have begun a new run since).
    const events: proto.api.history.v1.IHistoryEvent[] = [];
    for (let runId: string | undefined = d.runId; runId;) {
      const run: proto.api.history.v1.IHistoryEvent[] =
        (await h.client.workflow.getHandle('bot-webui-1', runId).fetchHistory()).events ?? [];
      events.push(...run);
      runId = run.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    const summaries = events
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => ({
        type: e.activityTaskScheduledEventAttributes!.activityType?.name,
        summary: decode(e.userMetadata?.summary),
      }));
    const orders = summaries.filter((s) => s.type === 'placeOrder').map((s) => s.summary);
    expect(orders[0]).toMatch(/^BUY 0\.01 BTCUSDT MARKET — buy-1 entry: candle #1: every 1 candles$/);
    expect(orders[1]).toMatch(/^SELL 0\.00999 BTCUSDT LIMIT @ 30300 — tp-1 exit/);

    // The details follow the bot: a pause shows at once.
    await h.handle('webui-1').signal('pause');
    await eventually(async () => expect(await currentDetails('webui-1')).toMatch(/\*\*PAUSED\*\*/));

    // A new run (continue-as-new) shows the same: the bot sets its details again at once.
    await eventually(
      async () => {
        closeCandle('30000');
        await h.waitForState('webui-1', (s) => s.generation >= 2, 'continued as new', 3_000);
      },
      60_000,
      0,
    );
    // The new run has no static summary (continue-as-new carries none, in the SDK or the server):
    // its current details repeat that line, and the bot's status and position carry on.
    const next = await h.handle('webui-1').describe();
    expect(next.runId).not.toBe(d.runId);
    expect(await next.staticSummary()).toBeUndefined();
    await eventually(async () =>
      expect(await currentDetails('webui-1')).toMatch(
        /^dca-take-profit on BTCUSDT 1m · account paper\n\n\*\*PAUSED\*\* · position 0\.00999/,
      ),
    );
  });
});
