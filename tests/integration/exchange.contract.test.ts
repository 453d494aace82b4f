/**
 * Contract suite: the paper exchange driven through binance-api-node itself, as the bots do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, startPaperExchange } from '../../exchange';
import { type BinanceClient, type Wire, clientFor, rejectionOf, waitFor } from '../../exchange/testing';

const KEY = 'contract-key';
const SECRET = 'contract-secret';

let ex: PaperExchange;
let client: BinanceClient;

beforeAll(async () => {
  ex = await startPaperExchange({ prices: { kind: 'manual' }, accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '100000', BTC: '2', ETH: '10' } }] });
  client = clientFor(ex, KEY, SECRET);
});

afterAll(async () => {
  await ex.close();
});

describe('general endpoints', () => {
  it('answers ping and time', async () => {
    expect(await client.ping()).toBe(true);
    const t = await client.time();
    expect(Math.abs(t - Date.now())).toBeLessThan(5000);
  });

  it('lists symbols with Binance filters', async () => {
    const info = await client.exchangeInfo();
    const btc = info.symbols.find((s: Wire) => s.symbol === 'BTCUSDT');
    expect(btc?.baseAsset).toBe('BTC');
    const types = btc?.filters.map((f: Wire) => f.filterType);
    expect(types).toEqual(expect.arrayContaining(['PRICE_FILTER', 'LOT_SIZE', 'MARKET_LOT_SIZE', 'NOTIONAL', 'MAX_NUM_ORDERS']));
    const price = btc?.filters.find((f: Wire) => f.filterType === 'PRICE_FILTER') as { tickSize: string } | undefined;
    expect(price?.tickSize).toBe('0.01000000');
  });
});

describe('orders', () => {
  it('fills a MARKET order at the last price with the commission in the received asset', async () => {
    ex.market.setPrice('BTCUSDT', '30000');
    const o = await client.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01', newClientOrderId: 'c-mkt-1' });
    expect(o.status).toBe('FILLED');
    expect(o.fills?.[0]).toMatchObject({ price: '30000.00000000', qty: '0.01000000', commission: '0.00001000', commissionAsset: 'BTC' });
  });

  it('rests a LIMIT order, fills it when the price crosses, and reports it by client id', async () => {
    ex.market.setPrice('BTCUSDT', '30000');
    const placed = await client.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '29500', newClientOrderId: 'c-lim-1' });
    expect(placed.status).toBe('NEW');
    const open = await client.openOrders({ symbol: 'BTCUSDT' });
    expect(open.map((o: Wire) => o.clientOrderId)).toContain('c-lim-1');
    ex.market.setPrice('BTCUSDT', '29400');
    const q = await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-lim-1' });
    expect(q.status).toBe('FILLED');
    expect(q.executedQty).toBe('0.01000000');
    const trades = await client.myTrades({ symbol: 'BTCUSDT' });
    const t = trades.find((x: Wire) => x.orderId === placed.orderId);
    expect(t).toMatchObject({ price: '29500.00000000', isMaker: true, commissionAsset: 'BTC' });
  });

  it('rejects a duplicate client id among open orders but accepts it again once filled', async () => {
    ex.market.setPrice('BTCUSDT', '30000');
    await client.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '29000', newClientOrderId: 'c-dup' });
    const dup = await rejectionOf(client.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '29000', newClientOrderId: 'c-dup' }));
    expect(dup.code).toBe(-2010);
    expect(dup.message).toBe('Duplicate order sent.');
    ex.market.setPrice('BTCUSDT', '28900');
    const again = await client.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'c-dup' });
    expect(again.status).toBe('FILLED');
    expect(ex.audit.clientId('c-dup')?.executed).toBe(2);
  });

  it('cancels by orderId and by origClientOrderId; unknown ids give -2013 / -2011', async () => {
    ex.market.setPrice('BTCUSDT', '30000');
    const a = await client.order({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.01', price: '31000', newClientOrderId: 'c-can-a' });
    await client.order({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.01', price: '31000', newClientOrderId: 'c-can-b' });
    const ca = await client.cancelOrder({ symbol: 'BTCUSDT', orderId: a.orderId });
    expect(ca.status).toBe('CANCELED');
    const cb = await client.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-can-b' });
    expect(cb).toMatchObject({ status: 'CANCELED', origClientOrderId: 'c-can-b' });
    expect((await rejectionOf(client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-nope' }))).code).toBe(-2013);
    expect((await rejectionOf(client.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-nope' }))).code).toBe(-2011);
    expect((await rejectionOf(client.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'c-can-b' }))).code).toBe(-2011);
  });
});

describe('streams', () => {
  it('streams klines and emits the closed candle with isFinal', async () => {
    const seen: Array<{ isFinal: boolean; close: string; startTime: number }> = [];
    const clean = client.ws.candles('BTCUSDT', '1m', (k: Wire) => seen.push(k as never));
    try {
      await waitFor(() => ex.stats().connections > 0, 5000, 'kline socket');
      await new Promise((r) => setTimeout(r, 50));
      ex.market.setPrice('BTCUSDT', '30100');
      const closed = ex.market.closeCandle('BTCUSDT', '1m');
      const final = await waitFor(() => seen.find((k) => k.isFinal), 5000, 'final kline');
      expect(final.close).toBe('30100.00000000');
      expect(final.startTime).toBe(closed.openTime);
    } finally {
      clean();
    }
  });

  it('delivers executionReport and outboundAccountPosition through ws.user', async () => {
    const events: Array<{ eventType: string; newClientOrderId?: string; orderStatus?: string }> = [];
    const clean = await client.ws.user((e: Wire) => events.push(e as never));
    try {
      ex.market.setPrice('BTCUSDT', '30000');
      await client.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'c-ws-1' });
      await waitFor(() => events.some((e) => e.eventType === 'executionReport' && e.newClientOrderId === 'c-ws-1' && e.orderStatus === 'FILLED'), 5000, 'fill report');
      await waitFor(() => events.some((e) => e.eventType === 'outboundAccountPosition'), 5000, 'account update');
    } finally {
      clean();
    }
  });
});
