/**
 * Two workers on one IP share Binance's request weight: each worker's budget follows the weight
 * the exchange reports for the IP (X-MBX-USED-WEIGHT-1M), so together they stop short of the
 * limit instead of each spending it whole into 429s and a 418 ban. The other worker is another
 * HTTP client on the same IP (fetch: its answers never reach this process's budgets), against one
 * paper exchange whose limit is small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeAccount } from '../../activities/exchange-account';
import { classifyExchangeError } from '../../activities/errors';
import { WeightBudgetExhausted } from '../../activities/rate-limit';
import { startPaperExchange } from '../../exchange';
import { workerAccountConfig } from '../support/exchange-client';

const LIMIT = 200;
let exchange: Awaited<ReturnType<typeof startPaperExchange>>;

beforeAll(async () => {
  exchange = await startPaperExchange({
    port: 0,
    accounts: [{ name: 'paper', apiKey: 'k'.repeat(16), apiSecret: 's'.repeat(32), balances: { USDT: '1000' } }],
    prices: { kind: 'manual' },
    rateLimits: { requestWeightPerMinute: LIMIT },
  });
  exchange.market.setPrice('BTCUSDT', '30000');
});
afterAll(() => exchange?.close());

function worker(): ExchangeAccount {
  const config = workerAccountConfig(
    exchange,
    { apiKey: 'k'.repeat(16), apiSecret: 's'.repeat(32) },
    { weightLimitPerMinute: LIMIT },
  );
  return new ExchangeAccount(config); // a budget of its own, as in another process
}

describe('request weight shared by two workers on one IP', () => {
  it("a worker's budget follows the weight the other spent, and the exchange never answers 429", async () => {
    // Far from a minute boundary, so both workers count in one window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 61_000 - intoMinute));
    const b = worker();
    const call = (w: ExchangeAccount) => w.call('exchangeInfo', 20, (r) => r.exchangeInfo({ symbol: 'BTCUSDT' }));
    // The other worker spends 120 of the IP's 200.
    for (let i = 0; i < 6; i++)
      expect((await fetch(`${exchange.httpBase}/api/v3/exchangeInfo?symbol=BTCUSDT`)).status).toBe(200);
    let refused: unknown;
    let calls = 0;
    try {
      for (; calls < 10; calls++) await call(b);
    } catch (err) {
      refused = err;
    }
    // b learnt from its first answer that 140 were used, and stopped at its share (80 % of 200).
    expect(refused).toBeInstanceOf(WeightBudgetExhausted);
    expect(classifyExchangeError(refused)).toMatchObject({ kind: 'notSent', rateLimited: true });
    expect(calls).toBe(2);
    // Never past the exchange's limit: the next call of either would still be answered.
    expect((await fetch(`${exchange.httpBase}/api/v3/exchangeInfo?symbol=BTCUSDT`)).status).toBe(200);
  });
});
