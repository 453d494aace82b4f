/**
 * USDⓈ-M public endpoints: ping, time, exchangeInfo, klines (the paper market's candles, the
 * same prices the spot side trades), depth (the perpetual's synthetic book around its contract
 * price), ticker/price, ticker/bookTicker, premiumIndex (mark price, funding rate, next funding
 * time), fundingRate history.
 */
import { type Dec, fixed, str } from '../../../core/decimal';
import type { Json } from '../../../core/json';
import { CANDLE_INTERVALS, type CandleInterval } from '../../../core/market';
import { levelPrice, levelQuantity, unlimitedBook } from '../../../venue';
import { type PerpSymbol, bookSymbol } from '../../../venue/perpetual';
import { atLeast } from '../../futures/format';
import { withResting } from '../../futures/resting-depth';
import { Api, type Params } from '../../http/params';
import { klineRow } from '../../market/candles';
import { type AddRoute, type FuturesRouteDeps, fixedWeight, perpReaders } from './common';

const p4 = (v: Dec) => fixed(v, 4);

export function perpSymbolInfo(s: PerpSymbol): Json {
  const f = s.filters;
  return {
    symbol: f.symbol,
    pair: f.symbol,
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status: s.status,
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: f.baseAsset,
    quoteAsset: f.quoteAsset,
    marginAsset: s.marginAsset,
    pricePrecision: s.pricePrecision,
    quantityPrecision: s.quantityPrecision,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: '0.0500',
    liquidationFee: s.liquidationFee,
    marketTakeBound: '0.05',
    maxMoveOrderLimit: 10000,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: f.minPrice, maxPrice: f.maxPrice, tickSize: f.tickSize },
      { filterType: 'LOT_SIZE', stepSize: f.stepSize, maxQty: f.maxQty, minQty: f.minQty },
      { filterType: 'MARKET_LOT_SIZE', stepSize: f.marketStepSize, maxQty: f.marketMaxQty, minQty: f.marketMinQty },
      { filterType: 'MAX_NUM_ORDERS', limit: f.maxNumOrders },
      { filterType: 'MAX_NUM_ALGO_ORDERS', limit: s.maxNumAlgoOrders },
      { filterType: 'MIN_NOTIONAL', notional: f.minNotional },
      {
        filterType: 'PERCENT_PRICE',
        multiplierUp: p4(s.percentPrice.up),
        multiplierDown: p4(s.percentPrice.down),
        multiplierDecimal: '4',
      },
    ],
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
  };
}

