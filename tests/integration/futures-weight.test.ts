/**
 * USDⓈ-M request weight has a budget of its own. Binance counts futures weight (/fapi, 2,400 a
 * minute) apart from spot's, so an account's futures calls draw on a futures budget fed by the
 * futures host's X-MBX-USED-WEIGHT-1M headers and paused by its 429/418 answers, while spot calls
 * keep theirs. Two paper exchanges stand for Binance's two hosts: `spot` (httpBase) and `fapi`
 * (httpFutures, with a small weight limit). The paper exchange counts /fapi weight apart from
 * spot's too: the last case spends one side's weight on one host and the other still answers.
 * Another client on the same IP (fetch: its answers never
 * reach this process's budgets) spends part of the futures host's weight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountRegistry, type ExchangeAccount } from '../../activities/exchange-account';
import { classifyExchangeError } from '../../activities/errors';
import { WeightBudgetExhausted } from '../../activities/rate-limit';
import { startPaperExchange } from '../../exchange';
import { workerAccountConfig } from '../support/exchange-client';

const LIMIT = 200;
const key = { apiKey: 'k'.repeat(16), apiSecret: 's'.repeat(32) };
type Exchange = Awaited<ReturnType<typeof startPaperExchange>>;
const exchanges: Exchange[] = [];

async function exchange(weightPerMinute: number): Promise<Exchange> {
  const ex = await startPaperExchange({
    port: 0,
    accounts: [{ name: 'paper', ...key, balances: { USDT: '1000' } }],
    prices: { kind: 'manual' },
    rateLimits: { requestWeightPerMinute: weightPerMinute, futuresRequestWeightPerMinute: weightPerMinute },
  });
  ex.market.setPrice('BTCUSDT', '30000');
  exchanges.push(ex);
  return ex;
}

let spot: Exchange;
beforeAll(async () => {
  spot = await exchange(100_000);
});
afterAll(async () => {
  for (const ex of exchanges) await ex.close();
});

/** One worker's account on the two hosts (its own registry: as in another process). */
function account(fapi: Exchange): ExchangeAccount {
  const config = workerAccountConfig(spot, key, { httpFutures: fapi.httpBase, futuresWeightLimitPerMinute: LIMIT });
  return new AccountRegistry([config]).get('paper');
}

type Book = { futuresBook(p: { symbol: string; limit: number }): Promise<unknown> };
/** GET /fapi/v1/depth limit 1000: weight 20 on Binance and on the paper exchange. */
const futuresDepth = (acc: ExchangeAccount) =>
  acc.call('futures depth', 20, (r) => (r as unknown as Book).futuresBook({ symbol: 'BTCUSDT', limit: 1000 }));
const spotCall = (acc: ExchangeAccount) => acc.call('exchangeInfo', 20, (r) => r.exchangeInfo({ symbol: 'BTCUSDT' }));
const otherClientDepth = (fapi: Exchange) => fetch(`${fapi.httpBase}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);

async function awayFromMinuteBoundary(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 61_000 - intoMinute));
}

describe('USDⓈ-M request weight, apart from spot', () => {
  it("futures calls follow the futures host's used weight and stop short of its limit; spot calls do not count", async () => {
    const fapi = await exchange(LIMIT);
    await awayFromMinuteBoundary();
    const acc = account(fapi);
    // The other client spends 120 of the futures host's 200.
    for (let i = 0; i < 6; i++) expect((await otherClientDepth(fapi)).status).toBe(200);
    let refused: unknown;
    let calls = 0;
    try {
      for (; calls < 10; calls++) await futuresDepth(acc);
    } catch (err) {
      refused = err;
    }
    // The first answer said 140 were used: one more call fits under 80 % of 200, a third does not.
    expect(refused).toBeInstanceOf(WeightBudgetExhausted);
    expect(classifyExchangeError(refused)).toMatchObject({ kind: 'notSent', rateLimited: true });
    expect(calls).toBe(2);
    expect(acc.futuresBudget.usedThisWindow).toBe(160);
    // The futures host never answered 429, and spot weight is another budget: spot calls go on.
    expect((await otherClientDepth(fapi)).status).toBe(200);
    expect(acc.budget.usedThisWindow).toBe(0);
    await spotCall(acc);
    expect(acc.budget.usedThisWindow).toBeLessThan(100);
  });

  it('a 429 from the futures host pauses futures calls for its Retry-After, and spot calls carry on', async () => {
    const fapi = await exchange(LIMIT);
    await awayFromMinuteBoundary();
    const acc = account(fapi);
    // The other client spends the futures host's whole minute; the account's next call gets a 429.
    for (let i = 0; i < 10; i++) expect((await otherClientDepth(fapi)).status).toBe(200);
    const first = await futuresDepth(acc).catch((e: unknown) => e);
    expect(classifyExchangeError(first)).toMatchObject({ kind: 'notSent', rateLimited: true });
    // Nothing more is sent to the futures host until then: refused here, before the exchange.
    const before = fapi.audit.requests().length;
    const second = await futuresDepth(acc).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(WeightBudgetExhausted);
    expect((second as Error).message).toMatch(/the exchange said to wait \(429\)/);
    expect(fapi.audit.requests().length).toBe(before);
    // Spot is another host and another budget.
    expect(acc.budget.blockedFor()).toBe(0);
    await spotCall(acc);
  });

  it("the paper exchange counts an IP's /fapi weight apart from its spot weight, as Binance does", async () => {
    const both = await exchange(LIMIT);
    await awayFromMinuteBoundary();
    const spotInfo = () => fetch(`${both.httpBase}/api/v3/exchangeInfo?symbol=BTCUSDT`);
    // Spot's 200 spent (20 each): the next spot request is refused, a futures one is not.
    for (let i = 0; i < 10; i++) expect((await spotInfo()).status).toBe(200);
    expect((await spotInfo()).status).toBe(429);
    const depth = await otherClientDepth(both);
    expect(depth.status).toBe(200);
    expect(depth.headers.get('x-mbx-used-weight-1m')).toBe('20');
  });
});
