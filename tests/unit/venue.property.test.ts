/**
 * Property: whatever sequence of orders, cancels, OCOs, deposits and price moves happens, every
 * asset is conserved. Per account, balance = deposits + what the fills bought or sold − the fees
 * charged; across accounts, house and fee pool, the totals stay exactly zero; nothing goes
 * negative; reservations vanish when no order is open.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, d } from '../../core/decimal';
import { DEFAULT_SYMBOLS, type FillView, Venue, type VenueEvent } from '../../venue';

const ACCOUNTS = ['a', 'b'] as const;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
const START: Record<string, string> = { BTCUSDT: '30000', ETHUSDT: '2000' };
const STEP: Record<string, string> = { BTCUSDT: '0.00001', ETHUSDT: '0.0001' };
const BASE: Record<string, string> = { BTCUSDT: 'BTC', ETHUSDT: 'ETH' };

type Cmd =
  | {
      kind: 'place';
      account: number;
      symbol: number;
      side: 'BUY' | 'SELL';
      type: number;
      tif: number;
      qtySteps: number;
      offsetTicks: number;
      stopOffset: number;
      trail: number;
      quote: boolean;
      cid: number;
    }
  | { kind: 'cancel'; account: number; symbol: number; cid: number }
  | {
      kind: 'oco';
      account: number;
      symbol: number;
      side: 'BUY' | 'SELL';
      qtySteps: number;
      up: number;
      down: number;
      stopLimit: boolean;
      cid: number;
    }
  | { kind: 'price'; symbol: number; moveTicks: number; qty: number | null; sweep: boolean }
  | { kind: 'candle'; symbol: number; o: number; h: number; l: number; c: number; vol: number }
  | { kind: 'deposit'; account: number; asset: number; amount: number };

const TYPES = [
  'MARKET',
  'LIMIT',
  'LIMIT_MAKER',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
] as const;
const TIFS = ['GTC', 'IOC', 'FOK'] as const;

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      account: fc.nat(1),
      symbol: fc.nat(1),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      type: fc.nat(TYPES.length - 1),
      tif: fc.nat(2),
      qtySteps: fc.integer({ min: 20, max: 20_000 }),
      offsetTicks: fc.integer({ min: -20_000, max: 20_000 }),
      stopOffset: fc.integer({ min: -20_000, max: 20_000 }),
      trail: fc.oneof(fc.constant(0), fc.integer({ min: 10, max: 2000 })),
      quote: fc.boolean(),
      cid: fc.nat(5),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      account: fc.nat(1),
      symbol: fc.nat(1),
      cid: fc.nat(5),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('oco' as const),
      account: fc.nat(1),
      symbol: fc.nat(1),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      qtySteps: fc.integer({ min: 20, max: 20_000 }),
      up: fc.integer({ min: 1, max: 30_000 }),
      down: fc.integer({ min: 1, max: 30_000 }),
      stopLimit: fc.boolean(),
      cid: fc.nat(5),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('price' as const),
      symbol: fc.nat(1),
      moveTicks: fc.integer({ min: -30_000, max: 30_000 }),
      qty: fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: null }),
      sweep: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('candle' as const),
      symbol: fc.nat(1),
      o: fc.integer({ min: -5000, max: 5000 }),
      h: fc.nat(20_000),
      l: fc.nat(20_000),
      c: fc.integer({ min: -20_000, max: 20_000 }),
      vol: fc.nat(500_000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deposit' as const),
      account: fc.nat(1),
      asset: fc.nat(2),
      amount: fc.integer({ min: 1, max: 5_000_000 }),
    }),
  },
);

const config = fc.record({
  makerFee: fc.constantFrom('0', '0.001', '0.00075'),
  takerFee: fc.constantFrom('0', '0.001', '0.0013'),
  participation: fc.constantFrom(null, '0.5', '0.1'),
  book: fc.constantFrom(
    {},
    { spreadTicks: 1, levels: 3, levelStepTicks: 50, levelQty: '0.3' },
    { spreadTicks: 5, levels: 1, levelStepTicks: 1, levelQty: '2' },
  ),
});

const tickPrice = (base: string, ticks: number) => {
  const p = d(base).plus(new Decimal(ticks).times('0.01'));
  return p.lessThan('0.01') ? '0.01' : p.toFixed();
};

describe('venue conservation (property)', () => {
  it('conserves every asset across random order sequences', () => {
    // What the runs exercised, so a generator that only produces rejections fails the test.
    const rejects = new Map<string, number>();
    const seen = { placedByType: new Map<string, number>(), fills: 0, makerFills: 0, partial: 0, ocos: 0, cancels: 0 };
    fc.assert(
      fc.property(config, fc.array(cmd, { minLength: 5, maxLength: 80, size: 'medium' }), (cfg, cmds) => {
        const v = new Venue({
          symbols: DEFAULT_SYMBOLS,
          makerFee: cfg.makerFee,
          takerFee: cfg.takerFee,
          participation: cfg.participation,
          book: cfg.book,
        });
        const deposits = new Map<string, Decimal>();
        const deposit = (account: string, asset: string, amount: string) => {
          const r = v.deposit(account, asset, amount, time);
          if (r.ok)
            deposits.set(`${account}:${asset}`, (deposits.get(`${account}:${asset}`) ?? new Decimal(0)).plus(amount));
        };
        let time = 0;
        const allEvents: VenueEvent[] = [];
        for (const acct of ACCOUNTS) {
          v.addAccount(acct, {}, 0);
          deposit(acct, 'USDT', '50000');
          deposit(acct, 'BTC', '1');
          deposit(acct, 'ETH', '10');
        }
        for (const s of SYMBOLS) v.setLastPrice(s, START[s] as string);

        for (const c of cmds) {
          time += 1000;
          const symbol = SYMBOLS[c.kind === 'deposit' ? 0 : c.symbol] as string;
          const last = v.lastPrice(symbol) ?? (START[symbol] as string);
          const account = c.kind === 'price' || c.kind === 'candle' ? 'a' : (ACCOUNTS[c.account] as string);
          switch (c.kind) {
            case 'place': {
              const type = TYPES[c.type] as (typeof TYPES)[number];
              const needsTif = type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
              const qty = new Decimal(c.qtySteps).times(STEP[symbol] as string).toFixed();
              const r = v.placeOrder({
                accountId: account,
                symbol,
                side: c.side,
                type,
                ...(needsTif ? { timeInForce: TIFS[c.tif] } : {}),
                ...(type === 'MARKET' && c.quote
                  ? { quoteOrderQty: new Decimal(c.qtySteps).times('0.01').toFixed() }
                  : { quantity: qty }),
                ...(type !== 'MARKET' && type !== 'STOP_LOSS' && type !== 'TAKE_PROFIT'
                  ? { price: tickPrice(last, c.offsetTicks) }
                  : {}),
                ...(type.startsWith('STOP') || type.startsWith('TAKE')
                  ? c.trail > 0
                    ? { trailingDelta: c.trail }
                    : { stopPrice: tickPrice(last, c.stopOffset) }
                  : {}),
                newClientOrderId: `c${c.cid}`,
                time,
              });
              if (r.ok) {
                allEvents.push(...r.events);
                seen.placedByType.set(type, (seen.placedByType.get(type) ?? 0) + 1);
              } else if (process.env.VENUE_PROP_DEBUG) rejects.set(r.msg, (rejects.get(r.msg) ?? 0) + 1);
              break;
            }
            case 'cancel': {
              const r = v.cancelOrder({ accountId: account, symbol, origClientOrderId: `c${c.cid}`, time });
              if (r.ok) {
                allEvents.push(...r.events);
                seen.cancels++;
              }
              break;
            }
            case 'oco': {
              const qty = new Decimal(c.qtySteps).times(STEP[symbol] as string).toFixed();
              const above = tickPrice(last, c.up);
              const below = tickPrice(last, -c.down);
              const stopLeg = (stop: string, limit: string) =>
                c.stopLimit
                  ? { type: 'STOP_LOSS_LIMIT' as const, stopPrice: stop, price: limit, timeInForce: 'GTC' as const }
                  : { type: 'STOP_LOSS' as const, stopPrice: stop };
              const r = v.placeOco({
                accountId: account,
                symbol,
                side: c.side,
                quantity: qty,
                listClientOrderId: `l${c.cid}`,
                above: c.side === 'SELL' ? { type: 'LIMIT_MAKER', price: above } : stopLeg(above, tickPrice(above, 10)),
                below:
                  c.side === 'SELL' ? stopLeg(below, tickPrice(below, -10)) : { type: 'LIMIT_MAKER', price: below },
                time,
              });
              if (r.ok) {
                allEvents.push(...r.events);
                seen.ocos++;
              }
              break;
            }
            case 'price':
              allEvents.push(
                ...v.onPrice(symbol, {
                  price: tickPrice(last, c.moveTicks),
                  time,
                  qty: c.qty === null ? null : new Decimal(c.qty).times(STEP[symbol] as string).toFixed(),
                  sweep: c.sweep,
                }),
              );
              break;
            case 'candle': {
              const open = d(tickPrice(last, c.o));
              const close = d(tickPrice(open.toFixed(), c.c));
              const high = Decimal.max(open, close).plus(new Decimal(c.h).times('0.01'));
              let low = Decimal.min(open, close).minus(new Decimal(c.l).times('0.01'));
              if (low.lessThan('0.01')) low = d('0.01');
              allEvents.push(
                ...v.onCandle(symbol, {
                  open: open.toFixed(),
                  high: high.toFixed(),
                  low: low.toFixed(),
                  close: close.toFixed(),
                  volume: new Decimal(c.vol).times(STEP[symbol] as string).toFixed(),
                  openTime: time,
                  closeTime: time + 999,
                }),
              );
              break;
            }
            case 'deposit':
              deposit(account, (['USDT', 'BTC', 'ETH'] as const)[c.asset] as string, String(c.amount / 100));
              break;
          }
          for (const [asset, tot] of Object.entries(v.totals()))
            expect(d(tot.total).isZero(), `${asset} total`).toBe(true);
        }

        // Per account: balance = deposits + fill effects − fees.
        const fills: FillView[] = [...v.allFills()];
        const fees = new Map<string, Decimal>();
        for (const acct of ACCOUNTS) {
          const expected = new Map<string, Decimal>();
          const addTo = (asset: string, x: Decimal) =>
            expected.set(asset, (expected.get(asset) ?? new Decimal(0)).plus(x));
          for (const [k, amt] of deposits) if (k.startsWith(`${acct}:`)) addTo(k.slice(acct.length + 1), amt);
          for (const f of fills.filter((x) => x.accountId === acct)) {
            const base = BASE[f.symbol] as string;
            if (f.side === 'BUY') {
              addTo(base, d(f.qty));
              addTo('USDT', d(f.quoteQty).negated());
            } else {
              addTo(base, d(f.qty).negated());
              addTo('USDT', d(f.quoteQty));
            }
            addTo(f.commissionAsset, d(f.commission).negated());
            fees.set(f.commissionAsset, (fees.get(f.commissionAsset) ?? new Decimal(0)).plus(f.commission));
          }
          for (const b of v.balances(acct)) {
            expect(d(b.free).isNegative() || d(b.locked).isNegative(), `${acct} ${b.asset} negative`).toBe(false);
            expect(d(b.free).plus(b.locked).toFixed(), `${acct} ${b.asset}`).toBe(
              (expected.get(b.asset) ?? new Decimal(0)).toFixed(),
            );
          }
        }
        for (const [asset, sum] of fees) expect(v.feesCollectedBy(asset)).toBe(sum.toFixed());

        // Open orders are consistent; cancelling them all frees every reservation.
        for (const acct of ACCOUNTS) {
          const open = v.openOrders(acct);
          const ids = open.map((o) => o.clientOrderId);
          expect(new Set(ids).size, 'client ids unique among open orders').toBe(ids.length);
          for (const o of open) expect(d(o.executedQty).lessThan(o.origQty)).toBe(true);
          for (const s of SYMBOLS) v.cancelOpenOrders(acct, s, time + 1);
          for (const b of v.balances(acct))
            expect(b.locked, `${acct} ${b.asset} locked after cancelling all`).toBe('0');
        }
        for (const [asset, tot] of Object.entries(v.totals()))
          expect(d(tot.total).isZero(), `${asset} total`).toBe(true);
        // Every fill appears once per (symbol, tradeId).
        const keys = fills.map((f) => `${f.symbol}:${f.tradeId}`);
        expect(new Set(keys).size).toBe(keys.length);
        seen.fills += fills.length;
        seen.makerFills += fills.filter((f) => f.isMaker).length;
        seen.partial += allEvents.filter((e) => e.kind === 'order' && e.order.status === 'PARTIALLY_FILLED').length;
      }),
      { numRuns: 300 },
    );
    if (process.env.VENUE_PROP_DEBUG) console.log(JSON.stringify(Object.fromEntries(rejects)));
    if (process.env.VENUE_PROP_DEBUG)
      console.log(JSON.stringify({ ...seen, placedByType: Object.fromEntries(seen.placedByType) }));
    for (const type of TYPES) expect(seen.placedByType.get(type) ?? 0, `${type} orders placed`).toBeGreaterThan(10);
    expect(seen.fills).toBeGreaterThan(500);
    expect(seen.makerFills).toBeGreaterThan(50);
    expect(seen.partial).toBeGreaterThan(10);
    expect(seen.ocos).toBeGreaterThan(10);
    expect(seen.cancels).toBeGreaterThan(10);
  });
});
