/**
 * Seeds 003 and 004 as live configs (configs/): accepted by the config validator as written, and
 * refused, with the reason, where a capability they need is missing.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBotConfig } from '../../client/config-file';
import { BotConfigError, parseBotConfig } from '../../core/bot-definition';
import { findStrategy } from '../../core/strategies';

const configs = path.resolve(__dirname, '../../configs');
const seed003 = path.join(configs, 'seed-003-bitsniper-perp.json');
const seed004 = path.join(configs, 'seed-004-minerva-spot.json');

function problemsOf(json: unknown): string[] {
  try {
    parseBotConfig(json, 'variant.json');
  } catch (err) {
    if (err instanceof BotConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('seed 003: rsi-sniper long1 / long2 / short on the BTCUSDT perpetual at 10×, sized MAX', () => {
  it('is accepted with the seed’s settings (shorts on, 10×, "max", 15-minute candles, futures)', () => {
    const [bot, ...rest] = loadBotConfig(seed003);
    expect(rest).toEqual([]);
    expect(bot).toMatchObject({
      strategy: 'rsi-sniper',
      symbol: 'BTCUSDT',
      interval: '15m',
      market: 'futures',
      futures: { marginType: 'ISOLATED' },
      params: { enableShort: true, leverage: 10, sizing: 'max' },
    });
    // The three sides run with the seed's defaults (stop-losses -0.7 %, -1.1 %, -0.8 %).
    const params = bot!.params as Record<string, { stopLossPct: string }>;
    expect([params.long1!.stopLossPct, params.long2!.stopLossPct, params.short!.stopLossPct]).toEqual([
      '0.7',
      '1.1',
      '0.8',
    ]);
  });

  it('is refused on spot (a short cannot be opened there), and with a futures leverage that contradicts the sizing', () => {
    const raw = loadBotConfig(seed003)[0] as unknown as Record<string, unknown>;
    const onSpot = { ...raw, market: 'spot', futures: undefined };
    expect(problemsOf([onSpot]).join('\n')).toMatch(/enableShort needs a futures account/);
    const contradicting = { ...raw, futures: { leverage: 20, marginType: 'ISOLATED' } };
    expect(problemsOf([contradicting]).join('\n')).toMatch(/futures\.leverage: 20 differs from params\.leverage 10/);
    // Two copies on one account + BTCUSDT would trade one position (one-way mode).
    expect(problemsOf([raw, { ...raw, name: 'bitsniper-copy' }]).join('\n')).toMatch(
      /bot "bitsniper-copy": futures account "paper" symbol BTCUSDT is already traded by futures bot "bitsniper-btc-perp"/,
    );
  });
});

describe('seed 004: book-imbalance at 3 % per trade and a 90 % capital cap', () => {
  it('is accepted on spot with the seed’s figures', () => {
    const [bot, ...rest] = loadBotConfig(seed004);
    expect(rest).toEqual([]);
    expect(bot).toMatchObject({
      strategy: 'book-imbalance',
      market: 'spot',
      params: { precentagePerTrade: '0.03', maxCapitalEngaged: '0.9', maxConcurrentTrades: 5, enableShort: false },
    });
  });

  it('with the seed’s shorts at max leverage it is refused, naming the missing capability', () => {
    const raw = loadBotConfig(seed004)[0] as unknown as Record<string, unknown>;
    const params = { ...(raw.params as object), enableShort: true };
    // Futures with shorts at Binance's maximum leverage: book-imbalance does not run on futures yet.
    expect(findStrategy('book-imbalance')!.markets ?? ['spot']).not.toContain('futures');
    expect(
      problemsOf([{ ...raw, market: 'futures', futures: { leverage: 125, marginType: 'ISOLATED' }, params }]),
    ).toEqual([expect.stringMatching(/market: strategy book-imbalance does not run on futures yet/)]);
    // Shorts on spot: refused by the strategy itself.
    expect(problemsOf([{ ...raw, params }]).join('\n')).toMatch(/enableShort needs a futures account/);
  });
});
