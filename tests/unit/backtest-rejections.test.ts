/**
 * Refused orders in backtest reports: an order the kernel refuses (below the minimum notional) and
 * one the simulated exchange refuses (insufficient balance) are both REJECTED in the report, with
 * their reason, and counted in its summary; none is left SUBMITTING.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../backtest/engine';
import { summaryText } from '../../backtest/report';
import { type Intent, defineStrategy } from '../../core/strategy';
import { BTCUSDT_FILTERS, candles } from '../support/fixtures/market';

const orders: Record<number, Intent> = {
  1: { kind: 'place', tag: 'dust', side: 'BUY', type: 'MARKET', quantity: '0.00001', purpose: 'entry' },
  2: { kind: 'place', tag: 'too-big', side: 'BUY', type: 'MARKET', quantity: '1', purpose: 'entry' },
  3: { kind: 'place', tag: 'fine', side: 'BUY', type: 'MARKET', quantity: '0.001', purpose: 'entry' },
};

const placer = defineStrategy<Record<string, never>, { n: number }>({
  id: 'test-placer',
  title: 'test',
  description: 'test',
  params: z.object({}).strict(),
  init: () => ({ n: 0 }),
  onEvent(state, event) {
    if (event.type !== 'candle') return { state };
    const n = state.n + 1;
    return { state: { n }, intents: orders[n] ? [orders[n]] : [] };
  },
});

describe('refused orders in a backtest report', () => {
  it('are REJECTED with their reason and counted, never left SUBMITTING', () => {
    const r = runBacktest({
      strategy: placer,
      params: {},
      candles: candles([
        [30000, 30000, 30000, 30000],
        [30000, 30000, 30000, 30000],
        [30000, 30000, 30000, 30000],
        [30000, 30000, 30000, 30000],
      ]),
      filters: BTCUSDT_FILTERS,
      balances: { USDT: '1000' },
    });
    const byTag = Object.fromEntries(r.orders.map((o) => [o.tag, o]));
    expect(byTag.dust).toMatchObject({ status: 'REJECTED', rejectReason: expect.stringMatching(/filters/) });
    expect(byTag['too-big']).toMatchObject({
      status: 'REJECTED',
      rejectReason: expect.stringMatching(/insufficient balance/i),
    });
    expect(byTag.fine).toMatchObject({ status: 'FILLED' });
    expect(r.orders.filter((o) => o.status === 'SUBMITTING')).toEqual([]);
    expect(summaryText(r)).toMatch(/3 placed, 2 rejected/);
  });
});
