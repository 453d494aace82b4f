/**
 * Worker settings from the environment (a `.env` file is read too): exchange accounts and the
 * workflow bundle; the Temporal connection settings are infra/temporal-connection.ts' (re-exported).
 * Exchange credentials live here and only here: workflows and histories carry account names.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { AccountConfig } from '../activities/exchange-account';
import { formatIssues } from '../core/schema';
import { ConfigError, parseOrThrow } from '../infra/temporal-connection';

// The Temporal side of the worker's settings lives with the other processes' (CLI, API).
export { ConfigError, DEFAULT_TASK_QUEUE, type TemporalSettings, temporalSettings } from '../infra/temporal-connection';

/** Public Binance endpoints; `BINANCE_API_TEST=true` (the seeds' switch) selects the spot testnet. */
const BINANCE_PROD = {
  httpBase: 'https://api.binance.com',
  wsBase: 'wss://stream.binance.com:9443/ws',
  wsApi: 'wss://ws-api.binance.com:443/ws-api/v3',
};
const BINANCE_TESTNET = {
  httpBase: 'https://testnet.binance.vision',
  wsBase: 'wss://stream.testnet.binance.vision/ws',
  wsApi: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
};

/**
 * Binance keys are letters and digits. A quote, a space or a line break is a copy-paste or `.env`
 * quoting mistake ("KEY= 'abc'"): every signed call would be refused, so say it at start.
 */
