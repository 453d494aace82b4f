/**
 * The parts of the unknown-outcome protocol (activities/orders.ts) that spot and USDⓈ-M order
 * activities share: what one attempt tells the next, and how a failed lookup, send or cancel is
 * classified. The venue-specific parts (endpoints, ids, the duplicate check) stay with each venue.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { Context, activityInfo } from '@temporalio/activity';
import { type ErrorClass, FailureType, rejectedFailure, retryableFailure } from './errors';

/** What an attempt tells the next one (heartbeat details). */
interface AttemptRecord {
  readonly attempt: number;
  /** Latest time a request for this id may have been sent; null when none ever was. */
  readonly lastSendAt: number | null;
}

/**
 * For a retry (attempt 2 on): the latest time an earlier attempt may have sent. The previous
 * attempt's record if it left one, else this attempt's schedule time (every earlier send came before it).
 */
export function sendOfEarlierAttempts(): number | null {
  const info = activityInfo();
  const record = info.heartbeatDetails as AttemptRecord | undefined;
  if (record && record.attempt === info.attempt - 1) return record.lastSendAt;
  return info.currentAttemptScheduledTimestampMs;
}

/** Tell the next attempt the latest time a request for this id may have been sent. */
export function rememberSend(lastSendAt: number | null): void {
  Context.current().heartbeat({ attempt: activityInfo().attempt, lastSendAt } satisfies AttemptRecord);
}

type NotSent = Extract<ErrorClass, { kind: 'notSent' }>;

/** Certainly not sent: retried after the exchange's hint, as a rate limit when it was one. */
export function notSentFailure(c: NotSent, message: string): ApplicationFailure {
  return retryableFailure(c.rateLimited ? FailureType.RateLimited : FailureType.Unreachable, message, c.retryAfterMs);
}

/** An earlier send not visible yet while it could still execute: look again, no resend. */
export function notVisibleYetFailure(clientOrderId: string, deadline: number, now: number): ApplicationFailure {
  return retryableFailure(
    FailureType.NotYetVisible,
    `${clientOrderId} not visible yet; an earlier request may still execute until ${new Date(deadline).toISOString()}`,
    Math.min(2_000, deadline - now + 50),
  );
}

/**
 * The send was refused as a duplicate (`reported`: how the venue said so): an open order carries
 * the id, ours from an earlier attempt, but a lookup does not show it yet. Look again shortly.
 */
export function duplicateNotVisibleFailure(
  clientOrderId: string,
  reported: string,
  sentAt: number,
): ApplicationFailure {
  rememberSend(sentAt);
  return retryableFailure(FailureType.NotYetVisible, `${clientOrderId} ${reported} but not visible yet`, 500);
}

/** A lookup by client id that failed other than "no such order": nothing is known about the order either way. */
export function lookupFailure(c: Exclude<ErrorClass, { kind: 'notFound' }>, clientOrderId: string): ApplicationFailure {
  // Refused (credentials, IP, permissions): the lookup, not the order.
  if (c.kind === 'rejected') return rejectedFailure(c, `lookup of ${clientOrderId}`);
  return retryableFailure(
    c.kind === 'notSent' && c.rateLimited ? FailureType.RateLimited : FailureType.OutcomeUnknown,
    `lookup of ${clientOrderId} failed (${c.code}): ${c.message}`,
    c.kind === 'notSent' ? c.retryAfterMs : undefined,
  );
}

/**
 * A send (`what`: "order <id>") that failed other than as a duplicate. Rejected: refused before
 * it could execute, not placed (any earlier send was proven dead first). Not sent: keep the
 * earlier anchor. Otherwise the outcome is unknown and the next attempt looks it up first.
 */
export function sendFailure(
  c: Exclude<ErrorClass, { kind: 'duplicate' }>,
  what: string,
  sends: { readonly lastSendAt: number | null; readonly sentAt: number },
): ApplicationFailure {
  switch (c.kind) {
    case 'rejected':
      return rejectedFailure(c, what, { refused: true });
    case 'notSent':
      rememberSend(sends.lastSendAt);
      return notSentFailure(c, `${what} not sent (${c.code}): ${c.message}`);
    case 'notFound':
    case 'unknown':
      rememberSend(sends.sentAt);
      return retryableFailure(
        FailureType.OutcomeUnknown,
        `${what}: outcome unknown (${c.code}): ${c.message}; it will be looked up before any resend`,
        250,
      );
    default: {
      const unreachable: never = c;
      throw new Error(String(unreachable));
    }
  }
}

/** A cancel that failed other than "unknown order": sending a cancel twice is harmless, so unknown outcomes are retried. */
export function cancelFailure(c: Exclude<ErrorClass, { kind: 'notFound' }>, clientOrderId: string): ApplicationFailure {
  if (c.kind === 'rejected') return rejectedFailure(c, `cancel of ${clientOrderId}`);
  if (c.kind === 'notSent') return notSentFailure(c, `cancel of ${clientOrderId} not sent (${c.code})`);
  return retryableFailure(
    FailureType.OutcomeUnknown,
    `cancel of ${clientOrderId}: outcome unknown (${c.code}): ${c.message}`,
    250,
  );
}