export function addFuturesMarketRoutes(add: AddRoute, deps: FuturesRouteDeps): void {
  const { perp, market, now } = deps;
  const { symbolParam, done, precision, window } = perpReaders(perp);
  const perSymbol = (params: Params, one: (s: string) => Json): Json => {
    const symbol = symbolParam(params, false);
    done(params, false);
    return symbol !== undefined ? one(symbol) : perp.symbols().map((s) => one(s.filters.symbol));
  };
  const last = (s: string): Dec => perp.lastPrice(s) ?? '0';

  add({
    method: 'GET',
    path: '/fapi/v1/ping',
    signed: false,
    weight: fixedWeight(1),
    handler: ({ params }) => (done(params, false), { body: {} }),
  });
  add({
    method: 'GET',
    path: '/fapi/v1/time',
    signed: false,
    weight: fixedWeight(1),
    handler: ({ params }) => (done(params, false), { body: { serverTime: now() } }),
  });
  add({
    method: 'GET',
    path: '/fapi/v1/exchangeInfo',
    signed: false,
    weight: fixedWeight(1),
    handler: ({ params }) => {
      done(params, false);
      return {
        body: {
          timezone: 'UTC',
          serverTime: now(),
          futuresType: 'U_MARGINED',
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
            { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
            { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
          ],
          exchangeFilters: [],
          assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
          symbols: perp.symbols().map(perpSymbolInfo),
        },
      };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/klines',
    signed: false,
    weight: fixedWeight(5),
    handler: ({ params }) => {
      const symbol = symbolParam(params) as string;
      const interval = params.str('interval', { required: true }) as string;
      if (!(CANDLE_INTERVALS as readonly string[]).includes(interval) || interval === '1s') throw Api.badInterval();
      const w = window(params, 1500);
      done(params, false);
      const p = precision(symbol);
      const rows = market.has(symbol)
        ? market.klines(symbol, interval as CandleInterval, { ...w, limit: w.limit ?? 500 })
        : [];
      return { body: rows.map((k) => klineRow(k, p.price, p.qty)) };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/depth',
    signed: false,
    weight: (p) => {
      const l = Number(p.values.get('limit') ?? 500);
      return l <= 50 ? 2 : l <= 100 ? 5 : l <= 500 ? 10 : 20;
    },
    handler: ({ params }) => {
      const symbol = symbolParam(params) as string;
      const limit = params.int('limit') ?? 500;
      if (![5, 10, 20, 50, 100, 500, 1000].includes(limit)) throw Api.invalidData('limit');
      done(params, false);
      const spec = perp.symbol(symbol) as PerpSymbol;
      const reference = perp.lastPrice(symbol);
      const p = precision(symbol);
      const book = deps.displayBook;
      const spot = bookSymbol(spec);
      // Every account's resting LIMIT orders are in the book too (exchange/futures/resting-depth.ts).
      const resting = perp.accountIds().flatMap((id) => perp.openOrders(id, symbol));
      const levels = (side: 'BUY' | 'SELL'): [string, string][] => {
        const out: [string, string][] = [];
        const n = reference === null ? 0 : Math.min(limit, unlimitedBook(book) ? 1 : book.levels);
        for (let i = 0; i < n; i++) {
          const price = levelPrice(spot, book, side, reference as Dec, i);
          if (price.lessThanOrEqualTo(0)) break;
          const qty = levelQuantity(spot, book, str(price), i === 0, perp.bookSeq(symbol)) ?? '10';
          out.push([str(price), qty]);
        }
        // Bids are the resting BUYs, asks the resting SELLs (the synthetic side names are the taker's).
        return withResting(out, resting, side === 'SELL' ? 'BUY' : 'SELL', limit).map((l) => [
          atLeast(str(l.price), p.price),
          atLeast(str(l.qty), p.qty),
        ]);
      };
      const t = now();
      return { body: { lastUpdateId: perp.bookSeq(symbol), E: t, T: t, bids: levels('SELL'), asks: levels('BUY') } };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/ticker/price',
    signed: false,
    weight: (p) => (p.has('symbol') ? 1 : 2),
    handler: ({ params }) => ({
      body: perSymbol(params, (s) => ({ symbol: s, price: atLeast(last(s), precision(s).price), time: now() })),
    }),
  });
  add({
    method: 'GET',
    path: '/fapi/v2/ticker/price',
    signed: false,
    weight: (p) => (p.has('symbol') ? 1 : 2),
    handler: ({ params }) => ({
      body: perSymbol(params, (s) => ({ symbol: s, price: atLeast(last(s), precision(s).price), time: now() })),
    }),
  });
  add({
    method: 'GET',
    path: '/fapi/v1/ticker/bookTicker',
    signed: false,
    weight: (p) => (p.has('symbol') ? 2 : 5),
    handler: ({ params }) => ({
      body: perSymbol(params, (s) => {
        const spec = perp.symbol(s) as PerpSymbol;
        const p = precision(s);
        const ref = last(s);
        const spot = bookSymbol(spec);
        const bid = str(levelPrice(spot, deps.displayBook, 'SELL', ref, 0));
        const ask = str(levelPrice(spot, deps.displayBook, 'BUY', ref, 0));
        const qty = (price: string) =>
          atLeast(levelQuantity(spot, deps.displayBook, price, true, perp.bookSeq(s)) ?? '10', p.qty);
        return {
          symbol: s,
          bidPrice: atLeast(bid, p.price),
          bidQty: qty(bid),
          askPrice: atLeast(ask, p.price),
          askQty: qty(ask),
          time: now(),
          lastUpdateId: perp.bookSeq(s),
        };
      }),
    }),
  });

  add({
    method: 'GET',
    path: '/fapi/v1/premiumIndex',
    signed: false,
    weight: fixedWeight(1),
    handler: ({ params }) => ({
      body: perSymbol(params, (s) => {
        const m = perp.market(s);
        const p = precision(s);
        const mark = atLeast(m?.markPrice ?? '0', p.price);
        return {
          symbol: s,
          markPrice: mark,
          indexPrice: mark,
          estimatedSettlePrice: mark,
          lastFundingRate: fixed(m?.fundingRate ?? '0', 8),
          interestRate: '0.00010000',
          nextFundingTime: m?.nextFundingTime ?? 0,
          time: now(),
        };
      }),
    }),
  });

  add({
    method: 'GET',
    path: '/fapi/v1/fundingRate',
    signed: false,
    weight: fixedWeight(1),
    handler: ({ params }) => {
      const symbol = symbolParam(params, false);
      const w = window(params, 1000);
      done(params, false);
      const names = symbol !== undefined ? [symbol] : perp.symbols().map((s) => s.filters.symbol);
      const rows = names.flatMap((s) => perp.fundingHistory(s, w)).sort((a, b) => a.fundingTime - b.fundingTime);
      return {
        body: rows.map((f) => ({
          symbol: f.symbol,
          fundingRate: fixed(f.fundingRate, 8),
          fundingTime: f.fundingTime,
          markPrice: atLeast(f.markPrice, precision(f.symbol).price),
        })),
      };
    },
  });
}
