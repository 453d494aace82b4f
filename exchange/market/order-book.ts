/**
 * The order book the paper exchange shows for one symbol: REST depth (up to 5000 levels a side),
 * bookTicker, partial depth and the diff-depth stream. It is the venue's synthetic book
 * (venue/book.ts: the same prices and sizes a taker order fills against), a pure function of
 * a state `{reference, seq}` — the last price and the symbol's trade counter — so any two states
 * can be compared: `changed()` lists the price levels whose size may differ between them, which is
 * what a diff-depth event must carry (with a zero size for a level that left).
 *
 * Prices are handled as integers in units of the price precision (10^-8): a move of k level steps
 * changes about 2k levels a side plus the best ones, whatever the depth; a move that is not a
 * whole number of steps (a manual price such as 30000.005) moves every level, and the comparison
 * covers them all.
 */
import { type Dec, Decimal, d, fixed, str } from '../../core/decimal';
import { type BookModel, type VenueSymbol, levelQuantity, unlimitedBook } from '../../venue';

export interface BookState {
  readonly reference: Dec;
  readonly seq: number;
}

export type Side = 'bids' | 'asks';
export type Level = [price: string, qty: string];

export class OrderBookView {
  private readonly tick: Decimal;
  private readonly pp: number;
  private readonly qp: number;
  private readonly levels: number;
  private readonly step: number;
  /** The tick in units of 10^-pp (the price precision), or null when it is not a whole number of them. */
  private readonly tickUnits: number | null;

  constructor(
    private readonly spec: VenueSymbol,
    /** A finite model: the venue's, or a flat display book when the venue's depth is unlimited. */
    private readonly model: BookModel,
  ) {
    this.tick = d(spec.filters.tickSize);
    this.pp = spec.quoteAssetPrecision;
    this.qp = spec.baseAssetPrecision;
    this.levels = Math.max(1, unlimitedBook(model) ? 1 : model.levels);
    this.step = Math.max(1, model.levelStepTicks);
    const units = this.tick.times(new Decimal(10).pow(this.pp));
    this.tickUnits = units.isInteger() && units.greaterThan(0) && units.lessThan(1e12) ? units.toNumber() : null;
  }

  get depthLimit(): number {
    return this.levels;
  }

  /** Best-first levels of one side, at most `n`. */
  side(side: Side, state: BookState, n: number): Level[] {
    return this.prices(side, state.reference, n).map((price, i) => [price, this.qty(price, i === 0, state.seq)]);
  }

  best(state: BookState): { bid: Level | null; ask: Level | null } {
    return { bid: this.side('bids', state, 1)[0] ?? null, ask: this.side('asks', state, 1)[0] ?? null };
  }

  /** Padded prices of the levels of `side` whose size may differ between `prev` and `next` (a superset is fine). */
  changed(side: Side, prev: BookState, next: BookState): string[] {
    const t0 = this.topUnits(side, prev.reference);
    const t1 = this.topUnits(side, next.reference);
    if (
      t0 === null ||
      t1 === null ||
      this.tickUnits === null ||
      this.reachesZero(side, t0) ||
      this.reachesZero(side, t1)
    ) {
      // Not representable in integer units, or a side cut at zero: compare every level.
      return [
        ...new Set([
          ...this.prices(side, prev.reference, this.levels),
          ...this.prices(side, next.reference, this.levels),
        ]),
      ];
    }
    const dir = side === 'bids' ? -1 : 1;
    const gap = this.step * this.tickUnits;
    const out = new Set<number>([t0, t1]);
    const delta = (t1 - t0) * dir;
    if (delta % gap !== 0 || Math.abs(delta) >= this.levels * gap) {
      // Every level moved (a jump beyond the depth, or a price off the level grid).
      for (let i = 0; i < this.levels; i++) {
        out.add(t0 + dir * i * gap);
        out.add(t1 + dir * i * gap);
      }
    } else {
      const k = delta / gap;
      // Levels of prev that are not in next, and levels of next that are not in prev: |k| at each end.
      for (let i = 0; i < Math.abs(k); i++) {
        if (k > 0) {
          out.add(t0 + dir * i * gap);
          out.add(t1 + dir * (this.levels - 1 - i) * gap);
        } else {
          out.add(t0 + dir * (this.levels - 1 - i) * gap);
          out.add(t1 + dir * i * gap);
        }
      }
    }
    return [...out].filter((u) => u > 0).map((u) => this.fromUnits(u));
  }

  /** Padded size of the level at `price` in `state`; "0.00000000" when the book has no such level. */
  qtyAt(side: Side, price: string, state: BookState): string {
    const idx = this.indexOf(side, price, state.reference);
    return idx === null ? fixed('0', this.qp) : this.qty(price, idx === 0, state.seq);
  }

