/**
 * The decision journal: strategies keep their last decisions in their own state (JSON), so the
 * `state` query and reports explain every trade and every refusal with the values behind it. Pure.
 */
import type { Json } from '../strategy';

export type Facts = Readonly<Record<string, string | number | boolean>>;

export interface DecisionRecord {
  /** Event time (ms) the decision was taken at. */
  readonly time: number;
  /** What was decided: "enter-long1", "exit", "hold", "skip", ... */
  readonly action: string;
  readonly reason: string;
  readonly facts: Facts;
}

export const MAX_DECISIONS_KEPT = 20;

export function remember(
  list: readonly DecisionRecord[],
  record: DecisionRecord,
  max = MAX_DECISIONS_KEPT,
): DecisionRecord[] {
  return [...list, record].slice(-max);
}

/** Round a float for display in facts (indicator values are floats; money stays a decimal string). */
export function round(value: number, digits = 4): number {
  if (!Number.isFinite(value)) return value;
  return Number(value.toFixed(digits));
}

/** JSON-typed view of a record list (state is stored as Json). */
export function asJson<T>(value: T): Json {
  return value as unknown as Json;
}

/** A state that keeps a decision journal. */
export interface Journaled {
  readonly decisions: readonly DecisionRecord[];
}

/** Record a decision taken now (the event time) in the state's journal. */
export function decide<S extends Journaled>(
  state: S,
  ctx: { readonly now: number },
  action: string,
  reason: string,
  facts: Facts = {},
): S {
  return { ...state, decisions: remember(state.decisions, { time: ctx.now, action, reason, facts }) };
}

/**
 * Journal a flag that changed on this event (a block set or lifted): `on` = [action, reason] when
 * it became true, `off` when it became false, nothing when it stayed as it was.
 */
export function decideOnChange<S extends Journaled>(
  state: S,
  ctx: { readonly now: number },
  change: { readonly was: boolean; readonly is: boolean },
  on: readonly [string, string],
  off: readonly [string, string],
  facts: Facts = {},
): S {
  if (change.is === change.was) return state;
  const [action, reason] = change.is ? on : off;
  return decide(state, ctx, action, reason, facts);
}
