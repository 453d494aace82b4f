import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { type BotEvent, type BotState, type Command, createBotState, step } from '../../core/kernel';
import type { OrderSnapshot } from '../../core/orders';
import {
  type RiskConfig,
  checkEntry,
  initialRiskState,
  openTradeCount,
  riskConfigSchema,
  updateRiskState,
} from '../../core/risk/guard';
import { defineStrategy } from '../../core/strategy';
import { BTCUSDT_FILTERS, T0, candles, flat } from '../support/fixtures/market';

/** Buys 0.1 at market on every candle; the guard decides what goes through. */
const buyEveryCandle = defineStrategy<Record<string, never>, { n: number }>({
  id: 'test-buy-every-candle',
  title: 'test',
  description: 'test',
  params: z.object({}).strict(),
  init: () => ({ n: 0 }),
  onEvent(state, event) {
    if (event.type !== 'candle') return { state };
    const n = state.n + 1;
    return {
      state: { n },
      intents: [
        { kind: 'place', tag: `buy-${n}`, side: 'BUY', type: 'LIMIT', price: '90', quantity: '1', purpose: 'entry' },
      ],
    };
  },
});

function bot(risk: RiskConfig): { state: BotState; commands: Command[]; run: (e: BotEvent) => Command[] } {
  const strategy = buyEveryCandle;
  const box = {
    state: createBotState(
      {
        name: 'guarded',
        strategy: strategy.id,
        symbol: 'BTCUSDT',
        interval: '1m',
        account: 'paper',
        params: {},
        onStop: 'cancel-orders',
        risk,
      },
      strategy,
      T0,
    ),
    commands: [] as Command[],
    run(e: BotEvent): Command[] {
      const r = step(box.state, e, strategy);
      box.state = r.state;
      box.commands.push(...r.commands);
      return [...r.commands];
    },
  };
  box.run({ type: 'start', now: T0, filters: BTCUSDT_FILTERS, fresh: true });
  return box;
}

const snapshot = (
  clientOrderId: string,
  status: OrderSnapshot['status'],
  executedQty: string,
  price: string,
  now: number,
  tradeId?: number,
): OrderSnapshot => ({
  clientOrderId,
  symbol: 'BTCUSDT',
  status,
  executedQty,
  cumulativeQuoteQty: String(Number(executedQty) * Number(price)),
  updateTime: now,
  fills:
    tradeId === undefined
      ? []
      : [
          {
            tradeId,
            price,
            qty: executedQty,
            quoteQty: String(Number(executedQty) * Number(price)),
            commission: '0',
            commissionAsset: 'USDT',
            time: now,
            isMaker: true,
          },
        ],
});

describe('risk config', () => {
  it('defaults to no limits and refuses unknown fields and floats', () => {
    expect(riskConfigSchema.parse({})).toEqual({});
    expect(riskConfigSchema.safeParse({ maxOpenTrade: 1 }).success).toBe(false);
    expect(riskConfigSchema.safeParse({ maxDrawdown: 10 }).success).toBe(false);
    expect(riskConfigSchema.parse({ maxOpenTrades: 2, maxDrawdownPct: '10', capital: '1000' })).toEqual({
      maxOpenTrades: 2,
      maxDrawdownPct: '10',
      capital: '1000',
    });
  });
});

describe('max open trades', () => {
  it('refuses a third working entry with maxOpenTrades 2, through the kernel, with the reason', () => {
    const b = bot({ maxOpenTrades: 2 });
    const [c1, c2, c3] = candles([flat(100), flat(100), flat(100)]);
    const placed = [c1!, c2!, c3!].flatMap((c) =>
      b.run({ type: 'candle', now: c.closeTime, candle: c }).filter((cmd) => cmd.type === 'placeOrder'),
    );
    expect(placed).toHaveLength(2);
    const refused = Object.values(b.state.orders).find((o) => o.tag === 'buy-3');
    expect(refused?.status).toBe('REJECTED');
    expect(refused?.rejectReason).toBe('risk: max open trades reached (2 of 2)');
  });

  it('counts a held position as one trade and an OCO as one', () => {
    const view = {
      now: 0,
      lastPrice: '100',
      balances: null,
      position: { qty: '0.5', avgEntryPrice: '100', realizedPnl: '0' },
      openOrders: [
        { purpose: 'entry', listClientOrderId: 'L1' },
        { purpose: 'entry', listClientOrderId: 'L1' },
        { purpose: 'exit' },
      ] as never,
    };
    expect(openTradeCount(view)).toBe(2);
    expect(checkEntry(initialRiskState(), view, { maxOpenTrades: 2 })).toMatch(/max open trades/);
    expect(checkEntry(initialRiskState(), view, { maxOpenTrades: 3 })).toBeNull();
  });
});

