/**
 * Long life: a bot continues-as-new (here forced every few events) through several runs with its
 * whole state intact, nothing lost from the events that arrive while it rolls over, and client
 * order ids never reused across runs.
 */
import { describe, expect, it } from 'vitest';
import { type BotStateView, candleSignal } from '../../workflows/messages';
import { harnessWithWorker, eventually } from '../support/harness';
import { anHourAhead, dcaBot, flatCandle } from '../support/trading-bot';

// Candles an hour ahead of the clock: reconciliation (at every new run) checks that candles are
// fresh and would fetch the "missing" ones from the exchange if these were dated in the past.
const T0 = anHourAhead();
const candle = (i: number) => flatCandle(T0, i);

describe('continue-as-new', () => {
  const h = harnessWithWorker();

  /** The bot has seen `count` candles and no placement of theirs is still in flight. */
  const candlesHandled = (name: string, count: number, what: string, timeoutMs: number): Promise<BotStateView> =>
    h.waitForState(
      name,
      (s) =>
        (s.strategyState as { candlesSeen: number }).candlesSeen === count &&
        s.openOrders.every((o) => o.status !== 'SUBMITTING'),
      what,
      timeoutMs,
    );

  it('carries the whole state and every pending event through at least 3 new runs', async () => {
    const CANDLES = 30;
    await h.startBot(dcaBot('long-lived', { everyCandles: 2, takeProfitPct: '5', maxLots: 100 }), {
      continueAsNewAfterEvents: 6,
    });
    await h.waitForState('long-lived', (s) => s.eventsProcessed >= 2, 'start');
    const handle = h.handle('long-lived');
    // Groups of fast, ordered signals: many arrive while a run waits to roll over and must be
    // carried; between groups the bot goes quiet, and rolls over.
    for (let i = 0; i < CANDLES; i++) {
      await handle.signal(candleSignal, candle(i));
      if (i % 6 === 5) await candlesHandled('long-lived', i + 1, `candle ${i}`, 120_000);
    }
    const state = await candlesHandled('long-lived', CANDLES, 'all candles processed', 90_000);
    expect(state.generation).toBeGreaterThanOrEqual(4);
    // Every other candle bought once: 15 buys, each followed by a take-profit.
    const strategy = state.strategyState as { candlesSeen: number; lotSeq: number; lots: Record<string, unknown> };
    expect(strategy.lotSeq).toBe(CANDLES / 2);
    expect(Object.keys(strategy.lots)).toHaveLength(CANDLES / 2);
    expect(state.stats.ordersPlaced).toBe(CANDLES); // 15 buys + 15 take-profits
    expect(state.position.qty).toBe('0.14985'); // 15 × 0.00999 (fee in BTC)
    // The exchange agrees, and no client id was used twice across the runs.
    const orders = h.exchange.venue.allOrders('paper', 'BTCUSDT');
    expect(orders).toHaveLength(CANDLES);
    expect(new Set(orders.map((o) => o.clientOrderId)).size).toBe(CANDLES);
    // Visibility follows the runs' closes and starts a moment later: wait until it shows them all.
    const runs = await eventually(async () => {
      const list = [];
      for await (const run of h.client.workflow.list({ query: `WorkflowId = 'bot-long-lived'` }))
        list.push(run.status.name);
      if (list.filter((s) => s === 'CONTINUED_AS_NEW').length < 3 || list.filter((s) => s === 'RUNNING').length !== 1)
        throw new Error(`runs: ${list.join(',')}`);
      return list;
    });
    expect(runs.filter((s) => s === 'RUNNING')).toHaveLength(1);
  });

  it('does not roll over again and again when a new run starts with more open orders than its event bound', async () => {
    // A new run reconciles first: one snapshot per open order. Counted as events, 8 resting
    // take-profits made every new run due at once, and the bot rolled over in a loop.
    const OPEN = 8;
    await h.startBot(dcaBot('many-open', { everyCandles: 1, takeProfitPct: '5', maxLots: 100 }), {
      continueAsNewAfterEvents: 6,
    });
    await h.waitForState('many-open', (s) => s.eventsProcessed >= 2, 'start');
    const handle = h.handle('many-open');
    for (let i = 0; i < OPEN; i++) {
      await handle.signal(candleSignal, candle(i));
      await candlesHandled('many-open', i + 1, `candle ${i}`, 60_000);
    }
    const settled = await h.waitForState(
      'many-open',
      (s) => s.openOrders.filter((o) => o.status === 'NEW').length === OPEN,
      'take-profits resting',
    );
    expect(settled.generation).toBeGreaterThanOrEqual(2);
    // No input for a while: at most the roll-over that was already due, then none.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const later = await h.state('many-open');
    expect(later.generation - settled.generation).toBeLessThanOrEqual(1);
    expect(later.openOrders.filter((o) => o.status === 'NEW')).toHaveLength(OPEN);
    expect((later.strategyState as { candlesSeen: number }).candlesSeen).toBe(OPEN);
  });

  it('rolls over by history length, so a restarted worker never replays a long run', async () => {
    const MAX = 80;
    await h.startBot(dcaBot('bounded', { takeProfitPct: '5', maxLots: 100 }), {
      continueAsNewAtHistoryLength: MAX,
    });
    await h.waitForState('bounded', (s) => s.eventsProcessed >= 2, 'start');
    const handle = h.handle('bounded');
    const CANDLES = 24;
    for (let i = 0; i < CANDLES; i++) {
      await handle.signal(candleSignal, candle(i));
      await candlesHandled('bounded', i + 1, `candle ${i}`, 60_000);
    }
    const state = await h.agreement('bounded');
    expect(state.stats.ordersPlaced).toBe(2 * CANDLES); // a buy and its take-profit per candle
    // Visibility lists a finished run a moment after it rolled over, and a reconcile timer may roll
    // the bot over once more meanwhile: list until the finished runs are those before the current one.
    const { lengths, generation } = await eventually(async () => {
      const found: number[] = [];
      for await (const run of h.client.workflow.list({ query: `WorkflowId = 'bot-bounded'` })) {
        const d = await h.client.workflow.getHandle('bot-bounded', run.runId).describe();
        if (d.status.name === 'CONTINUED_AS_NEW') found.push(d.historyLength);
      }
      const now = (await h.state('bounded')).generation;
      if (found.length < now - 1) throw new Error(`${found.length} finished runs listed so far`);
      return { lengths: found, generation: now };
    });
    expect(generation).toBeGreaterThanOrEqual(state.generation);
    expect(lengths.length).toBeGreaterThanOrEqual(2);
    // It rolls over at the first quiet moment past the limit: one candle's work at most beyond it.
    for (const n of lengths) expect(n).toBeLessThan(MAX + 40);
    expect(generation).toBe(lengths.length + 1);
  });
});
