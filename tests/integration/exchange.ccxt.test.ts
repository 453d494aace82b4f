/**
 * Contract suite with a second, independent Binance client: ccxt 4.5 (`ccxt.pro.binance`), driven
 * through its unified REST and WebSocket methods exactly as a ccxt user would after re-hosting
 * its URLs (tests/support/ccxt.ts, README "Using ccxt"). Markets, tickers, a watched order book
 * that never crosses, OHLCV, trades, balances, every order type, lookups and cancels by client id,
 * ccxt's error classes from Binance's error bodies, user-data watches and the WebSocket API.
 * The exchange runs its default (realistic) book.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, startPaperExchange } from '../../exchange';
import { type CcxtBinance, ccxt, ccxtFor } from '../support/ccxt';
import { waitFor } from '../support/exchange-client';

const KEY = 'ccxt-test-key';
const SECRET = 'ccxt-test-secret';
let ex: PaperExchange;
let x: CcxtBinance;
const extra: CcxtBinance[] = [];

beforeAll(async () => {
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '100000', BTC: '2', ETH: '10' } }],
    updateSpeedMs: { fast: 50, slow: 200 },
    backendTimeoutMs: 300,
  });
  for (const [s, p] of [
    ['BTCUSDT', '30000'],
    ['ETHUSDT', '2000'],
    ['BNBUSDT', '300'],
  ] as const) {
    ex.market.setPrice(s, p, { qty: '1' });
    ex.market.closeCandle(s, '1m');
  }
  x = await ccxtFor(ex, KEY, SECRET);
});
afterAll(async () => {
  for (const c of [x, ...extra]) await c?.close();
  await ex.close();
});

const at = (price: string, qty = '0.5') => ex.market.setPrice('BTCUSDT', price, { qty });

/** Fail fast instead of hanging on a watch that never resolves. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('markets and public data', () => {
  it('loads the spot markets with Binance precision and limits; status and time', async () => {
    const markets = await x.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(['BNB/USDT', 'BTC/USDT', 'ETH/USDT']);
    const btc = markets['BTC/USDT'];
    expect(btc).toMatchObject({ id: 'BTCUSDT', spot: true, type: 'spot', active: true, base: 'BTC', quote: 'USDT' });
    expect(btc?.precision).toMatchObject({ amount: 0.00001, price: 0.01 });
    expect(btc?.limits.amount?.min).toBe(0.00001);
    expect(btc?.limits.cost?.min).toBe(5);
    expect(await x.fetchStatus()).toMatchObject({ status: 'ok' });
    expect(Math.abs(((await x.fetchTime()) as number) - Date.now())).toBeLessThan(5000);
    expect(await x.fetchTradingFees()).toMatchObject({ 'BTC/USDT': { maker: 0.001, taker: 0.001 } });
  });

  it('tickers: one, all, bids/asks, with a spread', async () => {
    at('30000');
    const t = await x.fetchTicker('BTC/USDT');
    expect(t.last).toBe(30000);
    expect(t.bid).toBeLessThan(30000);
    expect(t.ask).toBeGreaterThan(30000);
    expect(t.bidVolume).toBeGreaterThan(0);
    expect(t.baseVolume).toBeGreaterThan(0);
    expect(t.vwap).toBeGreaterThan(0);
    expect(Object.keys(await x.fetchTickers()).sort()).toEqual(['BNB/USDT', 'BTC/USDT', 'ETH/USDT']);
    const ba = await x.fetchBidsAsks(['BTC/USDT', 'ETH/USDT']);
    expect(ba['ETH/USDT']?.bid).toBeLessThan(ba['ETH/USDT']?.ask as number);
  });

  it('order book: 5000 levels a side, sorted, not crossed', async () => {
    const ob = await x.fetchOrderBook('BTC/USDT', 5000);
    expect(ob.bids).toHaveLength(5000);
    expect(ob.asks).toHaveLength(5000);
    expect(ob.bids[0]?.[0]).toBeLessThan(ob.asks[0]?.[0] as number);
    for (let i = 1; i < 100; i++) expect(ob.bids[i]?.[0]).toBeLessThan(ob.bids[i - 1]?.[0] as number);
    expect(typeof ob.nonce).toBe('number');
  });

  it('OHLCV and trades (fetchTrades uses aggTrades)', async () => {
    const candles = await x.fetchOHLCV('BTC/USDT', '1m', undefined, 5);
    expect(candles.length).toBeGreaterThan(0);
    expect(candles[0]).toHaveLength(6);
    at('30001', '0.25');
    const trades = await x.fetchTrades('BTC/USDT', undefined, 5);
    expect(trades.at(-1)).toMatchObject({ symbol: 'BTC/USDT', price: 30001, amount: 0.25, side: 'buy' });
    const recent = (await x.publicGetTrades({ symbol: 'BTCUSDT', limit: 2 })) as Array<Record<string, unknown>>;
    expect(recent).toHaveLength(2);
  });
});

describe('watched market data', () => {
  it('watchOrderBook: a book built from the diff stream follows the exchange and never crosses', async () => {
    at('30000');
    let ob = await within(x.watchOrderBook('BTC/USDT'), 10_000, 'watchOrderBook');
    const moves = [
      '30000.01',
      '29999.99',
      '30004.50',
      '29990.00',
      '29990.01',
      '30012.34',
      '30012.34',
      '29950.00',
      '30000.00',
    ];
    for (const price of moves) {
      at(price);
      ob = await within(x.watchOrderBook('BTC/USDT'), 5000, `book after ${price}`);
      expect(ob.bids[0]?.[0], `crossed at ${price}`).toBeLessThan(ob.asks[0]?.[0] as number);
    }
    await x.createOrder('BTC/USDT', 'market', 'buy', 0.7);
    ob = await within(x.watchOrderBook('BTC/USDT'), 5000, 'book after our fill');
    // Quiet: once the diff stream has delivered the last update (ccxt updates `ob` in place), the
    // watched book is the exchange's at the same update id.
    const rest = await waitFor(
      async () => {
        const r = await x.fetchOrderBook('BTC/USDT', 100);
        return r.nonce === ob.nonce && r;
      },
      10_000,
      `the watched book at the exchange's update id (watched ${ob.nonce})`,
    );
    expect(ob.nonce).toBe(rest.nonce);
    expect(ob.bids.slice(0, 100)).toEqual(rest.bids);
    expect(ob.asks.slice(0, 100)).toEqual(rest.asks);
  });

  it('watchTicker, watchTrades, watchOHLCV, watchBidsAsks deliver', async () => {
    // Tickers are pushed every interval with the statistics of the moment.
    ex.market.setPrice('ETHUSDT', '2001.5', { qty: '0.4' });
    ex.market.setPrice('BNBUSDT', '301.5', { qty: '2' });
    // ccxt's watchTicker listens to @miniTicker by default; `name: 'ticker'` asks for the full @ticker.
    const mini = x.watchTicker('BNB/USDT');
    const ticker = x.watchTicker('ETH/USDT', { name: 'ticker' });
    const trades = x.watchTrades('ETH/USDT');
    const ohlcv = x.watchOHLCV('ETH/USDT', '1m');
    const bidsAsks = x.watchBidsAsks(['ETH/USDT']);
    // The trade below must come after every subscription is in place (a trade is pushed once).
    const streams = ['bnbusdt@miniTicker', 'ethusdt@ticker', 'ethusdt@trade', 'ethusdt@kline_1m', 'ethusdt@bookTicker'];
    await waitFor(() => streams.every((s) => ex.listening.market(s)), 10_000, `subscriptions to ${streams.join(', ')}`);
    ex.market.setPrice('ETHUSDT', '2001.5', { qty: '0.4' });
    expect(await within(mini, 5000, 'watchTicker (mini)')).toMatchObject({ symbol: 'BNB/USDT', last: 301.5 });
    const t = await within(ticker, 5000, 'watchTicker');
    expect(t).toMatchObject({ symbol: 'ETH/USDT' });
    expect(t.bid).toBeLessThan(t.ask as number);
    expect((await within(trades, 5000, 'watchTrades')).at(-1)).toMatchObject({
      symbol: 'ETH/USDT',
      price: 2001.5,
      amount: 0.4,
    });
    expect((await within(ohlcv, 5000, 'watchOHLCV')).at(-1)?.[4]).toBe(2001.5);
    expect((await within(bidsAsks, 5000, 'watchBidsAsks'))['ETH/USDT']?.bid).toBeLessThan(2001.5);
  });
});

describe('account and every order type', () => {
  it('fetchBalance', async () => {
    const b = await x.fetchBalance();
    expect(b.USDT?.free).toBeGreaterThan(0);
    expect(b.ETH).toMatchObject({ free: 10, used: 0, total: 10 });
  });

  it('market orders by amount and by cost, buy and sell, walking the book', async () => {
    at('30000');
    const book = await x.fetchOrderBook('BTC/USDT', 5);
    const buy = await x.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    expect(buy).toMatchObject({ status: 'closed', filled: 0.01, side: 'buy', type: 'market' });
    expect(buy.average).toBeGreaterThanOrEqual(book.asks[0]?.[0] as number);
    const byCost = await x.createMarketBuyOrderWithCost('BTC/USDT', 100);
    expect(byCost.status).toBe('closed');
    expect(byCost.cost).toBeGreaterThan(99);
    expect(byCost.cost).toBeLessThanOrEqual(100);
    const sell = await x.createOrder('BTC/USDT', 'market', 'sell', 0.01);
    expect(sell.average).toBeLessThanOrEqual(book.bids[0]?.[0] as number);
    expect(sell.fee?.currency).toBe('USDT');
  });

  it('limit GTC, IOC, FOK and post-only', async () => {
    at('30000');
    const gtc = await x.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 29000, { clientOrderId: 'cx-gtc' });
    expect(gtc).toMatchObject({ status: 'open', clientOrderId: 'cx-gtc', price: 29000, timeInForce: 'GTC' });
    const ioc = await x.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 29000, { timeInForce: 'IOC' });
    expect(ioc.status).toBe('expired');
    const fok = await x.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30100, { timeInForce: 'FOK' });
    expect(fok.status).toBe('closed');
    const maker = await x.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 30500, { postOnly: true });
    expect(maker).toMatchObject({ status: 'open', postOnly: true });
    expect(await errorOf(x.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 30500, { postOnly: true }))).toBeInstanceOf(
      ccxt.OrderImmediatelyFillable,
    );
    at('29000');
    expect((await x.fetchOrder(gtc.id as string, 'BTC/USDT')).status).toBe('closed');
    await x.cancelOrder(maker.id as string, 'BTC/USDT');
  });

  it('stop-loss, stop-loss-limit, take-profit, take-profit-limit and trailing stops trigger like Binance', async () => {
    at('30000');
    const sl = await x.createOrder('BTC/USDT', 'market', 'sell', 0.01, undefined, { stopLossPrice: 29500 });
    const sll = await x.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 29400, { stopLossPrice: 29500 });
    const tp = await x.createOrder('BTC/USDT', 'market', 'sell', 0.01, undefined, { takeProfitPrice: 30500 });
    const tpl = await x.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 30500, { takeProfitPrice: 30500 });
    const trail = await x.createOrder('BTC/USDT', 'market', 'sell', 0.01, undefined, {
      trailingPercent: 1,
      stopLossOrTakeProfit: 'stopLoss',
    });
    const types = await Promise.all([sl, sll, tp, tpl, trail].map((o) => x.fetchOrder(o.id as string, 'BTC/USDT')));
    expect(types.map((o) => o.info.type)).toEqual([
      'STOP_LOSS',
      'STOP_LOSS_LIMIT',
      'TAKE_PROFIT',
      'TAKE_PROFIT_LIMIT',
      'STOP_LOSS',
    ]);
    expect(types.map((o) => o.status)).toEqual(['open', 'open', 'open', 'open', 'open']);
    expect(types[0]?.triggerPrice).toBe(29500);
    expect(types[4]?.info.trailingDelta).toBe(100);
    expect(
      await errorOf(x.createOrder('BTC/USDT', 'market', 'sell', 0.01, undefined, { stopLossPrice: 30100 })),
    ).toBeInstanceOf(ccxt.OrderImmediatelyFillable);
    at('30600');
    expect((await x.fetchOrder(tp.id as string, 'BTC/USDT')).status).toBe('closed');
    expect((await x.fetchOrder(tpl.id as string, 'BTC/USDT')).status).toBe('closed');
    at('29450');
    expect((await x.fetchOrder(sl.id as string, 'BTC/USDT')).status).toBe('closed');
    expect((await x.fetchOrder(sll.id as string, 'BTC/USDT')).status).toBe('closed');
    // Down more than 1 % from the 30,600 high: the trailing stop has fired too.
    expect((await x.fetchOrder(trail.id as string, 'BTC/USDT')).status).toBe('closed');
  });

  it('fetch, list and cancel by client order id', async () => {
    at('30000');
    await x.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 28000, { clientOrderId: 'cx-cid-1' });
    await x.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 27000, { clientOrderId: 'cx-cid-2' });
    const byCid = await x.fetchOrder(undefined as unknown as string, 'BTC/USDT', { clientOrderId: 'cx-cid-1' });
    expect(byCid).toMatchObject({ clientOrderId: 'cx-cid-1', status: 'open', price: 28000 });
    expect((await x.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual(
      expect.arrayContaining(['cx-cid-1', 'cx-cid-2']),
    );
    const cancelled = await x.cancelOrder(undefined as unknown as string, 'BTC/USDT', { clientOrderId: 'cx-cid-1' });
    expect(cancelled).toMatchObject({ status: 'canceled', id: byCid.id });
    expect((await x.fetchOrder(byCid.id as string, 'BTC/USDT')).status).toBe('canceled');
    const all = await x.fetchOrders('BTC/USDT');
    expect(all.find((o) => o.clientOrderId === 'cx-cid-1')?.status).toBe('canceled');
    expect((await x.fetchClosedOrders('BTC/USDT')).length).toBeGreaterThan(3);
    await x.cancelAllOrders('BTC/USDT');
    expect(await x.fetchOpenOrders('BTC/USDT')).toEqual([]);
    const mine = await x.fetchMyTrades('BTC/USDT');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ symbol: 'BTC/USDT', fee: { currency: expect.any(String) } });
  });
});

describe("ccxt's error classes from Binance's error bodies", () => {
  it('insufficient funds, unknown orders, filters, immediate fills, symbols', async () => {
    at('30000');
    expect(await errorOf(x.createOrder('BTC/USDT', 'market', 'buy', 100))).toBeInstanceOf(ccxt.InsufficientFunds);
    expect(await errorOf(x.fetchOrder('987654321', 'BTC/USDT'))).toBeInstanceOf(ccxt.OrderNotFound);
    expect(await errorOf(x.cancelOrder('987654321', 'BTC/USDT'))).toBeInstanceOf(ccxt.OrderNotFound);
    expect(
      await errorOf(x.fetchOrder(undefined as unknown as string, 'BTC/USDT', { clientOrderId: 'never-sent' })),
    ).toBeInstanceOf(ccxt.OrderNotFound);
    expect(await errorOf(x.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 2_000_000))).toBeInstanceOf(
      ccxt.InvalidOrder,
    );
    const dup = await x.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 20000, { clientOrderId: 'cx-dup' });
    expect(
      await errorOf(x.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 20000, { clientOrderId: 'cx-dup' })),
    ).toBeInstanceOf(ccxt.InvalidOrder);
    await x.cancelOrder(dup.id as string, 'BTC/USDT');
    expect(await errorOf(x.publicGetTickerPrice({ symbol: 'NOPEUSDT' }))).toBeInstanceOf(ccxt.BadSymbol);
  });

  it('authentication, clock skew, rate limits, unknown outcomes', async () => {
    const wrongSecret = await ccxtFor(ex, KEY, 'not-the-secret');
    const wrongKey = await ccxtFor(ex, 'nobody-key', SECRET);
    const skewed = await ccxtFor(ex, KEY, SECRET, { timeDifference: 30_000 });
    extra.push(wrongSecret, wrongKey, skewed);
    for (const c of [wrongSecret, wrongKey, skewed]) c.markets = x.markets;
    expect(await errorOf(wrongSecret.fetchBalance())).toBeInstanceOf(ccxt.AuthenticationError);
    expect(await errorOf(wrongKey.fetchBalance())).toBeInstanceOf(ccxt.AuthenticationError);
    expect(await errorOf(skewed.fetchBalance())).toBeInstanceOf(ccxt.InvalidNonce);
    ex.faults.add({ kind: 'rate-limit', match: { endpoint: 'GET /api/v3/account' } });
    expect(await errorOf(x.fetchBalance())).toBeInstanceOf(ccxt.DDoSProtection);
    // -1007 after the backend timeout: ccxt's RequestTimeout (a NetworkError), and the order did execute.
    ex.faults.add({ kind: 'unknown-while-executing', match: { clientOrderId: '^cx-unknown$' } });
    const unknown = await errorOf(
      x.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 20000, { clientOrderId: 'cx-unknown' }),
    );
    expect(unknown).toBeInstanceOf(ccxt.RequestTimeout);
    expect(unknown).toBeInstanceOf(ccxt.NetworkError);
    const found = await x.fetchOrder(undefined as unknown as string, 'BTC/USDT', { clientOrderId: 'cx-unknown' });
    expect(found.status).toBe('open');
    await x.cancelOrder(found.id as string, 'BTC/USDT');
  });
});

describe('user-data watches and the WebSocket API', () => {
  it('watchOrders, watchMyTrades and watchBalance see an order fill', async () => {
    at('30000');
    const orders = x.watchOrders('BTC/USDT');
    const trades = x.watchMyTrades('BTC/USDT');
    const balance = x.watchBalance();
    // The order below must come after the user stream is open (its events are pushed once).
    await waitFor(() => ex.listening.user(ex.accounts.accountId(KEY)), 10_000, 'the user stream');
    await x.createOrder('BTC/USDT', 'market', 'buy', 0.002, undefined, { clientOrderId: 'cx-watch' });
    const o = await within(orders, 5000, 'watchOrders');
    expect(o.map((v) => v.clientOrderId)).toContain('cx-watch');
    const t = await within(trades, 5000, 'watchMyTrades');
    expect(t.at(-1)).toMatchObject({ symbol: 'BTC/USDT', side: 'buy' });
    const b = await within(balance, 5000, 'watchBalance');
    expect(b.BTC?.free).toBeGreaterThan(0);
    expect(ex.listening.user(ex.accounts.accountId(KEY))).toBe(true);
  });

  it('createOrderWs, fetchOrderWs, fetchOpenOrdersWs, cancelOrderWs, fetchBalanceWs on /ws-api/v3', async () => {
    at('30000');
    // (ccxt's createOrderWs also sends a `clientOrderId` given as such, which Binance refuses with
    // -1104 like any unread parameter: the wire name newClientOrderId goes through.)
    const placed = await x.createOrderWs('BTC/USDT', 'limit', 'buy', 0.001, 25000, { newClientOrderId: 'cx-ws-1' });
    expect(placed).toMatchObject({ clientOrderId: 'cx-ws-1', status: 'open', price: 25000 });
    expect(await x.fetchOrderWs(placed.id as string, 'BTC/USDT')).toMatchObject({
      clientOrderId: 'cx-ws-1',
      status: 'open',
    });
    expect((await x.fetchOpenOrdersWs('BTC/USDT')).map((o) => o.clientOrderId)).toContain('cx-ws-1');
    expect(await x.cancelOrderWs(placed.id as string, 'BTC/USDT')).toMatchObject({ status: 'canceled' });
    // account.status answers the REST account; ccxt 4.5 parses it without the market type, so its
    // unified fields stay empty for spot (on Binance too): the raw answer is what to check.
    const wsBalance = await x.fetchBalanceWs();
    expect((wsBalance.info as { balances: Array<{ asset: string }> }).balances.map((b) => b.asset)).toEqual(
      expect.arrayContaining(['USDT', 'BTC']),
    );
    // The same order as REST sees it.
    expect((await x.fetchOrder(placed.id as string, 'BTC/USDT')).status).toBe('canceled');
  });

  it('nothing doubled, nothing lost', () => {
    expect(ex.audit.duplicates()).toEqual([]);
    expect(ex.audit.check(ex.venue)).toEqual([]);
  });
});
