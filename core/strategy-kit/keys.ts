/**
 * Order keys: a strategy names its orders by family and number (`entry`, `exit` 3, grid cell 12)
 * and never builds or parses a tag itself. The tag written on the order record (and shown by the
 * `state` query and reports) is derived here, in one place, so it stays exactly what it was before
 * the kit existed: a single family's tag is its name ("entry", "init"), a numbered family's tag is
 * name + separator + number ("exit-3", "g12"). Pure.
 */

/** One order's structured key. `n` is null for a single (unnumbered) family. */
export interface OrderKey {
  readonly family: string;
  readonly n: number | null;
  readonly tag: string;
}

interface FamilyBase {
  readonly name: string;
  /** The key this tag belongs to, or null when the tag is not of this family. */
  match(tag: string): OrderKey | null;
}

/** A family with one member: its tag is its name. */
export interface SingleFamily extends FamilyBase {
  readonly numbered: false;
  readonly key: OrderKey;
}

/** Numbered members: tag = name + separator + n, n a non-negative integer written without leading zeros. */
export interface NumberedFamily extends FamilyBase {
  readonly numbered: true;
  key(n: number): OrderKey;
}

export type OrderFamily = SingleFamily | NumberedFamily;

const NAME = /^[A-Za-z0-9_]+$/;
const CANONICAL_INT = /^(0|[1-9][0-9]*)$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new Error(`order family name "${name}" must be letters, digits or _`);
}

export function single(name: string): SingleFamily {
  checkName(name);
  const key: OrderKey = { family: name, n: null, tag: name };
  return { name, numbered: false, key, match: (tag) => (tag === name ? key : null) };
}

export function numbered(name: string, separator: '-' | '' = '-'): NumberedFamily {
  checkName(name);
  const prefix = `${name}${separator}`;
  const key = (n: number): OrderKey => {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`order ${name}: number ${n} must be a non-negative integer`);
    return { family: name, n, tag: `${prefix}${n}` };
  };
  return {
    name,
    numbered: true,
    key,
    match(tag) {
      if (!tag.startsWith(prefix)) return null;
      const rest = tag.slice(prefix.length);
      return CANONICAL_INT.test(rest) && Number.isSafeInteger(Number(rest))
        ? { family: name, n: Number(rest), tag }
        : null;
    },
  };
}

/**
 * The key of a tag among a strategy's families, or null for an order of none of them (the
 * kernel's own close-position order, or a family the strategy no longer declares).
 */
export function keyOf(
  families: readonly OrderFamily[],
  tag: string,
): { readonly family: OrderFamily; readonly key: OrderKey } | null {
  for (const family of families) {
    const key = family.match(tag);
    if (key) return { family, key };
  }
  return null;
}

/**
 * Refuse families that could claim the same tag: two with one name, or a numbered family whose
 * prefix a single family's name or another numbered family's prefix could extend into (`g` with
 * no separator beside `g1x` would read "g12" twice). Checked once, when the strategy is defined.
 */
export function checkFamilies(families: readonly OrderFamily[]): void {
  const samples = (f: OrderFamily): string[] => (f.numbered ? [f.key(0).tag, f.key(12).tag] : [f.key.tag]);
  for (const a of families) {
    for (const b of families) {
      if (a === b) continue;
      if (a.name === b.name && a.numbered === b.numbered) throw new Error(`order family "${a.name}" declared twice`);
      for (const tag of samples(b))
        if (a.match(tag)) throw new Error(`order families "${a.name}" and "${b.name}" both claim the tag "${tag}"`);
    }
  }
}
