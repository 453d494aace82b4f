/**
 * A forged order report on the real dev server: `orderUpdate` signalled FILLED (with a made-up
 * fill) for a take-profit the exchange still has NEW. The bot believes it for seconds, until its
 * reconciliation asks the exchange: then the take-profit is open again, the invented profit is
 * gone and position, fills and round trips match the exchange's own fills.
 */
import { describe, expect, it } from 'vitest';
import { orderUpdateSignal } from '../../workflows/messages';
import { eventually, harnessWithWorker } from '../support/harness';

describe('the exchange is the authority over signals and streams', () => {
  const h = harnessWithWorker();

  it('a forged FILLED for an open take-profit is corrected from the exchange', async () => {
    await h.startBot({
      name: 'forged',
      strategy: 'dca-take-profit',
      symbol: 'BTCUSDT',
      params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
    });
    await h.waitForState('forged', (s) => s.eventsProcessed >= 2, 'started');
    await eventually(
      async () => {
        h.exchange.market.closeCandle('BTCUSDT', '1m');
        await h.waitForState('forged', (s) => s.stats.ordersPlaced >= 1, 'first order', 3_000);
      },
      30_000,
      0,
    );
    const honest = await h.waitForState(
      'forged',
      (s) => s.openOrders.some((o) => o.tag === 'tp-1' && o.status === 'NEW'),
      'take-profit resting',
    );
    const tp = honest.openOrders.find((o) => o.tag === 'tp-1')!;

    await h.handle('forged').signal(orderUpdateSignal, {
      clientOrderId: tp.clientOrderId,
      symbol: 'BTCUSDT',
      status: 'FILLED',
      executedQty: tp.request.quantity!,
      cumulativeQuoteQty: '999999',
      updateTime: Date.now(),
      fills: [
        {
          tradeId: 999_001,
          price: '100000000',
          qty: tp.request.quantity!,
          quoteQty: '999999',
          commission: '0',
          commissionAsset: 'USDT',
          time: Date.now(),
          isMaker: true,
        },
      ],
    });
    const corrected = await h.waitForState(
      'forged',
      (s) => s.notifications.some((n) => /the exchange says NEW .*corrected/.test(n.message)),
      'corrected',
      30_000,
    );
    expect(corrected.openOrders.find((o) => o.clientOrderId === tp.clientOrderId)).toMatchObject({
      status: 'NEW',
      fills: [],
    });
    expect(corrected.position).toEqual(honest.position);
    expect(corrected.realizedPnl).toBe(honest.realizedPnl);
    expect(corrected.stats).toMatchObject({ fills: honest.stats.fills, roundTrips: 0 });
    expect(h.exchange.venue.getOrder('paper', 'BTCUSDT', { origClientOrderId: tp.clientOrderId })).toMatchObject({
      ok: true,
      order: { status: 'NEW' },
    });
    await h.agreement('forged');

    // The real fill, reported by the user stream, is confirmed and counted once.
    h.exchange.market.setPrice('BTCUSDT', '30400');
    const done = await h.waitForState('forged', (s) => s.stats.roundTrips === 1, 'real take-profit fill');
    expect(Number(done.realizedPnl)).toBeLessThan(10); // about 3 USDT, not 999,999
    await h.agreement('forged');
  });
});
