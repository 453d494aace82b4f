/**
 * The bot's side of the account's circuit breaker (activities/circuit-breaker.ts), which lives in
 * the worker process next to the exchange client:
 *
 * - `circuitBreaker` (signal): the worker tells the bots of an account when its breaker changes
 *   state (and a bot that starts while it is not closed). The bot keeps the last one it heard of
 *   and shows it in the `state` query, so `npm run bots -- status`, the API and Telegram show it.
 *   Carried across continue-as-new.
 * - Placements carry their purpose to the activity, which holds back new entries while the
 *   breaker is open and lets exits through (`withOrderPurposes`).
 *
 * Runs in the workflow sandbox; the signal payload is plain JSON.
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BreakerSnapshot } from '../activities/circuit-breaker';
import type { PlaceOcoInput, PlaceOrderInput } from '../activities/orders';
import type { OrderRecord } from '../core/orders';

/** The breaker as a bot shows it (schema: core/message-schemas.ts circuitViewSchema). */
export type CircuitView = BreakerSnapshot;

export const circuitBreakerSignal = wf.defineSignal<[CircuitView]>('circuitBreaker');

export interface CircuitTracker {
  /** What the `state` query shows: null until a breaker left `closed` while this bot ran. */
  view(): CircuitView | null;
}

/**
 * Register the signal handler. `check` is the inbound check (workflows/inbound.ts): it records why
 * a signal was refused and returns the view to keep, or null. `carried` is what the previous run
 * knew, already checked with the rest of the start input (core/workflow-input-schemas.ts).
 */
export function trackCircuitBreaker(
  check: (args: readonly unknown[]) => CircuitView | null,
  carried: CircuitView | null | undefined,
): CircuitTracker {
  let current: CircuitView | null = carried ?? null;
  wf.setHandler(circuitBreakerSignal, (...args: unknown[]) => {
    const s = check(args);
    if (!s) return;
    // Keep the newest: several workers may report, and a late signal must not undo a newer one.
    if (current && current.since > s.since) return;
    current = s.state === 'closed' && !current ? null : s;
  });
  return { view: () => current };
}

/**
 * The order activities with each placement's purpose added to its input, read from the kernel's
 * order record. Only the input changes (not the commands, ids or types): recorded histories replay
 * as before.
 */
export function withOrderPurposes<A extends wf.ActivityInterfaceFor<Activities>>(
  acts: A,
  orderOf: (clientOrderId: string) => OrderRecord | undefined,
): A {
  const add: Record<string, (input: never) => unknown> = {
    placeOrder: (i: PlaceOrderInput) => ({ ...i, purpose: i.purpose ?? orderOf(i.clientOrderId)?.purpose }),
    futuresPlaceOrder: (i: PlaceOrderInput) => ({ ...i, purpose: i.purpose ?? orderOf(i.clientOrderId)?.purpose }),
    placeOco: (i: PlaceOcoInput) => ({ ...i, purpose: i.purpose ?? orderOf(i.aboveClientOrderId)?.purpose }),
  };
  return new Proxy(acts, {
    get(target, prop, receiver) {
      const fn = Reflect.get(target, prop, receiver) as (input: unknown) => Promise<unknown>;
      const extend = typeof prop === 'string' ? add[prop] : undefined;
      if (!extend) return fn;
      return (input: never) => fn(extend(input));
    },
  });
}
