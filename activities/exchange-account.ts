/**
 * One configured exchange account: a binance-api-node client with an explicit timeout on every
 * call (the library has none), the account's shared weight budget, and its timing constants.
 * Credentials come from the worker's environment only and never leave this object.
 */
import Binance from 'binance-api-node';
import type { BinanceRest } from './binance-types';
import { RequestTimeoutError, classifyExchangeError, type ErrorClass } from './errors';
import { WeightBudget, budgetKey, registerBudget, retryAfterHint, watchRateLimitHeaders } from './rate-limit';
import { type BreakerOptions, CircuitBreaker, DEFAULT_BREAKER_OPTIONS, outcomeOf } from './circuit-breaker';
import { ExchangeHealth } from './exchange-health';

export interface AccountConfig {
  readonly name: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** REST base, e.g. https://api.binance.com or http://127.0.0.1:8090 (paper exchange). */
  readonly httpBase: string;
  /** USDⓈ-M futures REST base; default: https://fapi.binance.com for Binance, else httpBase (the paper exchange serves both). */
  readonly httpFutures?: string;
  /**
   * USDⓈ-M WebSocket base (binance-api-node's `wsFutures`); the user stream opens
   * `<wsFutures>/<listenKey>`. Default: futuresStreamBase().
   */
  readonly wsFutures?: string;
  /** Market streams base, e.g. wss://stream.binance.com:9443/ws. */
  readonly wsBase: string;
  /** WebSocket API, e.g. wss://ws-api.binance.com:443/ws-api/v3 (user data stream). */
  readonly wsApi: string;
  /** recvWindow sent with every signed request. */
  readonly recvWindowMs: number;
  /** The exchange's own backend timeout (Binance: 10 s): after it an accepted request can no longer execute. */
  readonly backendTimeoutMs: number;
  /** Our timeout for one REST call. */
  readonly requestTimeoutMs: number;
  readonly weightLimitPerMinute: number;
  /** USDⓈ-M request weight a minute (Binance counts it apart from spot's): default 2,400. */
  readonly futuresWeightLimitPerMinute?: number;
  /** Circuit breaker thresholds (./circuit-breaker.ts); defaults: 5 failures, 30 s cool-down. */
  readonly breaker?: BreakerOptions;
}

export class ExchangeAccount {
  readonly rest: BinanceRest;
  readonly budget: WeightBudget;
  /** The USDⓈ-M host's own budget: futures calls (named "futures…") draw on it, fed by its answers. */
  readonly futuresBudget: WeightBudget;
  /** Opens after consecutive failures: no new entries until the exchange answers again. */
  readonly breaker: CircuitBreaker;
  /** What this process saw of the account's calls (metrics, alerts). */
  readonly health = new ExchangeHealth();
  private readonly host: string;
  private readonly futuresHost: string;

  /**
   * @param budget the weight budget of the account's host (request weight is counted per IP, so
   * accounts on one host share it); a budget of its own by default. `futuresBudget` likewise for
   * the USDⓈ-M host.
   */
  constructor(
    readonly config: AccountConfig,
    budget?: WeightBudget,
    futuresBudget?: WeightBudget,
  ) {
    watchRateLimitHeaders();
    this.rest = Binance({
      apiKey: config.apiKey,
      apiSecret: config.apiSecret,
      httpBase: config.httpBase,
      httpFutures: futuresBase(config),
    }) as unknown as BinanceRest;
    this.budget = budget ?? new WeightBudget(config.weightLimitPerMinute);
    this.host = new URL(config.httpBase).host;
    registerBudget(this.host, this.budget);
    this.futuresBudget = futuresBudget ?? new WeightBudget(futuresWeightLimit(config));
    this.futuresHost = budgetKey(new URL(futuresBase(config)).host, '/fapi/');
    registerBudget(this.futuresHost, this.futuresBudget);
    this.breaker = new CircuitBreaker(config.name, config.breaker ?? DEFAULT_BREAKER_OPTIONS);
    this.breaker.setProbe(() => this.call('time', 1, (r) => r.time()));
  }

  get name(): string {
    return this.config.name;
  }

