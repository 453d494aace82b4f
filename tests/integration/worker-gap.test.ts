/**
 * Events while no worker runs: the worker is killed -9, candles close and an order fills with
 * nobody listening, then a new worker starts. The bot must act on every candle it missed (in
 * order, each once) and know of the fill in seconds — not at the next candle close, nor at the
 * three-minute stale-order check. And a bot started just before a candle closes, before any
 * worker's directory lists it, gets that candle too.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, eventually } from '../support/harness';

const BOT = {
  name: 'gappy',
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '0.5', maxLots: 3 },
};
const RUNTIME = { attemptTimeout: '6s' };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function candlesSeen(s: { strategyState: unknown }): number {
  return (s.strategyState as { candlesSeen: number }).candlesSeen;
}

/** The worker's candle and user streams are subscribed (a count of connections would also count its WebSocket API one). */
async function streamsUp(h: Harness): Promise<void> {
  await eventually(async () => {
    if (!h.exchange.listening.market('btcusdt@kline_1m') || !h.exchange.listening.user('paper'))
      throw new Error('streams not connected yet');
  }, 30_000);
}

describe('events while no worker runs', () => {
  it('candles closed and a fill while the worker is down reach the bot once a worker starts', async () => {
    const h = new Harness();
    harness = h;
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', '30000');
    let worker: ChildProcess = await h.spawnWorker();
    await h.startBot(BOT, RUNTIME);
    await h.waitForState(BOT.name, (s) => s.eventsProcessed >= 2, 'started and reconciled');
    await streamsUp(h);

    // One candle with a worker: a buy fills, its take-profit rests on the book.
    h.exchange.market.closeCandle('BTCUSDT', '1m');
    await h.waitForState(
      BOT.name,
      (s) => candlesSeen(s) === 1 && s.openOrders.some((o) => o.status === 'NEW' && o.request.side === 'SELL'),
      'the take-profit resting',
    );
    await h.agreement(BOT.name);
    const takeProfit = (await h.state(BOT.name)).openOrders.find((o) => o.request.side === 'SELL')!.clientOrderId;

    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    // Nobody listening: the take-profit fills, then two candles close.
    h.exchange.market.setPrice('BTCUSDT', '30400');
    await eventually(async () => {
      if (h.exchange.venue.openOrders('paper', 'BTCUSDT').length > 0) throw new Error('take-profit not filled yet');
    }, 10_000);
    const fillsWhileDown = h.exchange.venue.trades('paper', 'BTCUSDT').length;
    h.exchange.market.closeCandle('BTCUSDT', '1m');
    h.exchange.market.closeCandle('BTCUSDT', '1m');

    const restartedAt = Date.now();
    worker = await h.spawnWorker();
    // Well under the 3-minute stale-order check; no candle closes after the restart.
    const s = await h.waitForState(
      BOT.name,
      // Every trade the exchange made: the fill while down and one buy per missed candle. (The
      // fill may be learned before or after those candles: the catch-up candle and the
      // reconciliation after the stream's subscription race; roundTrips is 1 only in the first
      // order, since a buy learned first keeps the position open.)
      (v) =>
        candlesSeen(v) === 3 &&
        v.stats.fills >= fillsWhileDown + 2 &&
        !v.openOrders.some((o) => o.clientOrderId === takeProfit),
      'the missed candles and the fill',
      45_000,
    );
    const settled = await h.agreement(BOT.name, 30_000);
    expect(Date.now() - restartedAt).toBeLessThan(75_000);
    expect(candlesSeen(settled)).toBe(3);
    expect(s.stats.fills).toBe(h.exchange.venue.trades('paper', 'BTCUSDT').length);
    // Each missed candle acted on once: one buy per candle.
    const buys = new Set(
      h.exchange.venue
        .trades('paper', 'BTCUSDT')
        .filter((t) => t.side === 'BUY')
        .map((t) => t.orderId),
    );
    expect(buys.size).toBe(3);
    expect(h.auditProblems()).toEqual([]);
  }, 150_000);

  it('a bot started just before a candle closes, before the directory lists it, gets that candle', async () => {
    const h = new Harness();
    harness = h;
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', '30000');
    // Candles on the update path (shipped candles go by signal, workers/stream-delivery.ts): the
    // duplicate the live relay sends must be refused by the validator, without history.
    await h.startWorker({ streamDelivery: { candles: 'update', orderReports: 'update' } });
    await h.startBot({ ...BOT, name: 'newcomer' }, RUNTIME);
    // The moment the bot can trade (its routing memo is set), the candle closes.
    await eventually(
      async () => {
        const d = await h.handle('newcomer').describe();
        if (!d.memo?.bot) throw new Error('not routable yet');
      },
      30_000,
      20,
    );
    h.exchange.market.closeCandle('BTCUSDT', '1m');
    // No further candle: it must arrive from the catch-up, within a directory refresh or two.
    const s = await h.waitForState(
      'newcomer',
      (v) => candlesSeen(v) === 1,
      'the candle that closed as it started',
      20_000,
    );
    expect(s.stats.ordersPlaced).toBeGreaterThanOrEqual(1);
    // Delivered on the fast path (an update), and the live relay's copy of the same candle, refused
    // as a duplicate by the validator, left no trace: one accepted candle update, no candle signal.
    const history = await h.handle('newcomer').fetchHistory();
    const accepted = history.events!.filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'deliverCandle',
    );
    const signalled = history.events!.filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'candle',
    );
    expect(accepted.length).toBe(1);
    expect(signalled.length).toBe(0);
  }, 60_000);
});