describe('drawdown kill-switch', () => {
  it('stops the bot (and cancels its orders) once equity falls more than maxDrawdown below its peak', () => {
    const b = bot({ maxDrawdown: '15' });
    const [c1, c2, c3, c4] = candles([flat(100), flat(95), flat(110), flat(94)]);
    b.run({ type: 'candle', now: c1!.closeTime, candle: c1! });
    const buy1 = Object.values(b.state.orders).find((o) => o.tag === 'buy-1')!;
    b.run({
      type: 'orderPlaced',
      now: c1!.closeTime + 1,
      snapshot: snapshot(buy1.clientOrderId, 'NEW', '0', '90', c1!.closeTime + 1),
    });
    // 1 BTC bought at 90.
    b.run({
      type: 'orderUpdate',
      now: c1!.closeTime + 2,
      source: 'stream',
      snapshot: snapshot(buy1.clientOrderId, 'FILLED', '1', '90', c1!.closeTime + 2, 1),
    });
    b.run({ type: 'candle', now: c2!.closeTime, candle: c2! }); // pnl +5
    b.run({ type: 'candle', now: c3!.closeTime, candle: c3! }); // pnl +20 (peak)
    expect(b.state.status).toBe('RUNNING');
    const before = b.commands.length;
    b.run({ type: 'candle', now: c4!.closeTime, candle: c4! }); // pnl +4: 16 below the peak
    expect(b.state.status).toBe('STOPPING');
    expect(b.state.stopReason).toBe('risk: drawdown 16 from peak equity 20 exceeds maxDrawdown 15');
    const after = b.commands.slice(before);
    // The strategy's working buys are cancelled (still being submitted here: the cancel goes out on
    // confirmation); no new buy goes out on the killing candle.
    const working = Object.values(b.state.orders).filter((o) => o.status === 'SUBMITTING');
    expect(working.map((o) => o.tag)).toEqual(['buy-2', 'buy-3']);
    expect(working.every((o) => o.cancelRequested)).toBe(true);
    expect(after.filter((c) => c.type === 'placeOrder')).toHaveLength(0);
  });

  it('maxDrawdownPct is measured against capital + peak PnL', () => {
    const config: RiskConfig = { maxDrawdownPct: '10', capital: '1000' };
    const view = (qty: string, price: string) => ({
      now: 0,
      lastPrice: price,
      balances: null,
      openOrders: [],
      position: { qty, avgEntryPrice: '100', realizedPnl: '0' },
    });
    let s = updateRiskState(initialRiskState(), view('10', '100'), config); // equity 1000
    s = updateRiskState(s, view('10', '110'), config); // equity 1100 (peak)
    s = updateRiskState(s, view('10', '101'), config); // 1010: 8.18% down
    expect(checkEntry(s, view('10', '101'), config)).toBeNull();
    s = updateRiskState(s, view('10', '99'), config); // 990: 10% down exactly: not beyond
    expect(checkEntry(s, view('10', '99'), config)).toBeNull();
    s = updateRiskState(s, view('10', '98.9'), config); // 989: 10.09% down
    expect(checkEntry(s, view('10', '98.9'), config)).toBe(
      'kill-switch: drawdown 10.09% from peak equity 1100 exceeds maxDrawdownPct 10%',
    );
  });

  it('learns the capital from the first balances when none is configured', () => {
    const config: RiskConfig = { maxDrawdownPct: '50' };
    const s = updateRiskState(
      initialRiskState(),
      {
        now: 0,
        lastPrice: '100',
        balances: { base: '1', quote: '900' },
        openOrders: [],
        position: { qty: '0', avgEntryPrice: '0', realizedPnl: '0' },
      },
      config,
    );
    expect(s).toMatchObject({ capital: '1000', peak: '1000', tripped: null });
  });

  it('keeps the state untouched (same object) without drawdown limits: the backtest hot path', () => {
    const s = initialRiskState();
    expect(
      updateRiskState(
        s,
        {
          now: 0,
          lastPrice: '1',
          balances: null,
          openOrders: [],
          position: { qty: '1', avgEntryPrice: '2', realizedPnl: '0' },
        },
        {},
      ),
    ).toBe(s);
  });
});

describe('bot definitions', () => {
  it('accept risk limits and the seed strategies, and explain what is wrong', async () => {
    const { checkBotDefinition } = await import('../../core/bot-definition');
    const ok = checkBotDefinition({
      name: 'grid-1',
      strategy: 'grid',
      symbol: 'BTCUSDT',
      params: { low: '90', high: '110', quantity: '0.01' },
      risk: { maxOpenTrades: 25, maxDrawdownPct: '15', capital: '1000' },
    });
    expect(ok.ok && ok.definition.risk).toEqual({ maxOpenTrades: 25, maxDrawdownPct: '15', capital: '1000' });
    expect(ok.ok && ok.definition.params).toMatchObject({ levels: 10, spacing: 'arithmetic', initialBuy: true });
    const bad = checkBotDefinition({
      name: 'st',
      strategy: 'smart-trade',
      symbol: 'BTCUSDT',
      params: { sizing: { mode: 'quote', amount: '100' }, exits: { takeProfits: [{ pct: '1', share: '50' }] } },
      risk: { maxDrawdown: 5 },
    });
    // Every problem at once: the risk field and the params are both reported.
    expect(bad.ok ? [] : bad.problems).toEqual([
      expect.stringMatching(/^bot "st": risk.maxDrawdown: must be a decimal string/),
      'bot "st": params.exits.takeProfits: shares add up to 50, not 100',
    ]);
    const badParams = checkBotDefinition({
      name: 'rb',
      strategy: 'range-breakout',
      symbol: 'BTCUSDT',
      params: { pct: '1', sizing: { mode: 'base', quantity: '1' }, exits: { stopLoss: { pct: '1' } } },
    });
    expect(badParams.ok ? [] : badParams.problems).toEqual([
      'bot "rb": params.top: give top and bottom, or rangeCandles (not both)',
    ]);
  });
});
