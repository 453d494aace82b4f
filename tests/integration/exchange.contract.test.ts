/**
 * Contract suite: the paper exchange driven through binance-api-node itself, as the bots do —
 * every endpoint, stream and error code the bots rely on. (Faults: exchange.faults.test.ts; raw
 * HTTP bad input: exchange.bad-input.test.ts.)
 *
 * binance-api-node keeps its market-stream base URL in a module-level singleton, so this file
 * runs one exchange.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, ZERO_SPREAD_BOOK, startPaperExchange } from '../../exchange';
import { type BinanceClient, type Wire, clientFor, rejectionOf, waitFor } from '../support/exchange-client';
import { wsText } from '../../infra/ws-text';

const KEY = 'contract-key';
const SECRET = 'contract-secret';
const KEY2 = 'contract-key-2';
const SECRET2 = 'contract-secret-2';

let ex: PaperExchange;
let client: BinanceClient;

beforeAll(async () => {
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    // These checks compute fills from the last price: the idealised book (bid = ask = last,
    // unlimited depth). The realistic default book is checked in exchange.market-data.test.ts.
    book: ZERO_SPREAD_BOOK,
    accounts: [
      { apiKey: KEY, apiSecret: SECRET, balances: { USDT: '100000', BTC: '2', ETH: '10' } },
      { apiKey: KEY2, apiSecret: SECRET2, balances: { USDT: '1000' } },
    ],
  });
  client = clientFor(ex, KEY, SECRET);
});

afterAll(async () => {
  await ex.close();
});

const at = (price: string) => ex.market.setPrice('BTCUSDT', price);

/** Subscribe to the user stream and collect transformed events until `clean()`. */
async function userEvents(c: BinanceClient = client): Promise<{ events: Wire[]; clean: () => void }> {
  const events: Wire[] = [];
  const clean = (await c.ws.user((e: Wire) => events.push(e))) as () => void;
  return { events, clean };
}

describe('general and market-data endpoints', () => {
  it('answers ping and time', async () => {
    expect(await client.ping()).toBe(true);
    const t = await client.time();
    expect(Math.abs(t - Date.now())).toBeLessThan(5000);
  });

  it('describes symbols with Binance filters, alone or as a list', async () => {
    const info = await client.exchangeInfo();
    expect(info.rateLimits.map((r: Wire) => r.rateLimitType)).toEqual(
      expect.arrayContaining(['REQUEST_WEIGHT', 'ORDERS']),
    );
    const btc = info.symbols.find((s: Wire) => s.symbol === 'BTCUSDT');
    expect(btc).toMatchObject({
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      status: 'TRADING',
      ocoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
    });
    const byType = Object.fromEntries(btc.filters.map((f: Wire) => [f.filterType, f]));
    expect(byType.PRICE_FILTER).toMatchObject({ tickSize: '0.01000000', minPrice: '0.01000000' });
    expect(byType.LOT_SIZE).toMatchObject({ stepSize: '0.00001000', minQty: '0.00001000' });
    expect(byType.MARKET_LOT_SIZE).toBeDefined();
    expect(byType.NOTIONAL).toMatchObject({ minNotional: '5.00000000', applyMinToMarket: true });
    expect(byType.MAX_NUM_ORDERS).toMatchObject({ maxNumOrders: 200 });
    const one = await client.exchangeInfo({ symbol: 'ETHUSDT' });
    expect(one.symbols.map((s: Wire) => s.symbol)).toEqual(['ETHUSDT']);
    const two = await client.exchangeInfo({ symbols: JSON.stringify(['BTCUSDT', 'BNBUSDT']) });
    expect(two.symbols.map((s: Wire) => s.symbol)).toEqual(['BTCUSDT', 'BNBUSDT']);
    expect((await rejectionOf(client.exchangeInfo({ symbol: 'NOPEUSDT' }))).code).toBe(-1121);
  });

  it('serves klines of every interval, 1s included, with the forming candle last', async () => {
    at('30000');
    ex.market.setPrice('BTCUSDT', '30010', { qty: '0.5' });
    ex.market.closeCandle('BTCUSDT', '1s');
    ex.market.setPrice('BTCUSDT', '30020', { qty: '0.25' });
    const oneSecond = await client.candles({ symbol: 'BTCUSDT', interval: '1s' });
    expect(oneSecond.length).toBeGreaterThanOrEqual(2);
    const [closed, forming] = oneSecond.slice(-2);
    expect(forming.openTime).toBe(closed.openTime + 1000);
    expect(closed.closeTime).toBe(closed.openTime + 999);
    expect(closed.close).toBe('30010.00000000');
    expect(forming.close).toBe('30020.00000000');
    expect(forming.volume).toBe('0.25000000');
    const limited = await client.candles({ symbol: 'BTCUSDT', interval: '1m', limit: 1 });
    expect(limited).toHaveLength(1);
    const later = await client.candles({ symbol: 'BTCUSDT', interval: '1s', startTime: forming.openTime });
    expect(later[0].openTime).toBe(forming.openTime);
    expect((await rejectionOf(client.candles({ symbol: 'BTCUSDT', interval: '7m' }))).code).toBe(-1120);
  });

  it('serves ticker prices, book tickers, 24h stats, average price and depth', async () => {
    at('30000');
    const prices = await client.prices();
    expect(prices.BTCUSDT).toBe('30000.00000000');
    expect(Object.keys(prices)).toEqual(expect.arrayContaining(['ETHUSDT', 'BNBUSDT']));
    expect(await client.prices({ symbol: 'BTCUSDT' })).toEqual({ BTCUSDT: '30000.00000000' });
    const books = await client.allBookTickers();
    expect(books.BTCUSDT).toMatchObject({ bidPrice: '30000.00000000', askPrice: '30000.00000000' });
    const stats = await client.dailyStats({ symbol: 'BTCUSDT' });
    expect(stats.lastPrice).toBe('30000.00000000');
    expect((await client.avgPrice({ symbol: 'BTCUSDT' })).price).toBe('30000.00000000');
    const book = await client.book({ symbol: 'BTCUSDT', limit: 5 });
    expect(book.bids).toHaveLength(5);
    expect(book.asks[0]).toEqual({ price: '30000.00000000', quantity: '10.00000000' });
  });
});

