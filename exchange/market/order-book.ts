/**
 * The order book the paper exchange shows for one symbol: REST depth (up to 5000 levels a side),
 * bookTicker, partial depth and the diff-depth stream. It is the venue's synthetic book
 * (core/venue/book.ts: the same prices and sizes a taker order fills against), a pure function of
 * a state `{reference, seq}` — the last price and the symbol's trade counter — so any two states
 * can be compared: `changed()` lists the price levels whose size may differ between them, which is
 * what a diff-depth event must carry (with a zero size for a level that left).
 *
 * Prices are handled as integer tick counts when the reference sits on the tick grid (every
 * source does: random walk, replays, Binance data); a move of k ticks then changes about 2k levels a
 * side plus the best ones, whatever the depth. Off the grid (a manual price such as 30000.005) every
 * level moves and the comparison covers them all.
 */
import { type Dec, Decimal, d, fixed, str } from '../../core/decimal';
import { type BookModel, type VenueSymbol, levelQuantity, unlimitedBook } from '../../core/venue';

export interface BookState {
  readonly reference: Dec;
  readonly seq: number;
}

export type Side = 'bids' | 'asks';
export type Level = [price: string, qty: string];

export class OrderBookView {
  private readonly tick: Decimal;
  /** k when the tick is 10^-k (fast price formatting), else -1. */
  private readonly tickPow: number;
  private readonly pp: number;
  private readonly qp: number;
  private readonly levels: number;
  private readonly step: number;

  constructor(
    private readonly spec: VenueSymbol,
    /** A finite model: the venue's, or a flat display book when the venue's depth is unlimited. */
    private readonly model: BookModel,
  ) {
    this.tick = d(spec.filters.tickSize);
    const k = -Math.round(Math.log10(this.tick.toNumber()));
    this.tickPow = k >= 0 && new Decimal(10).pow(-k).equals(this.tick) ? k : -1;
    this.pp = spec.quoteAssetPrecision;
    this.qp = spec.baseAssetPrecision;
    this.levels = Math.max(1, unlimitedBook(model) ? 1 : model.levels);
    this.step = Math.max(1, model.levelStepTicks);
  }

  get depthLimit(): number {
    return this.levels;
  }

  /** Best-first levels of one side, at most `n`. */
  side(side: Side, state: BookState, n: number): Level[] {
    const count = Math.min(n, this.levels);
    const out: Level[] = [];
    const top = this.topTicks(side, state.reference);
    const dir = side === 'bids' ? -1 : 1;
    for (let i = 0; i < count; i++) {
      const price = top !== null ? this.fromTicks(top + dir * i * this.step) : this.offGrid(side, state.reference, i);
      if (price === null) break;
      out.push([price, this.qty(price, i === 0, state.seq)]);
    }
    return out;
  }

  best(state: BookState): { bid: Level | null; ask: Level | null } {
    return { bid: this.side('bids', state, 1)[0] ?? null, ask: this.side('asks', state, 1)[0] ?? null };
  }

  /** Padded prices of the levels of `side` whose size may differ between `prev` and `next` (a superset is fine). */
  changed(side: Side, prev: BookState, next: BookState): string[] {
    const t0 = this.topTicks(side, prev.reference);
    const t1 = this.topTicks(side, next.reference);
    if (t0 === null || t1 === null || this.reachesZero(side, t0) || this.reachesZero(side, t1)) {
      // Off the grid, or a side cut at zero: compare every level.
      const all = new Set<string>();
      for (const [p] of this.side(side, prev, this.levels)) all.add(p);
      for (const [p] of this.side(side, next, this.levels)) all.add(p);
      return [...all];
    }
    const dir = side === 'bids' ? -1 : 1;
    const out = new Set<number>([t0, t1]);
    const delta = (t1 - t0) * dir;
    if (delta % this.step !== 0 || Math.abs(delta) >= this.levels * this.step) {
      for (let i = 0; i < this.levels; i++) {
        out.add(t0 + dir * i * this.step);
        out.add(t1 + dir * i * this.step);
      }
    } else {
      const k = delta / this.step;
      // Levels of prev that are not in next, and levels of next that are not in prev: |k| at each end.
      for (let i = 0; i < Math.abs(k); i++) {
        if (k > 0) {
          out.add(t0 + dir * i * this.step);
          out.add(t1 + dir * (this.levels - 1 - i) * this.step);
        } else {
          out.add(t0 + dir * (this.levels - 1 - i) * this.step);
          out.add(t1 + dir * i * this.step);
        }
      }
    }
    return [...out].map((t) => this.fromTicks(t)).filter((p): p is string => p !== null);
  }

  /** Padded size of the level at `price` in `state`; "0.00000000" when the book has no such level. */
  qtyAt(side: Side, price: string, state: BookState): string {
    const idx = this.indexOf(side, price, state.reference);
    return idx === null ? fixed('0', this.qp) : this.qty(price, idx === 0, state.seq);
  }

  private qty(paddedPrice: string, top: boolean, seq: number): string {
    const q = levelQuantity(this.spec, this.model, canonical(paddedPrice), top, seq);
    return pad(q ?? '0', this.qp);
  }

  /** Index of a price in the side's levels, or null when it is not one of them. */
  private indexOf(side: Side, price: string, reference: Dec): number | null {
    const dir = side === 'bids' ? -1 : 1;
    const p = d(price);
    if (p.lessThanOrEqualTo(0)) return null;
    const top = d(reference).plus(this.tick.times(this.model.spreadTicks * dir));
    const steps = p.minus(top).times(dir).dividedBy(this.tick.times(this.step));
    if (!steps.isInteger() || steps.lessThan(0) || steps.greaterThanOrEqualTo(this.levels)) return null;
    return Math.abs(steps.toNumber()); // -0 → 0
  }

  /** The best level of a side in ticks, or null when the reference is off the tick grid. */
  private topTicks(side: Side, reference: Dec): number | null {
    const r = d(reference).dividedBy(this.tick);
    if (!r.isInteger() || !r.abs().lessThan(Number.MAX_SAFE_INTEGER)) return null;
    return r.toNumber() + (side === 'bids' ? -1 : 1) * this.model.spreadTicks;
  }

  private reachesZero(side: Side, top: number): boolean {
    return side === 'bids' && top - (this.levels - 1) * this.step <= 0;
  }

  /** Padded price of a tick count, or null at or below zero. */
  private fromTicks(t: number): string | null {
    if (t <= 0) return null;
    const k = this.tickPow;
    if (k < 0 || k > this.pp) return d(t).times(this.tick).toFixed(this.pp);
    const digits = String(t).padStart(k + 1, '0');
    const whole = digits.slice(0, digits.length - k);
    const frac = digits.slice(digits.length - k);
    return this.pp === 0 ? whole : `${whole}.${frac.padEnd(this.pp, '0')}`;
  }

  private offGrid(side: Side, reference: Dec, i: number): string | null {
    const offset = this.tick.times(this.model.spreadTicks + i * this.step);
    const p = side === 'bids' ? d(reference).minus(offset) : d(reference).plus(offset);
    return p.greaterThan(0) ? p.toFixed(this.pp) : null;
  }
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
