/**
 * Order reports the placement's answer already covers are not relayed (activities/placement-
 * answers.ts): a market buy answered FILLED and a take-profit answered NEW cost the bot no signal
 * and no workflow task, while the take-profit's later fill — news no answer carried — still
 * reaches the bot by the stream in seconds, long before any reconciliation would find it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, eventually } from '../support/harness';

const BOT = {
  name: 'covered',
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '0.5', maxLots: 1 },
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function reportSignals(h: Harness): Promise<Array<{ id: string; status: string }>> {
  const history = await h.handle(BOT.name).fetchHistory();
  return history.events!.flatMap((e) => {
    const a = e.workflowExecutionSignaledEventAttributes;
    if (a?.signalName !== 'orderUpdate') return [];
    const payload = a.input?.payloads?.[0]?.data;
    const report = JSON.parse(Buffer.from(payload ?? []).toString()) as { clientOrderId: string; status: string };
    return [{ id: report.clientOrderId, status: report.status }];
  });
}

describe('order reports the placement answer covers', () => {
  it('are left out; a later fill is relayed', async () => {
    const h = new Harness();
    harness = h;
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', '30000');
    const worker = await h.startWorker();
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
    // The buy's NEW and TRADE reports and the take-profit's NEW: all said by the answers.
    await eventually(async () => {
      if (worker.streams!.stats.orderUpdatesCovered < 3) throw new Error('reports not all seen yet');
    }, 10_000);
    expect(await reportSignals(h)).toEqual([]);

    h.exchange.market.setPrice('BTCUSDT', '30400');
    const sold = await h.waitForState(BOT.name, (s) => s.stats.roundTrips === 1, 'the take-profit fill', 20_000);
    expect(sold.openOrders).toEqual([]);
    expect(await reportSignals(h)).toEqual([{ id: tp, status: 'FILLED' }]);
    await h.agreement(BOT.name);
    expect(h.auditProblems()).toEqual([]);
  }, 90_000);
});
