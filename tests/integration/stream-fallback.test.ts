/**
 * The update path's safety net: a Workflow Update is durable only once a worker accepts it. With no
 * worker polling the bot's queue the update cannot be accepted, so StreamDelivery must fall back to
 * the signal, which the server queues durably; once a worker runs, the bot acts on the candle —
 * once, whatever else arrives (the update the server may still hold, a relay's resend).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Candle } from '../../core/market';
import { StreamDelivery } from '../../workers/stream-delivery';
import { Harness, eventually } from '../support/harness';

const BOT = {
  name: 'fallback',
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '5', maxLots: 3 },
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function candlesSeen(s: { strategyState: unknown }): number {
  return (s.strategyState as { candlesSeen: number }).candlesSeen;
}

describe('stream delivery without a worker', () => {
  it('an update nobody accepts in time falls back to the signal, and the bot acts on the candle once a worker runs, once', async () => {
    const h = new Harness();
    harness = h;
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', '30000');
    // No stream relay in these workers: the test is the only sender, so what reaches the bot is
    // what StreamDelivery sent.
    const first = await h.startWorker({ streams: false });
    const workflowId = await h.startBot(BOT, { attemptTimeout: '6s' });
    await h.waitForState(BOT.name, (s) => s.eventsProcessed >= 2, 'started and reconciled');
    await h.stopWorker(first);

    // A real candle of the exchange, closed while nobody polls the bot's queue.
    const k = h.exchange.market.closeCandle('BTCUSDT', '1m');
    const candle: Candle = {
      symbol: k.symbol,
      interval: k.interval,
      openTime: k.openTime,
      closeTime: k.closeTime,
      open: k.open,
      high: k.high,
      low: k.low,
      close: k.close,
      volume: k.volume,
      quoteVolume: k.quoteVolume,
    };
    const delivery = new StreamDelivery(h.client, { candles: 'update', orderReports: 'update' }, 1_500);
    const sentAt = Date.now();
    expect(await delivery.candle(workflowId, candle)).toBe('signal');
    // It waited for the acceptance, then signalled (not an immediate refusal).
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1_400);
    // Queued durably: in the history, or held by the server beside a workflow task still marked
    // started (it is written when that task times out), so look until it shows.
    await eventually(async () => {
      const queued = await h.handle(BOT.name).fetchHistory();
      const signals = queued.events!.filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'candle',
      ).length;
      if (signals !== 1) throw new Error(`${signals} candle signals in the history, not 1`);
    }, 30_000);

    await h.startWorker({ streams: false });
    await h.waitForState(
      BOT.name,
      (v) => candlesSeen(v) === 1 && v.stats.ordersPlaced >= 1,
      'the candle sent while no worker ran',
      45_000,
    );

    // A relay's resend of the same candle, by update and by signal: neither counts again. The
    // update may be answered from the first one: the server keeps an update it admitted while no
    // worker ran and hands it to the next worker with the queued signal, so the bot may have
    // received the candle twice already (the kernel drops the second); the resend with the same
    // update id then gets that update's outcome.
    expect(['update', 'duplicate']).toContain(await delivery.candle(workflowId, candle));
    await new StreamDelivery(h.client, { candles: 'signal', orderReports: 'signal' }).candle(workflowId, candle);
    const settled = await h.agreement(BOT.name, 30_000);
    expect(candlesSeen(settled)).toBe(1);
    // One buy for the one candle (its take-profit sell is the other order placed).
    const buys = new Set(
      h.exchange.venue
        .trades('paper', 'BTCUSDT')
        .filter((t) => t.side === 'BUY')
        .map((t) => t.orderId),
    );
    expect(buys.size).toBe(1);
    expect(h.auditProblems()).toEqual([]);
    const history = await h.handle(BOT.name).fetchHistory();
    expect(
      history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'candle').length,
    ).toBe(2);
    expect(
      history.events!.filter(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'deliverCandle',
      ).length,
    ).toBeLessThanOrEqual(1);
  }, 120_000);
});
