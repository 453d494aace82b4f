/**
 * Every exchange error is classified before it leaves an activity, into one of:
 *
 * - **rejected**: the exchange definitively refused the request (filters, balance, bad params,
 *   credentials). Nothing was executed. A non-retryable ApplicationFailure with a stable type; the
 *   strategy decides what follows.
 * - **unknown**: the request may or may not have executed (our own timeout, 5xx, -1000/-1001/-1006/
 *   -1007/-1008, connection reset). Never a failure of the order: the activity looks the order up
 *   by its client id before anything is sent again.
 * - **not sent**: it certainly did not execute (connection refused, 429/418, timestamp outside the
 *   recvWindow): safe to send again, after the delay the exchange asks for.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/failure-types';
import { MIN_RETRY_AFTER_MS, WeightBudgetExhausted } from './rate-limit';

/** The failure types live with the workflow that reads them (workflows/failure-types.ts): one home for both sides. */
export { FailureType, NON_RETRYABLE_TYPES } from '../workflows/failure-types';

export type ErrorClass =
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string; readonly type: FailureType }
  | { readonly kind: 'duplicate'; readonly code: string; readonly message: string }
  | { readonly kind: 'notFound'; readonly code: string; readonly message: string }
  | { readonly kind: 'unknown'; readonly code: string; readonly message: string }
  | {
      readonly kind: 'notSent';
      readonly code: string;
      readonly message: string;
      readonly retryAfterMs: number;
      readonly rateLimited: boolean;
    };

/** Our own per-call timeout: binance-api-node has none, so a hung connection would hang forever. */
export class RequestTimeoutError extends Error {
  readonly code = 'REQUEST_TIMEOUT';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what}: no answer within ${ms} ms (outcome unknown)`);
    this.name = 'RequestTimeoutError';
  }
}

const UNKNOWN_OUTCOME_CODES = new Set([-1000, -1001, -1006, -1007, -1008]);
const NETWORK_NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface ErrorLike {
  readonly message?: string;
  readonly code?: unknown;
  readonly response?: { readonly status?: number; readonly headers?: { get?(name: string): string | null } };
  readonly type?: string;
  readonly errno?: unknown;
}

/**
 * Classify an error thrown by binance-api-node (or our timeout). `retryAfterMs` comes from the
 * Retry-After header when one was observed for the host (see rate-limit.ts), else from the message.
 */
export function classifyExchangeError(err: unknown, retryAfterHintMs?: number | null): ErrorClass {
  const e = (err ?? {}) as ErrorLike;
  const message = String(e.message ?? err);
  if (err instanceof RequestTimeoutError) return { kind: 'unknown', code: err.code, message };
  // Our own budget refused the call before sending it: nothing reached the exchange.
  if (err instanceof WeightBudgetExhausted)
    return { kind: 'notSent', code: 'WEIGHT_BUDGET', message, rateLimited: true, retryAfterMs: err.retryAfterMs };
  const code = e.code;
  if (typeof code === 'number') {
    const c = String(code);
    if (UNKNOWN_OUTCOME_CODES.has(code)) return { kind: 'unknown', code: c, message };
    if (code === -2010 && /duplicate/i.test(message)) return { kind: 'duplicate', code: c, message };
    // Futures: an open order (or open algo order) already carries this client id.
    if (code === -4116) return { kind: 'duplicate', code: c, message };
    if (code === -2013 || code === -2011) return { kind: 'notFound', code: c, message };
    if (code === -1003 || code === -1015) {
      return {
        kind: 'notSent',
        code: c,
        message,
        rateLimited: true,
        retryAfterMs: Math.max(MIN_RETRY_AFTER_MS, retryAfterHintMs ?? retryAfterFromMessage(message)),
      };
    }
    // The request was refused before reaching the matching engine: timestamp or clock skew.
    if (code === -1021) return { kind: 'notSent', code: c, message, rateLimited: false, retryAfterMs: 1_000 };
    if (code === -1022 || code === -2014 || code === -2015)
      return { kind: 'rejected', code: c, message, type: FailureType.CredentialsRejected };
    return { kind: 'rejected', code: c, message, type: FailureType.OrderRejected };
  }
  const status = e.response?.status;
  if (typeof status === 'number') {
    if (status === 429 || status === 418) {
      const header = Number(e.response?.headers?.get?.('retry-after'));
      return {
        kind: 'notSent',
        code: `HTTP${status}`,
        message,
        rateLimited: true,
        retryAfterMs: Math.max(
          MIN_RETRY_AFTER_MS,
          Number.isFinite(header) && header > 0 ? header * 1000 : (retryAfterHintMs ?? 60_000),
        ),
      };
    }
    if (status >= 500) return { kind: 'unknown', code: `HTTP${status}`, message };
    return { kind: 'rejected', code: `HTTP${status}`, message, type: FailureType.OrderRejected };
  }
  if (typeof code === 'string') {
    if (NETWORK_NOT_SENT.has(code)) return { kind: 'notSent', code, message, rateLimited: false, retryAfterMs: 1_000 };
    return { kind: 'unknown', code, message };
  }
  if (e.type === 'system' || /socket hang up|ECONNRESET|network/i.test(message))
    return { kind: 'unknown', code: 'NETWORK', message };
  // Anything else is a programming error on our side (e.g. the library's synchronous param check).
  return { kind: 'rejected', code: 'INVALID', message, type: FailureType.InvalidRequest };
}

/** "IP banned until 1700000000000" (418) gives an absolute time; a 429 waits for the next minute window. */
export function retryAfterFromMessage(message: string, now: number = Date.now()): number {
  const until = /until (\d{12,})/.exec(message);
  if (until) return Math.max(1_000, Number(until[1]) - now);
  const seconds = /retry after (\d+) ?s/i.exec(message);
  if (seconds) return Number(seconds[1]) * 1000;
  return Math.max(1_000, 60_000 - (now % 60_000));
}

/**
 * A definitive refusal. `refused`: the exchange refused this very order request (the workflow then
 * marks the order REJECTED); without it (a lookup refused, a cancel refused) the failure says
 * nothing about whether an order exists.
 */
export function rejectedFailure(
  c: Extract<ErrorClass, { kind: 'rejected' }>,
  what: string,
  facts: { readonly refused?: boolean; readonly neverSent?: boolean } = {},
): ApplicationFailure {
  return ApplicationFailure.create({
    type: c.type,
    nonRetryable: true,
    message: `${what} rejected by the exchange (${c.code}): ${c.message}`,
    details: [{ code: c.code, message: c.message, ...facts }],
  });
}

/** A failure of ours before or after sending: `neverSent` when no request for the id ever left. */
export function localFailure(type: FailureType, message: string, neverSent: boolean): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    nonRetryable: true,
    message,
    details: [{ code: type, message, neverSent }],
  });
}

export function retryableFailure(type: FailureType, message: string, nextRetryDelayMs?: number): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    nonRetryable: false,
    message,
    ...(nextRetryDelayMs !== undefined ? { nextRetryDelay: Math.max(1, Math.round(nextRetryDelayMs)) } : {}),
  });
}
