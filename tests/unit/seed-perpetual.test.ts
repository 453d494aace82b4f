/**
 * The backtester's perpetual (backtest/perpetual.ts, an account on venue/perpetual's engine):
 * margin, leverage, fees, PnL, funding and liquidation worked by hand, then the seed-003 short side through the kernel with the perpetual as the
 * exchange: sized "marge_disponible x 10", filled at the open of the next candle, closed on the
 * seed's exit rule.
 */
import { describe, expect, it } from 'vitest';
import { BacktestPerpetual, contractFor } from '../../backtest/perpetual';
import type { Command } from '../../core/kernel';
import { type RsiSniperState, rsiSniper } from '../../core/strategies/rsi-sniper';
import { BTC_FILTERS, Market, createBot, feed, fetches, start, strategyState } from '../support/seed-harness';

const CONTRACT = contractFor(BTC_FILTERS); // tick 0.01, step 0.00001, Binance's BTCUSDT brackets (MMR 0.4 % below 50,000)
const perpetual = (wallet = '1000') => new BacktestPerpetual(CONTRACT, wallet, { leverage: 10, takerFee: '0.0005' });
const market = (p: BacktestPerpetual, side: 'BUY' | 'SELL', quantity: string, price: string, time = 1) => {
  p.setPrice(price, time);
  return p.executeOrder(`t-${time}`, { symbol: 'BTCUSDT', side, type: 'MARKET', quantity }, time);
};
const candle = (o: string, h: string, l: string, c: string, t = 10) => ({
  open: o,
  high: h,
  low: l,
  close: c,
  volume: '0',
  openTime: t,
  closeTime: t + 899_999,
});

describe('the backtester perpetual is venue/perpetual (one implementation)', () => {
  it('sizes a short as available margin x 10 (fees included) and settles the PnL on close', () => {
    const p = perpetual();
    // 1000 / (100 / 10 + 100 x 0.0005) = 99.50248756…, on the 0.00001 step
    expect(p.maxQuantity('100')).toBe('99.50248');
    const open = market(p, 'SELL', '99.5', '100');
    expect(open).toMatchObject({
      ok: true,
      snapshot: { status: 'FILLED', executedQty: '99.5', cumulativeQuoteQty: '9950' },
    });
    // fee 99.5 x 100 x 0.0005 = 4.975; initial margin 9950 / 10 = 995
    expect(p.position()).toMatchObject({ positionAmt: '-99.5', entryPrice: '100', initialMargin: '995' });
    expect(p.account().walletBalance).toBe('995.025');
    expect(p.reconcileBalances()).toEqual({ base: '-99.5', quote: '0.025' });
    p.setPrice('99', 2);
    expect(p.position().unRealizedProfit).toBe('99.5');
    const close = market(p, 'BUY', '99.5', '99', 3);
    expect(close.ok && close.snapshot.fills![0]).toMatchObject({ price: '99', commission: '4.92525' });
    expect(p.position().positionAmt).toBe('0');
    // 995.025 + 99.5 realised − 4.92525
    expect(p.account().walletBalance).toBe('1089.59975');
  });

  it('refuses a position whose margin and fee exceed what is available (-2019)', () => {
    expect(market(perpetual(), 'SELL', '120', '100')).toMatchObject({
      ok: false,
      code: -2019,
      reason: 'Margin is insufficient.',
    });
  });

  it('adds to a position at the average price, and a larger opposite order flips it', () => {
    const p = perpetual();
    market(p, 'BUY', '10', '100', 1);
    market(p, 'BUY', '10', '110', 2);
    expect(p.position()).toMatchObject({ positionAmt: '20', entryPrice: '105' });
    market(p, 'SELL', '25', '110', 3);
    expect(p.position()).toMatchObject({ positionAmt: '-5', entryPrice: '110', accumulatedRealized: '100' }); // 20 x (110 - 105)
  });

  it('liquidates the 10x short on the candle path at the mark, Binance style: the rest of the margin goes to the clearance fee', () => {
    const p = perpetual();
    market(p, 'SELL', '99.5', '100');
    // LP = (995.025 + 99.5 x 100) / (99.5 x 0.004 + 99.5) = 10945.025 / 99.898 = 109.56200324…
    expect(p.position().liquidationPrice).toBe('109.56200324');
    p.onCandle(candle('100', '109.5', '100', '105'));
    expect(p.liquidations).toBe(0);
    p.onCandle(candle('105', '109.6', '104', '105', 900_010));
    expect(p.liquidations).toBe(1);
    expect(p.position().positionAmt).toBe('0');
    // realised 99.5 x (100 − 109.6) = −955.2 leaves 39.825; the clearance fee (1.25 % x 10905.2 = 136.315) takes all of it
    expect(p.account().walletBalance).toBe('0');
    expect(
      p.perp
        .incomes('backtest')
        .slice(-2)
        .map((i) => [i.incomeType, i.income]),
    ).toEqual([
      ['REALIZED_PNL', '-955.2'],
      ['INSURANCE_CLEAR', '-39.825'],
    ]);
  });

  it('pays funding when a candle path crosses a funding time', () => {
    const p = perpetual();
    market(p, 'SELL', '10', '100', 0);
    // 15m candles from 07:45: the 08:00 funding is settled at the mark before it (the 07:45 close, 101)
    p.onCandle(candle('100', '101', '99', '101', 7.75 * 3_600_000));
    p.onCandle(candle('101', '102', '100', '100', 8 * 3_600_000));
    // a short receives 10 x 101 x 0.0001 = 0.101
    expect(p.perp.incomes('backtest', { incomeType: 'FUNDING_FEE' }).map((i) => [i.time, i.income])).toEqual([
      [8 * 3_600_000, '0.101'],
    ]);
  });
});

