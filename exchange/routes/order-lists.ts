/**
 * Order-list endpoints: OCO placement (the deprecated order/oco and orderList/oco), query, cancel,
 * open and all lists. Legs are parsed with the shared readers (order-params.ts).
 */
import { stripUndefined } from '../../core/json';
import type { OrderSide } from '../../core/orders';
import type { OcoLegRequest, OrderView, Venue } from '../../venue';
import { type RespType, listCancelResponse, listJson, listPlaceResponse } from '../format';
import { Api, err } from '../http/params';
import { type AddRoute, type RouteResult, fixedWeight, paramReaders } from './common';
import {
  leg,
  readLegType,
  readRespType,
  readSide,
  readStpMode,
  readTimeInForce,
  refuseIceberg,
  unwrap,
} from './order-params';

export function addOrderListRoutes(add: AddRoute, deps: { readonly venue: Venue }): void {
  const { venue } = deps;
  const { symbolParam, done, precision } = paramReaders(venue);

  const placeList = (
    accountId: string,
    time: number,
    symbol: string,
    side: OrderSide,
    quantity: string,
    listClientOrderId: string | undefined,
    above: OcoLegRequest,
    below: OcoLegRequest,
    legOrder: 'stop-first' | 'below-first',
    respType: RespType | undefined,
  ): RouteResult => {
    const r = unwrap(
      venue.placeOco(
        stripUndefined({ accountId, symbol, side, quantity, listClientOrderId, above, below, legOrder, time }),
      ),
    );
    return {
      body: listPlaceResponse(r.list, r.orders, r.fills, respType ?? 'FULL', precision(symbol)),
      events: r.events,
      createdOrderIds: r.orders.map((o) => o.orderId),
      executed: true,
    };
  };

  add({
    method: 'POST',
    path: '/api/v3/order/oco',
    signed: true,
    weight: fixedWeight(1),
    placesOrders: true,
    handler: ({ params, accountId, time }) => {
      const symbol = symbolParam(params) as string;
      const side = readSide(params);
      const quantity = params.dec('quantity', { required: true }) as string;
      const listClientOrderId = params.str('listClientOrderId', { allowEmpty: true });
      const limitClientOrderId = params.str('limitClientOrderId', { allowEmpty: true });
      const price = params.dec('price', { required: true }) as string;
      const stopClientOrderId = params.str('stopClientOrderId', { allowEmpty: true });
      const stopPrice = params.dec('stopPrice');
      const trailingDelta = params.int('trailingDelta');
      const stopLimitPrice = params.dec('stopLimitPrice');
      const stopLimitTimeInForce = readTimeInForce(params, 'stopLimitTimeInForce');
      for (const n of ['limitIcebergQty', 'stopIcebergQty']) refuseIceberg(params, n);
      for (const n of ['limitStrategyId', 'limitStrategyType', 'stopStrategyId', 'stopStrategyType']) params.int(n);
      readStpMode(params);
      const respType = readRespType(params);
      done(params, true);
      if (stopPrice === undefined && trailingDelta === undefined) throw Api.mandatory('stopPrice');
      if (stopLimitPrice !== undefined && stopLimitTimeInForce === undefined)
        throw Api.mandatory('stopLimitTimeInForce');
      const limitLeg = leg({
        type: 'LIMIT_MAKER',
        price,
        stopPrice: undefined,
        trailingDelta: undefined,
        timeInForce: undefined,
        clientOrderId: limitClientOrderId,
      });
      const stopLeg = leg({
        type: stopLimitPrice !== undefined ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS',
        price: stopLimitPrice,
        stopPrice,
        trailingDelta,
        timeInForce: stopLimitPrice !== undefined ? stopLimitTimeInForce : undefined,
        clientOrderId: stopClientOrderId,
      });
      const [above, below] = side === 'SELL' ? [limitLeg, stopLeg] : [stopLeg, limitLeg];
      return placeList(
        accountId as string,
        time,
        symbol,
        side,
        quantity,
        listClientOrderId,
        above,
        below,
        'stop-first',
        respType,
      );
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
      const side = readSide(params);
      const quantity = params.dec('quantity', { required: true }) as string;
      const listClientOrderId = params.str('listClientOrderId', { allowEmpty: true });
      const readLeg = (prefix: 'above' | 'below'): OcoLegRequest => {
        const type = readLegType(params, `${prefix}Type`);
        const l = leg({
          type,
          clientOrderId: params.str(`${prefix}ClientOrderId`, { allowEmpty: true }),
          price: params.dec(`${prefix}Price`),
          stopPrice: params.dec(`${prefix}StopPrice`),
          trailingDelta: params.int(`${prefix}TrailingDelta`),
          timeInForce: readTimeInForce(params, `${prefix}TimeInForce`),
        });
        refuseIceberg(params, `${prefix}IcebergQty`);
        params.int(`${prefix}StrategyId`);
        params.int(`${prefix}StrategyType`);
        return l;
      };
      const above = readLeg('above');
      const below = readLeg('below');
      readStpMode(params);
      const respType = readRespType(params);
      done(params, true);
      return placeList(
        accountId as string,
        time,
        symbol,
        side,
        quantity,
        listClientOrderId,
        above,
        below,
        'below-first',
        respType,
      );
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
      const r = venue.getOrderList(
        accountId as string,
        stripUndefined({ orderListId, listClientOrderId: origClientOrderId }),
      );
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
        venue.cancelOrderList(
          accountId as string,
          symbol,
          stripUndefined({ orderListId, listClientOrderId }),
          newClientOrderId,
          time,
        ),
      );
      const cancelCid =
        newClientOrderId ??
        (
          r.events.find((e) => e.kind === 'order' && e.cancelClientOrderId !== null) as
            { cancelClientOrderId: string } | undefined
        )?.cancelClientOrderId ??
        '';
      return {
        body: listCancelResponse(r.list, r.orders, cancelCid, time, precision(symbol)),
        events: r.events,
        executed: true,
      };
    },
  });

  add({
    method: 'GET',
    path: '/api/v3/openOrderList',
    signed: true,
    weight: fixedWeight(6),
    handler: ({ params, accountId }) => {
      done(params, true);
      return {
        body: venue
          .orderLists(accountId as string, { openOnly: true })
          .map((l) => listJson(l, listOrders(l.orderIds, accountId as string, l.symbol))),
      };
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
      const lists = venue.orderLists(
        accountId as string,
        stripUndefined({ fromId, startTime, endTime, limit: limit ?? 500 }),
      );
      return { body: lists.map((l) => listJson(l, listOrders(l.orderIds, accountId as string, l.symbol))) };
    },
  });
}