describe('account and orders', () => {
  it('reports balances and commission rates', async () => {
    const acc = await client.accountInfo();
    expect(acc).toMatchObject({
      canTrade: true,
      accountType: 'SPOT',
      commissionRates: { maker: '0.00100000', taker: '0.00100000' },
    });
    expect(acc.balances.find((b: Wire) => b.asset === 'ETH')).toEqual({
      asset: 'ETH',
      free: '10.00000000',
      locked: '0.00000000',
    });
    const other = await clientFor(ex, KEY2, SECRET2).accountInfo({ omitZeroBalances: true });
    expect(other.balances).toEqual([{ asset: 'USDT', free: '1000.00000000', locked: '0.00000000' }]);
  });

  it('MARKET: FULL response with fills; commission in the received asset; weight and order-count headers', async () => {
    at('30000');
    const o = await client.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
      newClientOrderId: 'c-mkt-1',
    });
    expect(o).toMatchObject({
      symbol: 'BTCUSDT',
      clientOrderId: 'c-mkt-1',
      status: 'FILLED',
      type: 'MARKET',
      side: 'BUY',
      executedQty: '0.01000000',
      cummulativeQuoteQty: '300.00000000',
      orderListId: -1,
    });
    expect(o.fills[0]).toMatchObject({
      price: '30000.00000000',
      qty: '0.01000000',
      commission: '0.00001000',
      commissionAsset: 'BTC',
    });
    expect(typeof o.orderId).toBe('number');
    const info = client.getInfo()['127.0.0.1'];
    expect(Number(info.usedWeight1m)).toBeGreaterThan(0);
    expect(Number(info.orderCount10s)).toBeGreaterThan(0);
    expect(Number(info.orderCount1d)).toBeGreaterThan(0);
    const sell = await client.order({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quoteOrderQty: '150',
      newClientOrderId: 'c-mkt-2',
    });
    expect(sell).toMatchObject({ status: 'FILLED', executedQty: '0.00500000', origQuoteOrderQty: '150.00000000' });
    expect(sell.fills[0].commissionAsset).toBe('USDT');
  });

  it('LIMIT: rests, shows in openOrders and allOrders, fills as maker when crossed', async () => {
    at('30000');
    const placed = await client.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: '29500',
      newClientOrderId: 'c-lim-1',
    });
    expect(placed).toMatchObject({ status: 'NEW', timeInForce: 'GTC', price: '29500.00000000' });
    expect((await client.openOrders({ symbol: 'BTCUSDT' })).map((o: Wire) => o.clientOrderId)).toContain('c-lim-1');
    expect((await client.openOrders()).map((o: Wire) => o.clientOrderId)).toContain('c-lim-1');
    at('29400');
    const q = await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-lim-1' });
    expect(q).toMatchObject({ status: 'FILLED', executedQty: '0.01000000', isWorking: false });
    const byId = await client.getOrder({ symbol: 'BTCUSDT', orderId: placed.orderId });
    expect(byId.clientOrderId).toBe('c-lim-1');
    const trades = await client.myTrades({ symbol: 'BTCUSDT', orderId: placed.orderId });
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({
      price: '29500.00000000',
      qty: '0.01000000',
      isMaker: true,
      isBuyer: true,
      commissionAsset: 'BTC',
    });
    const all = await client.allOrders({ symbol: 'BTCUSDT', orderId: placed.orderId });
    expect(all[0]).toMatchObject({ orderId: placed.orderId, status: 'FILLED' });
  });

  it('IOC, FOK, LIMIT_MAKER, STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT behave like Binance', async () => {
    at('30000');
    const ioc = await client.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'IOC',
      quantity: '0.01',
      price: '29000',
      newClientOrderId: 'c-ioc',
    });
    expect(ioc.status).toBe('EXPIRED');
    const fok = await client.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'FOK',
      quantity: '0.01',
      price: '30000',
      newClientOrderId: 'c-fok',
    });
    expect(fok.status).toBe('FILLED');
    const maker = await rejectionOf(
      client.order({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT_MAKER',
        quantity: '0.01',
        price: '30001',
        newClientOrderId: 'c-lm',
      }),
    );
    expect(maker).toMatchObject({ code: -2010, message: 'Order would immediately match and take.' });
    const stop = await client.order({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS_LIMIT',
      quantity: '0.01',
      price: '28900',
      stopPrice: '29000',
      newClientOrderId: 'c-sll',
    });
    // Non-MARKET/LIMIT types answer ACK by default.
    expect(stop).toEqual({
      symbol: 'BTCUSDT',
      orderId: stop.orderId,
      orderListId: -1,
      clientOrderId: 'c-sll',
      transactTime: stop.transactTime,
    });
    const tp = await client.order({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'TAKE_PROFIT_LIMIT',
      quantity: '0.01',
      price: '31000',
      stopPrice: '31000',
      newClientOrderId: 'c-tpl',
      newOrderRespType: 'RESULT',
    });
    expect(tp).toMatchObject({ status: 'NEW', stopPrice: '31000.00000000', workingTime: -1 });
    const wouldTrigger = await rejectionOf(
      client.order({
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_LOSS',
        quantity: '0.01',
        stopPrice: '30500',
        newClientOrderId: 'c-sl-bad',
      }),
    );
    expect(wouldTrigger).toMatchObject({ code: -2010, message: 'Order would trigger immediately.' });
    at('28950');
    expect((await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-sll' })).status).toBe('FILLED');
    at('31000');
    expect((await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-tpl' })).status).toBe('FILLED');
    const trailing = await client.order({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '0.01',
      trailingDelta: 100,
      newClientOrderId: 'c-trail',
      newOrderRespType: 'RESULT',
    });
    expect(trailing.trailingDelta).toBe(100);
    at('32000');
    at('31700');
    expect((await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-trail' })).status).toBe('NEW');
    at('31680');
    expect((await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-trail' })).status).toBe('FILLED');
  });

  it('validates a test order like a real one and answers {}', async () => {
    at('30000');
    expect(
      await client.orderTest({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '29000' }),
    ).toEqual({});
    const bad = await rejectionOf(
      client.orderTest({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '29000.001' }),
    );
    expect(bad).toMatchObject({ code: -1013, message: 'Filter failure: PRICE_FILTER' });
    const rates = await client.orderTest({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
      computeCommissionRates: true,
    });
    expect(rates.standardCommissionForOrder).toEqual({ maker: '0.00100000', taker: '0.00100000' });
    expect((await client.openOrders({ symbol: 'BTCUSDT' })).some((o: Wire) => o.price === '29000.00000000')).toBe(
      false,
    );
  });

  it('rejects a duplicate client id among open orders but accepts it again once filled', async () => {
    at('30000');
    await client.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: '29000',
      newClientOrderId: 'c-dup',
    });
    const dup = await rejectionOf(
      client.order({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: '29000',
        newClientOrderId: 'c-dup',
      }),
    );
    expect(dup).toMatchObject({ code: -2010, message: 'Duplicate order sent.' });
    at('28900');
    const again = await client.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.001',
      newClientOrderId: 'c-dup',
    });
    expect(again.status).toBe('FILLED');
    expect(ex.audit.clientId('c-dup')).toMatchObject({ submitted: 3, executed: 2 });
  });

  it('cancels by orderId and by origClientOrderId, one or all; unknown ids give -2013 / -2011', async () => {
    at('30000');
    const a = await client.order({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: '0.01',
      price: '31000',
      newClientOrderId: 'c-can-a',
    });
    await client.order({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: '0.01',
      price: '31000',
      newClientOrderId: 'c-can-b',
    });
    const ca = await client.cancelOrder({ symbol: 'BTCUSDT', orderId: a.orderId });
    expect(ca).toMatchObject({ status: 'CANCELED', origClientOrderId: 'c-can-a' });
    const cb = await client.cancelOrder({
      symbol: 'BTCUSDT',
      origClientOrderId: 'c-can-b',
      newClientOrderId: 'cancel-b',
    });
    expect(cb).toMatchObject({ status: 'CANCELED', origClientOrderId: 'c-can-b', clientOrderId: 'cancel-b' });
    expect(await rejectionOf(client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-nope' }))).toMatchObject({
      code: -2013,
      message: 'Order does not exist.',
    });
    expect(await rejectionOf(client.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-nope' }))).toMatchObject({
      code: -2011,
      message: 'Unknown order sent.',
    });
    expect((await rejectionOf(client.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-can-b' }))).code).toBe(
      -2011,
    );
    await client.order({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: '0.01',
      price: '31500',
      newClientOrderId: 'c-can-c',
    });
    await client.order({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: '0.01',
      price: '31600',
      newClientOrderId: 'c-can-d',
    });
    const all = await client.cancelOpenOrders({ symbol: 'BTCUSDT' });
    expect(all.map((o: Wire) => o.origClientOrderId)).toEqual(expect.arrayContaining(['c-can-c', 'c-can-d']));
    expect(await client.openOrders({ symbol: 'BTCUSDT' })).toEqual([]);
    expect((await rejectionOf(client.cancelOpenOrders({ symbol: 'BTCUSDT' }))).code).toBe(-2011);
  });

  it('rejects what Binance rejects: filters, precision, balance, client-id syntax', async () => {
    at('30000');
    const poor = clientFor(ex, KEY2, SECRET2);
    const cases: Array<[Wire, number, string]> = [
      [{ side: 'BUY', type: 'LIMIT', quantity: '0.000015', price: '29000' }, -1013, 'Filter failure: LOT_SIZE'],
      [{ side: 'BUY', type: 'LIMIT', quantity: '0.0001', price: '29000' }, -1013, 'Filter failure: NOTIONAL'],
      [{ side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '29000.123' }, -1013, 'Filter failure: PRICE_FILTER'],
      [{ side: 'BUY', type: 'MARKET', quantity: '500' }, -1013, 'Filter failure: MARKET_LOT_SIZE'],
      [
        { side: 'BUY', type: 'LIMIT', quantity: '0.010000001', price: '29000' },
        -1111,
        "Parameter 'quantity' has too much precision.",
      ],
      [
        { side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '29000', newClientOrderId: 'has.dot' },
        -1100,
        "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
      ],
      [{ side: 'SELL', type: 'MARKET', quantity: '1000' }, -1013, 'Filter failure: MARKET_LOT_SIZE'],
    ];
    for (const [params, code, msg] of cases) {
      expect(await rejectionOf(client.order({ symbol: 'BTCUSDT', ...params })), JSON.stringify(params)).toMatchObject({
        code,
        message: msg,
      });
    }
    expect(
      await rejectionOf(poor.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '1', price: '29000' })),
    ).toMatchObject({
      code: -2010,
      message: 'Account has insufficient balance for requested action.',
    });
    expect(
      (await rejectionOf(client.order({ symbol: 'DOGEUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }))).code,
    ).toBe(-1121);
  });
});

describe('cancel-replace (updateOrder)', () => {
  it('cancels and places atomically, or reports which half failed (-2022 / -2021)', async () => {
    at('30000');
    const first = await client.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: '29000',
      newClientOrderId: 'cr-1',
    });
    const r = await client.updateOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: '29100',
      cancelOrigClientOrderId: 'cr-1',
      newClientOrderId: 'cr-2',
    });
    expect(r).toMatchObject({
      cancelResult: 'SUCCESS',
      newOrderResult: 'SUCCESS',
      cancelResponse: { orderId: first.orderId, status: 'CANCELED' },
      newOrderResponse: { clientOrderId: 'cr-2', status: 'NEW', price: '29100.00000000' },
    });
    const missing = await rejectionOf(
      client.updateOrder({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: '29100',
        cancelOrigClientOrderId: 'cr-none',
        newClientOrderId: 'cr-3',
      }),
    );
    expect(missing).toMatchObject({ code: -2022, message: 'Order cancel-replace failed.' });
    expect((await rejectionOf(client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'cr-3' }))).code).toBe(-2013);
    const half = await rejectionOf(
      client.updateOrder({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: '29100.001',
        cancelOrigClientOrderId: 'cr-2',
        newClientOrderId: 'cr-4',
      }),
    );
    expect(half).toMatchObject({ code: -2021, message: 'Order cancel-replace partially failed.' });
    expect((await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'cr-2' })).status).toBe('CANCELED');
  });
});