describe('seed 003 short side on the simulated perpetual, through the kernel', () => {
  it('opens a short of margin x 10 at the next open and closes it when RSI <= 60', () => {
    const m = new Market();
    for (let i = 0; i < 40; i++) m.next({ close: String(100 + (i % 2)) });
    const warm = m.candles.length;
    m.next(80, '100');
    m.next(75, '90'); // short setup on this close
    m.next(70); // open of this candle fills the short; RSI 70: hold
    m.next(58); // RSI <= 60: exit
    m.next(55); // open of this candle fills the exit

    const perp = perpetual();
    const bot = createBot(rsiSniper, { enableShort: true }, { interval: '15m' });
    const pending: Extract<Command, { type: 'placeOrder' }>[] = [];
    const handle = (commands: readonly Command[], price: string, now: number) => {
      for (const c of commands) {
        if (c.type === 'placeOrder') pending.push(c);
        if (c.type === 'reconcile')
          handle(
            feed(bot, { type: 'reconciled', now, balances: perp.reconcileBalances(), orphans: [], missing: [] }),
            price,
            now,
          );
      }
    };
    const first = m.candles[warm]!;
    const startCommands = start(bot, first.openTime);
    const req = fetches(startCommands)[0]!;
    handle(
      feed(bot, {
        type: 'data',
        now: first.openTime,
        requestId: req.requestId,
        result: m.candles.slice(0, warm) as never,
      }),
      first.open,
      first.openTime,
    );
    handle(startCommands, first.open, first.openTime);
    const fills: string[] = [];
    for (const c of m.candles.slice(warm)) {
      // orders decided on the previous close execute at this candle's open (the seed's timing)
      for (const o of pending.splice(0)) {
        perp.setPrice(c.open, c.openTime);
        const r = perp.executeOrder(o.clientOrderId, o.request, c.openTime);
        if (!r.ok) throw new Error(r.reason);
        fills.push(`${o.request.side} ${o.request.quantity} @ ${c.open}`);
        handle(feed(bot, { type: 'orderPlaced', now: c.openTime, snapshot: r.snapshot }), c.open, c.openTime);
      }
      perp.onCandle(c);
      handle(feed(bot, { type: 'candle', now: c.closeTime + 1, candle: c }), c.close, c.closeTime + 1);
    }
    const entryClose = m.candles[warm + 1]!.close;
    const entryOpen = m.candles[warm + 2]!.open;
    // "taille_max = marge_disponible × 10" with the fee kept out: 1000 / (close N-1 x (1/10 + 0.0005)), on the 0.00001 lot step
    const qty = (Math.floor((1000 / (Number(entryClose) * 0.1005)) * 1e5) / 1e5).toString();
    expect(fills).toEqual([`SELL ${qty} @ ${entryOpen}`, `BUY ${qty} @ ${m.candles[warm + 4]!.open}`]);
    const s = strategyState<RsiSniperState>(bot);
    expect(s.trades).toHaveLength(1);
    expect(s.trades[0]).toMatchObject({ kind: 'short', reason: expect.stringMatching(/^exit short: RSI 58/) });
    expect(perp.position().positionAmt).toBe('0');
    expect(perp.liquidations).toBe(0);
    // price fell from the entry: the short made money net of both fees
    expect(Number(perp.account().walletBalance)).toBeGreaterThan(1000);
  });
});
