/**
 * Retry policies per activity, with Temporal's retry options (no hand-written retry loops).
 * Order activities retry without limit: an unknown outcome must be resolved, never given up on;
 * definitive rejections are non-retryable by type.
 */
import type { ActivityOptions } from '@temporalio/workflow';

const NON_RETRYABLE = ['OrderRejected', 'CredentialsRejected', 'InvalidRequest'];

export const ORDER_ACTIVITY_OPTIONS: ActivityOptions = {
  // One attempt: our REST timeout (about 10 s) plus a lookup, well inside this.
  startToCloseTimeout: '45s',
  // Heartbeat details carry the last send time from one attempt to the next (activities/orders.ts).
  heartbeatTimeout: '60s',
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
