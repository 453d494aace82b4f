/**
 * Sub-machines: the seed's "sous-automates" (a library with its own saved context, such as
 * `add_order`). A sub-machine's state is plain JSON kept in one field of the strategy's state;
 * the machine reacts to the events that concern it (its orders, its triggers) and says nothing
 * about the others, so several can run side by side (exits of two positions, a grid's cells).
 * The strategy lists them in `machines`; the kit offers them each event before the hooks. Pure.
 */
import type { Decision, Intent, StrategyContext, StrategyEvent } from '../strategy';
import { stop } from './orders';

/** Handle an event for the strategy, or return null when it is none of this machine's business. */
export type Machine<P, S> = (state: S, event: StrategyEvent, ctx: StrategyContext<P>) => Decision<S> | null;

/** One step of a sub-machine: its next state and what it asks for. */
export interface Step<M> {
  readonly state: M;
  readonly intents: readonly Intent[];
}

/** How a sub-machine reacts to an event: null when the event is not its own. */
export type SubMachine<M> = (machine: M, event: StrategyEvent, ctx: StrategyContext<unknown>) => Step<M> | null;

/**
 * Embed the sub-machine stored in `state[field]` (skipped while the field is null). `after` sees
 * the strategy state with the machine's new state written back, and the machine's intents: the
 * place to react to the machine finishing (e.g. stop the bot once every exit filled).
 */
export function embed<P, S, K extends keyof S>(
  field: K,
  machine: SubMachine<NonNullable<S[K]>>,
  after?: (state: S, intents: readonly Intent[], ctx: StrategyContext<P>) => Decision<S>,
): Machine<P, S> {
  return (state, event, ctx) => {
    const current = state[field];
    if (current === null || current === undefined) return null;
    const step = machine(current, event, ctx);
    if (!step) return null;
    const next = { ...state, [field]: step.state } as S;
    return after ? after(next, step.intents, ctx) : { state: next, intents: step.intents };
  };
}

/** Finish: write `patch` into the state (its phase, typically) and stop the bot, after `intents`. */
export function finish<S>(state: S, patch: Partial<S>, reason: string, intents: readonly Intent[] = []): Decision<S> {
  return { state: { ...state, ...patch }, intents: [...intents, stop(reason)] };
}

/**
 * An `after` for `embed` that stops the bot once the machine is finished (`isDone`: e.g. every
 * exit filled while managing the position), writing `patch` first; until then it passes the
 * machine's intents through.
 */
export function stopWhenDone<S>(
  isDone: (state: S) => boolean,
  patch: Partial<S>,
  reason: string,
): (state: S, intents: readonly Intent[]) => Decision<S> {
  return (state, intents) => (isDone(state) ? finish(state, patch, reason, intents) : { state, intents: [...intents] });
}
