/**
 * Smart trade on hand-built candles, through the backtester and the venue simulator. Fees are the
 * venue's default 0.1 %, paid in the asset received (BUY: base, SELL: quote). The intra-candle path
 * is open → nearer extreme → farther extreme → close (venue/path.ts).
 */
import { describe, expect, it } from 'vitest';
import { d } from '../../core/decimal';
import { smartTrade, smartTradeParams } from '../../core/strategies/smart-trade';
import { backtest, balance, fillLines, orderLines } from '../support/fixtures/backtest';
import { flat } from '../support/fixtures/market';

const twoTargets = {
  sizing: { mode: 'base', quantity: '1' },
  exits: {
    takeProfits: [
      { pct: '2', share: '50' },
      { pct: '5', share: '50' },
    ],
    stopLoss: { pct: '3' },
  },
};

function expectPnl(actual: string, expected: string): void {
  // The kernel keeps the average entry price to 12 decimals: allow that rounding, nothing more.
  expect(d(actual).minus(expected).abs().lessThan('1e-9'), `${actual} ≈ ${expected}`).toBe(true);
}

describe('smart trade: market entry, two take-profits and a stop-loss', () => {
  it('sells half at +2% and half at +5%, then stops the bot', () => {
    const r = backtest(smartTrade, twoTargets, [flat(100), [100, 103, 99, 102], [102, 106, 101, 105], flat(105)], {
      balances: { USDT: '1000' },
    });
    // Entry: 1 BTC at the first close (100); fee 0.001 BTC leaves 0.999 to sell, split 0.499 (floored
    // to the 0.001 step) + 0.5 (the rest). Each level is an OCO: LIMIT_MAKER target + STOP_LOSS at 97.
    expect(orderLines(r)).toEqual([
      'entry BUY MARKET 1 → FILLED',
      'exit-1 SELL LIMIT_MAKER 0.499@102 → FILLED',
      'exit-1 SELL STOP_LOSS 0.499 stop:97 → EXPIRED',
      'exit-2 SELL LIMIT_MAKER 0.5@105 → FILLED',
      'exit-2 SELL STOP_LOSS 0.5 stop:97 → EXPIRED',
    ]);
    expect(fillLines(r)).toEqual([
      'entry BUY 1@100 fee 0.001 BTC',
      'exit-1 SELL 0.499@102 fee 0.050898 USDT',
      'exit-2 SELL 0.5@105 fee 0.0525 USDT',
    ]);
    // 1000 − 100 + 50.898 − 0.050898 + 52.5 − 0.0525
    expect(balance(r, 'USDT')).toBe('1003.294602');
    expect(balance(r, 'BTC')).toBe('0');
    expectPnl(r.realizedPnl, '3.294602');
    expect(r.botStatus).toBe('STOPPED');
    expect(r.stopReason).toBe('smart trade complete: every exit filled');
    // The bot stopped on the third candle: the fourth is never played.
    expect(r.candles).toBe(3);
    expect(r.metrics.trades).toBe(2);
    expect(r.metrics.winRatePct).toBe(100);
  });

  it('take-profit and stop-loss in the same candle, high nearer the open: the first target fills, then the stop sells the rest', () => {
    // Candle 2: open 100, high 103 (3 away), low 96 (4 away) → path 100 → 103 → 96 → 98.
    const r = backtest(smartTrade, twoTargets, [flat(100), [100, 103, 96, 98]], { balances: { USDT: '1000' } });
    expect(fillLines(r)).toEqual([
      'entry BUY 1@100 fee 0.001 BTC',
      'exit-1 SELL 0.499@102 fee 0.050898 USDT',
      // The stop leg triggers on the sweep down through 97 and executes at its stop price.
      'exit-2 SELL 0.5@97 fee 0.0485 USDT',
    ]);
    expect(balance(r, 'USDT')).toBe('999.298602'); // 1000 − 100 + 50.898 − 0.050898 + 48.5 − 0.0485
    expect(r.metrics.wins).toBe(1);
    expect(r.metrics.losses).toBe(1);
  });

  it('take-profit and stop-loss in the same candle, low nearer the open: both stops fire first', () => {
    // Candle 2: open 100, low 97 (3 away), high 104 (4 away) → path 100 → 97 → 104 → 103.
    const r = backtest(smartTrade, twoTargets, [flat(100), [100, 104, 97, 103]], { balances: { USDT: '1000' } });
    expect(fillLines(r)).toEqual([
      'entry BUY 1@100 fee 0.001 BTC',
      'exit-1 SELL 0.499@97 fee 0.048403 USDT',
      'exit-2 SELL 0.5@97 fee 0.0485 USDT',
    ]);
    // 1000 − 100 + 0.999 × 97 × 0.999
    expect(balance(r, 'USDT')).toBe('996.806097');
    expectPnl(r.realizedPnl, '-3.193903');
    expect(r.metrics.winRatePct).toBe(0);
  });

  it('a gap below the stop sells at the open, not at the stop price', () => {
    const r = backtest(
      smartTrade,
      { sizing: { mode: 'base', quantity: '1' }, exits: { stopLoss: { pct: '3' } } },
      [flat(100), [95, 96, 94, 95]],
      { balances: { USDT: '1000' } },
    );
    expect(orderLines(r)).toEqual(['entry BUY MARKET 1 → FILLED', 'exit-1 SELL STOP_LOSS 0.999 stop:97 → FILLED']);
    expect(fillLines(r)).toEqual(['entry BUY 1@100 fee 0.001 BTC', 'exit-1 SELL 0.999@95 fee 0.094905 USDT']);
  });
});

