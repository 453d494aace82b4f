/**
 * A futures bot's free margin follows its fills (core/futures/free-margin.ts), worked by hand, and
 * the round trip of a short reports the price it was bought back at.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { type BotEvent, type BotSetup, type BotState, type Command, createBotState, step } from '../../core/kernel';
import { freeMarginAfterFill } from '../../core/futures/free-margin';
import { perpExitValue, perpPositionAfterFill } from '../../core/futures/position';
import { resolveFuturesSetup } from '../../core/futures/setup';
import type { Candle, SymbolFilters } from '../../core/market';
import type { Fill } from '../../core/orders';
import { riskConfigSchema } from '../../core/risk/guard';
import { type AnyStrategy, defineStrategy } from '../../core/strategy';

const FLAT = { qty: '0', avgEntryPrice: '0', realizedPnl: '0', cost: '0', fees: {} };
const fill = (tradeId: number, qty: string, price: string, commission: string): Fill => ({
  tradeId,
  price,
  qty,
  quoteQty: String(Number(qty) * Number(price)),
  commission,
  commissionAsset: 'USDT',
  time: tradeId,
  isMaker: false,
});

describe('free margin after a fill', () => {
  it('opening locks cost / leverage and the fee; closing releases it and adds the PnL less the fee', () => {
    // SELL 0.1 at 30000 at 10x, fee 1.5: margin 300 locked, 1.5 paid: 10000 -> 9698.5.
    const short = perpPositionAfterFill(FLAT, 'SELL', fill(1, '0.1', '30000', '1.5'), 'USDT');
    const open = freeMarginAfterFill({ base: '0', quote: '10000' }, FLAT, short, 10);
    expect(open).toEqual({ base: '-0.1', quote: '9698.5' });
    // BUY 0.1 at 29000, fee 1.45: 300 released, +100 on the move, -1.45: 9698.5 + 398.55 = 10097.05.
    const closed = perpPositionAfterFill(short, 'BUY', fill(2, '0.1', '29000', '1.45'), 'USDT');
    expect(freeMarginAfterFill(open, short, closed, 10)).toEqual({ base: '0', quote: '10097.05' });
    // The wallet: 10000 - 1.5 + 100 - 1.45, what the exchange's availableBalance says once flat.
  });

  it('never below zero', () => {
    const long = perpPositionAfterFill(FLAT, 'BUY', fill(1, '1', '30000', '15'), 'USDT');
    expect(freeMarginAfterFill({ base: '0', quote: '100' }, FLAT, long, 10).quote).toBe('0');
  });

  it("a round trip's exit value: a long's cost plus its PnL, a short's proceeds less its PnL", () => {
    expect(perpExitValue('3000', '97.05', 'long')).toBe('3097.05');
    expect(perpExitValue('3000', '97.05', 'short')).toBe('2902.95');
  });
});

// ---- through the kernel ------------------------------------------------------------------------

/** Short 0.1 on a close of 30000, cover on 29000. */
const shortThenCover: AnyStrategy = defineStrategy({
  id: 'short-then-cover',
  title: 'test',
  description: 'test',
  params: z.object({}).strict(),
  markets: ['futures'],
  init: () => ({}),
  onEvent: (state, event, ctx) => {
    if (event.type !== 'candle') return { state };
    if (event.candle.close === '30000' && ctx.position.qty === '0')
      return {
        state,
        intents: [{ kind: 'place', tag: 'short', purpose: 'entry', side: 'SELL', type: 'MARKET', quantity: '0.1' }],
      };
    if (event.candle.close === '29000' && ctx.position.qty === '-0.1')
      return {
        state,
        intents: [{ kind: 'place', tag: 'cover', purpose: 'exit', side: 'BUY', type: 'MARKET', quantity: '0.1' }],
      };
    return { state };
  },
});

const filters: SymbolFilters = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  tickSize: '0.1',
  minPrice: '0.1',
  maxPrice: '1000000',
  stepSize: '0.001',
  minQty: '0.001',
  maxQty: '1000',
  marketStepSize: '0.001',
  marketMinQty: '0.001',
  marketMaxQty: '120',
  minNotional: '5',
  maxNotional: '0',
  maxNumOrders: 200,
};
const setup: BotSetup = {
  name: 'fm',
  strategy: shortThenCover.id,
  symbol: 'BTCUSDT',
  interval: '15m',
  account: 'paper',
  params: {},
  onStop: 'cancel-orders',
  risk: riskConfigSchema.parse({}),
  market: 'futures',
  futures: resolveFuturesSetup({ leverage: 10, marginType: 'ISOLATED' }, {}),
};
const candle = (i: number, close: string): Candle => ({
  symbol: 'BTCUSDT',
  interval: '15m',
  openTime: i * 900_000,
  closeTime: (i + 1) * 900_000 - 1,
  open: close,
  high: close,
  low: close,
  close,
  volume: '1',
});

