/**
 * The simulated perpetual (backtest/perpetual.ts): margin, leverage, fees, PnL and liquidation
 * worked by hand, then the seed-003 short side through the kernel with the perpetual as the
 * exchange: sized "marge_disponible x 10", filled at the open of the next candle, closed on the
 * seed's exit rule.
 */
import { describe, expect, it } from 'vitest';
import { availableMargin, checkLiquidation, createPerpetual, equity, executeOrder, fill, maxQuantity, reconcileBalances } from '../../backtest/perpetual';
import type { Command } from '../../core/engine';
import { type RsiSniperState, rsiSniper } from '../../core/strategies/rsi-sniper';
import { Market, createBot, feed, fetches, start, strategyState } from '../support/seed-harness';

const CFG = { leverage: 10, takerFee: '0.0005', maintenanceMarginRate: '0.004', stepSize: '0.001' };

describe('simulated perpetual account', () => {
  it('sizes a short as available margin x 10 (fees included) and settles the PnL on close', () => {
    let s = createPerpetual('1000', CFG);
    // 1000 / (100 / 10 + 100 x 0.0005) = 99.502...
    expect(maxQuantity(s, '100')).toBe('99.502');
    const open = fill(s, 'SELL', '99.5', '100');
    expect(open.ok).toBe(true);
    s = open.state;
    expect(s.position).toEqual({ side: 'SHORT', qty: '99.5', entryPrice: '100' });
    expect(s.wallet).toBe('995.025'); // fee 99.5 x 100 x 0.0005 = 4.975
    expect(availableMargin(s, '100')).toBe('0.025'); // 995.025 - 995 locked
    expect(equity(s, '99')).toBe('1094.525'); // + 99.5 unrealised
    const close = fill(s, 'BUY', '99.5', '99');
    s = close.state;
    expect(close.ok && close.realized).toBe('99.5');
    expect(s.position).toBeNull();
    expect(s.wallet).toBe('1089.59975'); // 995.025 + 99.5 - 4.92525
    expect(s.fees).toBe('9.90025');
  });

  it('refuses a position whose margin exceeds what is available', () => {
    const r = fill(createPerpetual('1000', CFG), 'SELL', '120', '100');
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('margin is insufficient: 1200 needed at 10x') });
  });

  it('adds to a position at the average price, and a larger opposite order flips it', () => {
    let s = fill(createPerpetual('1000', CFG), 'BUY', '10', '100').state;
    s = fill(s, 'BUY', '10', '110').state;
    expect(s.position).toEqual({ side: 'LONG', qty: '20', entryPrice: '105' });
    s = fill(s, 'SELL', '25', '110').state;
    expect(s.position).toEqual({ side: 'SHORT', qty: '5', entryPrice: '110' });
    expect(s.realizedPnl).toBe('100'); // 20 x (110 - 105)
  });

  it('liquidates a 10x short when the high brings equity to the maintenance margin', () => {
    const s = fill(createPerpetual('1000', CFG), 'SELL', '99.5', '100').state;
    // equity 995.025 - 99.5 (P - 100) <= 99.5 x P x 0.004  <=>  P >= 109.562...
    expect(checkLiquidation(s, { high: '109.5', low: '100' }).liquidatedAt).toBeNull();
    const liq = checkLiquidation(s, { high: '109.6', low: '100' });
    expect(liq.liquidatedAt).toBe('109.6');
    expect(liq.state.position).toBeNull();
    expect(liq.state.wallet).toBe('39.825'); // 995.025 - 99.5 x 9.6
    expect(liq.state.liquidations).toBe(1);
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

    let perp = createPerpetual('1000', CFG);
    const bot = createBot(rsiSniper, { enableShort: true }, { interval: '15m' });
    const pending: Extract<Command, { type: 'placeOrder' }>[] = [];
    const handle = (commands: readonly Command[], price: string, now: number) => {
      for (const c of commands) {
        if (c.type === 'placeOrder') pending.push(c);
        if (c.type === 'reconcile') handle(feed(bot, { type: 'reconciled', now, balances: reconcileBalances(perp, price), orphans: [], missing: [] }), price, now);
      }
    };
    const first = m.candles[warm]!;
    const startCommands = start(bot, first.openTime);
    const req = fetches(startCommands)[0]!;
    handle(feed(bot, { type: 'data', now: first.openTime, requestId: req.requestId, result: m.candles.slice(0, warm) as never }), first.open, first.openTime);
    handle(startCommands, first.open, first.openTime);
    const fills: string[] = [];
    for (const c of m.candles.slice(warm)) {
      // orders decided on the previous close execute at this candle's open (the seed's timing)
      for (const o of pending.splice(0)) {
        const r = executeOrder(perp, o.clientOrderId, o.request, c.open, c.openTime);
        if (!r.ok) throw new Error(r.reason);
        perp = r.state;
        fills.push(`${o.request.side} ${o.request.quantity} @ ${c.open}`);
        handle(feed(bot, { type: 'orderPlaced', now: c.openTime, snapshot: r.snapshot }), c.open, c.openTime);
      }
      perp = checkLiquidation(perp, c).state;
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
    expect(perp.position).toBeNull();
    // price fell from the entry: the short made money net of both fees
    expect(Number(perp.wallet)).toBeGreaterThan(1000);
  });
});
