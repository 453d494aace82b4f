/**
 * REST endpoints of the Binance spot API the bots use, answering like Binance. Each route declares
 * its security (NONE, or SIGNED: API key + HMAC signature + timestamp), its weight and its
 * handler. Handlers are synchronous: the venue is in-process and deterministic. The routes live
 * per area in routes/ (general, market data, wallet, account, orders, order lists); this file
 * only wires them.
 */
import type { Dec } from '../core/decimal';
import type { Venue } from '../venue';
import type { Market } from './market/market';
import type { RateLimitOptions } from './ratelimit';
import { addAccountRoutes } from './routes/account';
import type { Route } from './routes/common';
import { addGeneralRoutes } from './routes/general';
import { addMarketDataRoutes } from './routes/market-data';
import { addOrderListRoutes } from './routes/order-lists';
import { addOrderRoutes } from './routes/orders';
import { addWalletRoutes } from './routes/wallet';

export type { Route, RouteContext, RouteResult } from './routes/common';
export { symbolInfo } from './routes/general';

export interface RestDeps {
  readonly venue: Venue;
  readonly market: Market;
  readonly now: () => number;
  readonly isHidden: (orderId: number) => boolean;
  readonly limits: RateLimitOptions;
  readonly fees: { readonly maker: Dec; readonly taker: Dec };
}

export function buildRoutes(deps: RestDeps): Map<string, Route> {
  const { venue, market, now } = deps;
  const routes = new Map<string, Route>();
  const add = (r: Route) => routes.set(`${r.method} ${r.path}`, r);
  addGeneralRoutes(add, { venue, now, limits: deps.limits });
  addMarketDataRoutes(add, { venue, market, now });
  addWalletRoutes(add, { venue, fees: deps.fees });
  addAccountRoutes(add, { venue, fees: deps.fees });
  addOrderRoutes(add, { venue, isHidden: deps.isHidden, fees: deps.fees });
  addOrderListRoutes(add, { venue });
  return routes;
}
