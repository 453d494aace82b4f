/** What one venue call collects while it runs: its time, the events, the fills and the balance changes not yet reported. */
import type { BalanceChange, FillView, VenueEvent } from './types';

export interface Ctx {
  time: number;
  events: VenueEvent[];
  fills: FillView[];
  pending: BalanceChange[];
}

export const newCtx = (time: number): Ctx => ({ time, events: [], fills: [], pending: [] });

/** Returned by price moves that change nothing: shared, so the hot path allocates nothing. */
export const EMPTY_EVENTS: readonly VenueEvent[] = Object.freeze([]);
