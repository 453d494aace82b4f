/**
 * The simulated perpetual's money, worked by hand against Binance's documented formulas
 * (USDⓈ-M "How to Calculate Liquidation Price", "Leverage and Margin", "Funding Rates"):
 *
 *   initial margin      IM  = |size| × mark / leverage
 *   maintenance margin  MM  = |size| × mark × MMR − cum            (bracket of that notional)
 *   unrealised PnL      UPnL = size × (mark − entry)               (size signed)
 *   liquidation price   LP  = (WB − TMM1 + UPNL1 + cum − side × |size| × entry) / (|size| × MMR − side × |size|)
 *   funding             paid = size × mark × rate                   (longs pay when rate > 0)
 *   commission          fee = qty × price × rate (taker 0.05 %, maker 0.02 %)
 *
 * BTCUSDT brackets (symbols.ts): notional < 50,000 → MMR 0.4 %, cum 0, leverage ≤ 125.
 * The default book is unlimited at the reference: every taker order fills at the last price.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PERP_SYMBOLS,
  Perpetual,
  type PerpEvent,
  breakEvenPrice,
  liquidationPrice,
  maintenanceMargin,
} from '../../venue/perpetual';

const T0 = 3_600_000; // 01:00 UTC, an hour after a funding time
const BTC = 'BTCUSDT';

function setup(wallet = '1000', leverage = 10) {
  const perp = new Perpetual({ symbols: DEFAULT_PERP_SYMBOLS });
  perp.addAccount('a', { USDT: wallet }, T0);
  perp.setLastPrice(BTC, '30000');
  perp.onPrice(BTC, { price: '30000', time: T0, qty: null, sweep: false });
  expect(perp.setLeverage('a', BTC, leverage, T0).ok).toBe(true);
  return perp;
}

const market = (
  perp: Perpetual,
  side: 'BUY' | 'SELL',
  quantity: string,
  time = T0,
  extra: Record<string, unknown> = {},
) => perp.placeOrder({ accountId: 'a', symbol: BTC, side, type: 'MARKET', quantity, time, ...extra });

const at = (perp: Perpetual, price: string, time: number, sweep = false) =>
  perp.onPrice(BTC, { price, time, qty: null, sweep });

describe('margin, PnL and fees of a cross position', () => {
  it('long 0.1 BTC at 30,000, 10x: fee 1.5, IM 300, MM 12, available 698.5; at 31,000 UPnL 100', () => {
    const perp = setup();
    const r = market(perp, 'BUY', '0.1');
    expect(r.ok && r.order.status).toBe('FILLED');
    // fee = 0.1 × 30000 × 0.0005 = 1.5; wallet 1000 − 1.5
    expect(r.ok && r.fills[0]).toMatchObject({
      price: '30000',
      qty: '0.1',
      commission: '1.5',
      isMaker: false,
      realizedPnl: '0',
    });
    let acc = perp.account('a')!;
    expect(acc).toMatchObject({
      walletBalance: '998.5',
      positionInitialMargin: '300',
      maintMargin: '12',
      availableBalance: '698.5',
      unrealizedProfit: '0',
    });
    at(perp, '31000', T0 + 1000);
    const pos = perp.positions('a', BTC)[0]!;
    // UPnL = 0.1 × (31000 − 30000) = 100; IM = 3100 / 10 = 310; MM = 3100 × 0.004 = 12.4
    expect(pos).toMatchObject({
      positionAmt: '0.1',
      entryPrice: '30000',
      markPrice: '31000',
      unRealizedProfit: '100',
      initialMargin: '310',
      maintMargin: '12.4',
      notional: '3100',
      leverage: 10,
      marginType: 'CROSSED',
    });
    acc = perp.account('a')!;
    // available = 998.5 + 100 − 310 = 788.5; margin balance = 998.5 + 100
    expect(acc).toMatchObject({ availableBalance: '788.5', marginBalance: '1098.5', maxWithdrawAmount: '788.5' });
  });

  it('liquidation price of that long: (998.5 − 0.1 × 30000) / (0.1 × 0.004 − 0.1) = 20,095.3815…', () => {
    const perp = setup();
    market(perp, 'BUY', '0.1');
    // (998.5 − 3000) / (0.0004 − 0.1) = −2001.5 / −0.0996 = 20095.381526104417670682…
    expect(perp.positions('a', BTC)[0]!.liquidationPrice).toBe('20095.3815261');
    // Check: at that mark the margin balance equals the maintenance margin:
    // 998.5 + 0.1 × (20095.3815261 − 30000) = 8.0381526… = 0.1 × 20095.3815261 × 0.004
    const lp = liquidationPrice({
      amount: '0.1',
      entryPrice: '30000',
      walletBalance: '998.5',
      otherMaintenance: '0',
      otherUnrealized: '0',
      brackets: DEFAULT_PERP_SYMBOLS[0]!.brackets,
    })!;
    const balance = lp.minus(30000).times('0.1').plus('998.5');
    expect(
      balance
        .minus(maintenanceMargin(DEFAULT_PERP_SYMBOLS[0]!.brackets, lp.times('0.1')))
        .abs()
        .lessThan('1e-20'),
    ).toBe(true);
  });

  it('averages the entry, realises PnL on the reduction and flips with the rest', () => {
    const perp = setup('10000');
    market(perp, 'BUY', '0.1'); // fee 1.5
    at(perp, '31000', T0 + 1);
    market(perp, 'BUY', '0.1', T0 + 2); // fee 0.1 × 31000 × 0.0005 = 1.55
    // entry = (0.1 × 30000 + 0.1 × 31000) / 0.2 = 30500
    expect(perp.positions('a', BTC)[0]).toMatchObject({ positionAmt: '0.2', entryPrice: '30500' });
    at(perp, '32000', T0 + 3);
    const flip = market(perp, 'SELL', '0.3', T0 + 4); // fee 0.3 × 32000 × 0.0005 = 4.8
    // realised = 0.2 × (32000 − 30500) = 300; a short of 0.1 opens at 32000
    expect(flip.ok && flip.fills[0]!.realizedPnl).toBe('300');
    expect(perp.positions('a', BTC)[0]).toMatchObject({
      positionAmt: '-0.1',
      entryPrice: '32000',
      accumulatedRealized: '300',
    });
    // wallet = 10000 − 1.5 − 1.55 + 300 − 4.8 = 10292.15
    expect(perp.account('a')!.walletBalance).toBe('10292.15');
    expect(perp.incomes('a').map((i) => [i.incomeType, i.income])).toEqual([
      ['TRANSFER', '10000'],
      ['COMMISSION', '-1.5'],
      ['COMMISSION', '-1.55'],
      ['REALIZED_PNL', '300'],
      ['COMMISSION', '-4.8'],
    ]);
  });

  it('break-even price covers both taker fees: long E(1+f)/(1−f), short E(1−f)/(1+f)', () => {
    // 30000 × 1.0005 / 0.9995 = 30030.015007503751875…
    expect(breakEvenPrice('0.1', '30000', '0.0005')).toBe('30030.0150075');
    // 30000 × 0.9995 / 1.0005 = 29970.014992503748…
    expect(breakEvenPrice('-0.1', '30000', '0.0005')).toBe('29970.0149925');
  });

  it('a resting LIMIT fills as maker at its price (0.02 %) when the market trades through it', () => {
    const perp = setup();
    const r = perp.placeOrder({
      accountId: 'a',
      symbol: BTC,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '29500',
      quantity: '0.1',
      newClientOrderId: 'l1',
      time: T0,
    });
    expect(r.ok && r.order.status).toBe('NEW');
    // open-order margin: 0.1 × 29500 / 10 = 295
    expect(perp.account('a')!.openOrderInitialMargin).toBe('295');
    const events = at(perp, '29400', T0 + 1000, true);
    const fill = events.find((e): e is Extract<PerpEvent, { kind: 'order' }> => e.kind === 'order' && e.fill !== null)!;
    // fee = 0.1 × 29500 × 0.0002 = 0.59
    expect(fill.fill).toMatchObject({ price: '29500', commission: '0.59', isMaker: true });
    expect(perp.account('a')!.walletBalance).toBe('999.41');
  });
});

describe('isolated margin and liquidation', () => {
  it('short 0.1 at 30,000 isolated 10x: isolated wallet 300, LP 3300 / 0.1004 = 32,868.5258…, liquidated at mark 32,900', () => {
    const perp = setup();
    expect(perp.setMarginType('a', BTC, 'ISOLATED', T0).ok).toBe(true);
    market(perp, 'SELL', '0.1');
    let pos = perp.positions('a', BTC)[0]!;
    // isolated wallet = 0.1 × 30000 / 10 = 300; the fee (1.5) comes from the cross wallet
    expect(pos).toMatchObject({ positionAmt: '-0.1', isolatedWallet: '300', marginType: 'ISOLATED' });
    expect(perp.account('a')).toMatchObject({ walletBalance: '998.5', crossWalletBalance: '698.5' });
    // LP = (300 − (−1) × 0.1 × 30000) / (0.1 × 0.004 − (−1) × 0.1) = 3300 / 0.1004 = 32868.525896414342…
    expect(pos.liquidationPrice).toBe('32868.52589641');
    // Mark 32,800: isolated margin 300 − 280 = 20 > MM 0.1 × 32800 × 0.004 = 13.12: alive.
    expect(perp.setMarkPrice(BTC, '32800', T0 + 1000).filter((e) => e.kind === 'order')).toEqual([]);
    pos = perp.positions('a', BTC)[0]!;
    expect(pos).toMatchObject({ unRealizedProfit: '-280', isolatedMargin: '20' });
    // Mark 32,900: 300 − 290 = 10 ≤ 13.16: liquidated at the mark. Realised −290; the clearance
    // fee takes what is left (min(0.1 × 32900 × 1.25 % = 41.125, 10) = 10): the cross wallet keeps 698.5.
    const events = perp.setMarkPrice(BTC, '32900', T0 + 2000);
    const liq = events.find(
      (e): e is Extract<PerpEvent, { kind: 'order' }> => e.kind === 'order' && e.executionType === 'CALCULATED',
    )!;
    expect(liq.order).toMatchObject({
      type: 'LIQUIDATION',
      side: 'BUY',
      status: 'FILLED',
      executedQty: '0.1',
      clientOrderId: `autoclose-${T0 + 2000}`,
    });
    expect(liq.fill).toMatchObject({ price: '32900', realizedPnl: '-290' });
    expect(perp.positions('a', BTC)[0]).toMatchObject({ positionAmt: '0', isolatedWallet: '0' });
    expect(perp.account('a')).toMatchObject({ walletBalance: '698.5', crossWalletBalance: '698.5' });
    expect(
      perp
        .incomes('a')
        .slice(-2)
        .map((i) => [i.incomeType, i.income]),
    ).toEqual([
      ['REALIZED_PNL', '-290'],
      ['INSURANCE_CLEAR', '-10'],
    ]);
  });

  it('cross: MARGIN_CALL at 80 % of the margin balance, then liquidation; the insurance fund covers the deficit', () => {
    const perp = setup();
    market(perp, 'BUY', '0.1');
    perp.placeOrder({
      accountId: 'a',
      symbol: BTC,
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '31000',
      quantity: '0.1',
      reduceOnly: true,
      newClientOrderId: 'tp',
      time: T0,
    });
    // mark 20,200: balance 998.5 − 980 = 18.5, MM 8.08: ratio 0.44, no call
    expect(perp.setMarkPrice(BTC, '20200', T0 + 1).some((e) => e.kind === 'marginCall')).toBe(false);
    // mark 20,110: balance 998.5 − 989 = 9.5, MM 0.1 × 20110 × 0.004 = 8.044: ratio 0.847 ≥ 0.8
    const call = perp
      .setMarkPrice(BTC, '20110', T0 + 2)
      .find((e): e is Extract<PerpEvent, { kind: 'marginCall' }> => e.kind === 'marginCall')!;
    expect(call.positions[0]).toMatchObject({
      symbol: BTC,
      positionAmount: '0.1',
      markPrice: '20110',
      unrealizedPnL: '-989',
      maintenanceMarginRequired: '8.044',
    });
    // Once per episode.
    expect(perp.setMarkPrice(BTC, '20105', T0 + 3).some((e) => e.kind === 'marginCall')).toBe(false);
    // mark 20,000: balance −1.5 ≤ MM 8: liquidated; the open order is cancelled first.
    const events = perp.setMarkPrice(BTC, '20000', T0 + 4);
    expect(events.find((e) => e.kind === 'order' && e.order.clientOrderId === 'tp')).toMatchObject({
      executionType: 'CANCELED',
    });
    // realised −1000 against a cross wallet of 998.5: nothing left for the fee, the fund pays 1.5.
    expect(perp.account('a')!.walletBalance).toBe('0');
    expect(
      perp
        .incomes('a')
        .slice(-2)
        .map((i) => [i.incomeType, i.income]),
    ).toEqual([
      ['REALIZED_PNL', '-1000'],
      ['INSURANCE_CLEAR', '1.5'],
    ]);
  });
});

describe('funding every 8 hours on the mark', () => {
  it('a long pays 0.1 × 30,000 × 0.01 % = 0.3 at 08:00, a short receives it; a negative rate reverses it', () => {
    const perp = new Perpetual({ symbols: DEFAULT_PERP_SYMBOLS });
    perp.addAccount('long', { USDT: '1000' }, T0);
    perp.addAccount('short', { USDT: '1000' }, T0);
    at(perp, '30000', T0);
    perp.placeOrder({ accountId: 'long', symbol: BTC, side: 'BUY', type: 'MARKET', quantity: '0.1', time: T0 });
    perp.placeOrder({ accountId: 'short', symbol: BTC, side: 'SELL', type: 'MARKET', quantity: '0.1', time: T0 });
    // 07:59:59: nothing yet; the 08:00 funding uses the mark known before it (30,000), not the next trade's.
    at(perp, '30000', 8 * 3_600_000 - 1000);
    const events = at(perp, '31000', 8 * 3_600_000 + 5);
    const funding = events.filter(
      (e): e is Extract<PerpEvent, { kind: 'account' }> => e.kind === 'account' && e.reason === 'FUNDING_FEE',
    );
    expect(funding.map((e) => [e.accountId, e.time, e.incomes[0]!.income])).toEqual([
      ['long', 8 * 3_600_000, '-0.3'],
      ['short', 8 * 3_600_000, '0.3'],
    ]);
    expect(perp.fundingHistory(BTC)).toEqual([
      { symbol: BTC, fundingRate: '0.0001', fundingTime: 8 * 3_600_000, markPrice: '30000' },
    ]);
    perp.setFundingRate(BTC, '-0.0002');
    // 16:00 at mark 31,000: −0.1 × 31000 × −0.0002 = +0.62 for the long
    perp.advance(16 * 3_600_000);
    expect(perp.incomes('long', { incomeType: 'FUNDING_FEE' }).map((i) => i.income)).toEqual(['-0.3', '0.62']);
    expect(perp.incomes('short', { incomeType: 'FUNDING_FEE' }).map((i) => i.income)).toEqual(['0.3', '-0.62']);
    // wallet = 1000 − 1.5 (fee) − 0.3 + 0.62
    expect(perp.account('long')!.walletBalance).toBe('998.82');
    expect(perp.market(BTC)!.nextFundingTime).toBe(24 * 3_600_000);
  });

  it('a shorter period for tests, and isolated funding comes out of the isolated wallet', () => {
    const perp = new Perpetual({ symbols: DEFAULT_PERP_SYMBOLS, fundingIntervalMs: 60_000, fundingRate: '0.001' });
    perp.addAccount('a', { USDT: '1000' }, 0);
    at(perp, '30000', 1000);
    perp.setMarginType('a', BTC, 'ISOLATED', 1000);
    perp.setLeverage('a', BTC, 10, 1000);
    perp.placeOrder({ accountId: 'a', symbol: BTC, side: 'BUY', type: 'MARKET', quantity: '0.1', time: 1000 });
    at(perp, '30000', 180_000); // fundings at 60 s, 120 s and 180 s: 3 × 0.1 × 30000 × 0.001 = 9
    expect(perp.incomes('a', { incomeType: 'FUNDING_FEE' }).map((i) => [i.time, i.income])).toEqual([
      [60_000, '-3'],
      [120_000, '-3'],
      [180_000, '-3'],
    ]);
    expect(perp.positions('a', BTC)[0]!.isolatedWallet).toBe('291');
  });
});

describe('leverage brackets', () => {
  it('allows 1 … 125 on BTCUSDT, caps the position per leverage (-2027), refuses more margin than available (-2019)', () => {
    const perp = setup('100000', 125);
    expect(perp.setLeverage('a', BTC, 126, T0)).toMatchObject({ ok: false, code: -4028 });
    expect(perp.setLeverage('a', BTC, 0, T0)).toMatchObject({ ok: false, code: -4028 });
    expect(perp.setLeverage('a', BTC, 125, T0)).toMatchObject({ ok: true, maxNotionalValue: '50000' });
    // 2 BTC × 30000 = 60,000 > 50,000 allowed at 125x
    expect(market(perp, 'BUY', '2')).toMatchObject({ ok: false, code: -2027 });
    expect(perp.setLeverage('a', BTC, 20, T0)).toMatchObject({ ok: true, maxNotionalValue: '15000000' });
    // 100 BTC at 20x needs 150,000 + fees: more than the 100,000 wallet
    expect(market(perp, 'BUY', '100')).toMatchObject({ ok: false, code: -2019, msg: 'Margin is insufficient.' });
    expect(market(perp, 'BUY', '60').ok).toBe(true);
    // with 60 BTC (1.8 M notional) the leverage cannot go back to 50x (cap 3,000,000 is fine) but 100x (250,000) is refused
    expect(perp.setLeverage('a', BTC, 100, T0)).toMatchObject({ ok: false, code: -2027 });
    // maintenance at 1.8 M: bracket 3 (250k–3M, 1 %, cum 50000 × 0.001 + 250000 × 0.005 = 1300): 18000 − 1300
    expect(perp.positions('a', BTC)[0]!.maintMargin).toBe('16700');
  });
});
