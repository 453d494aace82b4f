import path from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { loadKlines } from '../../backtest/data';
import { BacktestError, runBacktest } from '../../backtest/engine';
import type { Candle } from '../../core/market';
import { grid } from '../../core/strategies/grid';
import { smartTrade } from '../../core/strategies/smart-trade';
import { type Json, type StrategyEvent, defineStrategy } from '../../core/strategy';
import { backtest, balance, fillLines, orderLines } from '../support/fixtures/backtest';
import { BTCUSDT_FILTERS, T0, candles, flat } from '../support/fixtures/market';

const FIXTURE = path.resolve(__dirname, '../support/fixtures/klines/BTCUSDT-1h-2024-01.csv');

/** Records the events it sees; asks for what its params say. */
function recorder(setup: { timerAt?: number; watchAbove?: string; requestOn?: number }) {
  return defineStrategy<Record<string, never>, { seen: string[]; n: number }>({
    id: 'test-recorder',
    title: 'test',
    description: 'test',
    params: z.object({}).strict(),
    init: () => ({ seen: [], n: 0 }),
    onEvent(state, event: StrategyEvent, ctx) {
      const note = (s: string) => ({ ...state, seen: [...state.seen, s] });
      switch (event.type) {
        case 'start': {
          const intents = [];
          if (setup.timerAt !== undefined) intents.push({ kind: 'timer', id: 't1', at: setup.timerAt } as const);
          if (setup.watchAbove !== undefined)
            intents.push({ kind: 'watch', id: 'w1', direction: 'above', price: setup.watchAbove } as const);
          return { state: note('start'), intents };
        }
        case 'candle': {
          const n = state.n + 1;
          const s = {
            ...note(
              `candle ${event.candle.close} at ${ctx.now - T0}${n === 1 ? ` balances=${JSON.stringify(ctx.balances)}` : ''}`,
            ),
            n,
          };
          if (n === setup.requestOn)
            return {
              state: s,
              intents: [
                {
                  kind: 'request',
                  requestId: 'r1',
                  request: { kind: 'candles', symbol: 'BTCUSDT', interval: '1m', limit: 5 },
                },
              ],
            };
          return { state: s };
        }
        case 'timer':
          return { state: note(`timer ${event.id} at ${ctx.now - T0}`) };
        case 'trigger':
          return { state: note(`trigger ${event.id} price ${event.price} time ${event.time - T0}`) };
        case 'data':
          return {
            state: note(
              `data ${event.requestId}: ${(event.result as unknown as Candle[]).map((c) => c.close).join(',')}`,
            ),
          };
        default:
          return { state };
      }
    },
  });
}

/** The recorder's notes, from the last state it returned. */
const seen = (_result: ReturnType<typeof runBacktest>, strategyState: Json) =>
  (strategyState as { seen: string[] }).seen;

function runRecorder(setup: Parameters<typeof recorder>[0], rows: Parameters<typeof candles>[0]): string[] {
  let last: Json = null;
  const strategy = recorder(setup);
  const wrapped = {
    ...strategy,
    onEvent: (s: never, e: StrategyEvent, c: never) => {
      const d = strategy.onEvent(s, e, c);
      last = d.state;
      return d;
    },
  };
  const r = runBacktest({
    strategy: wrapped,
    params: {},
    candles: candles(rows),
    filters: BTCUSDT_FILTERS,
    balances: { USDT: '500', BTC: '2' },
  });
  return seen(r, last);
}