  /**
   * Run one REST call with the account's weight budget and our own timeout. A timeout rejects with
   * RequestTimeoutError: for a request that changes state its outcome is unknown.
   */
  async call<T>(what: string, weight: number, fn: (rest: BinanceRest) => Promise<T>): Promise<T> {
    (isFuturesCall(what) ? this.futuresBudget : this.budget).reserve(weight);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RequestTimeoutError(what, this.config.requestTimeoutMs)),
        this.config.requestTimeoutMs,
      );
    });
    try {
      // Promise.resolve().then(...) also turns the library's synchronous param checks into rejections.
      const result = await Promise.race([Promise.resolve().then(() => fn(this.rest)), timeout]);
      this.observe(what, null);
      return result;
    } catch (err) {
      this.observe(what, this.classify(err, what));
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Feed the breaker and the health figures with one call's outcome. */
  private observe(what: string, c: ErrorClass | null): void {
    this.health.record(what, c);
    this.breaker.record(outcomeOf(c));
  }

  /** `what` names the call: a futures call's Retry-After is its host's (Binance's fapi bans are its own). */
  classify(err: unknown, what?: string): ErrorClass {
    const host = what !== undefined && isFuturesCall(what) ? this.futuresHost : this.host;
    return classifyExchangeError(err, retryAfterHint(host));
  }

  /**
   * The latest time an order request stamped `sentAt` could still be executed by the exchange:
   * the gateway refuses it after its recvWindow, and the matching engine answers within its
   * backend timeout. A lookup that still finds nothing after this is proof of absence.
   */
  executionDeadline(sentAt: number): number {
    const marginMs = 2_000;
    return sentAt + this.config.recvWindowMs + this.config.backendTimeoutMs + marginMs;
  }
}

/** USDⓈ-M calls are named "futures …" (futures-orders.ts, futures-account.ts, preflight.ts, the user stream). */
export function isFuturesCall(what: string): boolean {
  return what.startsWith('futures');
}

/** Binance's default USDⓈ-M REQUEST_WEIGHT limit a minute. */
export const FUTURES_WEIGHT_LIMIT = 2_400;

const futuresWeightLimit = (c: Pick<AccountConfig, 'futuresWeightLimitPerMinute'>) =>
  c.futuresWeightLimitPerMinute ?? FUTURES_WEIGHT_LIMIT;

/** Binance's spot host has its futures twin; any other host (the paper exchange) serves /fapi itself. */
export function futuresBase(config: Pick<AccountConfig, 'httpBase' | 'httpFutures'>): string {
  if (config.httpFutures) return config.httpFutures;
  return /^https:\/\/api\.binance\.com\/?$/.test(config.httpBase) ? 'https://fapi.binance.com' : config.httpBase;
}

/**
 * Where the futures user stream connects: `wsFutures` when set; Binance's private stream host for
 * Binance's REST hosts; else the REST host's own `/fstream` (the paper exchange serves it there).
 */
export function futuresStreamBase(config: Pick<AccountConfig, 'httpBase' | 'httpFutures' | 'wsFutures'>): string {
  if (config.wsFutures) return config.wsFutures.replace(/\/+$/, '');
  const rest = futuresBase(config);
  if (/^https:\/\/fapi\.binance\.com\/?$/.test(rest)) return 'wss://fstream.binance.com/private/ws';
  // Unverified against Binance's own page (shared/reference/control-plane-latency-futures.md §3): set wsFutures to be sure.
  if (/^https:\/\/demo-fapi\.binance\.com\/?$/.test(rest)) return 'wss://demo-fstream.binance.com/ws';
  if (/^https:\/\/testnet\.binancefuture\.com\/?$/.test(rest)) return 'wss://fstream.binancefuture.com/ws';
  const url = new URL(rest);
  const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}/fstream`;
}

export class AccountRegistry {
  private readonly accounts = new Map<string, ExchangeAccount>();

  constructor(configs: readonly AccountConfig[]) {
    const byHost = new Map<string, WeightBudget>();
    const shared = (key: string, limit: number) => {
      let budget = byHost.get(key);
      if (!budget) byHost.set(key, (budget = new WeightBudget(limit)));
      return budget;
    };
    for (const c of configs) {
      const budget = shared(new URL(c.httpBase).host, c.weightLimitPerMinute);
      const futures = shared(budgetKey(new URL(futuresBase(c)).host, '/fapi/'), futuresWeightLimit(c));
      this.accounts.set(c.name, new ExchangeAccount(c, budget, futures));
    }
  }

  get(name: string): ExchangeAccount {
    const account = this.accounts.get(name);
    if (!account)
      throw new Error(
        `account "${name}" is not configured on this worker (configured: ${[...this.accounts.keys()].join(', ') || 'none'})`,
      );
    return account;
  }

  all(): ExchangeAccount[] {
    return [...this.accounts.values()];
  }
}
