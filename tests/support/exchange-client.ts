/**
 * Test helpers: a binance-api-node client wired to a paper exchange, and small waiting utilities.
 * Used by the exchange's tests, other integration tests and bench/exchange.ts.
 */
import Binance from 'binance-api-node';
import type { AccountConfig } from '../../activities/exchange-account';
import type { PaperExchange } from '../../exchange/server';

type TypedClient = ReturnType<typeof Binance>;

/**
 * binance-api-node's typings model parameters as enums (OrderSide.BUY) and cover only part of
 * what the wire accepts (e.g. orderList/oco fields, error codes); tests speak the wire's strings,
 * so the client is typed loosely. The runtime object is the library's, unchanged.
 */
export type BinanceClient = { [K in keyof TypedClient]: any };

/** A client for one account of the exchange, exactly as a bot would configure it. */
export function clientFor(
  ex: PaperExchange,
  apiKey: string,
  apiSecret: string,
  extra: Record<string, unknown> = {},
): BinanceClient {
  return Binance({
    apiKey,
    apiSecret,
    httpBase: ex.httpBase,
    wsBase: ex.wsBase,
    wsApi: ex.wsApi,
    ...extra,
  } as Parameters<typeof Binance>[0]);
}

/** A worker's account on the exchange's spot host, with the timeouts tests use; `extra` adds or overrides. */
export function workerAccountConfig(
  ex: Pick<PaperExchange, 'httpBase' | 'wsBase' | 'wsApi'>,
  key: { apiKey: string; apiSecret: string },
  extra: Partial<AccountConfig> = {},
): AccountConfig {
  return {
    name: 'paper',
    ...key,
    httpBase: ex.httpBase,
    wsBase: ex.wsBase,
    wsApi: ex.wsApi,
    recvWindowMs: 5_000,
    backendTimeoutMs: 1_000,
    requestTimeoutMs: 3_000,
    weightLimitPerMinute: 100_000,
    ...extra,
  };
}

/** Poll `check` until it returns a value other than undefined/false, or fail after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejectionOf(
  p: Promise<unknown> | (() => Promise<unknown>),
): Promise<Error & { code?: number | string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as Error & { code?: number | string };
  }
  throw new Error('expected a rejection, got a result');
}

/**
 * Call an admin endpoint the way a tool must: loopback Host (fetch sets it), the admin token as a
 * Bearer header, JSON bodies. `target` is an in-process exchange started with `admin` enabled, or
 * the base URL and token of one in another process (the token it printed / wrote to its file).
 */
export async function adminCall(
  target: Pick<PaperExchange, 'httpBase' | 'admin'> | { readonly httpBase: string; readonly token: string },
  path: string,
  body?: unknown,
  method: 'GET' | 'POST' | 'DELETE' = body === undefined ? 'GET' : 'POST',
): Promise<{ status: number; body: Wire }> {
  const token = 'token' in target ? target.token : target.admin.token;
  if (!token) throw new Error('the admin API of this exchange is disabled (start it with admin: { enabled: true })');
  const res = await fetch(`${target.httpBase}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Wire };
}

/** A decoded wire object (Binance JSON after the library's parsing). */
export type Wire = Record<string, any>;
