/**
 * The WebSocket API's request methods (`order.place`, `order.status`, `account.status`, `klines`,
 * `depth`, …) on the same engine as REST: each method is the REST route Binance documents as its
 * twin, so parsing, validation, weights, venue calls and response bodies are the routes' own. The
 * WebSocket API's own rules sit around them: signed methods carry `apiKey` and a signature over the
 * sorted parameters; `rateLimits` are returned unless `returnRateLimits` is false; errors are
 * `{status, error:{code,msg}}`; weight is shared with REST per IP.
 *
 * Not modelled on this path: the HTTP fault rules (faults.ts matches HTTP endpoints) and the
 * hide-order visibility window.
 */
import type { VenueEvent } from '../../venue';
import type { Audit } from '../audit';
import type { Json } from '../format';
import { checkTiming } from '../http/auth';
import { CLIENT_ID_PARAMS } from '../http/pipeline';
import { ApiError, type Params, PartialExecutionError, err } from '../http/params';
import type { RateLimitOptions, RateLimiter } from '../ratelimit';
import type { Route } from '../rest';
import { type WsAccountLookup, authenticateWs } from './ws-params';

/** WebSocket API method → its REST twin (web-socket-api.md). */
export const WS_API_METHODS: Readonly<Record<string, string>> = {
  ping: 'GET /api/v3/ping',
  time: 'GET /api/v3/time',
  exchangeInfo: 'GET /api/v3/exchangeInfo',
  depth: 'GET /api/v3/depth',
  'trades.recent': 'GET /api/v3/trades',
  'trades.historical': 'GET /api/v3/historicalTrades',
  'trades.aggregate': 'GET /api/v3/aggTrades',
  klines: 'GET /api/v3/klines',
  uiKlines: 'GET /api/v3/uiKlines',
  avgPrice: 'GET /api/v3/avgPrice',
  'ticker.24hr': 'GET /api/v3/ticker/24hr',
  'ticker.price': 'GET /api/v3/ticker/price',
  'ticker.book': 'GET /api/v3/ticker/bookTicker',
  'order.place': 'POST /api/v3/order',
  'order.test': 'POST /api/v3/order/test',
  'order.status': 'GET /api/v3/order',
  'order.cancel': 'DELETE /api/v3/order',
  'order.cancelReplace': 'POST /api/v3/order/cancelReplace',
  'openOrders.status': 'GET /api/v3/openOrders',
  'openOrders.cancelAll': 'DELETE /api/v3/openOrders',
  allOrders: 'GET /api/v3/allOrders',
  myTrades: 'GET /api/v3/myTrades',
  'account.status': 'GET /api/v3/account',
  'account.commission': 'GET /api/v3/account/commission',
  'orderList.place.oco': 'POST /api/v3/orderList/oco',
  'orderList.status': 'GET /api/v3/orderList',
  'orderList.cancel': 'DELETE /api/v3/orderList',
  'openOrderLists.status': 'GET /api/v3/openOrderList',
  allOrderLists: 'GET /api/v3/allOrderList',
};

export interface ApiMethodDeps {
  readonly routes: ReadonlyMap<string, Route>;
  readonly accounts: WsAccountLookup;
  readonly limiter: RateLimiter;
  readonly limits: RateLimitOptions;
  readonly audit: Audit;
  /** Wall clock (timestamps, limits). */
  readonly now: () => number;
  /** Clock of venue operations. */
  readonly venueNow: () => number;
  readonly dispatch: (events: readonly VenueEvent[]) => void;
  readonly log?: (msg: string) => void;
}

export type MethodAnswer =
  | { readonly status: number; readonly result: Json }
  | { readonly status: number; readonly error: { code: number; msg: string; data?: Json } };

export class ApiMethods {
  constructor(private readonly d: ApiMethodDeps) {}

  /** Whether `method` (without a `v3/` prefix) is one of these. */
  has(method: string): boolean {
    return Object.hasOwn(WS_API_METHODS, method);
  }

  /** Run one method for a connection from `ip`; never throws. `rateLimits` is the answer's rate-limit status. */
  run(ip: string, method: string, params: Params): MethodAnswer & { rateLimits: Json[] } {
    const key = WS_API_METHODS[method] as string;
    const route = this.d.routes.get(key);
    let accountId: string | undefined;
    let orderCounts: { count10s: number; count1d: number } | undefined;
    const rateLimits = (): Json[] => {
      const out: Json[] = [
        {
          rateLimitType: 'REQUEST_WEIGHT',
          interval: 'MINUTE',
          intervalNum: 1,
          limit: this.d.limits.requestWeightPerMinute,
          count: this.d.limiter.usedWeight(ip),
        },
      ];
      if (orderCounts) {
        out.unshift(
          {
            rateLimitType: 'ORDERS',
            interval: 'SECOND',
            intervalNum: 10,
            limit: this.d.limits.ordersPer10s,
            count: orderCounts.count10s,
          },
          {
            rateLimitType: 'ORDERS',
            interval: 'DAY',
            intervalNum: 1,
            limit: this.d.limits.ordersPerDay,
            count: orderCounts.count1d,
          },
        );
      }
      return out;
    };
    const clientIds = CLIENT_ID_PARAMS.map((p) => params.values.get(p)).filter(
      (v): v is string => v !== undefined && v !== '',
    );
    const record = (outcome: string, status: number, code: number | null, executed: boolean) => {
      if (route?.signed)
        this.d.audit.recordRequest({
          time: this.d.now(),
          endpoint: key,
          accountId: accountId ?? null,
          symbol: params.values.get('symbol') ?? null,
          clientIds,
          outcome,
          httpStatus: status,
          code,
          executed,
        });
    };
    try {
      if (!route) throw err(-1020, 'This operation is not supported.');
      const verdict = this.d.limiter.request(ip, route.weight(params));
      if (!verdict.ok) {
        const retryAfter = this.d.now() + verdict.retryAfterSec * 1000;
        throw new ApiError(verdict.code, verdict.msg, verdict.status, {}, { serverTime: this.d.now(), retryAfter });
      }
      if (route.signed) {
        accountId = authenticateWs(params, this.d.accounts).accountId;
        checkTiming(params, this.d.now());
      }
      if (route.placesOrders && accountId !== undefined) {
        const o = this.d.limiter.order(accountId);
        if (!o.ok) throw new ApiError(-1015, o.msg, 429);
        orderCounts = o;
      }
      let result;
      try {
        result = route.handler({ params, accountId, time: this.d.venueNow() });
      } catch (e) {
        // A partly failed cancel-replace still changed state: its events go out.
        if (e instanceof PartialExecutionError) this.d.dispatch(e.events);
        throw e;
      }
      if (result.events) this.d.dispatch(result.events);
      record('ok', 200, null, result.executed ?? false);
      return { status: 200, result: result.body, rateLimits: rateLimits() };
    } catch (e) {
      if (!(e instanceof ApiError)) {
        this.d.log?.(`ws-api ${method}: ${(e as Error).stack ?? String(e)}`);
        record('error', 500, -1000, false);
        return {
          status: 500,
          error: { code: -1000, msg: 'An unknown error occurred while processing the request.' },
          rateLimits: rateLimits(),
        };
      }
      record(e.status === 429 || e.status === 418 ? 'rate-limit' : 'rejected', e.status, e.code, false);
      const error =
        e.data !== undefined
          ? { code: e.code, msg: e.message, data: e.data as Json }
          : { code: e.code, msg: e.message };
      return { status: e.status, error, rateLimits: rateLimits() };
    }
  }
}