export function credentialProblem(value: string): string | null {
  if (value === '') return 'is required';
  if (/["'`]/.test(value))
    return 'contains a quote character: remove the quotes around the value (in .env write KEY=value)';
  if (/\s/.test(value)) return 'contains spaces or a line break: paste the key alone';
  if (/[^\x21-\x7e]/.test(value)) return 'contains characters that are not plain ASCII';
  return null;
}

const credential = z.string({ error: 'is required' }).superRefine((v, ctx) => {
  const problem = credentialProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const accountEnv = z.object({
  API_KEY: credential,
  API_SECRET: credential,
  HTTP_BASE: z.string().url(),
  WS_BASE: z.string().url(),
  WS_API: z.string().url(),
  /** USDⓈ-M WebSocket base (the futures user stream); default from HTTP_BASE (activities/exchange-account.ts). */
  WS_FUTURES: z.string().url().optional(),
  /** USDⓈ-M REST base; default: HTTP_BASE's futures twin. */
  HTTP_FUTURES: z.string().url().optional(),
  RECV_WINDOW_MS: z.coerce.number().int().min(1).max(60_000).default(5_000),
  BACKEND_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  WEIGHT_LIMIT: z.coerce.number().int().min(1).default(6_000),
  /** USDⓈ-M request weight a minute, counted apart from spot's (Binance: 2,400). */
  FUTURES_WEIGHT_LIMIT: z.coerce.number().int().min(1).optional(),
  /** Circuit breaker: consecutive failures that open it, and the cool-down before its probe. */
  BREAKER_FAILURES: z.coerce.number().int().min(1).optional(),
  BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).optional(),
});

const breakerEnv = z.object({
  BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).default(30_000),
});

/**
 * Accounts: `BOT_ACCOUNTS=paper,main` and, for each, `ACCOUNT_<NAME>_API_KEY`, `_API_SECRET`,
 * `_HTTP_BASE`, `_WS_BASE`, `_WS_API` (optional `_RECV_WINDOW_MS`, `_BACKEND_TIMEOUT_MS`,
 * `_REQUEST_TIMEOUT_MS`, `_WEIGHT_LIMIT`, `_FUTURES_WEIGHT_LIMIT`, `_BREAKER_FAILURES`, `_BREAKER_COOLDOWN_MS`; `BREAKER_FAILURES` and
 * `BREAKER_COOLDOWN_MS` set the default of every account: 5 and 30 s). The seeds' `BINANCE_API_KEY` / `BINANCE_API_SECRET`
 * (+ `BINANCE_API_TEST`) define an account named `binance` on Binance's public endpoints.
 */
export function accountSettings(env: NodeJS.ProcessEnv = process.env): AccountConfig[] {
  const names = (env.BOT_ACCOUNTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const accounts: AccountConfig[] = [];
  const breakerDefaults = parseOrThrow(
    breakerEnv,
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('BREAKER_') && v !== '')),
    'invalid circuit breaker settings',
  );
  const prefixes = new Map<string, string>();
  for (const name of names) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(name))
      throw new ConfigError(
        `BOT_ACCOUNTS: account name "${name}" must be 1-32 letters, digits, "-" or "_" (bot definitions name accounts that way)`,
      );
    const prefix = accountPrefix(name);
    const other = prefixes.get(prefix);
    if (other !== undefined) {
      throw new ConfigError(
        `BOT_ACCOUNTS: "${other}" and "${name}" are the same account (names are compared ignoring case, "-" as "_": both would read ${prefix}*)`,
      );
    }
    prefixes.set(prefix, name);
  }
  const binanceKey = env.BINANCE_API_KEY;
  const binanceSecret = env.BINANCE_API_SECRET;
  if ((binanceKey && !binanceSecret) || (!binanceKey && binanceSecret)) {
    throw new ConfigError(
      `${binanceKey ? 'BINANCE_API_KEY is set but BINANCE_API_SECRET is not' : 'BINANCE_API_SECRET is set but BINANCE_API_KEY is not'}: the "binance" account needs both`,
    );
  }
  for (const [variable, value] of [
    ['BINANCE_API_KEY', binanceKey],
    ['BINANCE_API_SECRET', binanceSecret],
  ] as const) {
    const problem = value ? credentialProblem(value) : null;
    if (problem) throw new ConfigError(`${variable}: ${problem}`);
  }
  if (binanceKey && prefixes.has(accountPrefix('binance')) && !names.includes('binance')) {
    throw new ConfigError(
      `BOT_ACCOUNTS: "${prefixes.get(accountPrefix('binance'))}" clashes with the "binance" account that BINANCE_API_KEY defines`,
    );
  }
  for (const name of names) {
    const prefix = accountPrefix(name);
    const scoped = Object.fromEntries(
      Object.entries(env)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    const parsed = accountEnv.safeParse(scoped);
    if (!parsed.success)
      throw new ConfigError(
        `account "${name}":\n${formatIssues(parsed.error)
          .map((l) => `${prefix}${l}`)
          .join('\n')}`,
      );
    const a = parsed.data;
    accounts.push({
      name,
      apiKey: a.API_KEY,
      apiSecret: a.API_SECRET,
      httpBase: a.HTTP_BASE,
      wsBase: a.WS_BASE,
      wsApi: a.WS_API,
      ...(a.WS_FUTURES ? { wsFutures: a.WS_FUTURES } : {}),
      ...(a.HTTP_FUTURES ? { httpFutures: a.HTTP_FUTURES } : {}),
      recvWindowMs: a.RECV_WINDOW_MS,
      backendTimeoutMs: a.BACKEND_TIMEOUT_MS,
      requestTimeoutMs: a.REQUEST_TIMEOUT_MS,
      weightLimitPerMinute: a.WEIGHT_LIMIT,
      ...(a.FUTURES_WEIGHT_LIMIT ? { futuresWeightLimitPerMinute: a.FUTURES_WEIGHT_LIMIT } : {}),
      breaker: {
        failureThreshold: a.BREAKER_FAILURES ?? breakerDefaults.BREAKER_FAILURES,
        cooldownMs: a.BREAKER_COOLDOWN_MS ?? breakerDefaults.BREAKER_COOLDOWN_MS,
      },
    });
  }
  if (binanceKey && binanceSecret && !names.includes('binance')) {
    const endpoints = ['true', '1', 'yes'].includes(String(env.BINANCE_API_TEST)) ? BINANCE_TESTNET : BINANCE_PROD;
    accounts.push({
      name: 'binance',
      apiKey: binanceKey,
      apiSecret: binanceSecret,
      ...endpoints,
      recvWindowMs: 5_000,
      backendTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      weightLimitPerMinute: 6_000,
      breaker: { failureThreshold: breakerDefaults.BREAKER_FAILURES, cooldownMs: breakerDefaults.BREAKER_COOLDOWN_MS },
    });
  }
  return accounts;
}

/** The environment prefix of an account's settings: `ACCOUNT_<NAME>_`. */
export function accountPrefix(name: string): string {
  return `ACCOUNT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/** A pre-built workflow bundle named by WORKFLOW_BUNDLE must exist (else Worker.create gives a bare ENOENT). */
export function workflowBundlePath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.WORKFLOW_BUNDLE;
  if (!file) return undefined;
  if (!existsSync(file))
    throw new ConfigError(
      `WORKFLOW_BUNDLE=${file}: no such file (build it with \`npm run build:bundle\`, or unset WORKFLOW_BUNDLE to bundle at start)`,
    );
  return file;
}
