/** The USDⓈ-M user-data events (Binance's field letters) as the hints the worker relays. */
import { describe, expect, it } from 'vitest';
import { parseFuturesUserEvent } from '../../workers/streams/futures-user-events';
import { futuresStreamBase } from '../../activities/exchange-account';

/** An ORDER_TRADE_UPDATE as Binance documents it (USDⓈ-M "Event: Order Update"). */
const orderTradeUpdate = (o: Record<string, unknown>) => ({
  e: 'ORDER_TRADE_UPDATE',
  E: 1568879465651,
  T: 1568879465650,
  o: {
    s: 'BTCUSDT',
    c: 'abc12-0001a',
    S: 'BUY',
    o: 'LIMIT',
    f: 'GTC',
    q: '0.010',
    p: '29000.00',
    ap: '0',
    sp: '0',
    x: 'NEW',
    X: 'NEW',
    i: 8886774,
    l: '0',
    z: '0',
    L: '0',
    N: 'USDT',
    n: '0',
    T: 1568879465650,
    t: 0,
    b: '0',
    a: '0',
    m: false,
    R: false,
    wt: 'CONTRACT_PRICE',
    ot: 'LIMIT',
    ps: 'BOTH',
    cp: false,
    rp: '0',
    ...o,
  },
});

describe('futures user events', () => {
  it('ORDER_TRADE_UPDATE NEW: a snapshot without fills', () => {
    expect(parseFuturesUserEvent(orderTradeUpdate({}))).toEqual({
      kind: 'order',
      snapshot: {
        clientOrderId: 'abc12-0001a',
        symbol: 'BTCUSDT',
        exchangeOrderId: 8886774,
        status: 'NEW',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        updateTime: 1568879465650,
      },
    });
  });

  it('ORDER_TRADE_UPDATE TRADE: the trade is a fill (quote = price × qty), cumulative quote = executed × average', () => {
    const e = orderTradeUpdate({
      x: 'TRADE',
      X: 'PARTIALLY_FILLED',
      l: '0.004',
      z: '0.006',
      L: '28990.10',
      ap: '28995.05',
      n: '0.04638416',
      t: 77,
      m: true,
      T: 1568879470000,
    });
    expect(parseFuturesUserEvent(e)).toEqual({
      kind: 'order',
      snapshot: {
        clientOrderId: 'abc12-0001a',
        symbol: 'BTCUSDT',
        exchangeOrderId: 8886774,
        status: 'PARTIALLY_FILLED',
        executedQty: '0.006',
        cumulativeQuoteQty: '173.9703',
        updateTime: 1568879470000,
        fills: [
          {
            tradeId: 77,
            price: '28990.1',
            qty: '0.004',
            quoteQty: '115.9604',
            commission: '0.04638416',
            commissionAsset: 'USDT',
            time: 1568879470000,
            isMaker: true,
          },
        ],
      },
    });
  });

  it('ORDER_TRADE_UPDATE EXPIRED keeps the expiry reason; a malformed one names the field', () => {
    const expired = parseFuturesUserEvent(orderTradeUpdate({ x: 'EXPIRED', X: 'EXPIRED', er: '6' }));
    expect(expired).toMatchObject({ kind: 'order', snapshot: { status: 'EXPIRED', reason: '6' } });
    expect(() => parseFuturesUserEvent(orderTradeUpdate({ c: '' }))).toThrow(/o\.c/);
    expect(() => parseFuturesUserEvent(orderTradeUpdate({ X: 'WEIRD' }))).toThrow(/WEIRD/);
  });

  it('ALGO_UPDATE: NEW is a snapshot by clientAlgoId; any other status makes the owner reconcile', () => {
    const algo = (o: Record<string, unknown>) => ({
      e: 'ALGO_UPDATE',
      T: 1750515742297,
      E: 1750515742303,
      o: {
        caid: 'abc12-0001b',
        aid: 2148719,
        at: 'CONDITIONAL',
        o: 'STOP_MARKET',
        s: 'BTCUSDT',
        X: 'NEW',
        aq: '0',
        ...o,
      },
    });
    expect(parseFuturesUserEvent(algo({}))).toEqual({
      kind: 'order',
      snapshot: {
        clientOrderId: 'abc12-0001b',
        symbol: 'BTCUSDT',
        exchangeOrderId: 2148719,
        status: 'NEW',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        updateTime: 1750515742297,
      },
    });
    for (const X of ['CANCELED', 'EXPIRED', 'REJECTED'])
      expect(parseFuturesUserEvent(algo({ X }))).toMatchObject({
        kind: 'reconcileOrder',
        clientOrderId: 'abc12-0001b',
      });
    for (const X of ['TRIGGERED', 'FINISHED'])
      expect(parseFuturesUserEvent(algo({ X, aq: '0.01' }))).toEqual({
        kind: 'reconcileOrder',
        clientOrderId: 'abc12-0001b',
        symbol: 'BTCUSDT',
        why: `algo order abc12-0001b ${X}`,
      });
  });

  it('ACCOUNT_UPDATE and MARGIN_CALL name the symbols to reconcile; listenKeyExpired; others ignored', () => {
    expect(
      parseFuturesUserEvent({
        e: 'ACCOUNT_UPDATE',
        E: 1,
        T: 1,
        a: { m: 'FUNDING_FEE', B: [], P: [{ s: 'BTCUSDT', pa: '-0.010', ep: '30000' }] },
      }),
    ).toEqual({
      kind: 'account',
      type: 'ACCOUNT_UPDATE',
      symbols: ['BTCUSDT'],
      summary: 'ACCOUNT_UPDATE (FUNDING_FEE): positions BTCUSDT -0.010',
    });
    expect(
      parseFuturesUserEvent({
        e: 'MARGIN_CALL',
        E: 1,
        cw: '3.16',
        p: [{ s: 'ETHUSDT', ps: 'BOTH', pa: '1.327', mt: 'CROSSED', mp: '187.17', up: '-1.16', mm: '1.61' }],
      }),
    ).toMatchObject({
      kind: 'account',
      type: 'MARGIN_CALL',
      symbols: ['ETHUSDT'],
      summary: 'MARGIN_CALL: ETHUSDT 1.327 at mark 187.17, maintenance margin 1.61',
    });
    expect(parseFuturesUserEvent({ e: 'listenKeyExpired', E: 1, listenKey: 'k' })).toEqual({
      kind: 'listenKeyExpired',
    });
    expect(parseFuturesUserEvent({ e: 'TRADE_LITE', E: 1 })).toEqual({ kind: 'ignored', type: 'TRADE_LITE' });
  });

  it('the stream host: wsFutures when set, Binance private stream for fapi, the paper host’s /fstream otherwise', () => {
    expect(futuresStreamBase({ httpBase: 'https://api.binance.com' })).toBe('wss://fstream.binance.com/private/ws');
    expect(futuresStreamBase({ httpBase: 'http://127.0.0.1:8090' })).toBe('ws://127.0.0.1:8090/fstream');
    expect(futuresStreamBase({ httpBase: 'http://x', wsFutures: 'ws://127.0.0.1:9/fstream/' })).toBe(
      'ws://127.0.0.1:9/fstream',
    );
  });
});
