/**
 * Which client ids a bot minted itself, and adoption of the orders it did not know about. Pure.
 *
 * A Temporal reset discards the end of a bot's history, but not what that branch did on the
 * exchange: its orders carry the bot's lineage tag (core/client-ids.ts) with another branch token.
 * The bot records, per branch of its own history, the range of sequence numbers it minted; an
 * order of its lineage outside those ranges was placed by a discarded branch, and is adopted into
 * the bot's state (open orders, fills, position) so bot and exchange agree again.
 */
import { type ParsedClientOrderId, parseClientOrderId, tagOf } from './client-ids';
import { currentBranchSells, isSellOf } from './branch-sells';
import { d, eq, isPositive, sub, sum } from './decimal';
import { type OrderRecord, type OrderRequest, type OrderSnapshot, isFinalStatus } from './orders';

/** Sequence numbers [from, to) minted under one branch token ('' for the older `<tag>-<seq>` ids). */
export interface IdBranchRange {
  readonly branch: string;
  readonly from: number;
  readonly to: number;
}

/** An order of the bot's lineage the exchange reported and the bot's request did not list. */
export interface ForeignOrder {
  readonly snapshot: OrderSnapshot;
  /** The order as the exchange describes it (side, type, quantity, prices). */
  readonly request: OrderRequest;
  readonly time: number;
}

/** Kept small: a branch is added per reset, older ones fall off (their ids are long settled). */
const MAX_RANGES = 32;

export const ADOPTED_TAG = '__adopted';

/** Parse any id of ours: the new format, or `<tag>-<seq>` (branch ''). */
export function parseOwnId(clientOrderId: string): ParsedClientOrderId | null {
  const parsed = parseClientOrderId(clientOrderId);
  if (parsed) return parsed;
  const tag = tagOf(clientOrderId);
  if (tag === null) return null;
  const suffix = clientOrderId.slice(tag.length + 1);
  if (!/^[0-9a-z]{1,5}$/.test(suffix)) return null;
  return { tag, nameKey: tag, branch: '', seq: parseInt(suffix, 36) };
}

/** The ranges after minting `seq` under `branch`. */
export function recordMint(ranges: readonly IdBranchRange[] | undefined, branch: string, seq: number): IdBranchRange[] {
  const list = ranges ?? [];
  const last = list[list.length - 1];
  if (last && last.branch === branch && last.to === seq) return [...list.slice(0, -1), { ...last, to: seq + 1 }];
  return recordKnown(list, branch, seq);
}

/**
 * The ranges after `branch`/`seq` became known to this history: minted, or adopted (an adopted
 * order is then no longer foreign, so later scans do not fetch it again and move on to the rest).
 * Extends an adjacent range of the same branch wherever it is, so adoptions stay a few ranges.
 */
export function recordKnown(
  ranges: readonly IdBranchRange[] | undefined,
  branch: string,
  seq: number,
): IdBranchRange[] {
  const list = ranges ?? [];
  const i = list.findIndex((r) => r.branch === branch && r.from - 1 <= seq && seq <= r.to);
  if (i < 0) return [...list, { branch, from: seq, to: seq + 1 }].slice(-MAX_RANGES);
  const r = list[i]!;
  const merged = { branch, from: Math.min(r.from, seq), to: Math.max(r.to, seq + 1) };
  return merged.from === r.from && merged.to === r.to ? [...list] : [...list.slice(0, i), merged, ...list.slice(i + 1)];
}

/**
 * True when `clientOrderId` carries `tag` but this history never minted it: a discarded branch's
 * order. Ids older than the oldest range kept are taken as the bot's own (long settled). An id
 * under the *current* branch the bot has not minted yet is no discarded branch's (a reset always
 * moves the bot to a new branch): somebody else used the bot's id space, and it is not adopted.
 */
export function isForeignLineageId(
  tag: string,
  branch: string | undefined,
  ranges: readonly IdBranchRange[] | undefined,
  nextSeq: number,
  clientOrderId: string,
): boolean {
  const parsed = parseOwnId(clientOrderId);
  if (!parsed || parsed.tag !== tag) return false;
  if (branch !== undefined && parsed.branch === branch) return false;
  const list = ranges ?? [];
  if (list.some((r) => r.branch === parsed.branch && parsed.seq >= r.from && parsed.seq < r.to)) return false;
  // Older states minted `<tag>-<seq>` before ranges were kept: every such seq below nextSeq is theirs.
  if (parsed.branch === '' && !list.some((r) => r.branch === '') && parsed.seq < nextSeq) return false;
  const oldest = list[0];
  if (oldest && parsed.seq < oldest.from && list.length >= MAX_RANGES) return false;
  return true;
}

