/**
 * Order endpoints: place (and test, cancel-replace), query, cancel, open and all orders, the
 * account's trades. Parameters go through the one order parser (order-params.ts).
 */
import { type Dec, fixed } from '../../core/decimal';
import { stripUndefined } from '../../core/json';
import type { OrderView, Venue, VenueEvent } from '../../venue';
import { type Json, cancelResponse, listCancelResponse, placeResponse, queryResponse, tradeJson } from '../format';
import { Api, ApiError, PartialExecutionError, err } from '../http/params';
import { type AddRoute, type RouteResult, fixedWeight, paramReaders } from './common';
import { defaultRespType, orderRef, parseOrder, readCancelRestrictions, unwrap } from './order-params';

export interface OrderRouteDeps {
  readonly venue: Venue;
  readonly isHidden: (orderId: number) => boolean;
  readonly fees: { readonly maker: Dec; readonly taker: Dec };
}

export function addOrderRoutes(add: AddRoute, deps: OrderRouteDeps): void {
  const { venue } = deps;
  const { symbolParam, done, precision } = paramReaders(venue);
  const visible = (o: OrderView) => !deps.isHidden(o.orderId);

  add({
    method: 'POST',
    path: '/api/v3/order',
    signed: true,
    weight: fixedWeight(1),
    placesOrders: true,
    handler: ({ params, accountId, time }) => {
      const o = parseOrder(params, symbolParam);
      done(params, true);
      const { respType: _resp, ...req } = o;
      const r = unwrap(venue.placeOrder({ ...req, accountId: accountId as string, time }));
      return {
        body: placeResponse(r.order, r.fills, time, defaultRespType(o), precision(o.symbol)),
        events: r.events,
        createdOrderIds: [r.order.orderId],
        executed: true,
      };
    },
  });

  add({
    method: 'POST',
    path: '/api/v3/order/test',
    signed: true,
    weight: (p) => (p.values.get('computeCommissionRates') === 'true' ? 20 : 1),
    handler: ({ params, accountId, time }): RouteResult => {
      const o = parseOrder(params, symbolParam);
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
      const mode = params.oneOf(
        'cancelReplaceMode',
        ['STOP_ON_FAILURE', 'ALLOW_FAILURE'] as const,
        () => Api.invalidData('cancelReplaceMode'),
        { required: true },
      );
      const cancelOrderId = params.int('cancelOrderId');
      const cancelOrigClientOrderId = params.str('cancelOrigClientOrderId', { allowEmpty: true });
      const cancelNewClientOrderId = params.str('cancelNewClientOrderId');
      const cancelRestrictions = readCancelRestrictions(params);
      params.oneOf('orderRateLimitExceededMode', ['DO_NOTHING', 'CANCEL_ONLY'] as const, () =>
        Api.invalidData('orderRateLimitExceededMode'),
      );
      const o = parseOrder(params, symbolParam);
      done(params, true);
      const account = accountId as string;
      const p = precision(o.symbol);
      const cancel = venue.cancelOrder(
        stripUndefined({
          accountId: account,
          symbol: o.symbol,
          orderId: cancelOrderId,
          origClientOrderId: cancelOrigClientOrderId,
          newClientOrderId: cancelNewClientOrderId,
          cancelRestrictions,
          time,
        }),
      );
      const events: VenueEvent[] = cancel.ok ? [...cancel.events] : [];
      const cancelResponseJson: Json = cancel.ok
        ? cancelResponse(cancel.order, cancel.cancelClientOrderId, time, p)
        : { code: cancel.code, msg: cancel.msg };
      if (!cancel.ok && mode === 'STOP_ON_FAILURE') {
        throw new ApiError(
          -2022,
          'Order cancel-replace failed.',
          400,
          {},
          {
            cancelResult: 'FAILURE',
            newOrderResult: 'NOT_ATTEMPTED',
            cancelResponse: cancelResponseJson,
            newOrderResponse: null,
          },
        );
      }
      const { respType: _resp, ...req } = o;
      const placed = venue.placeOrder({ ...req, accountId: account, time });
      const newOrderResponse: Json = placed.ok
        ? placeResponse(placed.order, placed.fills, time, defaultRespType(o), p)
        : { code: placed.code, msg: placed.msg };
      if (placed.ok) events.push(...placed.events);
      const body = {
        cancelResult: cancel.ok ? 'SUCCESS' : 'FAILURE',
        newOrderResult: placed.ok ? 'SUCCESS' : 'FAILURE',
        cancelResponse: cancelResponseJson,
        newOrderResponse,
      };
      if (cancel.ok && placed.ok) return { body, events, createdOrderIds: [placed.order.orderId], executed: true };
      // Something changed state but not everything: Binance answers 409 (-2021), or 400 (-2022) when both failed.
      const createdOrderIds = placed.ok ? [placed.order.orderId] : [];
      if (!cancel.ok && !placed.ok)
        throw new PartialExecutionError(-2022, 'Order cancel-replace failed.', 400, body, events, createdOrderIds);
      throw new PartialExecutionError(
        -2021,
        'Order cancel-replace partially failed.',
        409,
        body,
        events,
        createdOrderIds,
      );
    },
  });

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
      const cancelRestrictions = readCancelRestrictions(params);
      done(params, true);
      const r = unwrap(
        venue.cancelOrder(
          stripUndefined({
            accountId: accountId as string,
            symbol,
            ...ref,
            newClientOrderId,
            cancelRestrictions,
            time,
          }),
        ),
      );
      return {
        body: cancelResponse(r.order, r.cancelClientOrderId, time, precision(symbol)),
        events: r.events,
        executed: true,
      };
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
      return {
        body: venue
          .openOrders(accountId as string, symbol)
          .filter(visible)
          .map((o) => queryResponse(o, precision(o.symbol))),
      };
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
        c.list
          ? listCancelResponse(c.list, c.listOrders, c.cancelClientOrderId, time, p)
          : cancelResponse(c.order, c.cancelClientOrderId, time, p),
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
      const list = venue.allOrders(accountId as string, symbol, stripUndefined({ orderId, startTime, endTime, limit }));
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
      const trades = venue.trades(
        accountId as string,
        symbol,
        stripUndefined({ orderId, startTime, endTime, fromId, limit }),
      );
      return { body: trades.map((t) => tradeJson(t, precision(symbol))) };
    },
  });
}
