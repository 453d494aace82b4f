/**
 * The paper exchange's hand-closed candles and the wall clock. A reader of klines takes a candle
 * whose close time has passed as closed (Binance's rule, workers/stream-catch-up.ts): a manual
 * candle nobody has closed yet would look closed once its minute is over, and a bot would act on
 * it before its test closed anything (seen under load in worker-crash.test.ts). With a lead, the
 * first manual candle opens ahead of the wall clock, so only `closeCandle` closes it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExchangeAccount } from '../../activities/exchange-account';
import { startPaperExchange } from '../../exchange';
import { lastClosedCandle } from '../../workers/stream-catch-up';
import { workerAccountConfig } from '../support/exchange-client';

const HOUR = 3_600_000;
const KEY = 'k'.repeat(16);
const SECRET = 's'.repeat(32);
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function manualExchange(leadMs?: number) {
  const exchange = await startPaperExchange({
    port: 0,
    accounts: [{ name: 'paper', apiKey: KEY, apiSecret: SECRET, balances: { USDT: '1000' } }],
    prices: { kind: 'manual', ...(leadMs !== undefined ? { leadMs } : {}) },
  });
  open.push(exchange);
  const config = workerAccountConfig(exchange, { apiKey: KEY, apiSecret: SECRET }, { weightLimitPerMinute: 6_000 });
  return { exchange, account: new ExchangeAccount(config) };
}

/** Run `fn` with the wall clock `ms` later than it is (a slow test: the candle's minute is over). */
async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now.bind(Date);
  const spy = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

describe('manual candles and the wall clock', () => {
  it('without a lead, a candle nobody closed reads as closed once its minute is over', async () => {
    const { exchange, account } = await manualExchange();
    exchange.market.setPrice('BTCUSDT', '30000');
    expect(await lastClosedCandle(account, 'BTCUSDT', '1m')).toBeNull();
    const read = await later(120_000, () => lastClosedCandle(account, 'BTCUSDT', '1m'));
    expect(read).not.toBeNull();
  });

  it('with a lead, only closeCandle closes a candle, however late the reader is', async () => {
    const { exchange, account } = await manualExchange(HOUR);
    const before = Date.now();
    exchange.market.setPrice('BTCUSDT', '30000');
    expect(await later(120_000, () => lastClosedCandle(account, 'BTCUSDT', '1m'))).toBeNull();
    expect(await later(30 * 60_000, () => lastClosedCandle(account, 'BTCUSDT', '1m'))).toBeNull();

    const closed = exchange.market.closeCandle('BTCUSDT', '1m');
    expect(closed.openTime).toBeGreaterThanOrEqual(before + HOUR - 60_000);
    expect(closed.openTime % 60_000).toBe(0);
    // The hand-closed candle is the last closed one; the candle forming after it is never taken.
    const read = await later(120_000, () => lastClosedCandle(account, 'BTCUSDT', '1m'));
    expect(read?.openTime).toBe(closed.openTime);
  });
});
