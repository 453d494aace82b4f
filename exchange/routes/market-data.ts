/**
 * Public market-data endpoints (rest-api.md "Market Data endpoints"): klines, tickers, average
 * price, depth (up to 5000 levels, the same update ids as the diff stream), recent and historical
 * trades, aggregate trades.
 */
import { fixed } from '../../core/decimal';
import { CANDLE_INTERVALS, type CandleInterval } from '../../core/market';
import type { Venue } from '../../venue';
import type { Json } from '../format';
import { Api, err, type Params } from '../http/params';
import { klineRow } from '../market/candles';
import type { Market } from '../market/market';
import { miniJson } from '../market/tickers';
import type { TapeTrade } from '../market/trade-tape';
import { type AddRoute, type RouteContext, type RouteResult, fixedWeight, paramReaders } from './common';

export interface MarketDataDeps {
  readonly venue: Venue;
  readonly market: Market;
  readonly now: () => number;
}

/** Depth weight by limit (rest-api.md "Order book"). */
export function depthWeight(limit: number): number {
  return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

export function addMarketDataRoutes(add: AddRoute, deps: MarketDataDeps): void {
  const { venue, market, now } = deps;
  const { symbolParam, symbolsParam, done, precision } = paramReaders(venue);

  const klinesHandler = ({ params }: RouteContext): RouteResult => {
    const symbol = symbolParam(params) as string;
    const interval = params.str('interval', { required: true }) as string;
    if (!(CANDLE_INTERVALS as readonly string[]).includes(interval)) throw Api.badInterval();
    const startTime = params.int('startTime');
    const endTime = params.int('endTime');
    const limit = params.int('limit', { min: 1, max: 1000 }) ?? 500;
    params.str('timeZone');
    done(params, false);
    const p = precision(symbol);
    const rows = market.klines(symbol, interval as CandleInterval, {
      ...(startTime !== undefined ? { startTime } : {}),
      ...(endTime !== undefined ? { endTime } : {}),
      limit,
    });
    return { body: rows.map((k) => klineRow(k, p.price, p.qty)) };
  };
  add({ method: 'GET', path: '/api/v3/klines', signed: false, weight: fixedWeight(2), handler: klinesHandler });
  add({ method: 'GET', path: '/api/v3/uiKlines', signed: false, weight: fixedWeight(2), handler: klinesHandler });

  const perSymbol = (params: Params, one: (s: string) => Json): Json => {
    const symbol = symbolParam(params, false);
    const many = symbolsParam(params);
    params.str('symbolStatus');
    done(params, false);
    if (symbol !== undefined) return one(symbol);
    const list = many ?? venue.symbols().map((s) => s.filters.symbol);
    return list.map(one);
  };
  const lastOrZero = (s: string) => fixed(market.price(s) ?? '0', precision(s).price);
  const listWeight = (p: Params, one: number, all: number) => {
    if (p.has('symbol')) return one;
    const raw = p.values.get('symbols');
    if (raw === undefined) return all;
    const n = raw.split(',').length;
    return n <= 20 ? one : n <= 100 ? Math.max(one, all / 2) : all;
  };

  add({
    method: 'GET',
    path: '/api/v3/ticker/price',
    signed: false,
    weight: (p) => listWeight(p, 2, 4),
    handler: ({ params }) => ({ body: perSymbol(params, (s) => ({ symbol: s, price: lastOrZero(s) })) }),
  });
  add({
    method: 'GET',
    path: '/api/v3/ticker/bookTicker',
    signed: false,
    weight: (p) => listWeight(p, 2, 4),
    handler: ({ params }) => ({
      body: perSymbol(params, (s) => {
        const top = market.bookTop(s);
        const p = precision(s);
        const zp = fixed('0', p.price);
        const zq = fixed('0', p.qty);
        return {
          symbol: s,
          bidPrice: top?.bid?.[0] ?? zp,
          bidQty: top?.bid?.[1] ?? zq,
          askPrice: top?.ask?.[0] ?? zp,
          askQty: top?.ask?.[1] ?? zq,
        };
      }),
    }),
  });
  add({
    method: 'GET',
    path: '/api/v3/ticker/24hr',
    signed: false,
    weight: (p) => listWeight(p, 2, 80),
    handler: ({ params }) => {
      const type = params.oneOf('type', ['FULL', 'MINI'] as const, () => err(-1139, 'Invalid ticker type.')) ?? 'FULL';
      const t = now();
      return {
        body: perSymbol(params, (s) => {
          const stats = market.stats(s, t);
          if (!stats) throw Api.invalidSymbol();
          return type === 'MINI' ? miniJson(stats) : (stats as unknown as Json);
        }),
      };
    },
  });
  add({
    method: 'GET',
    path: '/api/v3/avgPrice',
    signed: false,
    weight: fixedWeight(2),
    handler: ({ params }) => {
      const symbol = symbolParam(params) as string;
      done(params, false);
      return { body: { mins: 5, price: lastOrZero(symbol), closeTime: now() } };
    },
  });
  add({
    method: 'GET',
    path: '/api/v3/depth',
    signed: false,
    weight: (p) => {
      const raw = p.values.get('limit');
      const l = raw !== undefined && /^[0-9]{1,6}$/.test(raw) ? Number(raw) : 100;
      return depthWeight(Math.min(l, 5000));
    },
    handler: ({ params }) => {
      const symbol = symbolParam(params) as string;
      // "If limit > 5000, only 5000 entries will be returned."
      const limit = Math.min(5000, params.int('limit', { min: 1 }) ?? 100);
      params.str('symbolStatus');
      done(params, false);
      return { body: market.depth(symbol, limit) };
    },
  });

  // --- trades ------------------------------------------------------------------------------------

  const tradeJson = (t: TapeTrade, pp: number, qp: number): Json => ({
    id: t.id,
    price: fixed(t.price, pp),
    qty: fixed(t.qty, qp),
    quoteQty: fixed(t.quoteQty, pp),
    time: t.time,
    isBuyerMaker: t.isBuyerMaker,
    isBestMatch: true,
  });
  const tapeOf = (symbol: string) => market.tape(symbol) as NonNullable<ReturnType<Market['tape']>>;

  add({
    method: 'GET',
    path: '/api/v3/trades',
    signed: false,
    weight: fixedWeight(25),
    handler: ({ params }) => {
      const symbol = symbolParam(params) as string;
      const limit = params.int('limit', { min: 1, max: 1000 }) ?? 500;
      done(params, false);
      const p = precision(symbol);
      return {
        body: tapeOf(symbol)
          .recent(limit)
          .map((t) => tradeJson(t, p.price, p.qty)),
      };
    },
  });
  add({
    method: 'GET',
    path: '/api/v3/historicalTrades',
    signed: false,
    weight: fixedWeight(25),
    handler: ({ params }) => {
      const symbol = symbolParam(params) as string;
      const limit = params.int('limit', { min: 1, max: 1000 }) ?? 500;
      const fromId = params.int('fromId');
      done(params, false);
      const p = precision(symbol);
      const tape = tapeOf(symbol);
      const rows = fromId === undefined ? tape.recent(limit) : tape.fromId(fromId, limit);
      return { body: rows.map((t) => tradeJson(t, p.price, p.qty)) };
    },
  });
  add({
    method: 'GET',
    path: '/api/v3/aggTrades',
    signed: false,
    weight: fixedWeight(4),
    handler: ({ params }) => {
      const symbol = symbolParam(params) as string;
      const fromId = params.int('fromId');
      const startTime = params.int('startTime');
      const endTime = params.int('endTime');
      const limit = params.int('limit', { min: 1, max: 1000 }) ?? 500;
      done(params, false);
      if (fromId !== undefined && (startTime !== undefined || endTime !== undefined))
        throw err(-1128, 'Combination of optional parameters invalid.');
      if (startTime !== undefined && endTime !== undefined && endTime - startTime > 3_600_000)
        throw err(-1127, 'More than 1 hours between startTime and endTime.');
      const p = precision(symbol);
      const tape = tapeOf(symbol);
      const rows =
        fromId !== undefined
          ? tape.fromId(fromId, limit)
          : startTime !== undefined || endTime !== undefined
            ? tape.between(startTime, endTime, limit)
            : tape.recent(limit);
      return {
        body: rows.map((t) => ({
          a: t.id,
          p: fixed(t.price, p.price),
          q: fixed(t.qty, p.qty),
          f: t.id,
          l: t.id,
          T: t.time,
          m: t.isBuyerMaker,
          M: true,
        })),
      };
    },
  });
}
