/**
 * An extreme latch: an indicator beyond an extreme (above `above`, below `below`) sets a latch
 * that holds until the indicator has been back to `reset` (at or under it for a latch set above,
 * at or over it for one set below); a new extreme then sets it again, keeping the time of the
 * first one while it stays on the same side. Seed 003's "blocage après extrême RSI". As a block of
 * entries, `journalBlock` writes each change in the decision journal. Pure.
 */
import { type Journaled, decideOnChange, round } from './journal';

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

/** The band of params that name it `extremeAbove`, `extremeBelow`, `extremeReset` (seed 003's). */
export function extremesOf(p: {
  readonly extremeAbove: number;
  readonly extremeBelow: number;
  readonly extremeReset: number;
}): Extremes {
  return { above: p.extremeAbove, below: p.extremeBelow, reset: p.extremeReset };
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

/**
 * Journal a block of entries kept as a latch in the state's `block`, once it moved from `was` on
 * one more `value` of the indicator `label`: "block" when it was set ("RSI 87 > 86: no entry until
 * RSI is back to 50"), "unblock" when it lifted ("RSI 49 back to 50: entries allowed again"), the
 * value rounded as the fact named after the label in lower case ("rsi"); nothing while it stays
 * set or unset.
 */
export function journalBlock<S extends Journaled & { readonly block: Latch | null }>(
  state: S,
  ctx: { readonly now: number },
  was: Latch | null,
  at: { readonly label: string; readonly value: number; readonly band: Extremes },
): S {
  const { label, band } = at;
  const v = round(at.value);
  const extreme = state.block?.side === 'above' ? `> ${band.above}` : `< ${band.below}`;
  return decideOnChange(
    state,
    ctx,
    { was: was !== null, is: state.block !== null },
    ['block', `${label} ${v} ${extreme}: no entry until ${label} is back to ${band.reset}`],
    ['unblock', `${label} ${v} back to ${band.reset}: entries allowed again`],
    { [label.toLowerCase()]: v },
  );
}