describe('OCO order lists', () => {
  it('places (deprecated order/oco), queries, lists and cancels an OCO', async () => {
    at('30000');
    const list = await client.orderOco({
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      price: '32000',
      stopPrice: '29000',
      stopLimitPrice: '28900',
      listClientOrderId: 'oco-1',
      limitClientOrderId: 'oco-1-tp',
      stopClientOrderId: 'oco-1-sl',
    });
    expect(list).toMatchObject({
      contingencyType: 'OCO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: 'oco-1',
    });
    expect(list.orders.map((o: Wire) => o.clientOrderId)).toEqual(['oco-1-sl', 'oco-1-tp']);
    expect(list.orderReports.map((o: Wire) => o.type)).toEqual(['STOP_LOSS_LIMIT', 'LIMIT_MAKER']);
    const q = await client.getOrderOco({ orderListId: list.orderListId });
    expect(q).toMatchObject({ listClientOrderId: 'oco-1', listOrderStatus: 'EXECUTING' });
    const byCid = await client.getOrderOco({ origClientOrderId: 'oco-1' });
    expect(byCid.orderListId).toBe(list.orderListId);
    const open = await client.privateRequest('GET', '/api/v3/openOrderList', {});
    expect(open.map((l: Wire) => l.orderListId)).toContain(list.orderListId);
    const cancelled = await client.cancelOrderOco({ symbol: 'BTCUSDT', orderListId: list.orderListId });
    expect(cancelled).toMatchObject({ listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE' });
    expect(cancelled.orderReports.map((o: Wire) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    const history = await client.allOrdersOCO({});
    expect(history.map((l: Wire) => l.orderListId)).toContain(list.orderListId);
    expect((await rejectionOf(client.getOrderOco({ orderListId: 987654 }))).code).toBe(-2013);
  });

  it('places with orderList/oco, and one leg filling expires the other', async () => {
    at('30000');
    const { events, clean } = await userEvents();
    try {
      const list = await client.privateRequest('POST', '/api/v3/orderList/oco', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.01',
        listClientOrderId: 'oco-2',
        aboveType: 'LIMIT_MAKER',
        abovePrice: '31000',
        aboveClientOrderId: 'oco-2-tp',
        belowType: 'STOP_LOSS',
        belowStopPrice: '29000',
        belowClientOrderId: 'oco-2-sl',
      });
      expect(list.orders.map((o: Wire) => o.clientOrderId)).toEqual(['oco-2-sl', 'oco-2-tp']);
      at('31000');
      expect((await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'oco-2-tp' })).status).toBe('FILLED');
      expect((await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'oco-2-sl' })).status).toBe('EXPIRED');
      await waitFor(
        () =>
          events.some(
            (e) => e.eventType === 'listStatus' && e.listClientOrderId === 'oco-2' && e.listOrderStatus === 'ALL_DONE',
          ),
        5000,
        'listStatus ALL_DONE',
      );
      const start = events.find((e) => e.eventType === 'listStatus' && e.listStatusType === 'EXEC_STARTED');
      expect(start?.orders.map((o: Wire) => o.clientOrderId)).toEqual(['oco-2-sl', 'oco-2-tp']);
      const bad = await rejectionOf(
        client.privateRequest('POST', '/api/v3/orderList/oco', {
          symbol: 'BTCUSDT',
          side: 'SELL',
          quantity: '0.01',
          aboveType: 'STOP_LOSS',
          aboveStopPrice: '32000',
          belowType: 'LIMIT_MAKER',
          belowPrice: '30000',
        }),
      );
      expect(bad.code).toBe(-1166);
    } finally {
      clean();
    }
  });
});

