/**
 * Grid on hand-built candles through the backtester and the venue simulator (fees 0.1 % in the
 * asset received). Levels 90, 95, 100, 105, 110: four cells, each holding one order at a time.
 */
import { describe, expect, it } from 'vitest';
import { GRID_RETRY_CANDLES, grid, gridParams, gridPrices } from '../../core/strategies/grid';
import { backtest, balance, fillLines, orderLines } from '../support/fixtures/backtest';
import { BTCUSDT_FILTERS, flat } from '../support/fixtures/market';

const params = { low: '90', high: '110', levels: 5, quantity: '1' };

describe('grid: set-up', () => {
  it('buys below the price, funds the cells above with one market buy, and sells them one level up', () => {
    const r = backtest(grid, params, [flat(101)]);
    expect(orderLines(r)).toEqual([
      'init BUY MARKET 1 → FILLED',
      'g0 BUY LIMIT 1@90 → NEW',
      'g1 BUY LIMIT 1@95 → NEW',
      'g2 BUY LIMIT 1@100 → NEW',
      // The market buy delivered 1 − 0.001 fee: that is what cell 3 sells.
      'g3 SELL LIMIT 0.999@110 → NEW',
    ]);
    // 10000 − 101; the three buys lock 90 + 95 + 100.
    expect(balance(r, 'USDT')).toBe('9614 + 285 locked');
    expect(balance(r, 'BTC')).toBe('0 + 0.999 locked');
  });

  it('without initialBuy, cells above the price stay idle until a close above their bottom arms their buy', () => {
    const r = backtest(grid, { ...params, initialBuy: false }, [flat(101), flat(104), flat(106)]);
    expect(orderLines(r)).toEqual([
      'g0 BUY LIMIT 1@90 → NEW',
      'g1 BUY LIMIT 1@95 → NEW',
      'g2 BUY LIMIT 1@100 → NEW',
      'g3 BUY LIMIT 1@105 → NEW',
    ]);
  });
});

describe('grid: a round through several levels', () => {
  // 1: set-up at 101. 2: gap down to 93 (buys at 95 and 100 fill at their price). 3: back up to 106
  // (both re-armed sells fill). 4: up to 116 (the funded cell sells at 110), close ≥ takeProfitPrice.
  const rows = [flat(101), [93, 94, 92, 94], [94, 106, 94, 105], [105, 116, 105, 116]] as const;
  const r = backtest(grid, { ...params, takeProfitPrice: '115' }, [...rows]);

  it('fills every level the gap went through, and re-arms each cell with its opposite order', () => {
    expect(fillLines(r)).toEqual([
      'init BUY 1@101 fee 0.001 BTC',
      'g1 BUY 1@95 fee 0.001 BTC',
      'g2 BUY 1@100 fee 0.001 BTC',
      'g1 SELL 0.999@100 fee 0.0999 USDT',
      'g2 SELL 0.999@105 fee 0.104895 USDT',
      'g3 SELL 0.999@110 fee 0.10989 USDT',
    ]);
    expect(orderLines(r)).toEqual([
      'init BUY MARKET 1 → FILLED',
      'g0 BUY LIMIT 1@90 → CANCELED',
      'g1 BUY LIMIT 1@95 → FILLED',
      'g2 BUY LIMIT 1@100 → FILLED',
      'g3 SELL LIMIT 0.999@110 → FILLED',
      'g1 SELL LIMIT 0.999@100 → FILLED',
      'g2 SELL LIMIT 0.999@105 → FILLED',
      'g1 BUY LIMIT 1@95 → CANCELED',
      'g2 BUY LIMIT 1@100 → CANCELED',
      'g3 BUY LIMIT 1@105 → CANCELED',
    ]);
  });

  it('stops on the take-profit price and cancels the whole grid', () => {
    expect(r.botStatus).toBe('STOPPED');
    expect(r.stopReason).toBe('grid take-profit: close 116 at or above 115');
    // 10000 − 101 − 95 − 100 + (99.9 − 0.0999) + (104.895 − 0.104895) + (109.89 − 0.10989), nothing locked.
    expect(balance(r, 'USDT')).toBe('10018.370315');
    expect(balance(r, 'BTC')).toBe('0');
    expect(r.metrics.trades).toBe(3);
    expect(r.metrics.winRatePct).toBe(100);
  });
});

