/**
 * After a Temporal reset, exits wait for the search of the discarded branch's orders. Pure.
 *
 * A reset makes the new branch learn again fills the discarded branch already acted on, often in
 * the very task that notices the reset, before any scan of the exchange could run: the strategy
 * asks for the take-profit the discarded branch already placed. If that one is resting, two sells
 * rest for one lot; if it already filled (the price went through its level, which is why it
 * filled), the new one is marketable and fills at once — the lot is sold twice before any scan
 * could tell. So from the reset until a scan of the exchange has completed (core/lineage-scan.ts),
 * the strategy's exits on the bot's symbol are held (plain intents in the state, carried by
 * continue-as-new), then placed in the order asked: each then meets the adopted orders
 * (core/adopted-exits.ts binds it to the same exit already on the exchange) or goes out.
 * Entries are not held: a reset refuses entries from events delivered again anyway.
 *
 * Switched on with the other reset rules of `resetRules: 2` (a patch in workflows/run-context.ts).
 */
import type { PlaceIntent } from './strategy';

export interface ExitHoldState {
  readonly resetRules?: 2;
  /** Set by a reset, cleared once a scan completed: exits asked meanwhile wait in `heldExits`. */
  exitsAwaitScan?: true;
  heldExits?: readonly PlaceIntent[];
  readonly scanPending?: boolean;
  readonly scanInFlight?: boolean;
}

/** A reset: exits wait for the scan it asked for. */
export function holdExitsForScan(s: ExitHoldState): void {
  if (s.resetRules === 2) s.exitsAwaitScan = true;
}

/** True when this exit is held (kept in the state) instead of placed now. */
export function holdExit(s: ExitHoldState, intent: PlaceIntent, botSymbol: string): boolean {
  if (s.exitsAwaitScan !== true || intent.purpose !== 'exit' || (intent.symbol ?? botSymbol) !== botSymbol)
    return false;
  s.heldExits = [...(s.heldExits ?? []), intent];
  return true;
}

/** After a reconciliation: once no scan is pending or in flight, the held exits to place now (in order). */
export function releaseHeldExits(s: ExitHoldState): readonly PlaceIntent[] {
  if (s.exitsAwaitScan !== true || s.scanPending === true || s.scanInFlight === true) return [];
  const held = s.heldExits ?? [];
  delete s.exitsAwaitScan;
  delete s.heldExits;
  return held;
}
