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
const seed004Perp = path.join(configs, 'seed-004-minerva-perp.json');

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

  it('with shorts on spot it is refused, naming the missing capability', () => {
    const raw = loadBotConfig(seed004)[0] as unknown as Record<string, unknown>;
    const params = { ...(raw.params as object), enableShort: true };
    expect(problemsOf([{ ...raw, params }]).join('\n')).toMatch(/enableShort needs a futures account/);
  });
});

describe('seed 004 on the perpetual: long and short, 3 % per trade at max leverage, 90 % cap', () => {
  it('is accepted with the seed’s figures, both sides, at 50× isolated', () => {
    const [bot, ...rest] = loadBotConfig(seed004Perp);
    expect(rest).toEqual([]);
    expect(bot).toMatchObject({
      strategy: 'book-imbalance',
      symbol: 'BTCUSDT',
      market: 'futures',
      futures: { marginType: 'ISOLATED' },
      params: {
        precentagePerTrade: '0.03',
        maxCapitalEngaged: '0.9',
        maxConcurrentTrades: 5,
        enableShort: true,
        leverage: 50,
        feeRate: '0.0005',
        limitOrderbook: 500,
      },
    });
    expect(findStrategy('book-imbalance')!.markets).toContain('futures');
  });

  it('a bad variant is refused naming the field', () => {
    const raw = loadBotConfig(seed004Perp)[0] as unknown as Record<string, unknown>;
    const params = raw.params as Record<string, unknown>;
    const withParams = (extra: Record<string, unknown>) => [{ ...raw, params: { ...params, ...extra } }];
    expect(problemsOf(withParams({ leverage: 200 })).join('\n')).toMatch(/params\.leverage.*1-125/);
    expect(problemsOf(withParams({ leverage: 2.5 })).join('\n')).toMatch(/params\.leverage/);
    const { leverage: _none, ...unlevered } = params;
    expect(problemsOf([{ ...raw, params: unlevered }]).join('\n')).toMatch(
      /params\.leverage: a futures book-imbalance bot sizes each trade as margin × leverage/,
    );
    expect(problemsOf(withParams({ feeRate: '0.5' })).join('\n')).toMatch(/params\.feeRate.*fee rate/);
    expect(problemsOf(withParams({ precentagePerTrade: '0.95' })).join('\n')).toMatch(
      /params\.precentagePerTrade.*must not exceed maxCapitalEngaged/,
    );
    // GET /fapi/v1/depth takes 5, 10, 20, 50, 100, 500 or 1000 levels.
    expect(problemsOf(withParams({ limitOrderbook: 400 })).join('\n')).toMatch(
      /params\.limitOrderbook: 400 levels cannot be read on futures/,
    );
    expect(problemsOf([{ ...raw, futures: { leverage: 20, marginType: 'ISOLATED' } }]).join('\n')).toMatch(
      /futures\.leverage: 20 differs from params\.leverage 50/,
    );
    expect(problemsOf([{ ...raw, futures: { marginType: 'PORTFOLIO' } }]).join('\n')).toMatch(/futures\.marginType/);
    // The spot file and the perp file are different markets: both run on one account.
    expect(problemsOf([raw, loadBotConfig(seed004)[0]])).toEqual([]);
  });
});
