/**
 * Range breakout (ORO) on hand-built candles through the backtester and the venue simulator.
 * Range 90–110 and x = 1 %: a BUY OCO with a buy-stop at 111.1 (above) and a LIMIT_MAKER buy at
 * 89.1 (below). Fees 0.1 % in the asset received.
 */
import { describe, expect, it } from 'vitest';
import { bandOf, rangeBreakout, rangeBreakoutParams } from '../../core/strategies/range-breakout';
import { backtest, balance, fillLines, orderLines } from '../support/fixtures/backtest';
import { flat } from '../support/fixtures/market';

const base = {
  top: '110',
  bottom: '90',
  pct: '1',
  sizing: { mode: 'base', quantity: '1' },
  exits: { takeProfits: [{ pct: '2', share: '100' }], stopLoss: { pct: '1' } },
  belowExits: { takeProfits: [{ pct: '5', share: '100' }], stopLoss: { pct: '2' } },
};

describe('range breakout: the OCO', () => {
  it('places one BUY OCO: buy-stop x% above the top, limit buy x% below the bottom', () => {
    expect(bandOf('110', '90', '1')).toEqual({ buyStop: '111.1', belowLimit: '89.1' });
    const r = backtest(rangeBreakout, base, [flat(100)]);
    expect(orderLines(r)).toEqual(['oco BUY STOP_LOSS 1 stop:111.1 → NEW', 'oco BUY LIMIT_MAKER 1@89.1 → NEW']);
    expect(r.orders[0]!.listClientOrderId).toBe(r.orders[1]!.listClientOrderId);
    // One reservation for the list: the dearer leg, 111.1 × 1.
    expect(balance(r, 'USDT')).toBe('9888.9 + 111.1 locked');
  });

  it('breakout above: the buy-stop fills, the other leg expires, the exits take profit at +2%', () => {
    // Candle 2: 105 → 104 → 112 → 111.5: the sweep up through 111.1 triggers the stop at its price.
    // Exits on 0.999 (1 − fee): target 111.1 × 1.02 = 113.322 → 113.33, stop 111.1 × 0.99 = 109.989 → 109.99.
    const r = backtest(rangeBreakout, base, [flat(100), [105, 112, 104, 111.5], [111.5, 114, 111, 113.5], flat(113)]);
    expect(orderLines(r)).toEqual([
      'oco BUY STOP_LOSS 1 stop:111.1 → FILLED',
      'oco BUY LIMIT_MAKER 1@89.1 → EXPIRED',
      'exit-1 SELL LIMIT_MAKER 0.999@113.33 → FILLED',
      'exit-1 SELL STOP_LOSS 0.999 stop:109.99 → EXPIRED',
    ]);
    expect(fillLines(r)).toEqual(['oco BUY 1@111.1 fee 0.001 BTC', 'exit-1 SELL 0.999@113.33 fee 0.11321667 USDT']);
    // 10000 − 111.1 + 113.21667 − 0.11321667
    expect(balance(r, 'USDT')).toBe('10002.00345333');
    expect(r.stopReason).toBe('range breakout complete: the trade is closed');
    expect(r.candles).toBe(3);
    expect(r.notifications.map((n) => n.message)).toContain('range breakout: bought 0.999 at 111.1');
  });

  it('overshoot below: the limit buy fills and belowExits apply (here the stop)', () => {
    // Candle 2: 95 → 96 → 88 → 90: the limit buy at 89.1 fills at its price. Exits: target
    // 89.1 × 1.05 = 93.555 → 93.56, stop 89.1 × 0.98 = 87.318 → 87.32. Candle 3 falls through it.
    const r = backtest(rangeBreakout, base, [flat(100), [95, 96, 88, 90], [90, 91, 87, 87.5]]);
    expect(orderLines(r)).toEqual([
      'oco BUY STOP_LOSS 1 stop:111.1 → EXPIRED',
      'oco BUY LIMIT_MAKER 1@89.1 → FILLED',
      'exit-1 SELL LIMIT_MAKER 0.999@93.56 → EXPIRED',
      'exit-1 SELL STOP_LOSS 0.999 stop:87.32 → FILLED',
    ]);
    // 10000 − 89.1 + 0.999 × 87.32 × 0.999
    expect(balance(r, 'USDT')).toBe('9998.04544732');
    expect(r.metrics.losses).toBe(1);
  });

  it('a gap over the buy-stop fills at the open, not at the stop', () => {
    const r = backtest(rangeBreakout, base, [flat(100), [115, 116, 114, 115]]);
    expect(fillLines(r)[0]).toBe('oco BUY 1@115 fee 0.001 BTC');
    // Exits from the real entry: 115 × 1.02 = 117.3 and 115 × 0.99 = 113.85.
    expect(orderLines(r).slice(2)).toEqual([
      'exit-1 SELL LIMIT_MAKER 0.999@117.3 → NEW',
      'exit-1 SELL STOP_LOSS 0.999 stop:113.85 → NEW',
    ]);
  });
});