describe('market streams', () => {
  it('streams klines and emits the closed candle once with isFinal, 1s included', async () => {
    const seen: Wire[] = [];
    const clean = client.ws.candles('BTCUSDT', '1s', (k: Wire) => seen.push(k));
    try {
      await waitFor(() => ex.stats().connections > 0, 5000, 'kline socket');
      await waitFor(
        async () => {
          at('30100');
          return seen.length > 0;
        },
        5000,
        'first kline update',
      );
      const closed = ex.market.closeCandle('BTCUSDT', '1s');
      const final = await waitFor(() => seen.find((k) => k.isFinal), 5000, 'final kline');
      expect(final).toMatchObject({
        eventType: 'kline',
        symbol: 'BTCUSDT',
        interval: '1s',
        close: '30100.00000000',
        startTime: closed.openTime,
        closeTime: closed.openTime + 999,
      });
      expect(seen.filter((k) => k.isFinal)).toHaveLength(1);
    } finally {
      clean();
    }
  });

  it('streams trades, book tickers and depth on raw and combined connections', async () => {
    const trades: Wire[] = [];
    const books: Wire[] = [];
    const depth: Wire[] = [];
    const cleanT = client.ws.trades('BTCUSDT', (t: Wire) => trades.push(t));
    const cleanB = client.ws.bookTicker('BTCUSDT', (b: Wire) => books.push(b));
    const cleanD = client.ws.partialDepth({ symbol: 'BTCUSDT', level: 5 }, (d: Wire) => depth.push(d));
    const diffs: Wire[] = [];
    const cleanDiff = client.ws.depth('BTCUSDT', (d: Wire) => diffs.push(d));
    const combined: Wire[] = [];
    const cleanC = client.ws.customSubStream('btcusdt@kline_1m', (m: Wire) => combined.push(m));
    const WebSocket = (await import('ws')).default;
    const raw = new WebSocket(`ws://127.0.0.1:${ex.port}/stream?streams=btcusdt@trade/ethusdt@bookTicker`);
    const rawMessages: Wire[] = [];
    raw.on('message', (m) => rawMessages.push(JSON.parse(wsText(m)) as Wire));
    try {
      await waitFor(
        async () => {
          at('30050');
          ex.market.setPrice('ETHUSDT', '2001');
          return (
            trades.length > 0 &&
            books.length > 0 &&
            depth.length > 0 &&
            diffs.length > 0 &&
            combined.length > 0 &&
            rawMessages.length >= 2
          );
        },
        5000,
        'stream messages',
      );
      expect(trades[0]).toMatchObject({ eventType: 'trade', symbol: 'BTCUSDT', price: '30050.00000000' });
      expect(books[0]).toMatchObject({ symbol: 'BTCUSDT', bestBid: '30050.00000000', bestAsk: '30050.00000000' });
      expect(depth[0]?.bids).toHaveLength(5);
      expect(diffs[0]).toMatchObject({ eventType: 'depthUpdate', symbol: 'BTCUSDT' });
      expect(diffs[0]?.bidDepth[0]).toEqual({ price: '30050.00000000', quantity: '10.00000000' });
      expect(combined[0]).toMatchObject({ e: 'kline', s: 'BTCUSDT' });
      expect(rawMessages.map((m) => m.stream)).toEqual(expect.arrayContaining(['btcusdt@trade', 'ethusdt@bookTicker']));
      expect(rawMessages.find((m) => m.stream === 'ethusdt@bookTicker')?.data).toMatchObject({
        s: 'ETHUSDT',
        b: '2001.00000000',
      });
      // Live SUBSCRIBE on an open connection.
      raw.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['bnbusdt@trade'], id: 7 }));
      await waitFor(() => rawMessages.some((m) => m.id === 7 && m.result === null), 5000, 'SUBSCRIBE reply');
      await waitFor(
        async () => {
          ex.market.setPrice('BNBUSDT', '301');
          return rawMessages.some((m) => m.stream === 'bnbusdt@trade');
        },
        5000,
        'subscribed trade',
      );
      raw.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 8 }));
      const list = await waitFor(() => rawMessages.find((m) => m.id === 8), 5000, 'LIST_SUBSCRIPTIONS');
      expect(list.result).toEqual(expect.arrayContaining(['btcusdt@trade', 'ethusdt@bookTicker', 'bnbusdt@trade']));
    } finally {
      cleanT();
      cleanB();
      cleanD();
      cleanDiff();
      cleanC();
      raw.close();
    }
  });
});

