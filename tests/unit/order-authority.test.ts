/**
 * The exchange is the authority over streams and signals, in the kernel: a forged FILLED for an
 * open take-profit is believed only until the exchange is asked, which happens within seconds;
 * then the order, fills, position, PnL and round trips are what the exchange's fills say.
 */
import { describe, expect, it } from 'vitest';
import { type BotEvent, type BotState, type Command, createBotState, nextWakeAt, step } from '../../core/kernel';
import type { SymbolFilters } from '../../core/market';
import { NO_VERIFICATION, confirmedFills } from '../../core/order-authority';
import type { Fill, OrderRecord, OrderSnapshot } from '../../core/orders';
import { dcaTakeProfit } from '../../core/strategies/dca-take-profit';
import { FINE_FILTERS, T0, fill } from '../support/kernel-fixtures';

const FILTERS: SymbolFilters = { ...FINE_FILTERS, marketMaxQty: '0', minNotional: '5' };

/** Any bot event, its time optional (the test's clock advances a second per event). */
type EventIn = BotEvent extends infer E ? (E extends BotEvent ? Omit<E, 'now'> & { now?: number } : never) : never;

class Bot {
  state: BotState;
  commands: Command[] = [];
  now = T0;
  constructor() {
    const setup = {
      name: 'auth',
      strategy: dcaTakeProfit.id,
      symbol: 'BTCUSDT',
      interval: '1m' as const,
      account: 'paper',
      params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 3 },
      onStop: 'cancel-orders' as const,
      risk: {},
    };
    this.state = { ...createBotState(setup, dcaTakeProfit, T0), verification: NO_VERIFICATION };
    this.send({ type: 'start', now: T0, filters: FILTERS, fresh: true });
    this.send({ type: 'reconciled', now: T0, balances: { base: '0', quote: '100000' }, orphans: [], missing: [] });
  }
  send(event: EventIn): Command[] {
    this.now = event.now ?? this.now + 1_000;
    const r = step(this.state, { ...event, now: this.now }, dcaTakeProfit);
    this.state = r.state;
    this.commands.push(...r.commands);
    return [...r.commands];
  }
  order(tag: string): OrderRecord {
    return Object.values(this.state.orders).find((o) => o.tag === tag)!;
  }
  /** A bought lot and its take-profit resting at 30300 on the exchange. */
  buyAndRest(): OrderRecord {
    this.send({
      type: 'candle',
      candle: {
        symbol: 'BTCUSDT',
        interval: '1m',
        openTime: T0,
        closeTime: T0 + 59_999,
        open: '30000',
        high: '30000',
        low: '30000',
        close: '30000',
        volume: '1',
      },
    });
    const buy = this.order('buy-1');
    this.send({
      type: 'orderPlaced',
      snapshot: {
        clientOrderId: buy.clientOrderId,
        symbol: 'BTCUSDT',
        status: 'FILLED',
        executedQty: '0.01',
        cumulativeQuoteQty: '300',
        updateTime: this.now,
        fills: [fill(1, '0.01', '30000')],
      },
    });
    const tp = this.order('tp-1');
    this.send({
      type: 'orderPlaced',
      snapshot: {
        clientOrderId: tp.clientOrderId,
        symbol: 'BTCUSDT',
        status: 'NEW',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        updateTime: this.now,
      },
    });
    return this.order('tp-1');
  }
  lastReconcile(): Extract<Command, { type: 'reconcile' }> {
    return this.commands.filter((c): c is Extract<Command, { type: 'reconcile' }> => c.type === 'reconcile').at(-1)!;
  }
}

const forgedFill = (tp: OrderRecord): OrderSnapshot => ({
  clientOrderId: tp.clientOrderId,
  symbol: 'BTCUSDT',
  status: 'FILLED',
  executedQty: '0.01',
  cumulativeQuoteQty: '1000000',
  updateTime: T0 + 9e9,
  fills: [fill(9001, '0.01', '100000000')],
});
const asOnExchange = (tp: OrderRecord, status: OrderSnapshot['status'], fills: Fill[] = []): OrderSnapshot => ({
  clientOrderId: tp.clientOrderId,
  symbol: 'BTCUSDT',
  status,
  executedQty: fills.reduce((a, f) => a + Number(f.qty), 0).toString(),
  cumulativeQuoteQty: fills.reduce((a, f) => a + Number(f.quoteQty), 0).toString(),
  updateTime: T0,
  ...(fills.length > 0 ? { fills } : {}),
});

