/**
 * A take-profit and a native trailing stop in one OCO, live: the trailing leg has no stop price,
 * which only Binance's current OCO endpoint accepts (binance-api-node knows the deprecated one).
 */
import { describe, expect, it } from 'vitest';
import { harnessWithWorker } from '../support/harness';

describe('OCO with a native trailing stop, live on the paper exchange', () => {
  const h = harnessWithWorker();

  it('places the take-profit and the trailing stop as one OCO, and the trail sells after a 1 % pullback', async () => {
    await h.startBot({
      name: 'trail',
      strategy: 'smart-trade',
      symbol: 'BTCUSDT',
      params: {
        entry: { type: 'market' },
        sizing: { mode: 'base', quantity: '0.01' },
        exits: { takeProfits: [{ pct: '5', share: '100' }], trailing: { pct: '1' } },
      },
    });
    await h.waitForState('trail', (s) => s.eventsProcessed >= 2, 'started');
    await new Promise((r) => setTimeout(r, 2_500)); // stream subscription
    h.exchange.market.closeCandle('BTCUSDT', '1m');
    const s = await h.waitForState(
      'trail',
      (x) => x.openOrders.length === 2 && x.openOrders.every((o) => o.status === 'NEW'),
      'OCO resting',
    );
    const legs = h.exchange.venue.openOrders('paper', 'BTCUSDT');
    expect(legs.map((o) => o.type).sort()).toEqual(['LIMIT_MAKER', 'STOP_LOSS']);
    expect(legs.find((o) => o.type === 'STOP_LOSS')!.trailingDelta).toBe(100);
    expect(s.openOrders.every((o) => o.listClientOrderId !== undefined)).toBe(true);
    for (const p of ['30300', '30600', '30400', '30290']) h.exchange.market.setPrice('BTCUSDT', p);
    const done = await h.waitForState(
      'trail',
      (x) => x.stats.roundTrips === 1 && x.openOrders.length === 0,
      'trailing stop filled',
    );
    expect(Number(done.realizedPnl)).toBeGreaterThan(0);
    await h.agreement('trail');
    expect(h.auditProblems()).toEqual([]);
  });
});