describe('smart trade: exits the exchange did not take as placed', () => {
  const oneTarget = {
    sizing: { mode: 'base', quantity: '1' },
    exits: { takeProfits: [{ pct: '2', share: '100' }], stopLoss: { pct: '3' } },
  };

  it('a partly filled take-profit loses its stop leg: the rest is cancelled and bracketed again', () => {
    // participation 0.25 of volume / 4 = 0.25 BTC per point. Candle 2: 100 → 99.5 → 102.5 → 101:
    // the target (102) takes 0.25 at the high; the exchange expires the OCO's stop leg.
    const r = backtest(smartTrade, oneTarget, [flat(100), ['100', '102.5', '99.5', '101', '4']], {
      balances: { USDT: '1000' },
      participation: '0.25',
    });
    expect(fillLines(r)).toEqual(['entry BUY 1@100 fee 0.001 BTC', 'exit-1 SELL 0.25@102 fee 0.0255 USDT']);
    expect(orderLines(r)).toEqual([
      'entry BUY MARKET 1 → FILLED',
      'exit-1 SELL LIMIT_MAKER 0.999@102 → CANCELED',
      'exit-1 SELL STOP_LOSS 0.999 stop:97 → EXPIRED',
      // 0.999 − 0.25: target and stop again.
      'exit-1 SELL LIMIT_MAKER 0.749@102 → NEW',
      'exit-1 SELL STOP_LOSS 0.749 stop:97 → NEW',
    ]);
  });

  it('exits the exchange refuses (the price is already past the target) become a market sell', () => {
    // The limit entry at 99 fills at the low of candle 2 (100 → 98.5 → 103.5 → 103); at the close
    // of 103 the target 100.98 is below the market: the OCO is refused (prices must straddle it).
    const r = backtest(
      smartTrade,
      { ...oneTarget, entry: { type: 'limit', price: '99' } },
      [flat(100), [100, 103.5, 98.5, 103]],
      { balances: { USDT: '1000' } },
    );
    expect(orderLines(r)).toEqual([
      'entry BUY LIMIT 1@99 → FILLED',
      'exit-1 SELL LIMIT_MAKER 0.999@100.98 → REJECTED',
      'exit-1 SELL STOP_LOSS 0.999 stop:96.03 → REJECTED',
      'exit-1 SELL MARKET 0.999 → FILLED',
    ]);
    expect(fillLines(r).at(-1)).toBe('exit-1 SELL 0.999@103 fee 0.102897 USDT');
    expect(r.orders.find((o) => o.request.type === 'MARKET' && o.request.side === 'SELL')!.reason).toMatch(
      /^exit exit-1 rejected \(-\d+: .*\): selling at market$/,
    );
    expect(r.stopReason).toBe('smart trade complete: every exit filled');
  });
});

describe('smart trade: limit entry', () => {
  it('rounds the limit price down to the tick and the quantity down to the step', () => {
    const r = backtest(
      smartTrade,
      {
        entry: { type: 'limit', price: '99.999' },
        sizing: { mode: 'base', quantity: '0.0529' },
        exits: { stopLoss: { pct: '10' } },
      },
      [flat(100), flat(100)],
    );
    expect(orderLines(r)).toEqual(['entry BUY LIMIT 0.052@99.99 → NEW']);
  });

  it('a partly filled entry is cancelled after timeoutCandles; exits cover what was bought', () => {
    // participation 0.5: each path point carries volume / 4 = 1 BTC, our order may take 0.5 of it.
    // Candle 2: 100 → 100.5 → 98 → 99.5: only the point at 98 crosses the 99 limit: 0.5 filled.
    const r = backtest(
      smartTrade,
      {
        entry: { type: 'limit', price: '99', timeoutCandles: 2 },
        sizing: { mode: 'base', quantity: '2' },
        exits: { takeProfits: [{ pct: '10', share: '100' }], stopLoss: { pct: '10' } },
      },
      [flat(100), ['100', '100.5', '98', '99.5', '4'], flat(100), flat(100)],
      { participation: '0.5' },
    );
    expect(fillLines(r)).toEqual(['entry BUY 0.5@99 fee 0.0005 BTC']);
    expect(orderLines(r)).toEqual([
      'entry BUY LIMIT 2@99 → CANCELED',
      // Bought 0.5 − 0.0005 fee = 0.4995, floored to the step: 0.499. Target 99 × 1.1, stop 99 × 0.9.
      'exit-1 SELL LIMIT_MAKER 0.499@108.9 → NEW',
      'exit-1 SELL STOP_LOSS 0.499 stop:89.1 → NEW',
    ]);
    expect(r.botStatus).toBe('RUNNING');
  });
});

