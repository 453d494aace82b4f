/**
 * The history queries of the simulated perpetual (allOrders, userTrades, income, fundingRate,
 * allAlgoOrders) with Binance's windows: a start time reads forward from it, otherwise the latest
 * `limit` are kept. Pure.
 */
import { type AlgoRec, type PerpCore, orderView } from './state';
import type { FundingView, IncomeRecord, PerpFillView, PerpOrderView } from './types';

export interface Window {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit?: number;
}

function windowed<T extends { time: number }>(xs: readonly T[], w: Window, defaultLimit = 500): T[] {
  const picked = xs.filter(
    (x) => (w.startTime === undefined || x.time >= w.startTime) && (w.endTime === undefined || x.time <= w.endTime),
  );
  const limit = w.limit ?? defaultLimit;
  return w.startTime !== undefined ? picked.slice(0, limit) : picked.slice(-limit);
}

export function fundingHistory(core: PerpCore, symbol: string, w: Window): FundingView[] {
  const f = core.symbols.get(symbol)?.funding ?? [];
  return windowed(
    f.map((x) => ({ ...x, time: x.fundingTime })),
    w,
    100,
  ).map(({ time: _t, ...x }) => x);
}

export function allOrders(
  core: PerpCore,
  id: string,
  symbol: string,
  opts: Window & { orderId?: number },
): PerpOrderView[] {
  const mine = [...core.orders.values()].filter(
    (o) => o.accountId === id && o.symbol === symbol && (opts.orderId === undefined || o.orderId >= opts.orderId),
  );
  const list = opts.orderId !== undefined ? mine.slice(0, opts.limit ?? 500) : windowed(mine, opts);
  return list.map(orderView);
}

export function trades(
  core: PerpCore,
  id: string,
  symbol: string,
  opts: Window & { orderId?: number; fromId?: number },
): PerpFillView[] {
  const mine = core.fills.filter(
    (f) =>
      f.accountId === id &&
      f.symbol === symbol &&
      (opts.orderId === undefined || f.orderId === opts.orderId) &&
      (opts.fromId === undefined || f.tradeId >= opts.fromId),
  );
  return opts.fromId !== undefined ? mine.slice(0, opts.limit ?? 500) : windowed(mine, opts);
}

export function incomes(
  core: PerpCore,
  id: string,
  opts: Window & { symbol?: string; incomeType?: string },
): IncomeRecord[] {
  const mine = core.incomes.filter(
    (i) =>
      i.accountId === id &&
      (opts.symbol === undefined || i.symbol === opts.symbol) &&
      (opts.incomeType === undefined || i.incomeType === opts.incomeType),
  );
  return windowed(mine, opts, 100);
}

/** The account's conditional orders on a symbol, oldest first, by creation time. */
export function allAlgos(core: PerpCore, id: string, symbol: string, opts: Window & { algoId?: number }): AlgoRec[] {
  const mine = [...core.algos.values()]
    .filter((a) => a.accountId === id && a.symbol === symbol && (opts.algoId === undefined || a.algoId >= opts.algoId))
    .map((a) => ({ a, time: a.createTime }));
  return windowed(mine, opts).map((x) => x.a);
}
