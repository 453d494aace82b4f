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
import type { OrderRecord, OrderRequest, OrderSnapshot } from './orders';

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
  return [...list, { branch, from: seq, to: seq + 1 }].slice(-MAX_RANGES);
}

/**
 * True when `clientOrderId` carries `tag` but this history never minted it: a discarded branch's
 * order. Ids older than the oldest range kept are taken as the bot's own (long settled). An id
 * under the *current* branch the bot has not minted yet is no discarded branch's (a reset always
 * moves the bot to a new branch): somebody else used the bot's id space, and it is not adopted.
 */
export function isForeignLineageId(tag: string, branch: string | undefined, ranges: readonly IdBranchRange[] | undefined, nextSeq: number, clientOrderId: string): boolean {
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