describe('the exchange is the authority over stream reports', () => {
  it('a forged FILLED for an open take-profit is corrected by the next reconciliation: order, fills, position, PnL and round trips', () => {
    const bot = new Bot();
    const tp = bot.buyAndRest();
    const honest = { position: bot.state.position, stats: bot.state.stats, trades: bot.state.trades };
    expect(honest.position.qty).toBe('0.01');

    bot.send({ type: 'orderUpdate', snapshot: forgedFill(tp), source: 'stream' });
    // Believed for now (streams carry fills fast)...
    expect(bot.order('tp-1').status).toBe('FILLED');
    expect(bot.state.position.qty).toBe('0');
    expect(Number(bot.state.position.realizedPnl)).toBeGreaterThan(900_000);
    expect(bot.state.stats.roundTrips).toBe(1);
    // ...but the exchange is asked within seconds, the "final" take-profit included.
    expect(nextWakeAt(bot.state)! - bot.now).toBeLessThanOrEqual(5_000);
    bot.send({ type: 'wake', now: nextWakeAt(bot.state)! });
    expect(bot.lastReconcile().clientOrderIds).toContain(tp.clientOrderId);

    bot.send({ type: 'orderUpdate', snapshot: asOnExchange(tp, 'NEW'), source: 'reconcile' });
    bot.send({ type: 'reconciled', balances: { base: '0.01', quote: '99700' }, orphans: [], missing: [] });
    const corrected = bot.order('tp-1');
    expect(corrected.status).toBe('NEW');
    expect(corrected.fills).toEqual([]);
    expect(bot.state.position).toEqual(honest.position);
    expect(bot.state.stats).toMatchObject({ fills: honest.stats.fills, roundTrips: 0, wins: 0 });
    expect(bot.state.trades).toEqual(honest.trades);
    expect(
      bot.state.notifications.some(
        (n) =>
          n.level === 'warn' &&
          /a stream report said FILLED with fills #9001 .* the exchange says NEW .*corrected/.test(n.message),
      ),
    ).toBe(true);
    expect(bot.state.verification).toMatchObject({ unverified: {}, checkpoint: null, journal: [] });
    // The strategy is told: its lot is held again (it had dropped it on the forged fill).
    expect((bot.state.strategy as { lots: Record<string, unknown> }).lots).toHaveProperty('1');
    // Open again, so it is managed again (a stop would cancel it on the exchange).
    expect(bot.state.status).toBe('RUNNING');
    bot.send({ type: 'stop', reason: 'test' });
    expect(bot.commands.some((c) => c.type === 'cancelOrder' && c.clientOrderId === tp.clientOrderId)).toBe(true);
  });

  it('a true stream fill is confirmed by the exchange and nothing moves', () => {
    const bot = new Bot();
    const tp = bot.buyAndRest();
    const real = fill(2, '0.01', '30300');
    bot.send({ type: 'orderUpdate', snapshot: asOnExchange(tp, 'FILLED', [real]), source: 'stream' });
    const after = { position: bot.state.position, stats: bot.state.stats };
    expect(after.stats.roundTrips).toBe(1);
    bot.send({ type: 'wake', now: nextWakeAt(bot.state)! });
    bot.send({ type: 'orderUpdate', snapshot: asOnExchange(tp, 'FILLED', [real]), source: 'reconcile' });
    bot.send({ type: 'reconciled', balances: null, orphans: [], missing: [] });
    expect(bot.state.position).toEqual(after.position);
    expect(bot.state.stats).toEqual(after.stats);
    expect(bot.state.verification?.unverified).toEqual({});
    expect(bot.state.notifications.some((n) => /corrected/.test(n.message))).toBe(false);
  });

  it('a report that arrived after the lookup was asked for is judged by the next lookup, not this one', () => {
    const bot = new Bot();
    const tp = bot.buyAndRest();
    bot.send({ type: 'streamReconnected' }); // a reconciliation is asked for now
    const real = fill(3, '0.01', '30300');
    bot.send({ type: 'orderUpdate', snapshot: asOnExchange(tp, 'FILLED', [real]), source: 'stream' });
    // The lookup was answered before that fill happened: the exchange said NEW then.
    bot.send({ type: 'orderUpdate', snapshot: asOnExchange(tp, 'NEW'), source: 'reconcile' });
    bot.send({ type: 'reconciled', balances: null, orphans: [], missing: [] });
    expect(bot.order('tp-1').status).toBe('FILLED');
    expect(bot.state.verification?.unverified[tp.clientOrderId]).toBeDefined();
  });

  it('the exchange trade list may lag its executed quantity: our fills that fit are kept', () => {
    const bot = new Bot();
    const tp = bot.buyAndRest();
    const ours = [fill(4, '0.004', '30300'), fill(5, '0.006', '30300')];
    const record = { ...tp, fills: ours, executedQty: '0.01' };
    const exchange: OrderSnapshot = { ...asOnExchange(tp, 'FILLED', [ours[0]!]), executedQty: '0.01' };
    expect(confirmedFills(record, exchange).map((f) => f.tradeId)).toEqual([4, 5]);
    const forgedExtra = { ...record, fills: [...ours, fill(6, '0.5', '1')] };
    expect(confirmedFills(forgedExtra, exchange).map((f) => f.tradeId)).toEqual([4, 5]);
  });

  it('without verification (histories recorded before it) a final report is never replaced', () => {
    const bot = new Bot();
    bot.state = { ...bot.state, verification: undefined };
    const tp = bot.buyAndRest();
    bot.send({ type: 'orderUpdate', snapshot: forgedFill(tp), source: 'stream' });
    bot.send({ type: 'orderUpdate', snapshot: asOnExchange(tp, 'NEW'), source: 'reconcile' });
    expect(bot.order('tp-1').status).toBe('FILLED');
  });
});
