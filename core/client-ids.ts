/**
 * Client order ids that are unique by construction across every bot of an account, and exact
 * ownership of them. Pure.
 *
 *     dcaethus_Ab3dE9xYz-Q7mKp1a
 *     └ slug ┘ └nameKey┘└inc┘ └branch┘└seq (base 36)
 *
 * - `slug`: up to 8 letters/digits of the bot's name, for people reading an exchange's order list;
 *   never used for ownership.
 * - `nameKey` (5 chars): a hash of the namespace and workflow id. Two bots never share a workflow
 *   id, so twins such as `dca-ethusdt-fast-one` / `-two` differ here whatever their names share.
 * - `incarnation` (4 chars): a hash of the workflow's first run id (Temporal keeps it across resets
 *   and continue-as-new, and gives a new one when a bot is terminated and started again).
 *   slug + nameKey + incarnation is the bot's **lineage tag**: every order of one bot's lifetime,
 *   whatever branch a reset took, carries it, and only that bot's orders do.
 * - `branch` (5 chars): which branch of the bot's history minted the id. A Temporal reset replays
 *   the history up to a point and continues from there: the new branch mints the same sequence
 *   numbers as the discarded one, so it takes a new branch token (derived from the reset run's
 *   random seed) and its ids never repeat the discarded branch's.
 * - `seq`: the bot's order sequence number, carried across continue-as-new.
 *
 * 9 hash characters (~53 bits) name a lifetime, 5 (~30 bits) a branch; the whole id stays within
 * 30 characters of [A-Za-z0-9_-], valid for Binance spot (≤ 36, that charset) and futures.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SLUG_MAX = 8;
const NAME_KEY_LEN = 5;
const INCARNATION_LEN = 4;
export const BRANCH_LEN = 5;

const NEW_FORMAT = /^([A-Za-z0-9]{1,8})_([A-Za-z0-9]{5})([A-Za-z0-9]{4})-([A-Za-z0-9]{5})([0-9a-z]{1,7})$/;
const LINEAGE_FORMAT = /^[A-Za-z0-9]{1,8}_[A-Za-z0-9]{9}$/;

/** What makes a bot's lifetime unique, as Temporal knows it. */
export interface LineageSource {
  readonly name: string;
  readonly namespace: string;
  readonly workflowId: string;
  /** Temporal's `firstExecutionRunId`: preserved by resets and continue-as-new. */
  readonly firstExecutionRunId: string;
}

export interface ParsedClientOrderId {
  /** The lineage tag (everything before the `-`). */
  readonly tag: string;
  /** slug + nameKey: the same for every incarnation of one workflow id. */
  readonly nameKey: string;
  readonly branch: string;
  readonly seq: number;
}

/** cyrb53: a fast, well-mixed 53-bit string hash (public domain). Not cryptographic; it need not be. */
export function hash53(input: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < input.length; i++) {
    const ch = input.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** `length` base-62 characters of a hash of `input`. */
export function hash62(input: string, length: number, seed: number): string {
  let n = hash53(input, seed);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += BASE62[n % 62];
    n = Math.floor(n / 62);
  }
  return out;
}

/** The part of a bot's name its client ids carry (what tells the bot's orders apart at a glance). */
export function nameSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '').slice(0, SLUG_MAX) || 'bot';
}

/** The lineage tag of a bot's lifetime (see the header). */
export function lineageTag(src: LineageSource): string {
  const nameKey = hash62(`${src.namespace}\u0000${src.workflowId}`, NAME_KEY_LEN, 1);
  const incarnation = hash62(src.firstExecutionRunId, INCARNATION_LEN, 2);
  return `${nameSlug(src.name)}_${nameKey}${incarnation}`;
}

/** True for tags minted by `lineageTag` (not the older `<name>_<time>` tags). */
export function isLineageTag(tag: string): boolean {
  return LINEAGE_FORMAT.test(tag);
}

/** The part of a lineage tag shared by every incarnation of the same workflow id. */
export function nameKeyOf(tag: string): string {
  return tag.slice(0, tag.length - INCARNATION_LEN);
}

/** A branch token from anything that identifies a branch of a history (a random seed, a run id). */
export function branchToken(source: string): string {
  return hash62(source, BRANCH_LEN, 3);
}

export function mintClientOrderId(tag: string, branch: string, seq: number): string {
  return `${tag}-${branch}${seq.toString(36)}`;
}

/** Parse an id minted by `mintClientOrderId`; null for anything else (older ids, other software). */
export function parseClientOrderId(id: string): ParsedClientOrderId | null {
  const m = NEW_FORMAT.exec(id);
  if (!m) return null;
  const [, slug, nameKey, incarnation, branch, seq] = m as unknown as [string, string, string, string, string, string];
  return { tag: `${slug}_${nameKey}${incarnation}`, nameKey: `${slug}_${nameKey}`, branch, seq: parseInt(seq, 36) };
}

/**
 * The tag part of any client id of ours (new or older format): everything before the last `-`.
 * Ownership compares it with a bot's tag exactly, never by prefix.
 */
export function tagOf(clientOrderId: string): string | null {
  const dash = clientOrderId.lastIndexOf('-');
  return dash > 0 ? clientOrderId.slice(0, dash) : null;
}

/** Binance's client-id rule for spot (futures accepts more); every id we mint passes it. */
export const BINANCE_CLIENT_ID = /^[A-Za-z0-9_-]{1,36}$/;