/** A record for an adopted order, before its snapshot (status, fills) is merged in. */
export function adoptedRecord(foreign: ForeignOrder, now: number): OrderRecord {
  const side = foreign.request.side;
  return {
    clientOrderId: foreign.snapshot.clientOrderId,
    tag: ADOPTED_TAG,
    request: foreign.request,
    purpose: side === 'BUY' ? 'entry' : 'exit',
    reason: 'placed by a discarded branch of this bot (Temporal reset), found on the exchange and adopted',
    status: 'SUBMITTING',
    executedQty: '0',
    cumulativeQuoteQty: '0',
    fills: [],
    cancelRequested: false,
    adopted: true,
    createdAt: foreign.time || now,
    updatedAt: foreign.time || now,
  };
}

/** Same symbol, side, type, quantity and prices: the same order asked for. */
export function sameRequest(a: OrderRequest, b: OrderRequest): boolean {
  const same = (x: string | undefined, y: string | undefined) =>
    x === undefined || y === undefined ? x === y : eq(x, y);
  return (
    a.symbol === b.symbol &&
    a.side === b.side &&
    a.type === b.type &&
    same(a.quantity, b.quantity) &&
    same(a.price, b.price) &&
    same(a.stopPrice, b.stopPrice)
  );
}

/**
 * Adopted orders that the current branch asked for again. A reset to a point between an exchange
 * event and the strategy's reaction (a fill, then its take-profit) makes the new branch take the
 * same decision the discarded one took: two resting sells for one lot, more than the bot holds.
 * Only then (the bot's resting sells on its symbol exceed its position) an adopted sell with the
 * very request of one the current branch placed since the reset is a copy, to cancel: resting and
 * untouched (nothing filled), each current order standing for one copy at most, never more than
 * the excess. Identical requests alone prove nothing (at a steady price two lots' take-profits are
 * identical); a copy of a buy cannot be told from a new decision and is left alone.
 *
 * `anyExcess` (states with `resetRules: 2`, made under the `reset-exit-rules-v2` patch): a copy is cancelled while
 * any excess is left, even one smaller than the copy. A lot's take-profit sells what the lot holds
 * rounded down to the step, and a buy's fee taken in the base asset (Binance's default) shrinks
 * the lot: the position keeps that dust, so two take-profits for one lot exceed it by a little less
 * than one take-profit, and the older rule never cancelled the copy (both filled: the bot sold the
 * lot twice). Cancelling one copy leaves at most that dust uncovered: never more than is held.
 */
export function adoptedTwins(
  orders: Readonly<Record<string, OrderRecord>>,
  view: {
    readonly branch: string | undefined;
    readonly symbol: string;
    readonly positionQty: string;
    readonly since: number;
    readonly anyExcess?: boolean;
  },
): OrderRecord[] {
  if (view.branch === undefined) return [];
  const all = Object.values(orders);
  const isSell = isSellOf(view.symbol);
  const adopted = all.filter(
    (o) =>
      o.adopted &&
      isSell(o) &&
      !o.cancelRequested &&
      (o.status === 'NEW' || o.status === 'PENDING_NEW') &&
      !isPositive(o.executedQty),
  );
  if (adopted.length === 0) return [];
  const resting = all.filter((o) => isSell(o) && !isFinalStatus(o.status) && !o.cancelRequested);
  let excess = d(sum(resting.map((o) => sub(o.request.quantity ?? '0', o.executedQty)))).minus(
    d(view.positionQty).isNegative() ? 0 : view.positionQty,
  );
  if (!excess.greaterThan(0)) return [];
  const current = currentBranchSells(all, { branch: view.branch, symbol: view.symbol, since: view.since }).filter(
    (o) => o.status !== 'REJECTED' && o.status !== 'EXPIRED',
  );
  const copies: OrderRecord[] = [];
  for (const a of adopted.sort((x, y) => y.createdAt - x.createdAt)) {
    const qty = d(a.request.quantity ?? '0');
    if (view.anyExcess === true ? !excess.greaterThan(0) : qty.greaterThan(excess)) continue;
    const i = current.findIndex((b) => sameRequest(a.request, b.request));
    if (i < 0) continue;
    current.splice(i, 1);
    copies.push(a);
    excess = excess.minus(qty);
  }
  return copies;
}
