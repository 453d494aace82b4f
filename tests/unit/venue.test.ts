/** Matching, fees, filters and client-id rules of the pure venue (venue). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { d } from '../../core/decimal';
import {
  DEFAULT_SYMBOLS,
  type FillView,
  type OrderView,
  type PlaceOrderRequest,
  type VenueConfig,
  type VenueEvent,
  Venue,
  candlePricePath,
  comparePrices,
  lowFirst,
  fastNumber,
  toOrderSnapshot,
} from '../../venue';

const A = 'acct';
let clock = 1_000;
const t = () => (clock += 1000);

function venue(
  config: Partial<VenueConfig> = {},
  balances: Record<string, string> = { USDT: '100000', BTC: '10' },
): Venue {
  const v = new Venue({ symbols: DEFAULT_SYMBOLS, ...config });
  v.addAccount(A, balances, 0);
  v.setLastPrice('BTCUSDT', '30000');
  return v;
}

function place(v: Venue, req: Omit<PlaceOrderRequest, 'accountId' | 'symbol' | 'time'> & { symbol?: string }) {
  return v.placeOrder({ accountId: A, symbol: 'BTCUSDT', time: t(), ...req });
}

function placed(
  v: Venue,
  req: Parameters<typeof place>[1],
): { order: OrderView; fills: readonly FillView[]; events: readonly VenueEvent[] } {
  const r = place(v, req);
  if (!r.ok) throw new Error(`unexpected rejection ${r.code} ${r.msg}`);
  return r;
}

function order(v: Venue, id: number): OrderView {
  const r = v.getOrder(A, 'BTCUSDT', { orderId: id });
  if (!r.ok) throw new Error(r.msg);
  return r.order;
}

const price = (v: Venue, p: string, opts: { qty?: string | null; sweep?: boolean } = {}) =>
  v.onPrice('BTCUSDT', { price: p, time: t(), qty: opts.qty ?? null, sweep: opts.sweep ?? false });

const fills = (events: readonly VenueEvent[]) => events.flatMap((e) => (e.kind === 'order' && e.fill ? [e.fill] : []));
const bal = (v: Venue, asset: string) => v.balance(A, asset);

function expectConserved(v: Venue): void {
  for (const [asset, tot] of Object.entries(v.totals())) expect(d(tot.total).isZero(), `${asset} conserved`).toBe(true);
}

describe('candle price path', () => {
  const base = { openTime: 60_000, closeTime: 119_999, volume: '8' };
  it('goes open → high → low → close when the high is nearer the open', () => {
    const path = candlePricePath({ ...base, open: '100', high: '102', low: '95', close: '99' });
    expect(path.map((p) => p.price)).toEqual(['100', '102', '95', '99']);
    expect(path.map((p) => p.sweep)).toEqual([false, true, true, true]);
    expect(path.map((p) => p.qty)).toEqual(['2', '2', '2', '2']);
    expect(path[0]?.time).toBe(60_000);
    expect(path[3]?.time).toBe(119_999);
  });
  it('goes open → low → high → close when the low is strictly nearer', () => {
    expect(candlePricePath({ ...base, open: '100', high: '105', low: '99', close: '104' }).map((p) => p.price)).toEqual(
      ['100', '99', '105', '104'],
    );
  });
  it('decides low-first like exact decimals, close calls and long decimals included', () => {
    const exact = (o: string, h: string, l: string) => d(o).times(2).lessThan(d(h).plus(l));
    const digits = fc.stringMatching(/^[1-9][0-9]{0,8}(\.[0-9]{1,12})?$/);
    fc.assert(
      fc.property(digits, digits, digits, (a, b, c) => {
        const [l, o, h] = [a, b, c].sort((x, y) => d(x).comparedTo(y));
        expect(lowFirst({ open: o as string, high: h as string, low: l as string })).toBe(
          exact(o as string, h as string, l as string),
        );
      }),
      { numRuns: 2000 },
    );
    // Near-ties beyond double precision.
    expect(lowFirst({ open: '1000000.000000000001', high: '1000000.000000000003', low: '1000000' })).toBe(true);
    expect(lowFirst({ open: '1000000.000000000002', high: '1000000.000000000003', low: '1000000' })).toBe(false);
  });

  it('breaks ties toward the high first', () => {
    expect(candlePricePath({ ...base, open: '100', high: '101', low: '99', close: '100' }).map((p) => p.price)).toEqual(
      ['100', '101', '99', '100'],
    );
  });
});

describe('fast price comparison', () => {
  it('uses numbers only when both sides have at most 15 significant digits', () => {
    expect(fastNumber('30000.50000000')).toBe(30000.5);
    expect(fastNumber('0.000000012345678901234')).toBe(1.2345678901234e-8); // 14 digits
    expect(fastNumber('0.00000001234567890123456')).toBeNaN(); // 16 digits
    expect(fastNumber('1234567890.12345')).toBe(1234567890.12345);
    expect(fastNumber('1234567890.123456')).toBeNaN();
  });
  it('agrees with exact comparison, including past 15 digits', () => {
    const pairs: Array<[string, string]> = [
      ['0.1', '0.10000000'],
      ['100000000000000.1', '100000000000000.2'],
      ['9007199254740993', '9007199254740992'],
      ['0.30000000000000001', '0.3'],
    ];
    for (const [a, b] of pairs) expect(comparePrices(a, fastNumber(a), b, fastNumber(b))).toBe(d(a).comparedTo(b));
  });
});

describe('MARKET orders', () => {
  it('buys at the last price and charges the taker fee in the base asset', () => {
    const v = venue();
    const r = placed(v, { side: 'BUY', type: 'MARKET', quantity: '0.1' });
    expect(r.order.status).toBe('FILLED');
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]).toMatchObject({
      price: '30000',
      qty: '0.1',
      quoteQty: '3000',
      commission: '0.0001',
      commissionAsset: 'BTC',
      isMaker: false,
    });
    expect(bal(v, 'USDT').free).toBe('97000');
    expect(bal(v, 'BTC').free).toBe('10.0999');
    expect(v.feesCollectedBy('BTC')).toBe('0.0001');
    expectConserved(v);
  });

  it('sells and charges the fee in the quote asset, rounded up to 8 decimals', () => {
    const v = venue({ takerFee: '0.00075' });
    v.setLastPrice('BTCUSDT', '30000.01');
    const r = placed(v, { side: 'SELL', type: 'MARKET', quantity: '0.001' });
    // 30.00001 × 0.00075 = 0.0225000075 → 0.02250001
    expect(r.fills[0]).toMatchObject({ quoteQty: '30.00001', commission: '0.02250001', commissionAsset: 'USDT' });
    expect(bal(v, 'USDT').free).toBe(d('100000').plus('30.00001').minus('0.02250001').toFixed());
    expectConserved(v);
  });

  it('spends a quoteOrderQty budget in whole steps', () => {
    const v = venue();
    const r = placed(v, { side: 'BUY', type: 'MARKET', quoteOrderQty: '100' });
    expect(r.order).toMatchObject({
      status: 'FILLED',
      origQty: '0.00333',
      executedQty: '0.00333',
      cummulativeQuoteQty: '99.9',
      origQuoteOrderQty: '100',
    });
  });

  it('walks a thin book level by level and expires what it cannot fill', () => {
    const v = venue({ book: { spreadTicks: 1, levels: 3, levelStepTicks: 100, levelQty: '0.5' } });
    const r = placed(v, { side: 'BUY', type: 'MARKET', quantity: '2' });
    expect(r.fills.map((f) => [f.price, f.qty])).toEqual([
      ['30000.01', '0.5'],
      ['30001.01', '0.5'],
      ['30002.01', '0.5'],
    ]);
    expect(r.order).toMatchObject({ status: 'EXPIRED', executedQty: '1.5', expiryReason: 'INSUFFICIENT_LIQUIDITY' });
    expectConserved(v);
  });

  it('refuses a buy the free balance cannot pay for', () => {
    const v = venue({}, { USDT: '100' });
    const r = place(v, { side: 'BUY', type: 'MARKET', quantity: '0.01' });
    expect(r).toMatchObject({ ok: false, code: -2010, msg: 'Account has insufficient balance for requested action.' });
    expect(v.openOrders(A)).toHaveLength(0);
  });
});

describe('LIMIT orders', () => {
  it('reserves funds, rests, and fills at its own price (maker) when the market touches it', () => {
    const v = venue({ makerFee: '0.0002' });
    const r = placed(v, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '29000' });
    expect(r.order.status).toBe('NEW');
    expect(bal(v, 'USDT')).toMatchObject({ free: '71000', locked: '29000' });
    expect(price(v, '29000.01')).toHaveLength(0);
    const f = fills(price(v, '28500'));
    expect(f[0]).toMatchObject({ price: '29000', qty: '1', isMaker: true, commission: '0.0002' });
    expect(order(v, r.order.orderId).status).toBe('FILLED');
    expect(bal(v, 'USDT')).toMatchObject({ free: '71000', locked: '0' });
    expectConserved(v);
  });

  it('takes at the better price when marketable and releases the unused reservation', () => {
    const v = venue();
    const r = placed(v, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '31000' });
    expect(r.fills[0]).toMatchObject({ price: '30000', isMaker: false });
    expect(r.order.status).toBe('FILLED');
    expect(bal(v, 'USDT')).toMatchObject({ free: '70000', locked: '0' });
  });

  it('IOC fills what it can and expires the rest; FOK fills all or nothing', () => {
    const thin = { book: { spreadTicks: 0, levels: 1, levelStepTicks: 1, levelQty: '0.4' } };
    const v = venue(thin);
    const ioc = placed(v, { side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: '1', price: '30000' });
    expect(ioc.order).toMatchObject({
      status: 'EXPIRED',
      executedQty: '0.4',
      expiryReason: 'UNFILLED_IOC_QUANTITY_EXPIRED',
    });
    const fok = placed(v, { side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', quantity: '1', price: '30000' });
    expect(fok.order).toMatchObject({ status: 'EXPIRED', executedQty: '0' });
    expect(fok.fills).toHaveLength(0);
    const fokOk = placed(v, { side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', quantity: '0.4', price: '30000' });
    expect(fokOk.order.status).toBe('FILLED');
    expect(bal(v, 'USDT').locked).toBe('0');
    expectConserved(v);
  });

  it('GTC rests the remainder of a partly marketable order', () => {
    const v = venue({ book: { spreadTicks: 0, levels: 1, levelStepTicks: 1, levelQty: '0.4' } });
    const r = placed(v, { side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '30000' });
    expect(r.order).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.4' });
    expect(bal(v, 'BTC')).toMatchObject({ locked: '0.6' });
    fills(price(v, '30100'));
    expect(order(v, r.order.orderId).status).toBe('FILLED');
  });

  it('LIMIT_MAKER that would take is rejected; below the market it rests', () => {
    const v = venue();
    expect(place(v, { side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.1', price: '30000' })).toMatchObject({
      ok: false,
      code: -2010,
      msg: 'Order would immediately match and take.',
    });
    expect(placed(v, { side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.1', price: '29999.99' }).order.status).toBe(
      'NEW',
    );
  });

  it('shares thin liquidity by price priority, then time, leaving partial fills', () => {
    const v = venue({ participation: '0.5' });
    const a = placed(v, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '29000' });
    const b = placed(v, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '29500' });
    // 1.2 traded at 28900: our share is 0.6, best bid (b) first.
    const f = fills(price(v, '28900', { qty: '1.2' }));
    expect(f.map((x) => [x.orderId, x.qty])).toEqual([[b.order.orderId, '0.6']]);
    expect(order(v, b.order.orderId).status).toBe('PARTIALLY_FILLED');
    const f2 = fills(price(v, '28800', { qty: '2' }));
    expect(f2.map((x) => [x.orderId, x.qty, x.price])).toEqual([
      [b.order.orderId, '0.4', '29500'],
      [a.order.orderId, '0.6', '29000'],
    ]);
    expect(order(v, b.order.orderId).status).toBe('FILLED');
    expect(order(v, a.order.orderId)).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.6' });
    expectConserved(v);
  });
});

describe('stop orders', () => {
  it('refuses a stop that would trigger immediately', () => {
    const v = venue();
    expect(place(v, { side: 'SELL', type: 'STOP_LOSS', quantity: '1', stopPrice: '30000' })).toMatchObject({
      ok: false,
      code: -2010,
      msg: 'Order would trigger immediately.',
    });
    expect(place(v, { side: 'BUY', type: 'TAKE_PROFIT', quantity: '1', stopPrice: '30001' })).toMatchObject({
      ok: false,
      msg: 'Order would trigger immediately.',
    });
  });

  it('STOP_LOSS inside a candle fills at the stop price; gapped over at the open it fills at the open', () => {
    const v = venue();
    const s1 = placed(v, { side: 'SELL', type: 'STOP_LOSS', quantity: '1', stopPrice: '29000' });
    expect(s1.order).toMatchObject({ status: 'NEW', isWorking: false, workingTime: -1 });
    const ev = v.onCandle('BTCUSDT', {
      open: '30000',
      high: '30100',
      low: '28000',
      close: '28500',
      volume: '10',
      openTime: 0,
      closeTime: 59_999,
    });
    expect(fills(ev)[0]).toMatchObject({ price: '29000', isMaker: false });
    const s2 = placed(v, { side: 'SELL', type: 'STOP_LOSS', quantity: '1', stopPrice: '28000' });
    const gap = v.onCandle('BTCUSDT', {
      open: '27000',
      high: '27500',
      low: '26900',
      close: '27200',
      volume: '10',
      openTime: 60_000,
      closeTime: 119_999,
    });
    expect(fills(gap)[0]).toMatchObject({ orderId: s2.order.orderId, price: '27000' });
    expectConserved(v);
  });

  it('STOP_LOSS_LIMIT gapped below its limit rests until the price comes back', () => {
    const v = venue();
    const s = placed(v, {
      side: 'SELL',
      type: 'STOP_LOSS_LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      stopPrice: '29000',
      price: '28900',
    });
    expect(fills(price(v, '28000'))).toHaveLength(0);
    expect(order(v, s.order.orderId)).toMatchObject({ status: 'NEW', isWorking: true });
    const f = fills(price(v, '28950'));
    expect(f[0]).toMatchObject({ price: '28900', isMaker: true });
  });

  it('TAKE_PROFIT_LIMIT SELL triggers on the way up', () => {
    const v = venue();
    placed(v, {
      side: 'SELL',
      type: 'TAKE_PROFIT_LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      stopPrice: '31000',
      price: '30900',
    });
    expect(fills(price(v, '30999'))).toHaveLength(0);
    expect(fills(price(v, '31000', { sweep: true }))[0]).toMatchObject({ price: '31000' });
  });

  it('trails: a SELL stop with trailingDelta follows the high and triggers on the fall', () => {
    const v = venue();
    const s = placed(v, { side: 'SELL', type: 'STOP_LOSS', quantity: '1', trailingDelta: 100 });
    price(v, '31000');
    expect(fills(price(v, '30700'))).toHaveLength(0); // 30690 is 1 % below 31000
    expect(fills(price(v, '30690', { sweep: true }))[0]).toMatchObject({ orderId: s.order.orderId, price: '30690' });
  });

  it('trails from the stop price once it is reached (activation price)', () => {
    const v = venue();
    placed(v, { side: 'SELL', type: 'TAKE_PROFIT', quantity: '1', stopPrice: '32000', trailingDelta: 500 });
    expect(fills(price(v, '25000'))).toHaveLength(0); // not tracking yet
    expect(fills(price(v, '33000', { sweep: true }))).toHaveLength(0); // tracking, high 33000
    expect(fills(price(v, '31400', { sweep: true }))).toHaveLength(0); // above 33000 × 0.95
    expect(fills(price(v, '31300', { sweep: true }))[0]).toMatchObject({ price: '31350' }); // triggers at 31350 on the way down
  });
});

describe('OCO order lists', () => {
  const oco = (v: Venue, extra: Partial<Parameters<Venue['placeOco']>[0]> = {}) =>
    v.placeOco({
      accountId: A,
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '1',
      listClientOrderId: 'list-1',
      above: { type: 'LIMIT_MAKER', price: '32000', clientOrderId: 'tp-1' },
      below: { type: 'STOP_LOSS_LIMIT', stopPrice: '29000', price: '28900', timeInForce: 'GTC', clientOrderId: 'sl-1' },
      time: t(),
      ...extra,
    });

  it('reserves once; the take-profit filling expires the stop', () => {
    const v = venue();
    const r = oco(v);
    if (!r.ok) throw new Error(r.msg);
    expect(bal(v, 'BTC')).toMatchObject({ free: '9', locked: '1' });
    const ev = price(v, '32000');
    const reports = ev.flatMap((e) =>
      e.kind === 'order' ? [[e.order.clientOrderId, e.executionType, e.order.status]] : [],
    );
    expect(reports).toEqual([
      ['tp-1', 'TRADE', 'FILLED'],
      ['sl-1', 'EXPIRED', 'EXPIRED'],
    ]);
    const list = ev.find((e) => e.kind === 'list');
    expect(list?.kind === 'list' && list.list.listOrderStatus).toBe('ALL_DONE');
    expect(bal(v, 'BTC')).toMatchObject({ free: '9', locked: '0' });
    expectConserved(v);
  });

  it('the stop triggering expires the limit leg', () => {
    const v = venue();
    oco(v);
    const ev = v.onCandle('BTCUSDT', {
      open: '30000',
      high: '30000',
      low: '28000',
      close: '28100',
      volume: '1',
      openTime: 0,
      closeTime: 59_999,
    });
    const reports = ev.flatMap((e) => (e.kind === 'order' ? [[e.order.clientOrderId, e.executionType]] : []));
    expect(reports).toEqual([
      ['tp-1', 'EXPIRED'],
      ['sl-1', 'TRADE'],
    ]);
    expect(fills(ev)[0]?.price).toBe('29000');
  });

  it('cancelling one leg cancels the list, and the list id can then be used again', () => {
    const v = venue();
    oco(v);
    const c = v.cancelOrder({ accountId: A, symbol: 'BTCUSDT', origClientOrderId: 'sl-1', time: t() });
    if (!c.ok) throw new Error(c.msg);
    expect(c.listOrders.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(c.list?.listOrderStatus).toBe('ALL_DONE');
    expect(oco(v).ok).toBe(true);
    expect(oco(v)).toMatchObject({ ok: false, code: -2010, msg: 'Duplicate order sent.' });
  });

  it('enforces leg sides and the price relationship', () => {
    const v = venue();
    expect(oco(v, { above: { type: 'STOP_LOSS', stopPrice: '31000' } })).toMatchObject({ ok: false, code: -1197 });
    expect(oco(v, { below: { type: 'LIMIT_MAKER', price: '29000' } })).toMatchObject({ ok: false, code: -1168 });
    expect(oco(v, { above: { type: 'LIMIT_MAKER', price: '29500' } })).toMatchObject({
      ok: false,
      code: -2010,
      msg: 'The relationship of the prices for the orders is not correct.',
    });
  });
});

describe('validation', () => {
  it('applies PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL and precision with Binance codes', () => {
    const v = venue();
    const lim = { side: 'BUY' as const, type: 'LIMIT' as const, timeInForce: 'GTC' as const };
    expect(place(v, { ...lim, quantity: '0.1', price: '29000.001' })).toMatchObject({
      code: -1013,
      msg: 'Filter failure: PRICE_FILTER',
    });
    expect(place(v, { ...lim, quantity: '0.000015', price: '29000' })).toMatchObject({
      code: -1013,
      msg: 'Filter failure: LOT_SIZE',
    });
    expect(place(v, { ...lim, quantity: '0.0001', price: '29000' })).toMatchObject({
      code: -1013,
      msg: 'Filter failure: NOTIONAL',
    });
    expect(place(v, { ...lim, quantity: '0.000000001', price: '29000' })).toMatchObject({
      code: -1111,
      msg: "Parameter 'quantity' has too much precision.",
    });
    expect(place(v, { side: 'BUY', type: 'MARKET', quantity: '121' })).toMatchObject({
      code: -1013,
      msg: 'Filter failure: MARKET_LOT_SIZE',
    });
    expect(place(v, { side: 'SELL', type: 'STOP_LOSS', quantity: '1', trailingDelta: 5 })).toMatchObject({
      code: -1013,
      msg: 'Filter failure: TRAILING_DELTA',
    });
    expect(place(v, { ...lim, quantity: '1e-3', price: '29000' })).toMatchObject({ code: -1100 });
  });

  it('checks parameter combinations like Binance', () => {
    const v = venue();
    expect(place(v, { side: 'BUY', type: 'LIMIT', quantity: '0.1', price: '29000' })).toMatchObject({
      code: -1102,
      msg: "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
    });
    expect(place(v, { side: 'BUY', type: 'MARKET' })).toMatchObject({
      code: -1102,
      msg: "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
    });
    expect(place(v, { side: 'BUY', type: 'MARKET', quantity: '0.1', price: '1' })).toMatchObject({
      code: -1106,
      msg: "Parameter 'price' sent when not required.",
    });
    expect(place(v, { side: 'BUY', type: 'MARKET', quantity: '0.1', timeInForce: 'GTC' })).toMatchObject({
      code: -1114,
    });
    expect(place(v, { side: 'SELL', type: 'STOP_LOSS', quantity: '0.1' })).toMatchObject({ code: -1102 });
    expect(place(v, { symbol: 'NOPEUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' })).toMatchObject({
      code: -1121,
      msg: 'Invalid symbol.',
    });
  });

  it('enforces MAX_NUM_ORDERS per account and symbol', () => {
    const filters = { ...(DEFAULT_SYMBOLS[0] as (typeof DEFAULT_SYMBOLS)[0]).filters, maxNumOrders: 2 };
    const v = venue({ symbols: [{ ...(DEFAULT_SYMBOLS[0] as (typeof DEFAULT_SYMBOLS)[0]), filters }] });
    const lim = {
      side: 'BUY' as const,
      type: 'LIMIT' as const,
      timeInForce: 'GTC' as const,
      quantity: '0.1',
      price: '29000',
    };
    expect(place(v, lim).ok).toBe(true);
    expect(place(v, lim).ok).toBe(true);
    expect(place(v, lim)).toMatchObject({ code: -1013, msg: 'Filter failure: MAX_NUM_ORDERS' });
  });
});

describe('client order ids', () => {
  const lim = {
    side: 'BUY' as const,
    type: 'LIMIT' as const,
    timeInForce: 'GTC' as const,
    quantity: '0.1',
    price: '29000',
  };

  it('accepts ^[a-zA-Z0-9-_]{1,36}$ only', () => {
    const v = venue();
    expect(place(v, { ...lim, newClientOrderId: 'bot.1' })).toMatchObject({
      code: -1100,
      msg: "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
    });
    expect(place(v, { ...lim, newClientOrderId: 'x'.repeat(37) })).toMatchObject({ code: -1100 });
    expect(place(v, { ...lim, newClientOrderId: '' })).toMatchObject({
      code: -1118,
      msg: 'New client order ID was empty.',
    });
    expect(place(v, { ...lim, newClientOrderId: `A-_z9${'x'.repeat(31)}` }).ok).toBe(true);
  });

  it('is unique among open orders only: a filled or cancelled id can be reused (the real hazard)', () => {
    const v = venue();
    const first = placed(v, { ...lim, newClientOrderId: 'cid-1' });
    expect(place(v, { ...lim, newClientOrderId: 'cid-1' })).toMatchObject({
      ok: false,
      code: -2010,
      msg: 'Duplicate order sent.',
    });
    price(v, '28000');
    expect(order(v, first.order.orderId).status).toBe('FILLED');
    const second = placed(v, { ...lim, newClientOrderId: 'cid-1' });
    expect(second.order.orderId).not.toBe(first.order.orderId);
    // A lookup by client id finds the open order, then the latest one.
    expect(v.getOrder(A, 'BTCUSDT', { origClientOrderId: 'cid-1' })).toMatchObject({
      ok: true,
      order: { orderId: second.order.orderId },
    });
    price(v, '30000');
    v.cancelOrder({ accountId: A, symbol: 'BTCUSDT', origClientOrderId: 'cid-1', time: t() });
    expect(placed(v, { ...lim, newClientOrderId: 'cid-1' }).order.status).toBe('NEW');
    // Another account may use the same id.
    v.addAccount('other', { USDT: '10000' });
    expect(
      v.placeOrder({ ...lim, accountId: 'other', symbol: 'BTCUSDT', newClientOrderId: 'cid-1', time: t() }).ok,
    ).toBe(true);
  });

  it('queries with both ids must agree (-2039); unknown ids give -2013 on query and -2011 on cancel', () => {
    const v = venue();
    const o = placed(v, { ...lim, newClientOrderId: 'cid-q' });
    expect(v.getOrder(A, 'BTCUSDT', { orderId: o.order.orderId, origClientOrderId: 'other' })).toMatchObject({
      code: -2039,
    });
    expect(v.getOrder(A, 'BTCUSDT', { origClientOrderId: 'none' })).toMatchObject({
      code: -2013,
      msg: 'Order does not exist.',
    });
    expect(v.cancelOrder({ accountId: A, symbol: 'BTCUSDT', orderId: 999, time: t() })).toMatchObject({
      code: -2011,
      msg: 'Unknown order sent.',
    });
    expect(v.cancelOrder({ accountId: A, symbol: 'BTCUSDT', time: t() })).toMatchObject({ code: -1102 });
  });
});

describe('events, speed path and persistence', () => {
  it('reports NEW, then TRADE with the account update after it', () => {
    const v = venue();
    const r = placed(v, { side: 'BUY', type: 'MARKET', quantity: '0.1', newClientOrderId: 'ev-1' });
    expect(r.events.map((e) => (e.kind === 'order' ? `order:${e.executionType}` : e.kind))).toEqual([
      'order:NEW',
      'order:TRADE',
      'account',
    ]);
    const account = r.events.find((e) => e.kind === 'account');
    expect(account?.kind === 'account' && account.balances.map((b) => b.asset).sort()).toEqual(['BTC', 'USDT']);
    const snap = toOrderSnapshot(r.order, r.fills);
    expect(snap).toMatchObject({ clientOrderId: 'ev-1', status: 'FILLED', exchangeOrderId: r.order.orderId });
    expect(snap.fills?.[0]?.tradeId).toBe(r.fills[0]?.tradeId);
  });

  it('with no open order a candle only moves the price and returns the shared empty list', () => {
    const v = venue();
    const a = v.onCandle('BTCUSDT', {
      open: '1',
      high: '2',
      low: '0.5',
      close: '1.5',
      volume: '1',
      openTime: 0,
      closeTime: 1,
    });
    const b = v.onCandle('BTCUSDT', {
      open: '1',
      high: '2',
      low: '0.5',
      close: '1.7',
      volume: '1',
      openTime: 2,
      closeTime: 3,
    });
    expect(a).toHaveLength(0);
    expect(a).toBe(b);
    expect(v.lastPrice('BTCUSDT')).toBe('1.7');
  });

  it('restores from a snapshot and then behaves identically', () => {
    const v1 = venue();
    placed(v1, {
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '29000',
      newClientOrderId: 'p-1',
    });
    placed(v1, { side: 'SELL', type: 'STOP_LOSS', quantity: '1', stopPrice: '28000', newClientOrderId: 'p-2' });
    const v2 = new Venue({ symbols: DEFAULT_SYMBOLS }, JSON.parse(JSON.stringify(v1.snapshot())));
    const run = (v: Venue) => {
      clock = 50_000;
      const out = [
        ...price(v, '28500'),
        ...price(v, '27000'),
        ...placed(v, { side: 'BUY', type: 'MARKET', quantity: '0.5', newClientOrderId: 'p-3' }).events,
      ];
      return { out, snap: v.snapshot() };
    };
    expect(run(v2)).toEqual(run(v1));
  });
});