describe('user data stream (WS API)', () => {
  it('delivers executionReport, outboundAccountPosition and balanceUpdate, as {subscriptionId, event}', async () => {
    const { events, clean } = await userEvents();
    try {
      at('30000');
      await client.order({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.002',
        price: '29990',
        newClientOrderId: 'c-ws-1',
      });
      at('29980');
      ex.accounts.deposit(KEY, 'USDT', '5');
      await waitFor(() => events.some((e) => e.eventType === 'balanceUpdate'), 5000, 'balanceUpdate');
      const reports = events.filter((e) => e.eventType === 'executionReport' && e.newClientOrderId === 'c-ws-1');
      expect(reports.map((e) => [e.executionType, e.orderStatus])).toEqual([
        ['NEW', 'NEW'],
        ['TRADE', 'FILLED'],
      ]);
      expect(reports[1]).toMatchObject({
        lastTradeQuantity: '0.00200000',
        totalTradeQuantity: '0.00200000',
        priceLastTrade: '29990.00000000',
        isBuyerMaker: true,
        commissionAsset: 'BTC',
      });
      expect(typeof reports[1]?.tradeId).toBe('number');
      const position = events.filter((e) => e.eventType === 'outboundAccountPosition');
      expect(position.length).toBeGreaterThanOrEqual(2);
      expect(
        position
          .at(-2)
          ?.balances.map((b: Wire) => b.asset)
          .sort(),
      ).toEqual(['BTC', 'USDT']);
      expect(events.find((e) => e.eventType === 'balanceUpdate')).toMatchObject({
        asset: 'USDT',
        balanceDelta: '5.00000000',
      });
      // Cancel reports carry the cancel's id in c and the order's in C.
      await client.order({
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'LIMIT',
        quantity: '0.002',
        price: '31000',
        newClientOrderId: 'c-ws-2',
      });
      await client.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-ws-2', newClientOrderId: 'c-ws-2-cancel' });
      const cancel = await waitFor(
        () => events.find((e) => e.eventType === 'executionReport' && e.executionType === 'CANCELED'),
        5000,
        'cancel report',
      );
      expect(cancel).toMatchObject({
        newClientOrderId: 'c-ws-2-cancel',
        originalClientOrderId: 'c-ws-2',
        orderStatus: 'CANCELED',
      });
    } finally {
      clean();
    }
  });

  it('answers the raw WS-API methods like Binance (subscribe twice on one connection: -2035; bad signature: -1022)', async () => {
    const WebSocket = (await import('ws')).default;
    const { createHmac } = await import('node:crypto');
    const ws = new WebSocket(ex.wsApi);
    const replies: Wire[] = [];
    ws.on('message', (m) => replies.push(JSON.parse(wsText(m)) as Wire));
    await new Promise((r) => ws.once('open', r));
    const subscribe = (id: number, secret = SECRET) => {
      const timestamp = Date.now();
      const signature = createHmac('sha256', secret).update(`apiKey=${KEY}&timestamp=${timestamp}`).digest('hex');
      ws.send(
        JSON.stringify({
          id,
          method: 'userDataStream.subscribe.signature',
          params: { apiKey: KEY, timestamp, signature },
        }),
      );
    };
    try {
      subscribe(1);
      expect(await waitFor(() => replies.find((r) => r.id === 1), 5000, 'reply 1')).toEqual({
        id: 1,
        status: 200,
        result: { subscriptionId: 0 },
      });
      subscribe(2);
      expect(await waitFor(() => replies.find((r) => r.id === 2), 5000, 'reply 2')).toMatchObject({
        status: 400,
        error: { code: -2035 },
      });
      subscribe(3, 'wrong');
      expect(await waitFor(() => replies.find((r) => r.id === 3), 5000, 'reply 3')).toMatchObject({
        status: 400,
        error: { code: -1022 },
      });
      ws.send(JSON.stringify({ id: 4, method: 'session.subscriptions' }));
      expect(await waitFor(() => replies.find((r) => r.id === 4), 5000, 'reply 4')).toMatchObject({
        result: [{ subscriptionId: 0 }],
      });
      ws.send(JSON.stringify({ id: 5, method: 'userDataStream.unsubscribe' }));
      expect(await waitFor(() => replies.find((r) => r.id === 5), 5000, 'reply 5')).toEqual({
        id: 5,
        status: 200,
        result: {},
      });
      expect(
        await waitFor(() => replies.find((r) => r.event?.e === 'eventStreamTerminated'), 5000, 'terminated'),
      ).toMatchObject({ subscriptionId: 0 });
    } finally {
      ws.close();
    }
  });
});

