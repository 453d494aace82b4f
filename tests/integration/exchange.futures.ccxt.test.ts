/**
 * The paper exchange's futures side through a second, independent client: ccxt 4.5's
 * `binanceusdm`, re-hosted like the spot suite (tests/support/ccxt.ts): markets, balance,
 * leverage, a market order with its client id and the lookup, positions, a stop-loss through the
 * algo endpoint (ccxt routes conditional orders there too), OHLCV and the funding rate, and
 * Binance's futures errors as ccxt raises them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, ZERO_SPREAD_BOOK, startPaperExchange } from '../../exchange';
import { type CcxtBinanceUsdm, ccxt, ccxtFuturesFor } from '../support/ccxt';

const SYMBOL = 'BTC/USDT:USDT';
let ex: PaperExchange;
let x: CcxtBinanceUsdm;

beforeAll(async () => {
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    book: ZERO_SPREAD_BOOK,
    accounts: [{ apiKey: 'cxf', apiSecret: 'cxf-secret', futuresBalances: { USDT: '10000' } }],
  });
  ex.market.setPrice('BTCUSDT', '30000', { qty: '1' });
  ex.market.closeCandle('BTCUSDT', '1m');
  x = ccxtFuturesFor(ex, 'cxf', 'cxf-secret');
});
afterAll(async () => {
  await x?.close();
  await ex?.close();
});

describe('ccxt binanceusdm against the paper futures side', () => {
  it('loads the perpetual markets with their precisions and limits', async () => {
    const markets = await x.loadMarkets();
    expect(markets[SYMBOL]).toMatchObject({
      swap: true,
      linear: true,
      settle: 'USDT',
      contractSize: 1,
      precision: { price: 0.1, amount: 0.001 },
      limits: { cost: { min: 100 } },
    });
  });

  it('balance, leverage, a short by client id, its lookup and the position', async () => {
    expect((await x.fetchBalance()).USDT).toMatchObject({ free: 10000, total: 10000 });
    await x.setLeverage(10, SYMBOL);
    const o = await x.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { clientOrderId: 'cxf-1' });
    expect(o).toMatchObject({ clientOrderId: 'cxf-1', status: 'closed', filled: 0.01, average: 30000 });
    expect(await x.fetchOrder(o.id as string, SYMBOL)).toMatchObject({ clientOrderId: 'cxf-1', status: 'closed' });
    const [p] = await x.fetchPositions([SYMBOL]);
    // margin 0.01 × 30000 / 10 = 30, maintenance 300 × 0.4 % = 1.2
    expect(p).toMatchObject({
      side: 'short',
      contracts: 0.01,
      entryPrice: 30000,
      leverage: 10,
      initialMargin: 30,
      maintenanceMargin: 1.2,
      marginMode: 'cross',
    });
  });

  it('a reduce-only stop-loss goes to the algo endpoint, is found and cancelled as a trigger order', async () => {
    const sl = await x.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, {
      stopLossPrice: 31000,
      reduceOnly: true,
      clientOrderId: 'cxf-sl',
    });
    expect(sl).toMatchObject({ clientOrderId: 'cxf-sl', status: 'open', triggerPrice: 31000, reduceOnly: true });
    expect(
      (await x.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).map((o) => o.clientOrderId),
    ).toEqual(['cxf-sl']);
    await x.cancelOrder(sl.id as string, SYMBOL, { trigger: true });
    expect(await x.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toEqual([]);
  });

  it('OHLCV and the funding rate', async () => {
    const candles = await x.fetchOHLCV(SYMBOL, '1m', undefined, 5);
    expect(candles.at(-1)?.[4]).toBe(30000);
    expect(await x.fetchFundingRate(SYMBOL)).toMatchObject({ fundingRate: 0.0001, markPrice: 30000 });
  });

  it("Binance's futures refusals reach ccxt with their codes", async () => {
    // ccxt picks its futures-only code table (-2019 → InsufficientFunds) by the URL's host
    // (fapi.binance.com): re-hosted, such codes come as ExchangeError carrying Binance's body.
    const e = await x.createOrder(SYMBOL, 'market', 'buy', 100).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ccxt.ExchangeError);
    expect(String(e)).toContain('"code":-2019');
    // Codes of ccxt's common table map to their classes.
    await expect(x.fetchOrder('1', SYMBOL)).rejects.toBeInstanceOf(ccxt.OrderNotFound); // -2013
  });
});
