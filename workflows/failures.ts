/**
 * What a failed exchange activity means for the order it was about, read with the SDK's failure
 * classes (ActivityFailure wrapping an ApplicationFailure with a stable `type`), never guessed.
 *
 * Only proof finalises an order: a placement is REJECTED when the exchange refused that very
 * request, when the activity knows nothing was ever sent for its id, or when it held the request
 * back (circuit breaker) after proving any earlier send absent. Everything else (our own
 * budget, credentials refused on a lookup, an account this worker lacks, a parse failure after a
 * send, retries given up) leaves the outcome unknown: the order may be live.
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/workflow';
import { FailureType } from './failure-types';

export type PlacementFailure =
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string }
  | { readonly kind: 'collision'; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string };

interface FailureDetails {
  readonly code?: string;
  readonly message?: string;
  /** The exchange answered this send with a definitive refusal. */
  readonly refused?: boolean;
  /** Nothing was ever sent for this id (the failure came before any send). */
  readonly neverSent?: boolean;
  /** Held back before sending (the circuit breaker) after any earlier send was proven absent: nothing is live. */
  readonly heldBack?: boolean;
}

/**
 * The ApplicationFailure an activity threw, from what the SDK hands the workflow: an
 * ActivityFailure whose `cause` is the last attempt's ApplicationFailure. When the attempts ran
 * out of time the cause is a TimeoutFailure instead (the SDK keeps no attempt's failure in it) and
 * there is none: the outcome stays unknown.
 */
export function applicationCause(err: unknown): ApplicationFailure | null {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    if (e instanceof ApplicationFailure) return e;
    // Every SDK failure (ActivityFailure, TimeoutFailure, ...) is a TemporalFailure carrying its `cause`.
    e = e instanceof TemporalFailure ? e.cause : undefined;
  }
  return null;
}

export function placementFailure(err: unknown): PlacementFailure {
  const app = applicationCause(err);
  const details = (app?.details?.[0] ?? {}) as FailureDetails;
  const message = details.message ?? app?.message ?? failureMessage(err);
  if (app?.type === FailureType.ClientIdCollision) return { kind: 'collision', message };
  if (app && (details.refused === true || details.neverSent === true || details.heldBack === true))
    return { kind: 'rejected', code: details.code ?? app.type ?? 'FAILED', message };
  return { kind: 'unknown', message: `${app?.type ?? 'failure'}: ${message}` };
}

export function failureMessage(err: unknown): string {
  const app = applicationCause(err);
  if (app) return app.message;
  // A timeout or a cancellation: the SDK's failure names it in its cause (a TimeoutFailure, ...).
  if (err instanceof Error) return (err.cause instanceof Error ? err.cause.message : undefined) ?? err.message;
  return String(err);
}
