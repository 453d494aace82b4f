/**
 * The runtime end to end on the real Temporal dev server and the paper exchange: a bot places an
 * order through an activity, `state` reads it, pause / resume / setParams / cancel behave.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { configQuery, pauseSignal, resumeSignal, setParamsUpdate } from '../../workflows/messages';
import { BotStatusKey } from '../../workflows/search-attributes';
import { ZERO_SPREAD_BOOK } from '../../exchange';
import { type Harness, eventually, harnessWithWorker } from '../support/harness';
import { untilRouted } from '../support/trading-bot';

describe('bot runtime on a real Temporal server', () => {
  // The expected prices are computed from the last price (fill at 30000, take-profit at 30300):
  // the idealised book, bid = ask = last. The paper exchange's default book has a spread.
  const h = harnessWithWorker('30000', { exchange: { book: ZERO_SPREAD_BOOK } });

  /** Close one 1m candle at `price` on the paper exchange; the stream service relays it. */
  function closeCandle(price: string): void {
    h.exchange.market.setPrice('BTCUSDT', price);
    h.exchange.market.closeCandle('BTCUSDT', '1m');
  }

  async function candlesSeen(name: string): Promise<number> {
    return ((await h.state(name)).strategyState as { candlesSeen: number }).candlesSeen;
  }

  it('places an order on the exchange through an activity and shows it in the state query', async () => {
    await h.startBot({
      name: 'runtime-1',
      strategy: 'dca-take-profit',
      symbol: 'BTCUSDT',
      params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 5 },
    });
    await h.waitForState('runtime-1', (s) => s.eventsProcessed > 0 && s.status === 'RUNNING', 'start');
    // The stream service subscribes within a couple of seconds of the bot appearing: one candle
    // once it is routed (a candle closed again and again would buy a lot each time it arrives).
    await untilRouted(h, ['runtime-1']);
    closeCandle('30000');
    await h.waitForState('runtime-1', (s) => s.stats.ordersPlaced >= 1, 'first order');
    const state = await h.waitForState(
      'runtime-1',
      (s) => s.openOrders.some((o) => o.tag.startsWith('tp-') && o.status === 'NEW'),
      'take-profit resting',
    );
    expect(state.position.qty).toBe('0.00999'); // 0.01 bought, 0.1 % fee paid in BTC
    const tp = state.openOrders.find((o) => o.tag.startsWith('tp-'))!;
    expect(tp.request).toMatchObject({ side: 'SELL', type: 'LIMIT', price: '30300', quantity: '0.00999' });
    expect(tp.clientOrderId.startsWith(`${state.clientIdTag}-`)).toBe(true);
    // The exchange agrees: the take-profit rests there under the bot's client id.
    const onExchange = h.exchange.venue.getOrder('paper', 'BTCUSDT', { origClientOrderId: tp.clientOrderId });
    expect(onExchange).toMatchObject({ ok: true, order: { status: 'NEW', price: expect.stringMatching(/^30300/) } });
    const config = await h.handle('runtime-1').query(configQuery);
    expect(config).toMatchObject({ name: 'runtime-1', symbol: 'BTCUSDT', params: { quantity: '0.01' } });
  });

  it('pause stops new entries while open orders keep being managed; resume restarts them', async () => {
    const before = await h.state('runtime-1');
    await h.handle('runtime-1').signal(pauseSignal);
    await h.waitForState('runtime-1', (s) => s.status === 'PAUSED', 'paused');
    const search = await eventually(async () => {
      const d = await h.handle('runtime-1').describe();
      if (d.typedSearchAttributes.get(BotStatusKey) !== 'PAUSED') throw new Error('search attribute not updated yet');
      return d.typedSearchAttributes.get(BotStatusKey);
    });
    expect(search).toBe('PAUSED');
    const seen = await candlesSeen('runtime-1');
    closeCandle('30000');
    closeCandle('30000');
    await eventually(async () => expect(await candlesSeen('runtime-1')).toBe(seen + 2));
    // The take-profit still fills while paused: exits are managed.
    closeCandle('30400');
    const paused = await h.waitForState('runtime-1', (s) => s.stats.roundTrips >= 1, 'take-profit filled while paused');
    expect(paused.stats.ordersPlaced).toBe(before.stats.ordersPlaced);
    expect(paused.status).toBe('PAUSED');
    await h.handle('runtime-1').signal(resumeSignal);
    await h.waitForState('runtime-1', (s) => s.status === 'RUNNING', 'resumed');
    closeCandle('30400');
    await h.waitForState(
      'runtime-1',
      (s) => s.stats.ordersPlaced > before.stats.ordersPlaced,
      'entries again after resume',
    );
  });

  it('setParams applies valid params and refuses invalid ones, leaving the bot untouched', async () => {
    const result = await h.handle('runtime-1').executeUpdate(setParamsUpdate, { args: [{ takeProfitPct: '2.5' }] });
    expect(result).toMatchObject({ params: { takeProfitPct: '2.5', quantity: '0.01' } });
    const bad = h.handle('runtime-1').executeUpdate(setParamsUpdate, { args: [{ quantity: '-3' }] });
    await expect(bad).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(bad).rejects.toMatchObject({
      cause: { message: expect.stringContaining('params.quantity: must be greater than 0') },
    });
    await expect(
      h.handle('runtime-1').executeUpdate(setParamsUpdate, { args: [{ everyCandles: 1, surprise: true }] }),
    ).rejects.toMatchObject({
      cause: { message: expect.stringContaining('unknown field(s) "surprise"') },
    });
    const state = await h.state('runtime-1');
    expect(state.params).toMatchObject({ takeProfitPct: '2.5', quantity: '0.01', everyCandles: 1 });
    expect(state.status).toBe('RUNNING');
  });

  it('refuses to start a second copy of a running bot', async () => {
    await expect(
      h.startBot({ name: 'runtime-1', strategy: 'dca-take-profit', symbol: 'BTCUSDT', params: { quantity: '0.01' } }),
    ).rejects.toThrow(/already running/);
  });

  it('cancel is a graceful stop: open orders are cancelled on the exchange and a summary is returned', async () => {
    const open = await h.waitForState(
      'runtime-1',
      (s) => s.openOrders.some((o) => o.status === 'NEW'),
      'an open order to cancel',
    );
    const ids = open.openOrders.map((o) => o.clientOrderId);
    await h.handle('runtime-1').cancel();
    const summary = (await h.handle('runtime-1').result()) as Awaited<ReturnType<Harness['state']>>;
    expect(summary.status).toBe('STOPPED');
    expect(summary.stopReason).toBe('cancelled');
    expect(summary.openOrders).toEqual([]);
    for (const id of ids)
      expect(h.exchange.venue.getOrder('paper', 'BTCUSDT', { origClientOrderId: id })).toMatchObject({
        ok: true,
        order: { status: 'CANCELED' },
      });
    const d = await h.handle('runtime-1').describe();
    expect(d.status.name).toBe('COMPLETED');
    expect(d.typedSearchAttributes.get(BotStatusKey)).toBe('STOPPED');
  });
});