describe('range breakout: arming and ending', () => {
  it('waits while the price is outside the band, says so once, and arms when it is back inside', () => {
    const r = backtest(rangeBreakout, base, [flat(112), flat(112.5), flat(100)]);
    expect(r.notifications.filter((n) => n.message.startsWith('price')).map((n) => n.message)).toEqual([
      'price 112 is outside the band 89.1 – 111.1: waiting for it to come back inside',
    ]);
    expect(r.orders.map((o) => o.time)).toEqual([r.to, r.to]);
  });

  it('measures the range from the first rangeCandles candles', () => {
    const r = backtest(rangeBreakout, { ...base, top: undefined, bottom: undefined, rangeCandles: 3 }, [
      [100, 105, 98, 102],
      [102, 104, 99, 103],
      [103, 106, 101, 104],
    ]);
    // Top 106, bottom 98: 106 × 1.01 = 107.06, 98 × 0.99 = 97.02.
    expect(orderLines(r)).toEqual(['oco BUY STOP_LOSS 1 stop:107.06 → NEW', 'oco BUY LIMIT_MAKER 1@97.02 → NEW']);
  });

  it('cancels the OCO and stops when nothing fired within expiryCandles', () => {
    const r = backtest(rangeBreakout, { ...base, expiryCandles: 2 }, [flat(100), flat(100), flat(100), flat(100)]);
    expect(orderLines(r)).toEqual([
      'oco BUY STOP_LOSS 1 stop:111.1 → CANCELED',
      'oco BUY LIMIT_MAKER 1@89.1 → CANCELED',
    ]);
    expect(r.stopReason).toBe('range breakout: entry canceled without a fill');
    expect(balance(r, 'USDT')).toBe('10000');
  });

  it('with repeat, arms the range again after the trade', () => {
    const r = backtest(rangeBreakout, { ...base, repeat: true }, [
      flat(100),
      [105, 112, 104, 111.5],
      [111.5, 114, 111, 113.5],
      flat(105),
    ]);
    expect(orderLines(r).slice(4)).toEqual([
      'oco BUY STOP_LOSS 1 stop:111.1 → NEW',
      'oco BUY LIMIT_MAKER 1@89.1 → NEW',
    ]);
    expect(r.botStatus).toBe('RUNNING');
  });

  it('with repeat and a measured range, measures a new range after the trade', () => {
    const params = { ...base, top: undefined, bottom: undefined, rangeCandles: 2, repeat: true };
    // Range 1: candles 1–2 → 98–102 → buy-stop 103.02 (fills on candle 3), exits 105.09 / 101.99.
    // The target fills inside candle 4, which opens the new range: candles 4–5 → 103–108 →
    // buy-stop 109.08, limit 101.97, armed at the close of candle 5.
    const r = backtest(rangeBreakout, params, [
      [100, 102, 98, 101],
      [101, 101.5, 99, 100],
      [100, 104, 99.9, 103.5],
      [103.5, 106, 103, 105.5],
      [105.5, 108, 105, 106],
      [106, 107, 104, 105],
    ]);
    expect(orderLines(r)).toEqual([
      'oco BUY STOP_LOSS 1 stop:103.02 → FILLED',
      'oco BUY LIMIT_MAKER 1@97.02 → EXPIRED',
      'exit-1 SELL LIMIT_MAKER 0.999@105.09 → FILLED',
      'exit-1 SELL STOP_LOSS 0.999 stop:101.99 → EXPIRED',
      'oco BUY STOP_LOSS 1 stop:109.08 → NEW',
      'oco BUY LIMIT_MAKER 1@101.97 → NEW',
    ]);
  });

  it('below: false places only the buy-stop; stopLimitPct makes it a STOP_LOSS_LIMIT', () => {
    const r = backtest(rangeBreakout, { ...base, below: false, stopLimitPct: '0.5' }, [flat(100)]);
    // Limit 111.1 × 1.005 = 111.6555, rounded down to the tick for a BUY: 111.65.
    expect(orderLines(r)).toEqual(['oco BUY STOP_LOSS_LIMIT 1@111.65 stop:111.1 → NEW']);
  });

  it('an entry the exchange refuses is retried, and stops the bot after three refusals', () => {
    // 0.05 × 111.1 = 5.555 passes the 5 USDT minimum notional, but the below leg (0.05 × 89.1 =
    // 4.455) does not: the exchange refuses the whole list.
    const r = backtest(rangeBreakout, { ...base, sizing: { mode: 'base', quantity: '0.05' } }, [
      flat(100),
      flat(100),
      flat(100),
      flat(100),
    ]);
    expect(r.orders.map((o) => o.status)).toEqual([
      'REJECTED',
      'REJECTED',
      'REJECTED',
      'REJECTED',
      'REJECTED',
      'REJECTED',
    ]);
    expect(r.stopReason).toBe('range breakout entry rejected 3 times, last: -1013: Filter failure: NOTIONAL');
    expect(r.candles).toBe(3);
  });

  it('validates its params', () => {
    const problems = (p: unknown) =>
      rangeBreakoutParams.safeParse(p).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    const rest = { pct: '1', sizing: { mode: 'base', quantity: '1' }, exits: { stopLoss: { pct: '1' } } };
    expect(problems({ ...rest, top: '90', bottom: '110' })).toEqual(['top: must be above bottom (110)']);
    expect(problems({ ...rest, top: '110' })).toEqual(['top: give top and bottom, or rangeCandles (not both)']);
    expect(problems({ ...rest, top: '110', bottom: '90', rangeCandles: 5 })).toEqual([
      'top: give top and bottom, or rangeCandles (not both)',
    ]);
    expect(problems({ ...rest, rangeCandles: 5 })).toEqual([]);
  });
});
