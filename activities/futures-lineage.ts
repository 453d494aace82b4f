/**
 * A futures bot's lineage on the USDⓈ-M account (activities/lineage.ts is spot's): the orders of
 * its own lineage its history never minted — a Temporal reset discarded the branch that placed
 * them — found on its symbol, with their fills, to be adopted (core/adoption.ts).
 *
 * Where a discarded branch's orders are found:
 * - open orders (`GET /fapi/v1/openOrders`): a resting take-profit or entry;
 * - open conditional orders (`GET /fapi/v1/openAlgoOrders`, by `clientAlgoId`): its protective
 *   STOP_MARKET, which the kernel adopts as the position's stop (core/futures/adoption.ts);
 * - with `scan` (a reset, every new run), every order placed since `since` (`GET
 *   /fapi/v1/allOrders`, paged as activities/order-history.ts does): filled MARKET entries and
 *   exits, so their fills count in the signed position. A conditional order that triggered placed
 *   its order under the algo's id: listed here, it is adopted once (the algo's record when the
 *   algo is still open, the order's otherwise).
 * Fills come from `GET /fapi/v1/userTrades` by orderId. Read-only.
 */
import { isPositive } from '../core/decimal';
import { type ForeignOrder, isForeignLineageId } from '../core/adoption';
import type { ExchangeAccount } from './exchange-account';
import { readFromExchange } from './exchange-reads';
import { type LineageInput, type LineageResult, MAX_ADOPTIONS_PER_RECONCILE, ownership } from './lineage';
import { ordersSince } from './order-history';
import type { RawOrder } from './binance-types';
import type { RawFuturesAlgo, RawFuturesOrder } from './futures-types';
import { futuresFills, futuresRest } from './futures-orders';
import {
  requestFromAlgo,
  requestFromFuturesOrder,
  snapshotFromAlgo,
  snapshotFromFuturesOrder,
} from './futures-mapping';

export interface FuturesLineageInput {
  readonly symbol: string;
  readonly ownTag: string;
  readonly lineage: LineageInput | undefined;
  readonly open: readonly RawFuturesOrder[];
  readonly openAlgo: readonly RawFuturesAlgo[];
  /** Ids the reconciliation already looks up (the bot's own). */
  readonly listed: ReadonlySet<string>;
  readonly runningTags: readonly string[];
}

type Candidate = { readonly algo: RawFuturesAlgo } | { readonly order: RawFuturesOrder };

export async function futuresLineageOrders(acc: ExchangeAccount, input: FuturesLineageInput): Promise<LineageResult> {
  const { symbol, ownTag, lineage } = input;
  const { orphans, inherited } = ownership(
    [...input.open.map((o) => o.clientOrderId), ...input.openAlgo.map((a) => a.clientAlgoId)],
    ownTag,
    input.runningTags,
  );
  if (!lineage) return { foreign: [], inherited, orphans, scanIncomplete: false };

  const isForeign = (id: string) =>
    !input.listed.has(id) && isForeignLineageId(ownTag, lineage.branch, lineage.ranges, lineage.nextSeq, id);
  // By client id: an open algo first, so a triggered algo's order (same id) is not adopted twice.
  const candidates = new Map<string, Candidate>();
  for (const algo of input.openAlgo) if (isForeign(algo.clientAlgoId)) candidates.set(algo.clientAlgoId, { algo });
  for (const order of input.open)
    if (isForeign(order.clientOrderId) && !candidates.has(order.clientOrderId))
      candidates.set(order.clientOrderId, { order });
  let historyComplete = true;
  if (lineage.scan) {
    const rest = futuresRest(acc);
    const list = (params: Record<string, string | number>) =>
      readFromExchange<RawFuturesOrder[]>(acc, 'futures allOrders', 5, () =>
        rest.futuresAllOrders({ symbol, ...params }),
      );
    let recent: readonly RawFuturesOrder[];
    if (lineage.since !== undefined) {
      // The pager reads only orderId and the window; futures orders carry both like spot's.
      const found = await ordersSince(
        list as unknown as (p: Record<string, string | number>) => Promise<RawOrder[]>,
        symbol,
        lineage.since,
        Date.now(),
      );
      recent = found.orders as unknown as readonly RawFuturesOrder[];
      historyComplete = found.complete;
    } else {
      recent = await list({ limit: 1000 });
    }
    for (const order of recent)
      if (isForeign(order.clientOrderId) && !candidates.has(order.clientOrderId))
        candidates.set(order.clientOrderId, { order });
  }
  const foreign: ForeignOrder[] = [];
  for (const c of [...candidates.values()].slice(0, MAX_ADOPTIONS_PER_RECONCILE)) foreign.push(await adoptable(acc, c));
  return {
    foreign,
    inherited,
    orphans,
    scanIncomplete: !historyComplete || candidates.size > MAX_ADOPTIONS_PER_RECONCILE,
  };
}

/** The order as the kernel adopts it: its snapshot with fills, its request, when it was placed. */
async function adoptable(acc: ExchangeAccount, c: Candidate): Promise<ForeignOrder> {
  if ('algo' in c) {
    const a = c.algo;
    const actual = Number(a.actualOrderId || 0);
    const fills = actual > 0 && isPositive(a.executedQty ?? '0') ? await futuresFills(acc, a.symbol, actual) : [];
    return {
      snapshot: snapshotFromAlgo(a, fills),
      request: requestFromAlgo(a),
      time: Number(a.createTime ?? a.updateTime ?? 0),
    };
  }
  const o = c.order;
  const fills = isPositive(o.executedQty) ? await futuresFills(acc, o.symbol, Number(o.orderId)) : [];
  return {
    snapshot: snapshotFromFuturesOrder(o, fills),
    request: requestFromFuturesOrder(o),
    time: Number(o.time ?? o.updateTime ?? 0),
  };
}
