/** The kernel's futures pieces, worked by hand: signed position, protective stop, setup defaults. */
import { describe, expect, it } from 'vitest';
import { perpPositionAfterFill } from '../../core/futures/position';
import { PROTECT_TAG, protectionStep, protectiveStopPrice } from '../../core/futures/protection';
import { resolveFuturesSetup } from '../../core/futures/setup';
import type { PositionState } from '../../core/kernel';
import type { Fill, OrderRecord } from '../../core/orders';

const FLAT: PositionState = { qty: '0', avgEntryPrice: '0', realizedPnl: '0', cost: '0', fees: {} };
const fill = (qty: string, price: string, commission = '0'): Fill => ({
  tradeId: 1,
  price,
  qty,
  quoteQty: String(Number(qty) * Number(price)),
  commission,
  commissionAsset: 'USDT',
  time: 1,
  isMaker: false,
});

describe('perpetual position (one-way, signed)', () => {
  it('a short opens negative, and covering it realises (entry - exit) x qty less fees', () => {
    // SELL 0.01 at 30000, fee 0.15 (0.0005 x 300): qty -0.01, entry 30000, PnL -0.15.
    const short = perpPositionAfterFill(FLAT, 'SELL', fill('0.01', '30000', '0.15'), 'USDT');
    expect(short).toMatchObject({ qty: '-0.01', avgEntryPrice: '30000', realizedPnl: '-0.15' });
    // BUY 0.01 at 29000, fee 0.145: +10 on the move, -0.15 -0.145 fees = 9.705.
    const closed = perpPositionAfterFill(short, 'BUY', fill('0.01', '29000', '0.145'), 'USDT');
    expect(closed).toMatchObject({ qty: '0', avgEntryPrice: '0', realizedPnl: '9.705', cost: '0' });
    expect(closed.fees).toEqual({ USDT: '0.295' });
  });

  it('adding averages the entry; a larger opposite fill flips the side at the fill price', () => {
    const a = perpPositionAfterFill(FLAT, 'BUY', fill('0.01', '30000'), 'USDT');
    const b = perpPositionAfterFill(a, 'BUY', fill('0.01', '31000'), 'USDT');
    expect(b).toMatchObject({ qty: '0.02', avgEntryPrice: '30500' });
    // SELL 0.03 at 31500: closes 0.02 (+20), opens a 0.01 short at 31500.
    const c = perpPositionAfterFill(b, 'SELL', fill('0.03', '31500'), 'USDT');
    expect(c).toMatchObject({ qty: '-0.01', avgEntryPrice: '31500', realizedPnl: '20' });
    // Partly covered: the entry of what is left stays.
    const d = perpPositionAfterFill(c, 'BUY', fill('0.004', '31000'), 'USDT');
    expect(d).toMatchObject({ qty: '-0.006', avgEntryPrice: '31500', realizedPnl: '22' });
  });
});

const futures = resolveFuturesSetup({ leverage: 10, marginType: 'ISOLATED' }, {});
const order = (side: 'BUY' | 'SELL', status: OrderRecord['status'] = 'NEW'): OrderRecord => ({
  clientOrderId: 'b-9',
  tag: PROTECT_TAG,
  request: { symbol: 'BTCUSDT', side, type: 'STOP_MARKET', closePosition: true },
  purpose: 'exit',
  status,
  executedQty: '0',
  cumulativeQuoteQty: '0',
  fills: [],
  cancelRequested: false,
  createdAt: 0,
  updatedAt: 0,
});

describe('protective stop', () => {
  it('defaults to half the way to liquidation: 5 % at 10x', () => {
    expect(futures.protectiveStopPct).toBe('5');
    expect(resolveFuturesSetup(undefined, { leverage: 20 })).toEqual({
      leverage: 20,
      marginType: 'ISOLATED',
      protectiveStopPct: '2.5',
    });
  });

  it('a long gets a SELL closePosition stop below the entry, a short a BUY above, on the tick grid', () => {
    expect(protectiveStopPrice('0.01', '30000.37', '5', '0.1')).toBe('28500.3');
    expect(protectiveStopPrice('-0.01', '30000.37', '5', '0.1')).toBe('31500.4');
    const step = protectionStep({
      symbol: 'BTCUSDT',
      qty: '-0.01',
      avgEntryPrice: '30000',
      tickSize: '0.1',
      orders: [],
      futures,
      lastRejectedAt: null,
      now: 0,
    });
    expect(step).toMatchObject({
      kind: 'place',
      request: { side: 'BUY', type: 'STOP_MARKET', stopPrice: '31500', closePosition: true },
    });
  });

  it('nothing to do while the fitting stop is open; a stop on the wrong side or with no position is cancelled', () => {
    expect(
      protectionStep({
        symbol: 'BTCUSDT',
        qty: '0.01',
        avgEntryPrice: '30000',
        tickSize: '0.1',
        orders: [order('SELL')],
        futures,
        lastRejectedAt: null,
        now: 0,
      }),
    ).toBeNull();
    expect(
      protectionStep({
        symbol: 'BTCUSDT',
        qty: '0.01',
        avgEntryPrice: '30000',
        tickSize: '0.1',
        orders: [order('BUY')],
        futures,
        lastRejectedAt: null,
        now: 0,
      }),
    ).toMatchObject({ kind: 'cancel' });
    expect(
      protectionStep({
        symbol: 'BTCUSDT',
        qty: '0',
        avgEntryPrice: '0',
        tickSize: '0.1',
        orders: [order('SELL')],
        futures,
        lastRejectedAt: null,
        now: 0,
      }),
    ).toMatchObject({ kind: 'cancel' });
    expect(
      protectionStep({
        symbol: 'BTCUSDT',
        qty: '0',
        avgEntryPrice: '0',
        tickSize: '0.1',
        orders: [],
        futures,
        lastRejectedAt: null,
        now: 0,
      }),
    ).toBeNull();
  });
});
