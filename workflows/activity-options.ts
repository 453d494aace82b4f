/**
 * Retry policies per activity, with Temporal's retry options (no hand-written retry loops).
 * Order activities retry until their outcome is resolved, but not forever: after
 * `scheduleToCloseTimeout` the workflow gets the failure and the order stays UNKNOWN (never
 * REJECTED without proof): reconciliation keeps looking it up by client id. A bot is never wedged
 * on one call (a long ban, an order the exchange never shows), and continue-as-new and stops go on.
 * Definitive answers are non-retryable by type.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_TYPES } from './failure-types';

/** Failure types (workflows/failure-types.ts, shared with the activities) that retrying cannot change. */
const NON_RETRYABLE = [...NON_RETRYABLE_TYPES];

export const ORDER_ACTIVITY_OPTIONS: ActivityOptions = {
  // One attempt: our REST timeout (about 10 s) plus a lookup, well inside this. It is also how
  // long a placement waits before another worker retries it when its worker died mid-attempt.
  startToCloseTimeout: '30s',
  // Heartbeat details carry the last send time from one attempt to the next (activities/orders.ts).
  heartbeatTimeout: '30s',
  // Attempts stop after this (a ban, a dead account): the order is then UNKNOWN, resolved by reconciliation.
  scheduleToCloseTimeout: '10m',
  retry: {
    initialInterval: '250ms',
    backoffCoefficient: 2,
    maximumInterval: '5s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

export const READ_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '60s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

/** Data requests may run heavier code (model inference) and are not worth retrying for long. */
export const DATA_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '20s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

/** Shorter attempt timeouts (tests, fast local exchanges): a dead worker's attempt is retried sooner. */
export function withAttemptTimeout(options: ActivityOptions, attemptTimeout: string | undefined): ActivityOptions {
  if (!attemptTimeout) return options;
  return {
    ...options,
    startToCloseTimeout: attemptTimeout,
    ...(options.heartbeatTimeout ? { heartbeatTimeout: attemptTimeout } : {}),
  };
}
