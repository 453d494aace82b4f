/**
 * Binance's Algo Service endpoints for conditional orders, as binance-api-node 0.13.10's
 * `futuresOrder` uses them for STOP / STOP_MARKET / TAKE_PROFIT / TAKE_PROFIT_MARKET /
 * TRAILING_STOP_MARKET: POST /fapi/v1/algoOrder (`algoType=CONDITIONAL`, `triggerPrice`,
 * `clientAlgoId`), GET and DELETE /fapi/v1/algoOrder (by `algoId` or `clientAlgoId`),
 * openAlgoOrders, allAlgoOrders, DELETE algoOpenOrders.
 */
import { stripUndefined } from '../../../core/json';
import { ALGO_ORDER_TYPES, type AlgoOrderType } from '../../../venue/perpetual';
import { algoJson } from '../../futures/format';
import { Api, type Params, err } from '../../http/params';
import { type AddRoute, type FuturesRouteDeps, fixedWeight, perpReaders, unwrapPerp } from './common';

export function addFuturesAlgoRoutes(add: AddRoute, deps: FuturesRouteDeps): void {
  const { perp, emit } = deps;
  const r = perpReaders(perp);
  const precisionOf = (symbol: string) => r.precision(symbol);

  const ref = (params: Params) => {
    const algoId = params.int('algoId');
    const clientAlgoId = params.str('clientAlgoId');
    if (algoId === undefined && clientAlgoId === undefined)
      throw err(-1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!");
    return stripUndefined({ algoId, clientAlgoId });
  };

  add({
    method: 'POST',
    path: '/fapi/v1/algoOrder',
    signed: true,
    weight: fixedWeight(0),
    placesOrders: true,
    handler: ({ params, accountId, time }) => {
      params.oneOf('algoType', ['CONDITIONAL'] as const, () => Api.invalidData('algoType'), { required: true });
      const symbol = r.symbolParam(params) as string;
      const side = r.side(params);
      const type = params.oneOf('type', ALGO_ORDER_TYPES, () => err(-1116, 'Invalid orderType.'), {
        required: true,
      }) as AlgoOrderType;
      const positionSide = r.positionSide(params);
      const timeInForce = params.oneOf('timeInForce', ['GTC', 'IOC', 'FOK', 'GTX'] as const, () =>
        err(-1115, 'Invalid timeInForce.'),
      );
      const quantity = params.dec('quantity');
      const price = params.dec('price');
      const triggerPrice = params.dec('triggerPrice');
      const workingType = r.workingType(params);
      const closePosition = r.bool(params, 'closePosition');
      const priceProtect = r.bool(params, 'priceProtect');
      const reduceOnly = r.bool(params, 'reduceOnly');
      // binance-api-node's typings call it activationPrice; Binance's parameter is activatePrice.
      const activatePrice = params.dec('activatePrice') ?? params.dec('activationPrice');
      const callbackRate = params.dec('callbackRate');
      const clientAlgoId = params.str('clientAlgoId');
      r.respType(params);
      r.ignored(params);
      r.done(params, true);
      if (reduceOnly && closePosition) throw err(-1106, "Parameter 'reduceOnly' sent when not required.");
      const placed = unwrapPerp(
        perp.placeAlgo(
          stripUndefined({
            accountId: accountId as string,
            symbol,
            side,
            type,
            quantity,
            price,
            triggerPrice,
            timeInForce,
            reduceOnly,
            closePosition,
            positionSide,
            workingType,
            priceProtect,
            activatePrice,
            callbackRate,
            clientAlgoId,
            time,
          }),
        ),
      );
      emit(placed.events);
      return {
        body: algoJson(placed.algo, precisionOf(symbol)),
        createdOrderIds: [placed.algo.algoId],
        executed: true,
      };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/algoOrder',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId }) => {
      const symbol = r.symbolParam(params, false);
      const which = ref(params);
      r.done(params, true);
      const a = unwrapPerp(perp.getAlgo(accountId as string, which)).algo;
      if ((symbol !== undefined && a.symbol !== symbol) || deps.isHidden(a.algoId))
        throw err(-2013, 'Order does not exist.');
      return { body: algoJson(a, precisionOf(a.symbol)) };
    },
  });

  add({
    method: 'DELETE',
    path: '/fapi/v1/algoOrder',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = r.symbolParam(params, false);
      const which = ref(params);
      r.done(params, true);
      const found = perp.getAlgo(accountId as string, which);
      if (found.ok && symbol !== undefined && found.algo.symbol !== symbol) throw err(-2011, 'Unknown order sent.');
      const c = unwrapPerp(perp.cancelAlgo(accountId as string, which, time));
      emit(c.events);
      return {
        body: { algoId: c.algo.algoId, clientAlgoId: c.algo.clientAlgoId, code: '200', msg: 'success' },
        executed: true,
      };
    },
  });

  add({
    method: 'DELETE',
    path: '/fapi/v1/algoOpenOrders',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = r.symbolParam(params) as string;
      r.done(params, true);
      emit(unwrapPerp(perp.cancelAllAlgos(accountId as string, symbol, time)).events);
      return { body: { code: 200, msg: 'The operation of cancel all open order is done.' }, executed: true };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/openAlgoOrders',
    signed: true,
    weight: (p) => (p.has('symbol') ? 1 : 40),
    handler: ({ params, accountId }) => {
      params.oneOf('algoType', ['CONDITIONAL'] as const, () => Api.invalidData('algoType'));
      const symbol = r.symbolParam(params, false);
      r.done(params, true);
      return {
        body: perp
          .openAlgos(accountId as string, symbol)
          .filter((a) => !deps.isHidden(a.algoId))
          .map((a) => algoJson(a, precisionOf(a.symbol))),
      };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/allAlgoOrders',
    signed: true,
    weight: fixedWeight(5),
    handler: ({ params, accountId }) => {
      params.oneOf('algoType', ['CONDITIONAL'] as const, () => Api.invalidData('algoType'));
      const symbol = r.symbolParam(params) as string;
      const algoId = params.int('algoId');
      const w = r.window(params, 100);
      params.int('page');
      r.done(params, true);
      const list = perp.allAlgos(accountId as string, symbol, { ...w, ...(algoId !== undefined ? { algoId } : {}) });
      return { body: list.map((a) => algoJson(a, precisionOf(symbol))) };
    },
  });
}
