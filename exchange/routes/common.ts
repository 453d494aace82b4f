/**
 * What every REST route module shares: the route types and the parameter readers that answer
 * with Binance's codes (symbol, symbols list, "all parameters read").
 */
import type { Venue, VenueEvent } from '../../venue';
import { type Precision, precisionOf } from '../format';
import type { Json } from '../format';
import { Api, type Params } from '../http/params';

export interface RouteContext {
  readonly params: Params;
  readonly accountId: string | undefined;
  readonly time: number;
}

export interface RouteResult {
  readonly body: Json;
  readonly events?: readonly VenueEvent[];
  /** Orders this request created (for the hide-order fault and the audit). */
  readonly createdOrderIds?: readonly number[];
  /** True when the venue changed state (order placed or cancelled). */
  readonly executed?: boolean;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly signed: boolean;
  /** Request weight; may depend on the parameters (e.g. openOrders without a symbol). */
  readonly weight: (params: Params) => number;
  /** An order-placing endpoint (counts toward the ORDERS limits). */
  readonly placesOrders?: boolean;
  readonly handler: (ctx: RouteContext) => RouteResult;
}

export type AddRoute = (r: Route) => void;

export const SIGNED_EXTRA = ['timestamp', 'recvWindow', 'signature'];
const SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';

export const fixedWeight = (w: number) => (): number => w;

export function paramReaders(venue: Venue) {
  const symbolParam = (p: Params, required = true): string | undefined => {
    const s = p.str('symbol', { required });
    if (s === undefined) return undefined;
    if (!/^[A-Z0-9-_.]{1,20}$/.test(s)) throw Api.illegal('symbol', '^[A-Z0-9-_.]{1,20}$');
    if (!venue.symbol(s)) throw Api.invalidSymbol();
    return s;
  };
  const symbolsParam = (p: Params): string[] | undefined => {
    const raw = p.str('symbols');
    if (raw === undefined) return undefined;
    let list: unknown;
    try {
      list = JSON.parse(raw);
    } catch {
      throw Api.illegal('symbols', SYMBOLS_RANGE);
    }
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw Api.illegal('symbols', SYMBOLS_RANGE);
    for (const s of list as string[]) if (!venue.symbol(s)) throw Api.invalidSymbol();
    return list as string[];
  };
  const done = (p: Params, signed: boolean): void => p.assertAllRead(signed ? SIGNED_EXTRA : []);
  const precision = (symbol: string): Precision => precisionOf(venue.symbol(symbol));
  return { symbolParam, symbolsParam, done, precision };
}
