/**
 * Exact ownership on the exchange: a bot's orders carry its lineage tag (core/client-ids.ts), and
 * nothing else does. Reconciliation uses it three ways on the bot's symbol:
 *
 * - **foreign**: orders of the bot's own lineage that its history never minted (a Temporal reset
 *   discarded the branch that placed them). Open ones come from the open-orders list; with `scan`
 *   (every new run, every reset; core/lineage-scan.ts) the account's orders on the symbol placed
 *   since `since` too, every one of them (activities/order-history.ts; without `since`, in states
 *   from before it, the latest 1,000), so filled ones count in the position. Returned with their
 *   fills, a few per reconciliation, to be adopted.
 * - **inherited**: open orders of an earlier incarnation of the same workflow id (terminated, then
 *   started again: same name key, another first run id, no longer running). Reported, not managed.
 * - **orphans**: open orders no running bot owns.
 */
import { isPositive } from '../core/decimal';
import { type ForeignOrder, type IdBranchRange, isForeignLineageId } from '../core/adoption';
import { isLineageTag, nameKeyOf, tagOf } from '../core/client-ids';
import type { RawOrder, RawTrade } from './binance-types';
import type { ExchangeAccount } from './exchange-account';
import { fillFromTrade, snapshotFromOrder } from './mapping';
import { ordersSince } from './order-history';
import { requestFromRaw } from './order-match';

export interface LineageInput {
  /** The branch the bot mints ids in now, and the ranges its history minted per branch (its own ids). */
  readonly branch: string;
  readonly ranges: readonly IdBranchRange[];
  readonly nextSeq: number;
  /** Also look through the symbol's orders placed since `since` (filled ones included), not only open ones. */
  readonly scan: boolean;
  readonly since?: number;
}

export interface LineageResult {
  readonly foreign: readonly ForeignOrder[];
  readonly inherited: readonly string[];
  readonly orphans: readonly string[];
  /** More foreign orders than one reconciliation fetches fills for, or more orders than one scan reads: the next one continues. */
  readonly scanIncomplete: boolean;
}

/**
 * Foreign orders whose fills one reconciliation fetches (myTrades, weight 20 each): few enough that
 * one attempt fits a small weight budget; the bot adopts them and the next reconciliation goes on.
 */
export const MAX_ADOPTIONS_PER_RECONCILE = 8;

/**
 * Of the open orders' ids: those no running bot owns (orphans), and among them those of an earlier
 * incarnation of this bot's name (inherited), kept apart. Spot and USDⓈ-M reconciliations share it.
 */
export function ownership(
  openIds: readonly string[],
  ownTag: string,
  runningTags: readonly string[],
): { readonly orphans: readonly string[]; readonly inherited: readonly string[] } {
  const ownNameKey = isLineageTag(ownTag) ? nameKeyOf(ownTag) : null;
  // One workflow id runs once at a time: another lifetime of this bot's name key is not running,
  // whatever a listing a moment old says.
  const running = runningTags.filter((t) => ownNameKey === null || !isLineageTag(t) || nameKeyOf(t) !== ownNameKey);
  const owners = new Set([ownTag, ...running]);
  const unowned = openIds.filter((id) => !owners.has(tagOf(id) ?? ''));
  const inherited = unowned.filter((id) => {
    const tag = tagOf(id);
    return ownNameKey !== null && tag !== null && tag !== ownTag && isLineageTag(tag) && nameKeyOf(tag) === ownNameKey;
  });
  return { inherited, orphans: unowned.filter((id) => !inherited.includes(id)) };
}

export async function lineageOrders(
  acc: ExchangeAccount,
  symbol: string,
  ownTag: string,
  lineage: LineageInput | undefined,
  open: readonly RawOrder[],
  listed: ReadonlySet<string>,
  runningTags: readonly string[],
  read: <T>(what: string, weight: number, fn: Parameters<ExchangeAccount['call']>[2]) => Promise<T>,
): Promise<LineageResult> {
  const { orphans, inherited } = ownership(
    open.map((o) => o.clientOrderId),
    ownTag,
    runningTags,
  );
  if (!lineage) return { foreign: [], inherited, orphans, scanIncomplete: false };

  const isForeign = (id: string) =>
    !listed.has(id) && isForeignLineageId(ownTag, lineage.branch, lineage.ranges, lineage.nextSeq, id);
  const candidates = new Map<string, RawOrder>();
  for (const o of open) if (isForeign(o.clientOrderId)) candidates.set(o.clientOrderId, o);
  let historyComplete = true;
  if (lineage.scan) {
    const list = (params: Record<string, string | number>) =>
      read<RawOrder[]>('allOrders', 20, (r) => r.allOrders({ symbol, ...params }));
    let recent: readonly RawOrder[];
    if (lineage.since !== undefined) {
      const found = await ordersSince(list, symbol, lineage.since, Date.now());
      recent = found.orders;
      historyComplete = found.complete;
    } else {
      recent = await list({ limit: 1000 });
    }
    for (const o of recent)
      if (isForeign(o.clientOrderId) && !candidates.has(o.clientOrderId)) candidates.set(o.clientOrderId, o);
  }
  const foreign: ForeignOrder[] = [];
  for (const raw of [...candidates.values()].slice(0, MAX_ADOPTIONS_PER_RECONCILE)) {
    const trades = isPositive(raw.executedQty)
      ? await read<RawTrade[]>('myTrades', 20, (r) => r.myTrades({ symbol, orderId: raw.orderId }))
      : [];
    const fills = trades.filter((t) => Number(t.orderId) === Number(raw.orderId)).map(fillFromTrade);
    foreign.push({
      snapshot: snapshotFromOrder(raw, fills),
      request: requestFromRaw(raw),
      time: Number(raw.time ?? raw.updateTime ?? raw.transactTime ?? 0),
    });
  }
  return {
    foreign,
    inherited,
    orphans,
    scanIncomplete: !historyComplete || candidates.size > MAX_ADOPTIONS_PER_RECONCILE,
  };
}
