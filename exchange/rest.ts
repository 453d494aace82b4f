/**
 * REST endpoints of the Binance spot API the bots use, answering like Binance. Each route declares
 * its security (NONE, or SIGNED: API key + HMAC signature + timestamp), its weight and its
 * handler. Handlers are synchronous: the venue is in-process and deterministic.
 */
import { type Dec, d, fixed } from '../core/decimal';
import type { OrderSide, OrderType, TimeInForce } from '../core/orders';
import type { OcoLegRequest, OcoLegType, OrderView, Venue, VenueEvent, VenueResult, VenueSymbol } from '../venue';
import {
  type Json,
  type RespType,
  balanceJson,
  cancelResponse,
  listCancelResponse,
  listJson,
  listPlaceResponse,
  placeResponse,
  queryResponse,
  tradeJson,
} from './format';
import { Api, ApiError, err, type Params } from './http/params';
import { type Route, type RouteResult, fixedWeight, paramReaders } from './routes/common';
import { addMarketDataRoutes } from './routes/market-data';
import { addWalletRoutes } from './routes/wallet';
import type { Market } from './market/market';
import type { RateLimitOptions } from './ratelimit';

export type { Route, RouteContext, RouteResult } from './routes/common';

export interface RestDeps {
  readonly venue: Venue;
  readonly market: Market;
  readonly now: () => number;
  readonly isHidden: (orderId: number) => boolean;
  readonly limits: RateLimitOptions;
  readonly fees: { readonly maker: Dec; readonly taker: Dec };
}

