/**
 * USDⓈ-M order endpoints: POST/GET/DELETE /fapi/v1/order (MARKET, LIMIT GTC/IOC/FOK/GTX,
 * reduceOnly, one-way positionSide BOTH), openOrders, allOrders, allOpenOrders, userTrades.
 * Conditional types on /fapi/v1/order get Binance's -4120 (they belong to /fapi/v1/algoOrder
 * since 2025-12-09). `newOrderRespType` ACK (the default) answers with the order as the matching
 * engine first took it (NEW, nothing executed) — the final state is only known from a lookup or
 * the user stream, as on Binance.
 */
import { stripUndefined } from '../../../core/json';
import { ALGO_ORDER_TYPES, type PerpOrderView } from '../../../venue/perpetual';
import { orderJson, tradeJson } from '../../futures/format';
import { type Params, err } from '../../http/params';
import { type AddRoute, type FuturesRouteDeps, fixedWeight, perpReaders, unwrapPerp } from './common';

const REGULAR = ['LIMIT', 'MARKET'] as const;
const CONDITIONAL: readonly string[] = ALGO_ORDER_TYPES;

export function addFuturesOrderRoutes(add: AddRoute, deps: FuturesRouteDeps): void {
  const { perp, emit } = deps;
  const r = perpReaders(perp);
  const visible = (o: PerpOrderView) => !deps.isHidden(o.orderId);

  const ref = (params: Params) => {
    const orderId = params.int('orderId');
    const origClientOrderId = params.str('origClientOrderId');
    if (orderId === undefined && origClientOrderId === undefined)
      throw err(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    return stripUndefined({ orderId, origClientOrderId });
  };

  add({
    method: 'POST',
    path: '/fapi/v1/order',
    signed: true,
    weight: fixedWeight(1),
    placesOrders: true,
    handler: ({ params, accountId, time }) => {
      const symbol = r.symbolParam(params) as string;
      const side = r.side(params);
      const type = params.str('type', { required: true }) as string;
      if (CONDITIONAL.includes(type))
        throw err(
          -4120,
          'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.',
        );
      if (!(REGULAR as readonly string[]).includes(type)) throw err(-1116, 'Invalid orderType.');
      const positionSide = r.positionSide(params);
      const timeInForce = params.oneOf('timeInForce', ['GTC', 'IOC', 'FOK', 'GTX'] as const, () =>
        err(-1115, 'Invalid timeInForce.'),
      );
      const quantity = params.dec('quantity', { required: true }) as string;
      const price = params.dec('price');
      const reduceOnly = r.bool(params, 'reduceOnly');
      const closePosition = r.bool(params, 'closePosition');
      const newClientOrderId = params.str('newClientOrderId');
      if (params.str('stopPrice') !== undefined) throw err(-1106, "Parameter 'stopPrice' sent when not required.");
      if (params.str('callbackRate') !== undefined)
        throw err(-1106, "Parameter 'callbackRate' sent when not required.");
      if (params.str('activationPrice') !== undefined)
        throw err(-1106, "Parameter 'activationPrice' sent when not required.");
      r.workingType(params);
      r.bool(params, 'priceProtect');
      const resp = r.respType(params) ?? 'ACK';
      r.ignored(params);
      r.done(params, true);
      if (closePosition) throw err(-4136, `Target strategy invalid for orderType ${type},closePosition true`);
      if (reduceOnly && positionSide !== undefined && positionSide !== 'BOTH')
        throw err(-1106, "Parameter 'reduceOnly' sent when not required.");
      const placed = unwrapPerp(
        perp.placeOrder(
          stripUndefined({
            accountId: accountId as string,
            symbol,
            side,
            type: type as 'LIMIT' | 'MARKET',
            timeInForce: type === 'MARKET' ? undefined : timeInForce,
            quantity,
            price,
            reduceOnly,
            positionSide,
            newClientOrderId,
            time,
          }),
        ),
      );
      emit(placed.events);
      return {
        body: orderJson(placed.order, r.precision(symbol), resp === 'ACK'),
        createdOrderIds: [placed.order.orderId],
        executed: true,
      };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/order',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = r.symbolParam(params) as string;
      const which = ref(params);
      r.done(params, true);
      const o = unwrapPerp(perp.getOrder(accountId as string, symbol, which, time)).order;
      if (!visible(o)) throw err(-2013, 'Order does not exist.');
      return { body: orderJson(o, r.precision(symbol)) };
    },
  });

  add({
    method: 'DELETE',
    path: '/fapi/v1/order',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = r.symbolParam(params) as string;
      const which = ref(params);
      r.done(params, true);
      const c = unwrapPerp(perp.cancelOrder(accountId as string, symbol, which, time));
      emit(c.events);
      return { body: orderJson(c.order, r.precision(symbol)), executed: true };
    },
  });

  add({
    method: 'DELETE',
    path: '/fapi/v1/allOpenOrders',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = r.symbolParam(params) as string;
      r.done(params, true);
      emit(unwrapPerp(perp.cancelAllOrders(accountId as string, symbol, time)).events);
      return { body: { code: 200, msg: 'The operation of cancel all open order is done.' }, executed: true };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/openOrders',
    signed: true,
    weight: (p) => (p.has('symbol') ? 1 : 40),
    handler: ({ params, accountId }) => {
      const symbol = r.symbolParam(params, false);
      r.done(params, true);
      return {
        body: perp
          .openOrders(accountId as string, symbol)
          .filter(visible)
          .map((o) => orderJson(o, r.precision(o.symbol))),
      };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/allOrders',
    signed: true,
    weight: fixedWeight(5),
    handler: ({ params, accountId }) => {
      const symbol = r.symbolParam(params) as string;
      const orderId = params.int('orderId');
      const w = r.window(params, 1000);
      r.done(params, true);
      const list = perp.allOrders(accountId as string, symbol, { ...w, ...(orderId !== undefined ? { orderId } : {}) });
      return { body: list.filter(visible).map((o) => orderJson(o, r.precision(symbol))) };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/userTrades',
    signed: true,
    weight: fixedWeight(5),
    handler: ({ params, accountId }) => {
      const symbol = r.symbolParam(params) as string;
      const orderId = params.int('orderId');
      const fromId = params.int('fromId');
      const w = r.window(params, 1000);
      r.done(params, true);
      const trades = perp.trades(accountId as string, symbol, {
        ...w,
        ...(orderId !== undefined ? { orderId } : {}),
        ...(fromId !== undefined ? { fromId } : {}),
      });
      return { body: trades.map((t) => tradeJson(t, r.precision(symbol))) };
    },
  });
}
