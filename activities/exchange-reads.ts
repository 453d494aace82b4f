/**
 * What the read-only activities of both venues share: the account a bot names (a bad name is an
 * invalid request, never retried), reads that change nothing (every failure but a definitive
 * rejection is retryable), and a local check that refuses the request.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, rejectedFailure, retryableFailure } from './errors';
import type { AccountRegistry, ExchangeAccount } from './exchange-account';

/** A request that cannot succeed however often it is sent (an unknown account or symbol). */
export function invalidRequest(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidRequest, nonRetryable: true, message });
}

export function accountOf(accounts: AccountRegistry, name: string): ExchangeAccount {
  try {
    return accounts.get(name);
  } catch (err) {
    throw invalidRequest((err as Error).message);
  }
}

/** Run a read; every failure but a definitive rejection is retryable. */
export async function readFromExchange<T>(
  acc: ExchangeAccount,
  what: string,
  weight: number,
  fn: Parameters<ExchangeAccount['call']>[2],
): Promise<T> {
  try {
    return (await acc.call(what, weight, fn)) as T;
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    const c = acc.classify(err, what);
    if (c.kind === 'rejected') throw rejectedFailure(c, what);
    throw retryableFailure(
      c.kind === 'notSent' && c.rateLimited ? FailureType.RateLimited : FailureType.Unreachable,
      `${what} failed (${c.code}): ${c.message}`,
      c.kind === 'notSent' ? c.retryAfterMs : undefined,
    );
  }
}

/** Filters read from a listing: a symbol the exchange does not list is an invalid request. */
export function listedOrInvalid<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw invalidRequest((err as Error).message);
  }
}
