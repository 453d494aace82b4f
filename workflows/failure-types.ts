/**
 * The failure types activities throw (ApplicationFailure `type`) and the workflow reads
 * (`cause.type`, retry policies' `nonRetryableErrorTypes`): one home for both sides, in the
 * messages' folder as Temporal's samples share message definitions. Plain constants, no import:
 * safe in the workflow sandbox, and activities, monitoring and the API import it too.
 */

/** Stable failure types the workflow branches on. */
export const FailureType = {
  OrderRejected: 'OrderRejected',
  CredentialsRejected: 'CredentialsRejected',
  InvalidRequest: 'InvalidRequest',
  /** Retryable: the outcome of an order request is unknown; the next attempt looks it up first. */
  OutcomeUnknown: 'OutcomeUnknown',
  /** Retryable: a lookup found nothing yet, but the request could still execute; look again. */
  NotYetVisible: 'NotYetVisible',
  /** Retryable: the exchange asked us to slow down (429/418) or our own weight budget is spent. */
  RateLimited: 'RateLimited',
  /** Retryable: the exchange could not be reached at all; nothing was sent. */
  Unreachable: 'Unreachable',
  /** The client id is taken by an order that is not this request (another owner's): never adopted. */
  ClientIdCollision: 'ClientIdCollision',
  /** The exchange's answer could not be read (after a possible send): the outcome is unknown. */
  UnreadableAnswer: 'UnreadableAnswer',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Definitive answers: retrying cannot change them (the exchange activities' retry policies). */
export const NON_RETRYABLE_TYPES: readonly FailureType[] = [
  FailureType.OrderRejected,
  FailureType.CredentialsRejected,
  FailureType.InvalidRequest,
  FailureType.ClientIdCollision,
  FailureType.UnreadableAnswer,
];

/** Placement failures that leave the order's outcome unknown (the next attempt looks it up first). */
export const UNKNOWN_OUTCOME_TYPES: readonly FailureType[] = [FailureType.OutcomeUnknown, FailureType.NotYetVisible];
