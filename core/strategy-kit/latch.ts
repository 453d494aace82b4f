/**
 * An extreme latch: an indicator beyond an extreme (above `above`, below `below`) sets a latch
 * that holds until the indicator has been back to `reset` (at or under it for a latch set above,
 * at or over it for one set below); a new extreme then sets it again, keeping the time of the
 * first one while it stays on the same side. Seed 003's "blocage après extrême RSI". Pure.
 */

export interface Latch {
  readonly side: 'above' | 'below';
  /** Time the latch was first set on this side. */
  readonly since: number;
}

export interface Extremes {
  readonly above: number;
  readonly below: number;
  readonly reset: number;
}

/** The latch after one more value; `make` builds the strategy's record of a latch set (or kept) now. */
export function nextLatch<L extends Latch>(
  latch: L | null,
  value: number,
  time: number,
  band: Extremes,
  make: (side: Latch['side'], since: number) => L,
): L | null {
  let l = latch;
  if (l && ((l.side === 'above' && value <= band.reset) || (l.side === 'below' && value >= band.reset))) l = null;
  if (value > band.above) return make('above', l?.side === 'above' ? l.since : time);
  if (value < band.below) return make('below', l?.side === 'below' ? l.since : time);
  return l;
}