  /** Padded prices of the first `n` levels of a side, best first (levels at or below zero are cut). */
  private prices(side: Side, reference: Dec, n: number): string[] {
    const count = Math.min(n, this.levels);
    const out: string[] = [];
    const dir = side === 'bids' ? -1 : 1;
    const top = this.topUnits(side, reference);
    if (top !== null && this.tickUnits !== null) {
      const gap = this.step * this.tickUnits;
      for (let i = 0; i < count; i++) {
        const u = top + dir * i * gap;
        if (u <= 0) break;
        out.push(this.fromUnits(u));
      }
      return out;
    }
    for (let i = 0; i < count; i++) {
      const offset = this.tick.times(this.model.spreadTicks + i * this.step);
      const p = side === 'bids' ? d(reference).minus(offset) : d(reference).plus(offset);
      if (p.lessThanOrEqualTo(0)) break;
      out.push(p.toFixed(this.pp));
    }
    return out;
  }

  /** Sizes of levels other than the best depend on their price only: cached (bounded). */
  private readonly sizes = new Map<string, string>();

  private qty(paddedPrice: string, top: boolean, seq: number): string {
    if (!top) {
      const hit = this.sizes.get(paddedPrice);
      if (hit !== undefined) return hit;
    }
    const q = pad(levelQuantity(this.spec, this.model, canonical(paddedPrice), top, seq) ?? '0', this.qp);
    if (!top) {
      if (this.sizes.size >= 200_000) this.sizes.clear();
      this.sizes.set(paddedPrice, q);
    }
    return q;
  }

  /** Index of a price in the side's levels, or null when it is not one of them. */
  private indexOf(side: Side, price: string, reference: Dec): number | null {
    const dir = side === 'bids' ? -1 : 1;
    const top = this.topUnits(side, reference);
    const u = toUnits(price, this.pp);
    if (top !== null && u !== null && this.tickUnits !== null) {
      if (u <= 0) return null;
      const steps = ((u - top) * dir) / (this.step * this.tickUnits);
      return Number.isInteger(steps) && steps >= 0 && steps < this.levels ? steps : null;
    }
    const p = d(price);
    if (p.lessThanOrEqualTo(0)) return null;
    const topPrice = d(reference).plus(this.tick.times(this.model.spreadTicks * dir));
    const steps = p.minus(topPrice).times(dir).dividedBy(this.tick.times(this.step));
    if (!steps.isInteger() || steps.lessThan(0) || steps.greaterThanOrEqualTo(this.levels)) return null;
    return Math.abs(steps.toNumber()); // -0 → 0
  }

  /** The best level of a side in units of 10^-pp, or null when not representable exactly. */
  private topUnits(side: Side, reference: Dec): number | null {
    const r = toUnits(reference, this.pp);
    if (r === null || this.tickUnits === null) return null;
    return r + (side === 'bids' ? -1 : 1) * this.model.spreadTicks * this.tickUnits;
  }

  private reachesZero(side: Side, top: number): boolean {
    return side === 'bids' && top - (this.levels - 1) * this.step * (this.tickUnits ?? 1) <= 0;
  }

  /** Units of 10^-pp → the padded price. */
  private fromUnits(u: number): string {
    if (this.pp === 0) return String(u);
    const digits = String(u).padStart(this.pp + 1, '0');
    return `${digits.slice(0, digits.length - this.pp)}.${digits.slice(digits.length - this.pp)}`;
  }
}

/** "30000.5" → 3000050000000 (pp 8); null when it has more decimals or does not fit a safe integer. */
function toUnits(v: string, pp: number): number | null {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(v)) return null;
  const dot = v.indexOf('.');
  const whole = dot < 0 ? v : v.slice(0, dot);
  let frac = dot < 0 ? '' : v.slice(dot + 1);
  if (frac.length > pp) {
    if (/[1-9]/.test(frac.slice(pp))) return null;
    frac = frac.slice(0, pp);
  }
  const n = Number(whole + frac.padEnd(pp, '0'));
  return Number.isSafeInteger(n) ? n : null;
}

/** "30000.01000000" → "30000.01", "30000.00000000" → "30000" (the venue's canonical form). */
export function canonical(padded: string): string {
  if (!padded.includes('.')) return padded;
  const s = padded.replace(/0+$/, '');
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** Pad a canonical decimal to `places` decimals without decimal arithmetic. */
export function pad(v: string, places: number): string {
  const dot = v.indexOf('.');
  if (dot < 0) return places === 0 ? v : `${v}.${'0'.repeat(places)}`;
  const frac = v.length - dot - 1;
  if (frac > places) return fixed(str(v), places);
  return v + '0'.repeat(places - frac);
}
