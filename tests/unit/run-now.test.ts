/**
 * The kernel's `runNow` event (the control API's POST /market): the strategy's run-now timer fires
 * ahead of time through the usual `timer` event, the strategy re-arms it as usual, and nothing
 * happens for a strategy without one, before the strategy started or once the bot is stopping.
 */
import { describe, expect, it } from 'vitest';
import { runNowAllowed } from '../../core/kernel';
import { dcaTakeProfit } from '../../core/strategies/dca-take-profit';
import { DAY_MS, macdPortfolio } from '../../core/strategies/macd-portfolio';
import { T0, createBot, feed, fetches, start } from '../support/seed-harness';

describe('runNow', () => {
  it("runs macd-portfolio's daily check at once and keeps the midnight timer", () => {
    const bot = createBot(macdPortfolio, { symbols: ['BTCUSDT', 'ETHUSDT'] });
    start(bot, T0 + 3_600_000);
    expect(bot.state.timers).toEqual({ daily: T0 + DAY_MS });
    const commands = feed(bot, { type: 'runNow', now: T0 + 7_200_000 });
    expect(fetches(commands).map((f) => f.request)).toEqual([
      expect.objectContaining({ kind: 'candles', symbol: 'BTCUSDT', interval: '1d', endTime: T0 - 1 }),
      expect.objectContaining({ kind: 'candles', symbol: 'ETHUSDT', interval: '1d', endTime: T0 - 1 }),
    ]);
    expect(bot.state.timers).toEqual({ daily: T0 + DAY_MS });
  });

  it('does nothing before the strategy started, while stopping, or for a strategy without a run-now timer', () => {
    const early = createBot(macdPortfolio, { symbols: ['BTCUSDT'] });
    expect(runNowAllowed(early.state)).toBe(false); // not even started (the workflow awaits the filters first)
    feed(early, { type: 'start', now: T0, filters: null, fresh: true });
    expect(runNowAllowed(early.state)).toBe(false);
    expect(fetches(feed(early, { type: 'runNow', now: T0 + 1 }))).toEqual([]);

    const stopping = createBot(macdPortfolio, { symbols: ['BTCUSDT'] });
    start(stopping);
    feed(stopping, { type: 'stop', now: T0 + 1, reason: 'test' });
    expect(runNowAllowed(stopping.state)).toBe(false);
    expect(feed(stopping, { type: 'runNow', now: T0 + 2 })).toEqual([]);

    const dca = createBot(dcaTakeProfit, { quantity: '0.01' });
    start(dca);
    const before = dca.state.strategy;
    expect(feed(dca, { type: 'runNow', now: T0 + 1 })).toEqual([]);
    expect(dca.state.strategy).toEqual(before);
  });
});
