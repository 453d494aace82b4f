/**
 * Contract suite of the paper exchange's USDⓈ-M futures side, driven through binance-api-node's
 * futures methods (`httpFutures` and `wsFutures` pointed at it), as a futures bot would: market
 * data, orders and their refusals, conditional orders through the algo endpoint, positions,
 * account, leverage and margin type, the listenKey user stream, funding and liquidation, and
 * the exactly-once hazards of futures (-4116 only while the first order is open).
 *
 * binance-api-node keeps its WebSocket base URLs in module-level singletons: one exchange per file.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, ZERO_SPREAD_BOOK, startPaperExchange } from '../../exchange';
import { type BinanceClient, type Wire, adminCall, clientFor, rejectionOf, waitFor } from '../support/exchange-client';

const KEY = 'fut-key';
const SECRET = 'fut-secret';
const BTC = 'BTCUSDT';

let ex: PaperExchange;
let client: BinanceClient;
let account: string;

beforeAll(async () => {
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    book: ZERO_SPREAD_BOOK,
    rateLimits: false,
    futures: { fundingIntervalMs: 60 * 60_000 },
    accounts: [
      { apiKey: KEY, apiSecret: SECRET, balances: { USDT: '1000' }, futuresBalances: { USDT: '10000' } },
      { apiKey: 'poor-key', apiSecret: 'poor-secret', futuresBalances: { USDT: '100' } },
    ],
  });
  client = clientFor(ex, KEY, SECRET, { httpFutures: ex.httpBase, wsFutures: ex.futures.wsFutures });
  account = ex.accounts.accountId(KEY);
});

afterAll(async () => {
  await ex?.close();
});

const at = (price: string) => ex.market.setPrice(BTC, price);
const position = async (): Promise<Wire> => (await client.futuresPositionRisk({ symbol: BTC }))[0];
const flat = async () => {
  await client.futuresCancelAllOpenOrders({ symbol: BTC });
  await client.futuresCancelAllOpenOrders({ symbol: BTC, conditional: true });
  const amt = Number((await position()).positionAmt);
  if (amt !== 0)
    await client.futuresOrder({
      symbol: BTC,
      side: amt > 0 ? 'SELL' : 'BUY',
      type: 'MARKET',
      quantity: String(Math.abs(amt)),
      reduceOnly: 'true',
    });
  at('30000');
};

async function userStream(): Promise<{ events: Wire[]; clean: () => Promise<void> }> {
  const events: Wire[] = [];
  const clean = (await client.ws.futuresUser((e: Wire) => events.push(e))) as () => Promise<void>;
  await waitFor(() => ex.futures.listening(account), 5000, 'futures user stream');
  return { events, clean };
}

describe('market data', () => {
  it('ping, time, exchangeInfo with Binance futures filters', async () => {
    expect(await client.futuresPing()).toBe(true);
    expect(Math.abs((await client.futuresTime()) - Date.now())).toBeLessThan(5000);
    const info = await client.futuresExchangeInfo();
    const btc = info.symbols.find((s: Wire) => s.symbol === BTC);
    expect(btc).toMatchObject({
      contractType: 'PERPETUAL',
      marginAsset: 'USDT',
      pricePrecision: 2,
      quantityPrecision: 3,
      status: 'TRADING',
    });
    const byType = Object.fromEntries(btc.filters.map((f: Wire) => [f.filterType, f]));
    expect(byType).toMatchObject({
      PRICE_FILTER: { tickSize: '0.1' },
      LOT_SIZE: { stepSize: '0.001' },
      MIN_NOTIONAL: { notional: '100' },
      MAX_NUM_ALGO_ORDERS: { limit: 10 },
      PERCENT_PRICE: { multiplierUp: '1.0500' },
    });
    expect(btc.orderTypes).toContain('TRAILING_STOP_MARKET');
  });

  it('candles, book, prices and the mark price with the funding rate', async () => {
    at('30000');
    ex.market.closeCandle(BTC, '1m');
    const candles = await client.futuresCandles({ symbol: BTC, interval: '1m', limit: 5 });
    expect(candles.at(-1)).toMatchObject({ close: '30000.00' });
    const book = await client.futuresBook({ symbol: BTC, limit: 5 });
    expect(book.asks).toHaveLength(5);
    expect(book.bids[0]).toMatchObject({ price: '30000.00' });
    const prices = await client.futuresPrices();
    expect(prices[BTC]).toBe('30000.00');
    const mark = await client.futuresMarkPrice({ symbol: BTC });
    expect(mark).toMatchObject({ symbol: BTC, markPrice: '30000.00', lastFundingRate: '0.00010000' });
    expect(mark.nextFundingTime % 3_600_000).toBe(0);
    expect(mark.nextFundingTime).toBeGreaterThan(Date.now());
  });
});

describe('futures market streams under /fstream', () => {
  it('ws.futuresCandles streams the klines of the market (the contract trades at its price)', async () => {
    const klines: Wire[] = [];
    const clean = client.ws.futuresCandles(BTC, '1m', (k: Wire) => klines.push(k)) as () => void;
    try {
      await waitFor(() => ex.listening.market('btcusdt@kline_1m'), 5000, 'kline subscription');
      at('30010');
      ex.market.closeCandle(BTC, '1m');
      const closed = await waitFor(() => klines.find((k) => k.isFinal), 5000, 'closed kline');
      expect(closed).toMatchObject({ symbol: BTC, interval: '1m', close: expect.stringMatching(/^30010\.0+$/) });
    } finally {
      clean();
      at('30000');
    }
  });
});

describe('orders', () => {
  it('MARKET with ACK (the default: NEW, nothing executed yet) and RESULT; lookups by client id', async () => {
    const ack = await client.futuresOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
      newClientOrderId: 'm-ack',
    });
    expect(ack).toMatchObject({ status: 'NEW', executedQty: '0.000', positionSide: 'BOTH', clientOrderId: 'm-ack' });
    expect(await client.futuresGetOrder({ symbol: BTC, origClientOrderId: 'm-ack' })).toMatchObject({
      status: 'FILLED',
      executedQty: '0.010',
      avgPrice: '30000.00',
    });
    const result = await client.futuresOrder({
      symbol: BTC,
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.01',
      newClientOrderId: 'm-result',
      newOrderRespType: 'RESULT',
    });
    expect(result).toMatchObject({ status: 'FILLED', executedQty: '0.010', cumQuote: '300.00000' });
    const trades = await client.futuresUserTrades({ symbol: BTC });
    expect(trades.slice(-2).map((t: Wire) => [t.side, t.qty, t.commission, t.realizedPnl])).toEqual([
      ['BUY', '0.010', '0.15000000', '0.00000000'],
      ['SELL', '0.010', '0.15000000', '0.00000000'],
    ]);
  });

  it('LIMIT GTC rests, IOC / FOK / GTX, cancel, open and all orders', async () => {
    await flat();
    const gtc = await client.futuresOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'LIMIT',
      price: '29000',
      quantity: '0.01',
      newClientOrderId: 'l-gtc',
    });
    expect(gtc).toMatchObject({ status: 'NEW', timeInForce: 'GTC', price: '29000.00' });
    expect((await client.futuresOpenOrders({ symbol: BTC })).map((o: Wire) => o.clientOrderId)).toEqual(['l-gtc']);
    expect(await client.futuresCancelOrder({ symbol: BTC, origClientOrderId: 'l-gtc' })).toMatchObject({
      status: 'CANCELED',
    });
    const ioc = await client.futuresOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'IOC',
      price: '29000',
      quantity: '0.01',
      newOrderRespType: 'RESULT',
    });
    expect(ioc).toMatchObject({ status: 'EXPIRED', executedQty: '0.000' });
    expect(
      (
        await rejectionOf(
          client.futuresOrder({
            symbol: BTC,
            side: 'BUY',
            type: 'LIMIT',
            timeInForce: 'FOK',
            price: '29000',
            quantity: '0.01',
          }),
        )
      ).code,
    ).toBe(-5021);
    expect(
      (
        await rejectionOf(
          client.futuresOrder({
            symbol: BTC,
            side: 'BUY',
            type: 'LIMIT',
            timeInForce: 'GTX',
            price: '30000',
            quantity: '0.01',
          }),
        )
      ).code,
    ).toBe(-5022);
    const gtx = await client.futuresOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      price: '29900',
      quantity: '0.01',
      newClientOrderId: 'l-gtx',
    });
    expect(gtx.status).toBe('NEW');
    at('29850');
    expect(await client.futuresGetOrder({ symbol: BTC, origClientOrderId: 'l-gtx' })).toMatchObject({
      status: 'FILLED',
      avgPrice: '29900.00',
    });
    const all = await client.futuresAllOrders({ symbol: BTC });
    expect(all.map((o: Wire) => o.clientOrderId)).toEqual(expect.arrayContaining(['l-gtc', 'l-gtx']));
    await flat();
  });

  it("refuses with Binance's futures codes", async () => {
    await flat();
    const code = async (p: Wire) => (await rejectionOf(client.futuresOrder({ symbol: BTC, ...p }))).code;
    expect(await code({ side: 'SELL', type: 'MARKET', quantity: '0.01', reduceOnly: 'true' })).toBe(-2022);
    expect(await code({ side: 'BUY', type: 'MARKET', quantity: '0.001' })).toBe(-4164);
    expect(await code({ side: 'BUY', type: 'MARKET', quantity: '10' })).toBe(-2019);
    expect(await code({ side: 'BUY', type: 'MARKET', quantity: '0.01', positionSide: 'LONG' })).toBe(-4061);
    expect(await code({ side: 'BUY', type: 'LIMIT', price: '29000.05', quantity: '0.01' })).toBe(-4014);
    expect(await code({ side: 'SELL', type: 'STOP_MARKET', stopPrice: '31000', quantity: '0.01' })).toBe(-2021);
    expect((await rejectionOf(client.futuresGetOrder({ symbol: BTC, origClientOrderId: 'never-sent' }))).code).toBe(
      -2013,
    );
    expect((await rejectionOf(client.futuresCancelOrder({ symbol: BTC, origClientOrderId: 'never-sent' }))).code).toBe(
      -2011,
    );
    // The conditional types have their own endpoint since 2025-12: sent raw to /fapi/v1/order they get -4120.
    const query = `symbol=BTCUSDT&side=BUY&type=STOP_MARKET&quantity=0.01&stopPrice=31000&timestamp=${Date.now()}`;
    const signature = createHmac('sha256', SECRET).update(query).digest('hex');
    const raw = await fetch(`${ex.httpBase}/fapi/v1/order?${query}&signature=${signature}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': KEY },
    });
    expect(await raw.json()).toMatchObject({ code: -4120 });
    // Signed like the spot side: a wrong secret is -1022.
    expect(
      (await rejectionOf(clientFor(ex, KEY, 'wrong-secret', { httpFutures: ex.httpBase }).futuresAccountBalance()))
        .code,
    ).toBe(-1022);
  });

  it('hedge mode is refused clearly; one-way is the only mode', async () => {
    expect(await client.futuresPositionMode()).toMatchObject({ dualSidePosition: false });
    const e = await rejectionOf(client.futuresPositionModeChange({ dualSidePosition: 'true' }));
    expect(e).toMatchObject({ code: -1130, message: expect.stringContaining('one-way mode only') });
    expect((await rejectionOf(client.futuresPositionModeChange({ dualSidePosition: 'false' }))).code).toBe(-4059);
  });
});

describe('exactly once on futures', () => {
  it('-4116 only while the first order is open: a filled MARKET id resent opens a second position', async () => {
    await flat();
    await client.futuresOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'LIMIT',
      price: '29000',
      quantity: '0.01',
      newClientOrderId: 'dup-open',
    });
    expect(
      (
        await rejectionOf(
          client.futuresOrder({
            symbol: BTC,
            side: 'BUY',
            type: 'LIMIT',
            price: '29000',
            quantity: '0.01',
            newClientOrderId: 'dup-open',
          }),
        )
      ).code,
    ).toBe(-4116);
    await client.futuresOrder({
      symbol: BTC,
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.01',
      newClientOrderId: 'dup-filled',
    });
    await client.futuresOrder({
      symbol: BTC,
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.01',
      newClientOrderId: 'dup-filled',
    });
    expect((await position()).positionAmt).toBe('-0.020');
    // The audit sees it: the id executed twice. A bot must look the id up before any resend.
    expect(ex.audit.clientId('dup-filled', account)).toMatchObject({ submitted: 2, executed: 2 });
    expect(ex.futures.audit.check(ex.futures.perp).some((p) => p.includes('dup-filled'))).toBe(true);
    await flat();
  });

  it('response lost after a MARKET fill: the lookup by origClientOrderId finds it FILLED (no second position if the bot looks first)', async () => {
    await flat();
    ex.faults.add({
      kind: 'lose-response',
      match: { endpoint: 'POST /fapi/v1/order', clientOrderId: '^lost-1$' },
      afterMs: 100,
    });
    const e = await rejectionOf(
      client.futuresOrder({ symbol: BTC, side: 'SELL', type: 'MARKET', quantity: '0.01', newClientOrderId: 'lost-1' }),
    );
    expect(typeof e.code).toBe('string'); // a network error: ECONNRESET / socket hang up
    expect(await client.futuresGetOrder({ symbol: BTC, origClientOrderId: 'lost-1' })).toMatchObject({
      status: 'FILLED',
      executedQty: '0.010',
    });
    expect((await position()).positionAmt).toBe('-0.010');
    expect(ex.audit.clientId('lost-1', account)).toMatchObject({ submitted: 1, executed: 1 });
    await flat();
  });

  it('-1007 while executing: unknown outcome, the order did execute', async () => {
    ex.faults.add({
      kind: 'unknown-while-executing',
      match: { endpoint: 'POST /fapi/v1/order', clientOrderId: '^unk-1$' },
      afterMs: 50,
    });
    const e = await rejectionOf(
      client.futuresOrder({
        symbol: BTC,
        side: 'BUY',
        type: 'LIMIT',
        price: '29000',
        quantity: '0.01',
        newClientOrderId: 'unk-1',
      }),
    );
    expect(e.code).toBe(-1007);
    expect(await client.futuresGetOrder({ symbol: BTC, origClientOrderId: 'unk-1' })).toMatchObject({ status: 'NEW' });
    await flat();
  });

  it('algo order with a lost response: found by clientAlgoId, and a resend while it is open is -4116', async () => {
    await client.futuresOrder({ symbol: BTC, side: 'BUY', type: 'MARKET', quantity: '0.01' });
    ex.faults.add({
      kind: 'lose-response',
      match: { endpoint: 'POST /fapi/v1/algoOrder', clientOrderId: '^sl-lost$' },
      afterMs: 100,
    });
    const sl = {
      symbol: BTC,
      side: 'SELL',
      type: 'STOP_MARKET',
      stopPrice: '29000',
      closePosition: 'true',
      clientAlgoId: 'sl-lost',
    };
    expect(typeof (await rejectionOf(client.futuresOrder(sl))).code).toBe('string');
    expect(await client.futuresGetOrder({ clientAlgoId: 'sl-lost' })).toMatchObject({
      algoStatus: 'NEW',
      orderType: 'STOP_MARKET',
      closePosition: true,
    });
    expect((await rejectionOf(client.futuresOrder(sl))).code).toBe(-4116);
    await flat();
  });
});

describe('eventually consistent lookups (hide-order fault)', () => {
  it('a just-placed order is not found for a while, then is', async () => {
    await flat();
    ex.faults.add({
      kind: 'hide-order',
      match: { endpoint: 'POST /fapi/v1/order', clientOrderId: '^hidden-1$' },
      ms: 300,
    });
    await client.futuresOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'LIMIT',
      price: '29000',
      quantity: '0.01',
      newClientOrderId: 'hidden-1',
    });
    expect((await rejectionOf(client.futuresGetOrder({ symbol: BTC, origClientOrderId: 'hidden-1' }))).code).toBe(
      -2013,
    );
    expect(await client.futuresOpenOrders({ symbol: BTC })).toEqual([]);
    const found = await waitFor(
      () => client.futuresGetOrder({ symbol: BTC, origClientOrderId: 'hidden-1' }).catch(() => undefined),
      5000,
      'visible order',
    );
    expect(found.status).toBe('NEW');
    await flat();
  });
});

describe('conditional orders through futuresOrder (POST /fapi/v1/algoOrder)', () => {
  it('STOP_MARKET closePosition and TAKE_PROFIT_MARKET reduceOnly protect a short; the stop triggers on the contract price', async () => {
    await flat();
    await client.futuresOrder({
      symbol: BTC,
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.02',
      newClientOrderId: 'short-1',
    });
    const stop = await client.futuresOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'STOP_MARKET',
      stopPrice: '31000',
      closePosition: 'true',
      clientAlgoId: 'short-1-sl',
    });
    expect(stop).toMatchObject({
      algoId: expect.any(Number),
      clientAlgoId: 'short-1-sl',
      algoType: 'CONDITIONAL',
      orderType: 'STOP_MARKET',
      triggerPrice: '31000.00',
      algoStatus: 'NEW',
    });
    const tp = await client.futuresOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'TAKE_PROFIT_MARKET',
      stopPrice: '28000',
      quantity: '0.01',
      reduceOnly: 'true',
      clientAlgoId: 'short-1-tp',
    });
    expect(tp.algoStatus).toBe('NEW');
    expect(
      (await client.futuresOpenOrders({ symbol: BTC, conditional: true })).map((a: Wire) => a.clientAlgoId),
    ).toEqual(['short-1-sl', 'short-1-tp']);
    at('27900'); // take profit: half the short
    expect(await client.futuresGetOrder({ clientAlgoId: 'short-1-tp' })).toMatchObject({
      algoStatus: 'FINISHED',
      executedQty: '0.010',
    });
    expect((await position()).positionAmt).toBe('-0.010');
    at('31200'); // stop: the rest (closePosition)
    expect(await client.futuresGetOrder({ clientAlgoId: 'short-1-sl' })).toMatchObject({
      algoStatus: 'FINISHED',
      executedQty: '0.010',
    });
    expect((await position()).positionAmt).toBe('0.000');
    // The triggered order is an order like the others, with the algo's client id and the algo type as origType.
    expect(await client.futuresGetOrder({ symbol: BTC, origClientOrderId: 'short-1-sl' })).toMatchObject({
      type: 'MARKET',
      origType: 'STOP_MARKET',
      closePosition: true,
      reduceOnly: true,
      status: 'FILLED',
    });
  });

  it('TRAILING_STOP_MARKET, MARK_PRICE working type, cancel by clientAlgoId', async () => {
    await flat();
    await client.futuresOrder({ symbol: BTC, side: 'BUY', type: 'MARKET', quantity: '0.01' });
    const trail = await client.futuresOrder({
      symbol: BTC,
      side: 'SELL',
      type: 'TRAILING_STOP_MARKET',
      quantity: '0.01',
      callbackRate: '1',
      reduceOnly: 'true',
      clientAlgoId: 'trail-1',
    });
    expect(trail).toMatchObject({ orderType: 'TRAILING_STOP_MARKET', callbackRate: '1' });
    const mark = await client.futuresOrder({
      symbol: BTC,
      side: 'SELL',
      type: 'STOP_MARKET',
      stopPrice: '25000',
      quantity: '0.01',
      workingType: 'MARK_PRICE',
      reduceOnly: 'true',
      clientAlgoId: 'mark-1',
    });
    expect(mark.workingType).toBe('MARK_PRICE');
    expect(await client.futuresCancelOrder({ clientAlgoId: 'mark-1' })).toMatchObject({
      clientAlgoId: 'mark-1',
      code: '200',
      msg: 'success',
    });
    expect((await rejectionOf(client.futuresCancelOrder({ clientAlgoId: 'mark-1' }))).code).toBe(-2011);
    at('31000');
    at('30690'); // 1 % below the high
    expect(await client.futuresGetOrder({ clientAlgoId: 'trail-1' })).toMatchObject({ algoStatus: 'FINISHED' });
    expect((await position()).positionAmt).toBe('0.000');
  });
});

describe('positions, account, leverage, margin type', () => {
  it('positionRisk, account and balance with hand-checked margins', async () => {
    await flat();
    expect(await client.futuresLeverage({ symbol: BTC, leverage: 10 })).toMatchObject({ leverage: 10, symbol: BTC });
    expect((await rejectionOf(client.futuresLeverage({ symbol: BTC, leverage: 200 }))).code).toBe(-4028);
    expect(await client.futuresMarginType({ symbol: BTC, marginType: 'ISOLATED' })).toMatchObject({ code: 200 });
    expect((await rejectionOf(client.futuresMarginType({ symbol: BTC, marginType: 'ISOLATED' }))).code).toBe(-4046);
    const before = Number((await client.futuresAccountBalance())[0].balance);
    await client.futuresOrder({ symbol: BTC, side: 'SELL', type: 'MARKET', quantity: '0.1' });
    expect((await rejectionOf(client.futuresMarginType({ symbol: BTC, marginType: 'CROSSED' }))).code).toBe(-4048);
    at('30300');
    const p = await position();
    // isolated wallet 0.1 × 30000 / 10 = 300; UPnL −30; LP (300 + 3000) / 0.1004 = 32868.52…
    expect(p).toMatchObject({
      positionAmt: '-0.100',
      entryPrice: '30000.00',
      markPrice: '30300.00',
      unRealizedProfit: '-30.00000000',
      marginType: 'isolated',
      isolatedWallet: '300.00000000',
      isolatedMargin: '270.00000000',
      leverage: '10',
      liquidationPrice: '32868.52589641',
    });
    const info = await client.futuresAccountInfo();
    expect(info.assets[0]).toMatchObject({ asset: 'USDT', walletBalance: (before - 1.5).toFixed(8) });
    expect(info.positions.find((x: Wire) => x.symbol === BTC)).toMatchObject({ isolated: true, positionAmt: '-0.100' });
    await flat();
    await client.futuresMarginType({ symbol: BTC, marginType: 'CROSSED' });
  });
});

describe('the futures user stream (listenKey)', () => {
  it('ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, ALGO_UPDATE, ACCOUNT_CONFIG_UPDATE, MARGIN_CALL and liquidation', async () => {
    await flat();
    const { events, clean } = await userStream();
    try {
      await client.futuresLeverage({ symbol: BTC, leverage: 100 });
      await client.futuresOrder({
        symbol: BTC,
        side: 'BUY',
        type: 'MARKET',
        quantity: '3',
        newClientOrderId: 'ws-long',
      });
      await client.futuresOrder({
        symbol: BTC,
        side: 'SELL',
        type: 'STOP_MARKET',
        stopPrice: '20000',
        closePosition: 'true',
        clientAlgoId: 'ws-long-sl',
      });
      await waitFor(() => events.some((e) => e.type === 'ALGO_UPDATE'), 5000, 'ALGO_UPDATE');
      const trade = events.find((e) => e.eventType === 'ORDER_TRADE_UPDATE' && e.executionType === 'TRADE');
      expect(trade).toMatchObject({
        clientOrderId: 'ws-long',
        orderStatus: 'FILLED',
        positionSide: 'BOTH',
        isReduceOnly: false,
        lastTradeQuantity: '3.000',
        commission: '45.00000000',
      });
      expect(events.find((e) => e.eventType === 'ACCOUNT_UPDATE')).toMatchObject({
        eventReasonType: 'ORDER',
        positions: [{ symbol: BTC, positionAmount: '3.000', entryPrice: '30000.00', marginType: 'cross' }],
      });
      expect(events.find((e) => e.eventType === 'ACCOUNT_CONFIG_UPDATE')).toMatchObject({ symbol: BTC, leverage: 100 });
      // 3 BTC at 100x: the mark falls to just above the liquidation price (maintenance margin over
      // 80 % of the margin balance): MARGIN_CALL; below it: liquidation at the mark.
      const lp = Number((await position()).liquidationPrice);
      expect(lp).toBeGreaterThan(26000);
      ex.futures.setMarkPrice(BTC, (Math.ceil(lp) + 5).toFixed(1));
      const call = await waitFor(() => events.find((e) => e.eventType === 'MARGIN_CALL'), 5000, 'MARGIN_CALL');
      expect(call.positions[0]).toMatchObject({ symbol: BTC, positionAmount: '3.000', marginType: 'cross' });
      expect(events.some((e) => e.eventType === 'ORDER_TRADE_UPDATE' && e.orderType === 'LIQUIDATION')).toBe(false);
      ex.futures.setMarkPrice(BTC, '26800');
      const liq = await waitFor(
        () => events.find((e) => e.eventType === 'ORDER_TRADE_UPDATE' && e.orderType === 'LIQUIDATION'),
        5000,
        'liquidation',
      );
      expect(liq).toMatchObject({
        executionType: 'CALCULATED',
        orderStatus: 'FILLED',
        side: 'SELL',
        priceLastTrade: '26800.00',
      });
      // The protective stop was cancelled first.
      expect(events.some((e) => e.type === 'ALGO_UPDATE' && e.o.caid === 'ws-long-sl' && e.o.X === 'CANCELED')).toBe(
        true,
      );
      expect((await position()).positionAmt).toBe('0.000');
      expect(ex.futures.audit.check(ex.futures.perp).filter((p) => !p.includes('dup-filled'))).toEqual([]);
    } finally {
      ex.futures.setMarkPrice(BTC, null);
      await clean();
    }
  });

  it('an expired listenKey sends listenKeyExpired; PUT on it answers -1125', async () => {
    const { events, clean } = await userStream();
    ex.futures.expireListenKeys(account);
    await waitFor(() => events.some((e) => e.eventType === 'USER_DATA_STREAM_EXPIRED'), 5000, 'listenKeyExpired');
    expect((await rejectionOf(client.futuresKeepDataStream({ listenKey: 'nope' }))).code).toBe(-1125);
    await clean().catch(() => undefined);
  });
});

describe('funding on the paper exchange (a shortened period)', () => {
  it('pays funding every period on the mark: income FUNDING_FEE, the next funding time moves on', async () => {
    // A second exchange, REST only (the WebSocket singletons stay on the first one).
    const ex2 = await startPaperExchange({
      prices: { kind: 'manual' },
      book: ZERO_SPREAD_BOOK,
      rateLimits: false,
      futures: { fundingIntervalMs: 1000, fundingRate: '0.001' },
      accounts: [{ apiKey: 'f2', apiSecret: 's2', futuresBalances: { USDT: '1000' } }],
    });
    try {
      const c = clientFor(ex2, 'f2', 's2', { httpFutures: ex2.httpBase });
      await c.futuresOrder({ symbol: BTC, side: 'SELL', type: 'MARKET', quantity: '0.01' });
      // a short receives 0.01 × 30000 × 0.001 = 0.3 per period
      const incomes = await waitFor(
        async () => {
          const rows: Wire[] = await c.futuresIncome({ symbol: BTC, incomeType: 'FUNDING_FEE' });
          return rows.length >= 2 && rows;
        },
        10_000,
        'two fundings',
      );
      expect(incomes.slice(0, 2).map((i: Wire) => i.income)).toEqual(['0.30000000', '0.30000000']);
      expect(incomes[1]!.time - incomes[0]!.time).toBe(1000);
      const history = await c.futuresFundingRate({ symbol: BTC });
      expect(history[0]).toMatchObject({ symbol: BTC, fundingRate: '0.00100000', markPrice: '30000.00' });
      expect(ex2.futures.audit.check(ex2.futures.perp)).toEqual([]);
    } finally {
      await ex2.close();
    }
  });
});

describe('persistence', () => {
  it('positions, conditional orders, wallets and funding clocks survive a restart of the exchange', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'futures-state-'));
    const stateFile = join(dir, 'state.json');
    const opts = {
      prices: { kind: 'manual' } as const,
      book: ZERO_SPREAD_BOOK,
      rateLimits: false as const,
      stateFile,
      accounts: [{ apiKey: 'p1', apiSecret: 's1', futuresBalances: { USDT: '1000' } }],
    };
    try {
      const first = await startPaperExchange(opts);
      const c1 = clientFor(first, 'p1', 's1', { httpFutures: first.httpBase });
      await c1.futuresMarginType({ symbol: BTC, marginType: 'ISOLATED' });
      await c1.futuresOrder({
        symbol: BTC,
        side: 'SELL',
        type: 'MARKET',
        quantity: '0.01',
        newClientOrderId: 'keep-short',
      });
      await c1.futuresOrder({
        symbol: BTC,
        side: 'BUY',
        type: 'STOP_MARKET',
        stopPrice: '31000',
        closePosition: 'true',
        clientAlgoId: 'keep-sl',
      });
      const before = {
        position: (await c1.futuresPositionRisk({ symbol: BTC }))[0],
        balance: (await c1.futuresAccountBalance())[0],
      };
      first.save();
      await first.close();
      const second = await startPaperExchange(opts);
      try {
        const c2 = clientFor(second, 'p1', 's1', { httpFutures: second.httpBase });
        const position = (await c2.futuresPositionRisk({ symbol: BTC }))[0];
        expect(position).toMatchObject({
          positionAmt: before.position.positionAmt,
          entryPrice: before.position.entryPrice,
          marginType: 'isolated',
          isolatedWallet: before.position.isolatedWallet,
        });
        expect((await c2.futuresAccountBalance())[0].balance).toBe(before.balance.balance);
        expect(await c2.futuresGetOrder({ clientAlgoId: 'keep-sl' })).toMatchObject({ algoStatus: 'NEW' });
        expect(await c2.futuresGetOrder({ symbol: BTC, origClientOrderId: 'keep-short' })).toMatchObject({
          status: 'FILLED',
        });
        // The stop still protects the position after the restart.
        second.market.setPrice(BTC, '31100');
        expect((await c2.futuresPositionRisk({ symbol: BTC }))[0].positionAmt).toBe('0.000');
        expect(second.futures.audit.check(second.futures.perp)).toEqual([]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('admin endpoints of the futures side', () => {
  it('a new account with a futures wallet, a deposit, the mark pinned and the funding rate set over HTTP; bad input refused', async () => {
    const ex3 = await startPaperExchange({
      prices: { kind: 'manual' },
      rateLimits: false,
      admin: { enabled: true },
      accounts: [],
    });
    try {
      expect(
        (
          await adminCall(ex3, '/admin/accounts', {
            apiKey: 'admin-fut-key',
            apiSecret: 'admin-fut-secret',
            futuresBalances: { USDT: '500' },
          })
        ).status,
      ).toBe(200);
      expect(
        (await adminCall(ex3, '/admin/futures/deposit', { apiKey: 'admin-fut-key', asset: 'USDT', amount: '250' }))
          .status,
      ).toBe(200);
      const c = clientFor(ex3, 'admin-fut-key', 'admin-fut-secret', { httpFutures: ex3.httpBase });
      expect((await c.futuresAccountBalance())[0].balance).toBe('750.00000000');
      expect((await adminCall(ex3, '/admin/futures/mark', { symbol: BTC, price: '29000' })).body).toEqual({
        markPrice: '29000',
      });
      expect((await adminCall(ex3, '/admin/futures/funding', { symbol: BTC, rate: '-0.0002' })).body).toEqual({
        fundingRate: '-0.0002',
      });
      expect(await c.futuresMarkPrice({ symbol: BTC })).toMatchObject({
        markPrice: '29000.00',
        lastFundingRate: '-0.00020000',
      });
      expect((await adminCall(ex3, '/admin/futures/mark', { symbol: BTC, price: null })).body).toEqual({
        markPrice: '30000',
      });
      expect((await adminCall(ex3, '/admin/futures/funding', { symbol: BTC, rate: '1' })).status).toBe(400);
      expect((await adminCall(ex3, '/admin/futures/mark', { symbol: 'DOGEUSDT', price: '1' })).status).toBe(400);
      expect((await adminCall(ex3, '/admin/futures/audit')).body).toEqual({ problems: [] });
    } finally {
      await ex3.close();
    }
  });
});