describe('backtest engine', () => {
  it('is deterministic: the same strategy and candles give the same result', () => {
    const k = loadKlines(FIXTURE);
    const params = { low: '38000', high: '46000', levels: 12, quantity: '0.01' };
    const a = runBacktest({ strategy: grid, params, candles: k.candles });
    const b = runBacktest({ strategy: grid, params, candles: k.candles });
    expect(b).toEqual(a);
    expect(a.fills.length).toBeGreaterThan(20);
  });

  it('hands the strategy its balances (reconciled at start), candles at their close, and answers candle requests from the past only', () => {
    const lines = runRecorder({ requestOn: 3 }, [flat(100), flat(101), flat(102), flat(103)]);
    expect(lines).toEqual([
      'start',
      'candle 100 at 59999 balances={"base":"2","quote":"500"}',
      'candle 101 at 119999',
      'candle 102 at 179999',
      // Asked on the third candle for 5: only the three closed so far exist.
      'data r1: 100,101,102',
      'candle 103 at 239999',
    ]);
  });

  it('goes through a gap in the data: the kernel asks for the missing candles, the data has none, it carries on', () => {
    const rows = candles([flat(100), flat(101), flat(102), flat(103)]);
    // Drop the third candle: the fourth arrives two intervals after the second.
    const gapped = [rows[0]!, rows[1]!, rows[3]!];
    let last: Json = null;
    const strategy = recorder({});
    const wrapped = {
      ...strategy,
      onEvent: (st: never, e: StrategyEvent, c: never) => {
        const dd = strategy.onEvent(st, e, c);
        last = dd.state;
        return dd;
      },
    };
    const r = runBacktest({ strategy: wrapped, params: {}, candles: gapped, filters: BTCUSDT_FILTERS });
    expect(seen(r, last).slice(1)).toEqual([
      'candle 100 at 59999 balances={"base":"0","quote":"10000"}',
      'candle 101 at 119999',
      'candle 103 at 239999',
    ]);
    expect(r.notifications.map((n) => n.message)).toEqual([]);
  });

  it('fires timers at the close of the candle during which they came due', () => {
    const lines = runRecorder({ timerAt: T0 + 90_000 }, [flat(100), flat(101), flat(102)]);
    expect(lines.slice(1)).toEqual([
      'candle 100 at 59999 balances={"base":"2","quote":"500"}',
      'timer t1 at 119999',
      'candle 101 at 119999',
      'candle 102 at 179999',
    ]);
  });

  it('fires price watches on the candle path, at the first point that crosses', () => {
    // Candle 2: 100 → 99 (low, nearer) → 106 (high) → 105: crosses 105 at the high, the third
    // point, at openTime + floor(2 × 59999 / 3).
    const lines = runRecorder({ watchAbove: '105' }, [flat(100), [100, 106, 99, 105], [105, 110, 105, 109]]);
    expect(lines.slice(1)).toEqual([
      'candle 100 at 59999 balances={"base":"2","quote":"500"}',
      'trigger w1 price 106 time 99999',
      'candle 105 at 119999',
      'candle 109 at 179999',
    ]);
  });

  it('measures equity, drawdown and exposure from the account (locked balances included)', () => {
    // Buys 1 BTC at 100 (fee 0.001 BTC) and holds it behind a far take-profit.
    const r = backtest(
      smartTrade,
      { sizing: { mode: 'base', quantity: '1' }, exits: { takeProfits: [{ pct: '50', share: '100' }] } },
      [flat(100), flat(90), flat(110)],
      { balances: { USDT: '1000' } },
    );
    // Equity: 1000 at the start; 900 + 0.999 × 100 = 999.9; 900 + 0.999 × 90 = 989.91; 1009.89.
    expect(r.metrics.equity.map((p) => p.equity)).toEqual([1000, 999.9, 989.91, 1009.89]);
    expect(r.metrics.maxDrawdown).toBe('10.09');
    expect(r.metrics.maxDrawdownPct).toBe(1.01);
    expect(r.metrics.exposurePct).toBe(100);
    expect(r.metrics.buyAndHoldPct).toBe(10);
    expect(r.metrics.finalEquity).toBe('1009.89');
    expect(r.unrealizedPnl).toBe('9.89');
  });

  it('sizes a percentage of the free balance the kernel learned at start', () => {
    const r = backtest(
      smartTrade,
      { sizing: { mode: 'percent', percent: '50' }, exits: { stopLoss: { pct: '10' } } },
      [flat(100)],
      { balances: { USDT: '1000' } },
    );
    expect(orderLines(r)[0]).toBe('entry BUY MARKET 5 → FILLED');
  });

  it('applies the risk config: a drawdown kill-switch stops the bot, which closes its position at market', () => {
    const r = backtest(
      smartTrade,
      { sizing: { mode: 'base', quantity: '1' }, exits: { takeProfits: [{ pct: '50', share: '100' }] } },
      [flat(100), flat(94), flat(94)],
      {
        balances: { USDT: '1000' },
        risk: { maxDrawdown: '5' },
        onStop: 'close-position',
      },
    );
    // Capital 1000 (learned from the balances); at 94 the position is worth 0.999 × (94 − 100.1001) = −6.094.
    expect(r.stopReason).toBe('risk: drawdown 6.094 from peak equity 1000 exceeds maxDrawdown 5');
    expect(orderLines(r)).toEqual([
      'entry BUY MARKET 1 → FILLED',
      'exit-1 SELL LIMIT 0.999@150 → CANCELED',
      '__close SELL MARKET 0.999 → FILLED',
    ]);
    expect(fillLines(r).at(-1)).toBe('__close SELL 0.999@94 fee 0.093906 USDT');
    expect(balance(r, 'BTC')).toBe('0');
  });

  it('takes the fee rates and refuses params its strategy refuses', () => {
    const r = backtest(
      smartTrade,
      { sizing: { mode: 'base', quantity: '1' }, exits: { stopLoss: { pct: '10' } } },
      [flat(100)],
      { makerFee: '0', takerFee: '0' },
    );
    expect(fillLines(r)[0]).toBe('entry BUY 1@100 fee 0 BTC');
    expect(() => backtest(smartTrade, { sizing: { mode: 'base' } }, [flat(100)])).toThrow(BacktestError);
    expect(() => backtest(smartTrade, { sizing: { mode: 'base' } }, [flat(100)])).toThrow(
      /invalid params for smart-trade: sizing.quantity/,
    );
    expect(() => runBacktest({ strategy: smartTrade, params: {}, candles: [] })).toThrow(/no candles/);
  });
});
