/**
 * Retry policies per activity, with Temporal's retry options (no hand-written retry loops).
 * Order activities retry without limit: an unknown outcome must be resolved, never given up on;
 * definitive rejections are non-retryable by type.
 */
import type { ActivityOptions } from '@temporalio/workflow';

const NON_RETRYABLE = ['OrderRejected', 'CredentialsRejected', 'InvalidRequest'];

export const ORDER_ACTIVITY_OPTIONS: ActivityOptions = {
  // One attempt: our REST timeout (about 10 s) plus a lookup, well inside this. It is also how
  // long a placement waits before another worker retries it when its worker died mid-attempt.
  startToCloseTimeout: '30s',
  // Heartbeat details carry the last send time from one attempt to the next (activities/orders.ts).
  heartbeatTimeout: '30s',
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
  return { ...options, startToCloseTimeout: attemptTimeout, ...(options.heartbeatTimeout ? { heartbeatTimeout: attemptTimeout } : {}) };
}
