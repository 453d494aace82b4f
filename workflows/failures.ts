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
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** Failure types shared with activities/errors.ts (kept as literals: workflows import no activity code). */
export const CLIENT_ID_COLLISION = 'ClientIdCollision';

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

function applicationCause(err: unknown): ApplicationFailure | null {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    if (e instanceof ApplicationFailure) return e;
    e = e instanceof ActivityFailure || e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
  }
  return null;
}

export function placementFailure(err: unknown): PlacementFailure {
  const app = applicationCause(err);
  const details = (app?.details?.[0] ?? {}) as FailureDetails;
  const message = details.message ?? app?.message ?? failureMessage(err);
  if (app?.type === CLIENT_ID_COLLISION) return { kind: 'collision', message };
  if (app && (details.refused === true || details.neverSent === true || details.heldBack === true))
    return { kind: 'rejected', code: details.code ?? app.type ?? 'FAILED', message };
  return { kind: 'unknown', message: `${app?.type ?? 'failure'}: ${message}` };
}

export function failureMessage(err: unknown): string {
  const app = applicationCause(err);
  if (app) return app.message;
  const e = err as { message?: string; cause?: { message?: string } };
  return e.cause?.message ?? e.message ?? String(err);
}
