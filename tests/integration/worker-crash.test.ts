/**
 * Cut the power on the worker: kill -9 its process in the middle of a bot's work, start a new one,
 * and the bot carries on from its history — ending in exactly the state of an undisturbed run of
 * the same input.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { BotStateView } from '../../workflows/messages';
import { Harness, eventually } from '../support/harness';

const PRICES = ['30000', '30050', '30200', '29950', '30300', '30100', '30500', '29900', '30400', '30600'];
const BOT = {
  name: 'crashy',
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '0.5', maxLots: 2 },
};
const RUNTIME = { attemptTimeout: '6s' };

interface Kill {
  /** Kill after closing this candle... */
  readonly afterCandle: number;
  /** ...once the bot's history holds this many events more than before the candle (0: right away). */
  readonly afterEvents: number;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function historyLength(h: Harness, name: string): Promise<number> {
  const d = await h.handle(name).describe();
  return d.historyLength;
}

/** The bot agrees with the exchange: nothing in flight, same open orders, every fill known. */
async function settled(h: Harness, name: string, candles: number): Promise<BotStateView> {
  return eventually(
    async () => {
      const s = await h.state(name);
      const seen = (s.strategyState as { candlesSeen: number }).candlesSeen;
      if (seen !== candles) throw new Error(`bot saw ${seen}/${candles} candles`);
      if (s.openOrders.some((o) => o.status === 'SUBMITTING' || o.cancelRequested)) throw new Error('orders in flight');
      const venueOpen = h.exchange.venue
        .openOrders('paper', 'BTCUSDT')
        .map((o) => o.clientOrderId)
        .sort();
      const botOpen = s.openOrders.map((o) => o.clientOrderId).sort();
      if (venueOpen.join() !== botOpen.join())
        throw new Error(`open orders differ: exchange ${venueOpen.join(',')} bot ${botOpen.join(',')}`);
      const venueFills = h.exchange.venue.trades('paper', 'BTCUSDT').length;
      if (venueFills !== s.stats.fills) throw new Error(`fills differ: exchange ${venueFills} bot ${s.stats.fills}`);
      return s;
    },
    90_000,
    200,
  );
}

/** The worker's stream service holds its market and user streams (candles would be missed otherwise). */
async function streamsUp(h: Harness): Promise<void> {
  await eventually(async () => {
    if (!h.exchange.listening.market('btcusdt@kline_1m') || !h.exchange.listening.user('paper'))
      throw new Error('streams not connected yet');
  }, 30_000);
}

/**
 * The exchange has seen the killed worker's sockets close: until then its subscriptions still count
 * as listening, and a candle closed then would reach nobody.
 */
async function streamsGone(h: Harness): Promise<void> {
  await eventually(async () => {
    const n = h.exchange.stats().connections;
    if (n > 0) throw new Error(`${n} WebSocket connections of the killed worker still open`);
  }, 30_000);
}

async function runScenario(kills: readonly Kill[]): Promise<{ state: BotStateView; restarts: number }> {
  const h = new Harness();
  harness = h;
  await h.start();
  h.exchange.market.setPrice('BTCUSDT', PRICES[0]!);
  let worker: ChildProcess = await h.spawnWorker();
  await h.startBot(BOT, RUNTIME);
  await h.waitForState(BOT.name, (s) => s.eventsProcessed >= 2, 'started and reconciled');
  await streamsUp(h);
  let restarts = 0;
  for (let i = 0; i < PRICES.length; i++) {
    h.exchange.market.setPrice('BTCUSDT', PRICES[i]!);
    // The fills this price causes reach the bot before the candle does, in both runs: a candle
    // racing ahead of a take-profit's fill report sees one more lot open and skips a buy, which
    // is a different input, not a different outcome of the same input.
    await settled(h, BOT.name, i);
    const before = await historyLength(h, BOT.name);
    h.exchange.market.closeCandle('BTCUSDT', '1m');
    for (const kill of kills.filter((k) => k.afterCandle === i)) {
      // Wait until the bot's work on this candle has reached the chosen point, then pull the plug.
      // (A candle that gives the bot little to do may never add that many events: then the
      // plug is pulled once the bot is done with it, which is a crash point too.)
      await eventually(
        async () => {
          if ((await historyLength(h, BOT.name)) >= before + kill.afterEvents + 1) return;
          const s = await h.state(BOT.name);
          if ((s.strategyState as { candlesSeen: number }).candlesSeen === i + 1 && s.activitiesInFlight === 0) return;
          throw new Error('not there yet');
        },
        30_000,
        5,
      );
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      await streamsGone(h);
      worker = await h.spawnWorker();
      await streamsUp(h);
      restarts++;
    }
    await settled(h, BOT.name, i + 1);
  }
  return { state: await settled(h, BOT.name, PRICES.length), restarts };
}

/** What must be identical between runs (ids carry a creation time, so compare by tag). */
function essence(s: BotStateView) {
  return {
    strategyState: s.strategyState,
    position: s.position,
    realizedPnl: s.realizedPnl,
    fees: s.fees,
    stats: s.stats,
    openOrders: s.openOrders.map((o) => ({
      tag: o.tag,
      status: o.status,
      request: o.request,
      executedQty: o.executedQty,
    })),
    trades: s.trades.map((t) => ({
      entryQty: t.entryQty,
      avgEntryPrice: t.avgEntryPrice,
      avgExitPrice: t.avgExitPrice,
      pnl: t.pnl,
    })),
  };
}

describe('kill -9 of the worker in the middle of a bot', () => {
  it('resumes from history and ends in the same state as an undisturbed run', async () => {
    const reference = await runScenario([]);
    await harness!.stop();
    harness = undefined;
    const crashed = await runScenario([
      { afterCandle: 1, afterEvents: 0 }, // candle signalled, not yet handled
      { afterCandle: 2, afterEvents: 3 }, // workflow task done: the order activity is scheduled
      { afterCandle: 4, afterEvents: 5 }, // the placement is running or just finished
      { afterCandle: 6, afterEvents: 8 }, // the take-profit is being placed
    ]);
    expect(crashed.restarts).toBe(4);
    expect(reference.state.stats.ordersPlaced).toBeGreaterThan(4);
    expect(reference.state.stats.roundTrips).toBeGreaterThan(0);
    expect(essence(crashed.state)).toEqual(essence(reference.state));
  });
});
