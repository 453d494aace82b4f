/** Persistence of the perpetual as plain JSON: the records as they are, open lists by id. Pure. */
import { type AccountRec, type AlgoRec, type OrderRec, type PerpCore, clientKey } from './state';
import type { FundingView, IncomeRecord, PerpFillView } from './types';

export interface PerpSnapshot {
  readonly version: 1;
  readonly symbols: ReadonlyArray<{
    readonly symbol: string;
    readonly lastPrice: string | null;
    readonly markPrice: string | null;
    readonly markPinned: boolean;
    readonly fundingRate: string;
    readonly nextFundingTime: number;
    readonly tradeSeq: number;
    readonly bookSeq: number;
    readonly funding: readonly FundingView[];
    readonly open: readonly number[];
    readonly algos: readonly number[];
    readonly holders: readonly string[];
  }>;
  readonly accounts: readonly AccountRec[];
  readonly orders: readonly OrderRec[];
  readonly algos: readonly AlgoRec[];
  readonly fills: readonly PerpFillView[];
  readonly incomes: readonly IncomeRecord[];
  readonly counters: PerpCore['counters'];
}

const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

export function takeSnapshot(core: PerpCore): PerpSnapshot {
  return copy({
    version: 1,
    symbols: [...core.symbols.values()].map((s) => ({
      symbol: s.spec.filters.symbol,
      lastPrice: s.lastPrice,
      markPrice: s.markPrice,
      markPinned: s.markPinned,
      fundingRate: s.fundingRate,
      nextFundingTime: s.nextFundingTime,
      tradeSeq: s.tradeSeq,
      bookSeq: s.bookSeq,
      funding: s.funding,
      open: s.open.map((o) => o.orderId),
      algos: s.algos.map((a) => a.algoId),
      holders: s.holders,
    })),
    accounts: [...core.accounts.values()],
    orders: [...core.orders.values()],
    algos: [...core.algos.values()],
    fills: core.fills,
    incomes: core.incomes,
    counters: core.counters,
  });
}

/** Load a snapshot into a freshly built core (symbols come from the config; unknown ones are skipped). */
export function restoreSnapshot(core: PerpCore, snap: PerpSnapshot): void {
  const s = copy(snap);
  for (const o of s.orders) {
    core.orders.set(o.orderId, o);
    core.byClientId.set(clientKey(o.accountId, o.clientOrderId), o.orderId);
  }
  for (const a of s.algos) {
    core.algos.set(a.algoId, a);
    core.algoByClientId.set(clientKey(a.accountId, a.clientAlgoId), a.algoId);
  }
  for (const a of s.accounts) core.accounts.set(a.id, a);
  for (const r of s.symbols) {
    const sym = core.symbols.get(r.symbol);
    if (!sym) continue;
    Object.assign(sym, {
      lastPrice: r.lastPrice,
      markPrice: r.markPrice,
      markPinned: r.markPinned,
      fundingRate: r.fundingRate,
      nextFundingTime: r.nextFundingTime,
      tradeSeq: r.tradeSeq,
      bookSeq: r.bookSeq,
      funding: [...r.funding],
      open: r.open.map((id) => core.orders.get(id)).filter((o): o is OrderRec => o !== undefined),
      algos: r.algos.map((id) => core.algos.get(id)).filter((a): a is AlgoRec => a !== undefined),
      holders: [...r.holders],
    });
  }
  core.fills.push(...s.fills);
  core.incomes.push(...s.incomes);
  Object.assign(core.counters, s.counters);
}