describe('smart trade: trailing stops', () => {
  it('native: a STOP_LOSS with trailingDelta trails the highest price and sells 2% below it', () => {
    const r = backtest(
      smartTrade,
      { sizing: { mode: 'base', quantity: '1' }, exits: { trailing: { pct: '2' } } },
      [flat(100), [100, 110, 100, 109], [109, 109.5, 107, 107.5]],
      { balances: { USDT: '1000' } },
    );
    expect(orderLines(r)).toEqual(['entry BUY MARKET 1 → FILLED', 'exit-1 SELL STOP_LOSS 0.999 trail:200 → FILLED']);
    // Highest 110 → triggers at 110 × 0.98 = 107.8 on the way down to 107.
    expect(fillLines(r)[1]).toBe('exit-1 SELL 0.999@107.8 fee 0.1076922 USDT');
  });

  it('emulated: price triggers raise a fixed stop, and the exits are placed again with it', () => {
    const params = {
      sizing: { mode: 'base', quantity: '1' },
      exits: {
        takeProfits: [{ pct: '20', share: '100' }],
        stopLoss: { pct: '5' },
        trailing: { pct: '2', native: false, stepPct: '1' },
      },
    };
    // Entry 100: stop 95; watch above 95 × 1.01 / 0.98 = 97.90816327 (already below the price).
    // Candle 2 opens at 100 ≥ the watch: stop → 98; next watch 98 × 1.01 / 0.98 = 101.
    // Candle 3 opens at 103 ≥ 101: stop → 100.94. Candle 4 falls through it: sold at 100.94.
    const r = backtest(
      smartTrade,
      params,
      [flat(100), [100, 104, 100, 103], [103, 106, 103, 105], [105, 105, 100, 100.5]],
      { balances: { USDT: '1000' } },
    );
    expect(orderLines(r)).toEqual([
      'entry BUY MARKET 1 → FILLED',
      'exit-1 SELL LIMIT_MAKER 0.999@120 → CANCELED',
      'exit-1 SELL STOP_LOSS 0.999 stop:95 → CANCELED',
      'exit-1 SELL LIMIT_MAKER 0.999@120 → CANCELED',
      'exit-1 SELL STOP_LOSS 0.999 stop:98 → CANCELED',
      'exit-1 SELL LIMIT_MAKER 0.999@120 → EXPIRED',
      'exit-1 SELL STOP_LOSS 0.999 stop:100.94 → FILLED',
    ]);
    expect(fillLines(r).at(-1)).toBe('exit-1 SELL 0.999@100.94 fee 0.10083906 USDT');
    expect(r.notifications.filter((n) => n.message.startsWith('trailing stop raised')).map((n) => n.message)).toEqual([
      'trailing stop raised from 95 to 98 (price 100)',
      'trailing stop raised from 98 to 100.94 (price 103)',
    ]);
  });
});

describe('smart trade: refusals', () => {
  it('stops with the reason when the balance cannot pay for the entry', () => {
    const r = backtest(
      smartTrade,
      { sizing: { mode: 'quote', amount: '2000' }, exits: { stopLoss: { pct: '5' } } },
      [flat(100)],
      { balances: { USDT: '1000' } },
    );
    expect(r.orders).toEqual([]);
    expect(r.stopReason).toBe(
      'smart trade cannot enter: insufficient balance: the entry needs 2000 quote, 1000 is free',
    );
  });

  it('an entry the exchange refuses (below min notional after rounding) stops the bot with the exchange reason', () => {
    const r = backtest(smartTrade, { sizing: { mode: 'base', quantity: '0.04' }, exits: { stopLoss: { pct: '5' } } }, [
      flat(100),
    ]);
    expect(r.stopReason).toBe(
      'smart trade cannot enter: fixed quantity 0.04: order value 4 is below the minimum notional 5',
    );
  });

  it('validates its params', () => {
    const bad = (p: unknown) =>
      smartTradeParams.safeParse(p).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(
      bad({ sizing: { mode: 'base', quantity: '1' }, exits: { takeProfits: [{ pct: '2', share: '60' }] } }),
    ).toEqual(['exits.takeProfits: shares add up to 60, not 100']);
    expect(
      bad({ sizing: { mode: 'base', quantity: '1' }, exits: { stopLoss: { pct: '2' }, trailing: { pct: '1' } } })?.[0],
    ).toMatch(/^exits.trailing: a native trailing stop/);
    expect(bad({ sizing: { mode: 'base', quantity: '1' }, exits: { trailing: { pct: '1.255' } } })?.[0]).toMatch(
      /whole basis points/,
    );
    expect(bad({ sizing: { mode: 'base', quantity: '1' }, exits: {} })).toEqual([
      'exits: give at least one take-profit, a stop-loss or a trailing stop',
    ]);
    expect(
      bad({ sizing: { mode: 'base', quantity: '1' }, exits: { stopLoss: { pct: '2' } }, extra: true })?.[0],
    ).toMatch(/unrecognized|Unrecognized/);
  });
});