describe('rate limits', () => {
  /**
   * The limits count per window of the clock (a minute, 10 s), as Binance's do: a window that began
   * in the middle of `attempt` would reset the count, so it runs again on a fresh exchange then.
   */
  async function inOneWindow<T>(windowMs: number, attempt: () => Promise<T>): Promise<T> {
    for (;;) {
      const window = Math.floor(Date.now() / windowMs);
      const result = await attempt();
      if (Math.floor(Date.now() / windowMs) === window) return result;
    }
  }

  it('answers 429 with -1003 over the request weight, then 418 bans', async () => {
    const { rejection, banned } = await inOneWindow(60_000, async () => {
      const limited = await startPaperExchange({
        prices: { kind: 'manual' },
        accounts: [{ apiKey: KEY, apiSecret: SECRET }],
        rateLimits: { requestWeightPerMinute: 60, banAfter429s: 3 },
      });
      try {
        const c = clientFor(limited, KEY, SECRET);
        let rejection: (Error & { code?: number | string }) | undefined;
        for (let i = 0; i < 10 && !rejection; i++) {
          await c.exchangeInfo().catch((e: Error) => {
            rejection = e;
          });
        }
        let banned: Error | undefined;
        for (let i = 0; i < 5 && !banned; i++) {
          await c.ping().catch((e: Error) => {
            if (/IP banned until/.test(e.message)) banned = e;
          });
        }
        return { rejection, banned };
      } finally {
        await limited.close();
      }
    });
    expect(rejection).toMatchObject({ code: -1003 });
    expect(rejection?.message).toMatch(
      /^Too much request weight used; current limit is 60 request weight per 1 MINUTE/,
    );
    expect(banned?.message).toMatch(/^Way too much request weight used; IP banned until \d+/);
  });

  it('answers 429 with -1015 over the order count', async () => {
    const codes = await inOneWindow(10_000, async () => {
      const limited = await startPaperExchange({
        prices: { kind: 'manual' },
        accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '100000' } }],
        rateLimits: { ordersPer10s: 2 },
      });
      try {
        const c = clientFor(limited, KEY, SECRET);
        const place = (i: number) =>
          c.order({
            symbol: 'BTCUSDT',
            side: 'BUY',
            type: 'LIMIT',
            quantity: '0.001',
            price: String(20000 + i),
            newClientOrderId: `rl-${i}`,
          });
        const results = await Promise.allSettled([0, 1, 2, 3].map(place));
        return results.map((r) => (r.status === 'rejected' ? (r.reason as { code: number }).code : 'ok'));
      } finally {
        await limited.close();
      }
    });
    expect(codes.filter((c) => c === -1015).length).toBeGreaterThanOrEqual(1);
    expect(codes.filter((c) => c === 'ok').length).toBeLessThanOrEqual(2);
  });
});