describe('grid: edge cases', () => {
  it('a buy the balance cannot pay for is refused by the exchange, reported, and tried again later', () => {
    const rows = Array.from({ length: GRID_RETRY_CANDLES + 2 }, () => flat(101));
    const r = backtest(grid, { ...params, initialBuy: false }, rows, { balances: { USDT: '200' } });
    // 90 + 95 lock 185 of 200: the buy at 100 needs 100 more.
    expect(orderLines(r)).toEqual([
      'g0 BUY LIMIT 1@90 → NEW',
      'g1 BUY LIMIT 1@95 → NEW',
      'g2 BUY LIMIT 1@100 → REJECTED',
      'g2 BUY LIMIT 1@100 → REJECTED',
    ]);
    expect(r.orders[2]!.rejectReason).toBe('-2010: Account has insufficient balance for requested action.');
    expect(r.notifications.map((n) => n.message)).toContain(
      `grid g2 BUY refused (-2010: Account has insufficient balance for requested action.); retrying in ${GRID_RETRY_CANDLES} candles`,
    );
  });

  it('a partly filled buy keeps working; the cell sells once it is filled', () => {
    // participation 0.25 of volume / 4 per point: 0.5 BTC per crossing point with volume 8.
    const rows = [flat(101), ['100', '100', '99', '99.5', '8'], ['99.5', '100', '99', '100', '8']] as const;
    const r = backtest(grid, { low: '99', high: '101', levels: 3, quantity: '1', initialBuy: false }, [...rows], {
      participation: '0.25',
    });
    // Candle 2: 100 (jump) → 100 → 99 → 99.5: the buy at 100 takes 0.5 at each of the first two
    // points (filled), the buy at 99 gets 0.5 at the low (partly filled, keeps working).
    // Candle 3: 99.5 → 100 → 99 → 100: the buy at 99 completes; its sell at 100, placed at the close
    // of 100, is marketable and fills at once (as a taker).
    expect(fillLines(r)).toEqual([
      'g1 BUY 0.5@100 fee 0.0005 BTC',
      'g1 BUY 0.5@100 fee 0.0005 BTC',
      'g0 BUY 0.5@99 fee 0.0005 BTC',
      'g0 BUY 0.5@99 fee 0.0005 BTC',
      'g0 SELL 0.999@100 fee 0.0999 USDT',
    ]);
    expect(orderLines(r)).toEqual([
      'g0 BUY LIMIT 1@99 → FILLED',
      'g1 BUY LIMIT 1@100 → FILLED',
      'g1 SELL LIMIT 0.999@101 → NEW',
      'g0 SELL LIMIT 0.999@100 → FILLED',
      'g0 BUY LIMIT 1@99 → NEW',
    ]);
  });

  it('levels are rounded to the tick; arithmetic and geometric spacing', () => {
    expect(gridPrices({ low: '1', high: '2', levels: 4, spacing: 'arithmetic' }, BTCUSDT_FILTERS)).toEqual([
      '1',
      '1.33',
      '1.67',
      '2',
    ]);
    expect(gridPrices({ low: '100', high: '400', levels: 3, spacing: 'geometric' }, BTCUSDT_FILTERS)).toEqual([
      '100',
      '200',
      '400',
    ]);
    expect(gridPrices({ low: '100', high: '121', levels: 3, spacing: 'geometric' }, BTCUSDT_FILTERS)).toEqual([
      '100',
      '110',
      '121',
    ]);
  });

  it('refuses levels that collapse at the tick size, and orders below the minimum notional', () => {
    const collapse = backtest(grid, { low: '1', high: '1.02', levels: 5, quantity: '10' }, [flat('1.01')]);
    // 1, 1.005, 1.01, 1.015, 1.02 round (half to even) to 1, 1, 1.01, 1.02, 1.02.
    expect(collapse.stopReason).toBe('grid levels 1 and 1 collapse at the tick size: use fewer levels');
    const small = backtest(grid, { ...params, quantity: '0.05' }, [flat(101)]);
    expect(small.stopReason).toBe('grid order at 90 too small: order value 4.5 below the minimum notional 5');
    expect(small.orders).toEqual([]);
  });

  it('validates its params', () => {
    const problems = (p: unknown) =>
      gridParams.safeParse(p).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(problems({ low: '110', high: '90', quantity: '1' })).toEqual(['high: must be above low (110)']);
    expect(problems({ low: '90', high: '110' })).toEqual([
      'quantity: give exactly one of quantity (base per order) or amount (quote per order)',
    ]);
    expect(problems({ low: '90', high: '110', quantity: '1', stopLossPrice: '95' })).toEqual([
      'stopLossPrice: must be below low (90)',
    ]);
    expect(problems({ low: '90', high: '110', quantity: '1', levels: 1 })).toHaveLength(1);
  });
});