const SIDES: readonly OrderSide[] = ['BUY', 'SELL'];
const TYPES: readonly OrderType[] = ['MARKET', 'LIMIT', 'LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];
const TIFS: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
const RESP_TYPES: readonly RespType[] = ['ACK', 'RESULT', 'FULL'];
const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER'] as const;
const LEG_TYPES: readonly OcoLegType[] = ['LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];

function unwrap<T>(r: VenueResult<T>): T {
  if (!r.ok) throw new ApiError(r.code, r.msg, 400);
  return r;
}

export function buildRoutes(deps: RestDeps): Map<string, Route> {
  const { venue, market, now } = deps;
  const routes = new Map<string, Route>();
  const add = (r: Route) => routes.set(`${r.method} ${r.path}`, r);
  const { symbolParam, symbolsParam, done, precision } = paramReaders(venue);
  const visible = (o: OrderView) => !deps.isHidden(o.orderId);

  // --- general ---------------------------------------------------------------------------------

  add({ method: 'GET', path: '/api/v3/ping', signed: false, weight: fixedWeight(1), handler: ({ params }) => (done(params, false), { body: {} }) });
  add({ method: 'GET', path: '/api/v3/time', signed: false, weight: fixedWeight(1), handler: ({ params }) => (done(params, false), { body: { serverTime: now() } }) });

  add({
    method: 'GET',
    path: '/api/v3/exchangeInfo',
    signed: false,
    weight: fixedWeight(20),
    handler: ({ params }) => {
      const one = symbolParam(params, false);
      const many = symbolsParam(params);
      params.str('permissions');
      params.str('showPermissionSets');
      params.str('symbolStatus');
      done(params, false);
      const wanted = one !== undefined ? [one] : many;
      const specs = venue.symbols().filter((s) => wanted === undefined || wanted.includes(s.filters.symbol));
      return {
        body: {
          timezone: 'UTC',
          serverTime: now(),
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: deps.limits.requestWeightPerMinute },
            { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: deps.limits.ordersPer10s },
            { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: deps.limits.ordersPerDay },
            { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
          ],
          exchangeFilters: [],
          symbols: specs.map(symbolInfo),
        },
      };
    },
  });

  addMarketDataRoutes(add, { venue, market, now });
  addWalletRoutes(add, { venue, fees: deps.fees });

  // --- account ---------------------------------------------------------------------------------

  add({
    method: 'GET',
    path: '/api/v3/account',
    signed: true,
    weight: fixedWeight(20),
    handler: ({ params, accountId, time }) => {
      const omitZero = params.str('omitZeroBalances') === 'true';
      done(params, true);
      const id = accountId as string;
      const balances = venue.balances(id).filter((b) => !omitZero || !d(b.free).isZero() || !d(b.locked).isZero());
      const rate = (r: Dec) => fixed(r, 8);
      return {
        body: {
          makerCommission: d(deps.fees.maker).times(10_000).round().toNumber(),
          takerCommission: d(deps.fees.taker).times(10_000).round().toNumber(),
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: { maker: rate(deps.fees.maker), taker: rate(deps.fees.taker), buyer: rate('0'), seller: rate('0') },
          canTrade: true,
          canWithdraw: true,
          canDeposit: true,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: time,
          accountType: 'SPOT',
          balances: balances.map(balanceJson),
          permissions: ['SPOT'],
          uid: 1,
        },
      };
    },
  });

  // --- orders ----------------------------------------------------------------------------------

  interface ParsedOrder {
    symbol: string;
    side: OrderSide;
    type: OrderType;
    timeInForce?: TimeInForce;
    quantity?: string;
    quoteOrderQty?: string;
    price?: string;
    stopPrice?: string;
    trailingDelta?: number;
    newClientOrderId?: string;
    respType: RespType | undefined;
  }

  const parseOrder = (params: Params): ParsedOrder => {
    const symbol = symbolParam(params) as string;
    const side = params.oneOf('side', SIDES, () => err(-1117, 'Invalid side.'), { required: true }) as OrderSide;
    const type = params.oneOf('type', TYPES, () => err(-1116, 'Invalid orderType.'), { required: true }) as OrderType;
    const timeInForce = params.oneOf('timeInForce', TIFS, () => err(-1115, 'Invalid timeInForce.'));
    const quantity = params.dec('quantity');
    const quoteOrderQty = params.dec('quoteOrderQty');
    const price = params.dec('price');
    const stopPrice = params.dec('stopPrice');
    const trailingDelta = params.int('trailingDelta');
    const newClientOrderId = params.str('newClientOrderId', { allowEmpty: true });
    const respType = params.oneOf('newOrderRespType', RESP_TYPES, () => Api.invalidData('newOrderRespType'));
    const iceberg = params.dec('icebergQty');
    if (iceberg !== undefined && !d(iceberg).isZero()) throw err(-2010, 'Iceberg orders are not supported for this symbol.');
    params.oneOf('selfTradePreventionMode', STP_MODES, () => Api.invalidData('selfTradePreventionMode'));
    params.int('strategyId');
    const strategyType = params.int('strategyType');
    if (strategyType !== undefined && strategyType < 1_000_000) throw err(-1134, '`strategyType` was less than 1000000.');
    return {
      symbol,
      side,
      type,
      ...(timeInForce !== undefined ? { timeInForce } : {}),
      ...(quantity !== undefined ? { quantity } : {}),
      ...(quoteOrderQty !== undefined ? { quoteOrderQty } : {}),
      ...(price !== undefined ? { price } : {}),
      ...(stopPrice !== undefined ? { stopPrice } : {}),
      ...(trailingDelta !== undefined ? { trailingDelta } : {}),
      ...(newClientOrderId !== undefined ? { newClientOrderId } : {}),
      respType,
    };
  };

  add({
    method: 'POST',
    path: '/api/v3/order',
    signed: true,
    weight: fixedWeight(1),
    placesOrders: true,
    handler: ({ params, accountId, time }) => {
      const o = parseOrder(params);
      done(params, true);
      const { respType, ...req } = o;
      const r = unwrap(venue.placeOrder({ ...req, accountId: accountId as string, time }));
      const resp = respType ?? (o.type === 'MARKET' || o.type === 'LIMIT' ? 'FULL' : 'ACK');
      return { body: placeResponse(r.order, r.fills, time, resp, precision(o.symbol)), events: r.events, createdOrderIds: [r.order.orderId], executed: true };
    },
  });

  add({
    method: 'POST',
    path: '/api/v3/order/test',
    signed: true,
    weight: (p) => (p.values.get('computeCommissionRates') === 'true' ? 20 : 1),
    handler: ({ params, accountId, time }): RouteResult => {
      const o = parseOrder(params);
      const compute = params.str('computeCommissionRates') === 'true';
      done(params, true);
      const { respType: _ignored, ...req } = o;
      unwrap(venue.testOrder({ ...req, accountId: accountId as string, time }));
      if (!compute) return { body: {} };
      const rate = (r: Dec) => fixed(r, 8);
      return {
        body: {
          standardCommissionForOrder: { maker: rate(deps.fees.maker), taker: rate(deps.fees.taker) },
          specialCommissionForOrder: { maker: rate('0'), taker: rate('0') },
          taxCommissionForOrder: { maker: rate('0'), taker: rate('0') },
          discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: 'BNB', discount: '0.00000000' },
        },
      };
    },
  });

  add({
    method: 'POST',
    path: '/api/v3/order/cancelReplace',
    signed: true,
    weight: fixedWeight(1),
    placesOrders: true,
    handler: ({ params, accountId, time }): RouteResult => {
      const mode = params.oneOf('cancelReplaceMode', ['STOP_ON_FAILURE', 'ALLOW_FAILURE'] as const, () => Api.invalidData('cancelReplaceMode'), { required: true });
      const cancelOrderId = params.int('cancelOrderId');
      const cancelOrigClientOrderId = params.str('cancelOrigClientOrderId', { allowEmpty: true });
      const cancelNewClientOrderId = params.str('cancelNewClientOrderId');
      const cancelRestrictions = params.oneOf('cancelRestrictions', ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const, () => err(-1145, '`cancelRestrictions` has to be either `ONLY_NEW` or `ONLY_PARTIALLY_FILLED`.'));
      params.oneOf('orderRateLimitExceededMode', ['DO_NOTHING', 'CANCEL_ONLY'] as const, () => Api.invalidData('orderRateLimitExceededMode'));
      const o = parseOrder(params);
      done(params, true);
      const account = accountId as string;
      const p = precision(o.symbol);
      const cancel = venue.cancelOrder({
        accountId: account,
        symbol: o.symbol,
        ...(cancelOrderId !== undefined ? { orderId: cancelOrderId } : {}),
        ...(cancelOrigClientOrderId !== undefined ? { origClientOrderId: cancelOrigClientOrderId } : {}),
        ...(cancelNewClientOrderId !== undefined ? { newClientOrderId: cancelNewClientOrderId } : {}),
        ...(cancelRestrictions !== undefined ? { cancelRestrictions } : {}),
        time,
      });
      const events: VenueEvent[] = cancel.ok ? [...cancel.events] : [];
      const cancelResponseJson: Json = cancel.ok ? cancelResponse(cancel.order, cancel.cancelClientOrderId, time, p) : { code: cancel.code, msg: cancel.msg };
      if (!cancel.ok && mode === 'STOP_ON_FAILURE') {
        throw new ApiError(-2022, 'Order cancel-replace failed.', 400, {}, { cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED', cancelResponse: cancelResponseJson, newOrderResponse: null });
      }
      const { respType, ...req } = o;
      const placed = venue.placeOrder({ ...req, accountId: account, time });
      const resp = respType ?? (o.type === 'MARKET' || o.type === 'LIMIT' ? 'FULL' : 'ACK');
      const newOrderResponse: Json = placed.ok ? placeResponse(placed.order, placed.fills, time, resp, p) : { code: placed.code, msg: placed.msg };
      if (placed.ok) events.push(...placed.events);
      const body = {
        cancelResult: cancel.ok ? 'SUCCESS' : 'FAILURE',
        newOrderResult: placed.ok ? 'SUCCESS' : 'FAILURE',
        cancelResponse: cancelResponseJson,
        newOrderResponse,
      };
      if (cancel.ok && placed.ok) return { body, events, createdOrderIds: [placed.order.orderId], executed: true };
      // Something changed state but not everything: Binance answers 409 (-2021), or 400 (-2022) when both failed.
      const error = !cancel.ok && !placed.ok ? new ApiError(-2022, 'Order cancel-replace failed.', 400, {}, body) : new ApiError(-2021, 'Order cancel-replace partially failed.', 409, {}, body);
      throw Object.assign(error, { events, createdOrderIds: placed.ok ? [placed.order.orderId] : [] });
    },
  });

  const orderRef = (params: Params) => {
    const orderId = params.int('orderId');
    const origClientOrderId = params.str('origClientOrderId', { allowEmpty: true });
    return { ...(orderId !== undefined ? { orderId } : {}), ...(origClientOrderId !== undefined ? { origClientOrderId } : {}) };
  };

  add({
    method: 'GET',
    path: '/api/v3/order',
    signed: true,
    weight: fixedWeight(4),
    handler: ({ params, accountId }) => {
      const symbol = symbolParam(params) as string;
      const ref = orderRef(params);
      done(params, true);
      const r = unwrap(venue.getOrder(accountId as string, symbol, ref));
      // Lookups are eventually consistent: a hidden (just placed) order "does not exist" yet.
      if (!visible(r.order)) throw err(-2013, 'Order does not exist.');
      return { body: queryResponse(r.order, precision(symbol)) };
    },
  });

  add({
    method: 'DELETE',
    path: '/api/v3/order',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = symbolParam(params) as string;
      const ref = orderRef(params);
      const newClientOrderId = params.str('newClientOrderId');
      const cancelRestrictions = params.oneOf('cancelRestrictions', ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const, () => err(-1145, '`cancelRestrictions` has to be either `ONLY_NEW` or `ONLY_PARTIALLY_FILLED`.'));
      done(params, true);
      const r = unwrap(
        venue.cancelOrder({
          accountId: accountId as string,
          symbol,
          ...ref,
          ...(newClientOrderId !== undefined ? { newClientOrderId } : {}),
          ...(cancelRestrictions !== undefined ? { cancelRestrictions } : {}),
          time,
        }),
      );
      return { body: cancelResponse(r.order, r.cancelClientOrderId, time, precision(symbol)), events: r.events, executed: true };
    },
  });

  add({
    method: 'GET',
    path: '/api/v3/openOrders',
    signed: true,
    weight: (p) => (p.has('symbol') ? 6 : 80),
    handler: ({ params, accountId }) => {
      const symbol = symbolParam(params, false);
      done(params, true);
      return { body: venue.openOrders(accountId as string, symbol).filter(visible).map((o) => queryResponse(o, precision(o.symbol))) };
    },
  });

  add({
    method: 'DELETE',
    path: '/api/v3/openOrders',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = symbolParam(params) as string;
      done(params, true);
      const r = unwrap(venue.cancelOpenOrders(accountId as string, symbol, time));
      const p = precision(symbol);
      const body: Json[] = r.cancelled.map((c) =>
        c.list ? listCancelResponse(c.list, c.listOrders, c.cancelClientOrderId, time, p) : cancelResponse(c.order, c.cancelClientOrderId, time, p),
      );
      return { body, events: r.events, executed: true };
    },
  });

  add({
    method: 'GET',
    path: '/api/v3/allOrders',
    signed: true,
    weight: fixedWeight(20),
    handler: ({ params, accountId }) => {
      const symbol = symbolParam(params) as string;
      const orderId = params.int('orderId');
      const startTime = params.int('startTime');
      const endTime = params.int('endTime');
      const limit = params.int('limit', { min: 1, max: 1000 });
      done(params, true);
      const list = venue.allOrders(accountId as string, symbol, {
        ...(orderId !== undefined ? { orderId } : {}),
        ...(startTime !== undefined ? { startTime } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      return { body: list.filter(visible).map((o) => queryResponse(o, precision(symbol))) };
    },
  });

  add({
    method: 'GET',
    path: '/api/v3/myTrades',
    signed: true,
    weight: fixedWeight(20),
    handler: ({ params, accountId }) => {
      const symbol = symbolParam(params) as string;
      const orderId = params.int('orderId');
      const startTime = params.int('startTime');
      const endTime = params.int('endTime');
      const fromId = params.int('fromId');
      const limit = params.int('limit', { min: 1, max: 1000 });
      done(params, true);
      const trades = venue.trades(accountId as string, symbol, {
        ...(orderId !== undefined ? { orderId } : {}),
        ...(startTime !== undefined ? { startTime } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
        ...(fromId !== undefined ? { fromId } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      return { body: trades.map((t) => tradeJson(t, precision(symbol))) };
    },
  });

  // --- order lists -----------------------------------------------------------------------------

  const placeList = (accountId: string, time: number, symbol: string, side: OrderSide, quantity: string, listClientOrderId: string | undefined, above: OcoLegRequest, below: OcoLegRequest, legOrder: 'stop-first' | 'below-first', respType: RespType | undefined): RouteResult => {
    const r = unwrap(
      venue.placeOco({ accountId, symbol, side, quantity, ...(listClientOrderId !== undefined ? { listClientOrderId } : {}), above, below, legOrder, time }),
    );
    return {
      body: listPlaceResponse(r.list, r.orders, r.fills, respType ?? 'FULL', precision(symbol)),
      events: r.events,
      createdOrderIds: r.orders.map((o) => o.orderId),
      executed: true,
    };
  };
  const leg = (l: OcoLegRequest): OcoLegRequest => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as unknown as OcoLegRequest;

  add({
    method: 'POST',
    path: '/api/v3/order/oco',
    signed: true,
    weight: fixedWeight(1),
    placesOrders: true,
    handler: ({ params, accountId, time }) => {
      const symbol = symbolParam(params) as string;
      const side = params.oneOf('side', SIDES, () => err(-1117, 'Invalid side.'), { required: true }) as OrderSide;
      const quantity = params.dec('quantity', { required: true }) as string;
      const listClientOrderId = params.str('listClientOrderId', { allowEmpty: true });
      const limitClientOrderId = params.str('limitClientOrderId', { allowEmpty: true });
      const price = params.dec('price', { required: true }) as string;
      const stopClientOrderId = params.str('stopClientOrderId', { allowEmpty: true });
      const stopPrice = params.dec('stopPrice');
      const trailingDelta = params.int('trailingDelta');
      const stopLimitPrice = params.dec('stopLimitPrice');
      const stopLimitTimeInForce = params.oneOf('stopLimitTimeInForce', TIFS, () => err(-1115, 'Invalid timeInForce.'));
      for (const n of ['limitIcebergQty', 'stopIcebergQty']) {
        const v = params.dec(n);
        if (v !== undefined && !d(v).isZero()) throw err(-2010, 'Iceberg orders are not supported for this symbol.');
      }
      for (const n of ['limitStrategyId', 'limitStrategyType', 'stopStrategyId', 'stopStrategyType']) params.int(n);
      params.oneOf('selfTradePreventionMode', STP_MODES, () => Api.invalidData('selfTradePreventionMode'));
      const respType = params.oneOf('newOrderRespType', RESP_TYPES, () => Api.invalidData('newOrderRespType'));
      done(params, true);
      if (stopPrice === undefined && trailingDelta === undefined) throw Api.mandatory('stopPrice');
      if (stopLimitPrice !== undefined && stopLimitTimeInForce === undefined) throw Api.mandatory('stopLimitTimeInForce');
      const limitLeg = leg({ type: 'LIMIT_MAKER', price, clientOrderId: limitClientOrderId } as OcoLegRequest);
      const stopLeg = leg({
        type: stopLimitPrice !== undefined ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS',
        price: stopLimitPrice,
        stopPrice,
        trailingDelta,
        timeInForce: stopLimitPrice !== undefined ? stopLimitTimeInForce : undefined,
        clientOrderId: stopClientOrderId,
      } as OcoLegRequest);
      const [above, below] = side === 'SELL' ? [limitLeg, stopLeg] : [stopLeg, limitLeg];
      return placeList(accountId as string, time, symbol, side, quantity, listClientOrderId, above, below, 'stop-first', respType);
    },
  });

  add({
    method: 'POST',
    path: '/api/v3/orderList/oco',
    signed: true,
    weight: fixedWeight(1),
    placesOrders: true,
    handler: ({ params, accountId, time }) => {
      const symbol = symbolParam(params) as string;
      const side = params.oneOf('side', SIDES, () => err(-1117, 'Invalid side.'), { required: true }) as OrderSide;
      const quantity = params.dec('quantity', { required: true }) as string;
      const listClientOrderId = params.str('listClientOrderId', { allowEmpty: true });
      const readLeg = (prefix: 'above' | 'below'): OcoLegRequest => {
        const type = params.oneOf(`${prefix}Type`, LEG_TYPES, () => err(-1158, 'Order type not supported in OCO.'), { required: true }) as OcoLegType;
        const l = leg({
          type,
          clientOrderId: params.str(`${prefix}ClientOrderId`, { allowEmpty: true }),
          price: params.dec(`${prefix}Price`),
          stopPrice: params.dec(`${prefix}StopPrice`),
          trailingDelta: params.int(`${prefix}TrailingDelta`),
          timeInForce: params.oneOf(`${prefix}TimeInForce`, TIFS, () => err(-1115, 'Invalid timeInForce.')),
        } as OcoLegRequest);
        const iceberg = params.dec(`${prefix}IcebergQty`);
        if (iceberg !== undefined && !d(iceberg).isZero()) throw err(-2010, 'Iceberg orders are not supported for this symbol.');
        params.int(`${prefix}StrategyId`);
        params.int(`${prefix}StrategyType`);
        return l;
      };
      const above = readLeg('above');
      const below = readLeg('below');
      params.oneOf('selfTradePreventionMode', STP_MODES, () => Api.invalidData('selfTradePreventionMode'));
      const respType = params.oneOf('newOrderRespType', RESP_TYPES, () => Api.invalidData('newOrderRespType'));
      done(params, true);
      return placeList(accountId as string, time, symbol, side, quantity, listClientOrderId, above, below, 'below-first', respType);
    },
  });

  const listOrders = (ids: readonly number[], accountId: string, symbol: string): OrderView[] =>
    ids.map((id) => venue.getOrder(accountId, symbol, { orderId: id })).flatMap((r) => (r.ok ? [r.order] : []));

  add({
    method: 'GET',
    path: '/api/v3/orderList',
    signed: true,
    weight: fixedWeight(4),
    handler: ({ params, accountId }) => {
      const orderListId = params.int('orderListId');
      const origClientOrderId = params.str('origClientOrderId');
      done(params, true);
      if (orderListId === undefined && origClientOrderId === undefined) throw Api.mandatory('orderListId');
      const r = venue.getOrderList(accountId as string, { ...(orderListId !== undefined ? { orderListId } : {}), ...(origClientOrderId !== undefined ? { listClientOrderId: origClientOrderId } : {}) });
      if (!r.ok) throw err(-2013, 'Order list does not exist.');
      return { body: listJson(r.list, listOrders(r.list.orderIds, accountId as string, r.list.symbol)) };
    },
  });

  add({
    method: 'DELETE',
    path: '/api/v3/orderList',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = symbolParam(params) as string;
      const orderListId = params.int('orderListId');
      const listClientOrderId = params.str('listClientOrderId');
      const newClientOrderId = params.str('newClientOrderId');
      done(params, true);
      if (orderListId === undefined && listClientOrderId === undefined) throw Api.mandatory('orderListId');
      const r = unwrap(
        venue.cancelOrderList(accountId as string, symbol, { ...(orderListId !== undefined ? { orderListId } : {}), ...(listClientOrderId !== undefined ? { listClientOrderId } : {}) }, newClientOrderId, time),
      );
      const cancelCid = newClientOrderId ?? (r.events.find((e) => e.kind === 'order' && e.cancelClientOrderId !== null) as { cancelClientOrderId: string } | undefined)?.cancelClientOrderId ?? '';
      return { body: listCancelResponse(r.list, r.orders, cancelCid, time, precision(symbol)), events: r.events, executed: true };
    },
  });

  add({
    method: 'GET',
    path: '/api/v3/openOrderList',
    signed: true,
    weight: fixedWeight(6),
    handler: ({ params, accountId }) => {
      done(params, true);
      return { body: venue.orderLists(accountId as string, { openOnly: true }).map((l) => listJson(l, listOrders(l.orderIds, accountId as string, l.symbol))) };
    },
  });

  add({
    method: 'GET',
    path: '/api/v3/allOrderList',
    signed: true,
    weight: fixedWeight(20),
    handler: ({ params, accountId }) => {
      const fromId = params.int('fromId');
      const startTime = params.int('startTime');
      const endTime = params.int('endTime');
      const limit = params.int('limit', { min: 1, max: 1000 });
      done(params, true);
      const lists = venue.orderLists(accountId as string, {
        ...(fromId !== undefined ? { fromId } : {}),
        ...(startTime !== undefined ? { startTime } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
        limit: limit ?? 500,
      });
      return { body: lists.map((l) => listJson(l, listOrders(l.orderIds, accountId as string, l.symbol))) };
    },
  });

  return routes;
}

/** One symbol of exchangeInfo, filters padded like Binance's. */
export function symbolInfo(s: VenueSymbol): Json {
  const f = s.filters;
  const p8 = (v: Dec) => fixed(v, 8);
  return {
    symbol: f.symbol,
    status: s.status,
    baseAsset: f.baseAsset,
    baseAssetPrecision: s.baseAssetPrecision,
    quoteAsset: f.quoteAsset,
    quotePrecision: s.quoteAssetPrecision,
    quoteAssetPrecision: s.quoteAssetPrecision,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: false,
    ocoAllowed: true,
    otoAllowed: false,
    opoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: false,
    amendAllowed: false,
    pegInstructionsAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: p8(f.minPrice), maxPrice: p8(f.maxPrice), tickSize: p8(f.tickSize) },
      { filterType: 'LOT_SIZE', minQty: p8(f.minQty), maxQty: p8(f.maxQty), stepSize: p8(f.stepSize) },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      { filterType: 'MARKET_LOT_SIZE', minQty: p8(f.marketMinQty), maxQty: p8(f.marketMaxQty), stepSize: p8(f.marketStepSize) },
      {
        filterType: 'TRAILING_DELTA',
        minTrailingAboveDelta: s.minTrailingDelta,
        maxTrailingAboveDelta: s.maxTrailingDelta,
        minTrailingBelowDelta: s.minTrailingDelta,
        maxTrailingBelowDelta: s.maxTrailingDelta,
      },
      { filterType: 'NOTIONAL', minNotional: p8(f.minNotional), applyMinToMarket: s.applyMinToMarket, maxNotional: p8(f.maxNotional), applyMaxToMarket: s.applyMaxToMarket, avgPriceMins: 5 },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: f.maxNumOrders },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