function run(state: BotState, event: BotEvent): { state: BotState; commands: readonly Command[] } {
  return step(state, event, shortThenCover);
}

describe('the kernel keeps a futures bot from sizing with the margin of a closed position', () => {
  it('a fill moves the free margin and asks for a reconcile; a reconcile in flight at the fill is not taken', () => {
    let s = createBotState(setup, shortThenCover, 0);
    ({ state: s } = run(s, { type: 'start', now: 0, filters, fresh: true }));
    ({ state: s } = run(s, {
      type: 'reconciled',
      now: 1,
      balances: { base: '0', quote: '10000' },
      orphans: [],
      missing: [],
    }));
    let r = run(s, { type: 'candle', now: 900_000, candle: candle(0, '30000') });
    const place = r.commands.find((c) => c.type === 'placeOrder')!;
    expect(place).toMatchObject({ request: { side: 'SELL', type: 'MARKET', quantity: '0.1' } });
    const shortId = place.clientOrderId;
    r = run(r.state, {
      type: 'orderPlaced',
      now: 900_001,
      snapshot: {
        clientOrderId: shortId,
        symbol: 'BTCUSDT',
        status: 'FILLED',
        executedQty: '0.1',
        cumulativeQuoteQty: '3000',
        updateTime: 900_001,
        fills: [fill(1, '0.1', '30000', '1.5')],
      },
    });
    expect(r.state.balances).toEqual({ base: '-0.1', quote: '9698.5' });
    expect(r.commands.filter((c) => c.type === 'reconcile')).toHaveLength(1);
    // That reconcile reads the exchange after the fill: its answer is taken.
    r = run(r.state, {
      type: 'reconciled',
      now: 900_002,
      balances: { base: '-0.1', quote: '9698.2' },
      orphans: [],
      missing: [],
    });
    expect(r.state.balances).toEqual({ base: '-0.1', quote: '9698.2' });

    // A periodic reconcile goes out, then the cover fills before it answers.
    r = run(r.state, { type: 'wake', now: r.state.nextReconcileAt! });
    expect(r.state.reconcileInFlight).toBe(true);
    r = run(r.state, { type: 'candle', now: 1_800_000, candle: candle(1, '29000') });
    const coverId = (
      r.commands.find(
        (c) => c.type === 'placeOrder' && c.request.side === 'BUY' && !c.request.closePosition,
      ) as Extract<Command, { type: 'placeOrder' }>
    ).clientOrderId;
    r = run(r.state, {
      type: 'orderPlaced',
      now: 1_800_001,
      snapshot: {
        clientOrderId: coverId,
        symbol: 'BTCUSDT',
        status: 'FILLED',
        executedQty: '0.1',
        cumulativeQuoteQty: '2900',
        updateTime: 1_800_001,
        fills: [fill(2, '0.1', '29000', '1.45')],
      },
    });
    expect(r.state.balances).toEqual({ base: '0', quote: '10096.75' }); // 9698.2 + 300 + 100 - 1.45
    expect(r.commands.filter((c) => c.type === 'reconcile')).toHaveLength(0); // one is in flight
    // The in-flight answer predates the cover: not taken, and another reconcile is asked.
    r = run(r.state, {
      type: 'reconciled',
      now: 1_800_002,
      balances: { base: '-0.1', quote: '9698.2' },
      orphans: [],
      missing: [],
    });
    expect(r.state.balances).toEqual({ base: '0', quote: '10096.75' });
    expect(r.commands.filter((c) => c.type === 'reconcile')).toHaveLength(1);
    r = run(r.state, {
      type: 'reconciled',
      now: 1_800_003,
      balances: { base: '0', quote: '10097.05' },
      orphans: [],
      missing: [],
    });
    expect(r.state.balances).toEqual({ base: '0', quote: '10097.05' });
    expect(r.commands.filter((c) => c.type === 'reconcile')).toHaveLength(0);

    // The round trip: short 0.1 at 30000, bought back at 29000; PnL 100 - 2.95 fees.
    expect(r.state.trades).toHaveLength(1);
    expect(r.state.trades[0]).toMatchObject({
      entryQty: '0.1',
      avgEntryPrice: '30000',
      pnl: '97.05',
      avgExitPrice: '29029.5',
    });
  });
});
