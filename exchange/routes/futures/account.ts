/**
 * USDⓈ-M account endpoints: positionRisk (v2 and v3), account and balance (v2 and v3), leverage,
 * marginType, positionSide/dual (one-way mode only: hedge mode is refused), leverageBracket,
 * commissionRate, income, multiAssetsMargin, and the listenKey of the user-data stream.
 */
import { fixed } from '../../../core/decimal';
import { accountJson, balanceJson, positionRiskJson } from '../../futures/format';
import { Api, err } from '../../http/params';
import { type AddRoute, type FuturesRouteDeps, fixedWeight, perpReaders, unwrapPerp } from './common';

export function addFuturesAccountRoutes(add: AddRoute, deps: FuturesRouteDeps): void {
  const { perp, emit } = deps;
  const r = perpReaders(perp);

  for (const version of ['v2', 'v3'] as const) {
    add({
      method: 'GET',
      path: `/fapi/${version}/positionRisk`,
      signed: true,
      weight: fixedWeight(5),
      handler: ({ params, accountId }) => {
        const symbol = r.symbolParam(params, false);
        r.done(params, true);
        // v3 lists only symbols with a position or open orders; v2 lists every symbol.
        const all = perp.positions(accountId as string, symbol);
        const shown =
          version === 'v3' ? all.filter((p) => p.positionAmt !== '0' || p.openOrderInitialMargin !== '0') : all;
        return { body: shown.map((p) => positionRiskJson(p, r.precision(p.symbol))) };
      },
    });
    add({
      method: 'GET',
      path: `/fapi/${version}/account`,
      signed: true,
      weight: fixedWeight(5),
      handler: ({ params, accountId }) => {
        r.done(params, true);
        const a = perp.account(accountId as string);
        if (!a) throw err(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
        return { body: accountJson(a, perp.positions(accountId as string), r.precision) };
      },
    });
    add({
      method: 'GET',
      path: `/fapi/${version}/balance`,
      signed: true,
      weight: fixedWeight(5),
      handler: ({ params, accountId }) => {
        r.done(params, true);
        const a = perp.account(accountId as string);
        if (!a) throw err(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
        return { body: [balanceJson(a, accountId as string)] };
      },
    });
  }

  add({
    method: 'POST',
    path: '/fapi/v1/leverage',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = r.symbolParam(params) as string;
      const leverage = params.int('leverage', { required: true }) as number;
      r.done(params, true);
      const res = unwrapPerp(perp.setLeverage(accountId as string, symbol, leverage, time));
      emit(res.events);
      return { body: { leverage: res.leverage, maxNotionalValue: res.maxNotionalValue, symbol }, executed: true };
    },
  });

  add({
    method: 'POST',
    path: '/fapi/v1/marginType',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId, time }) => {
      const symbol = r.symbolParam(params) as string;
      const marginType = params.oneOf(
        'marginType',
        ['ISOLATED', 'CROSSED'] as const,
        () => Api.invalidData('marginType'),
        { required: true },
      ) as 'ISOLATED' | 'CROSSED';
      r.done(params, true);
      emit(unwrapPerp(perp.setMarginType(accountId as string, symbol, marginType, time)).events);
      return { body: { code: 200, msg: 'success' }, executed: true };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/positionSide/dual',
    signed: true,
    weight: fixedWeight(30),
    handler: ({ params }) => (r.done(params, true), { body: { dualSidePosition: false } }),
  });
  add({
    method: 'POST',
    path: '/fapi/v1/positionSide/dual',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId }) => {
      const dual = r.bool(params, 'dualSidePosition');
      if (dual === undefined) throw Api.mandatory('dualSidePosition');
      r.done(params, true);
      unwrapPerp(perp.setPositionMode(accountId as string, dual));
      return { body: { code: 200, msg: 'success' } };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/leverageBracket',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params }) => {
      const symbol = r.symbolParam(params, false);
      r.done(params, true);
      const rows = perp
        .symbols()
        .filter((s) => symbol === undefined || s.filters.symbol === symbol)
        .map((s) => ({
          symbol: s.filters.symbol,
          notionalCoef: 1.0,
          brackets: s.brackets.map((b) => ({
            bracket: b.bracket,
            initialLeverage: b.initialLeverage,
            notionalCap: Number(b.notionalCap),
            notionalFloor: Number(b.notionalFloor),
            maintMarginRatio: Number(b.maintMarginRatio),
            cum: Number(b.cum),
          })),
        }));
      // With a symbol Binance answers that symbol's object, without one the list.
      return { body: symbol !== undefined ? (rows[0] ?? []) : rows };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/commissionRate',
    signed: true,
    weight: fixedWeight(20),
    handler: ({ params }) => {
      const symbol = r.symbolParam(params) as string;
      r.done(params, true);
      return {
        body: {
          symbol,
          makerCommissionRate: fixed(perp.settings().makerFee, 6),
          takerCommissionRate: fixed(perp.settings().takerFee, 6),
          rpiCommissionRate: '0',
        },
      };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/income',
    signed: true,
    weight: fixedWeight(30),
    handler: ({ params, accountId }) => {
      const symbol = r.symbolParam(params, false);
      const incomeType = params.oneOf(
        'incomeType',
        ['TRANSFER', 'REALIZED_PNL', 'FUNDING_FEE', 'COMMISSION', 'INSURANCE_CLEAR'] as const,
        () => Api.invalidData('incomeType'),
      );
      const w = r.window(params, 1000);
      params.int('page');
      r.done(params, true);
      const rows = perp.incomes(accountId as string, {
        ...w,
        ...(symbol !== undefined ? { symbol } : {}),
        ...(incomeType !== undefined ? { incomeType } : {}),
      });
      return {
        body: rows.map((i) => ({
          symbol: i.symbol,
          incomeType: i.incomeType,
          income: fixed(i.income, 8),
          asset: i.asset,
          info: i.info,
          time: i.time,
          tranId: i.tranId,
          tradeId: i.tradeId === null ? '' : String(i.tradeId),
        })),
      };
    },
  });

  add({
    method: 'GET',
    path: '/fapi/v1/multiAssetsMargin',
    signed: true,
    weight: fixedWeight(30),
    handler: ({ params }) => (r.done(params, true), { body: { multiAssetsMargin: false } }),
  });

  // The user-data stream's listenKey: API key only (USER_STREAM security), no signature.
  add({
    method: 'POST',
    path: '/fapi/v1/listenKey',
    signed: false,
    apiKey: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId }) => (
      r.done(params, false),
      { body: { listenKey: deps.streams.create(accountId as string) } }
    ),
  });
  add({
    method: 'PUT',
    path: '/fapi/v1/listenKey',
    signed: false,
    apiKey: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId }) => {
      const key = params.str('listenKey');
      r.done(params, false);
      return { body: { listenKey: deps.streams.keepAlive(accountId as string, key) } };
    },
  });
  add({
    method: 'DELETE',
    path: '/fapi/v1/listenKey',
    signed: false,
    apiKey: true,
    weight: fixedWeight(1),
    handler: ({ params, accountId }) => {
      const key = params.str('listenKey');
      r.done(params, false);
      deps.streams.close(accountId as string, key);
      return { body: {} };
    },
  });
}
