/**
 * Binance-style limits: request weight per IP per minute (429 -1003, then 418 bans after repeated
 * 429s), unfilled-order counts per account per 10 s and per day (429 -1015). Fixed windows, like
 * Binance's counters that reset on interval boundaries.
 */
export interface RateLimitOptions {
  readonly requestWeightPerMinute: number;
  /** USDⓈ-M (/fapi) request weight per IP per minute, counted apart from spot's (Binance: 2,400). */
  readonly futuresRequestWeightPerMinute: number;
  readonly ordersPer10s: number;
  readonly ordersPerDay: number;
  /** 429 answers within one minute after which the IP is banned (418). */
  readonly banAfter429s: number;
  readonly banMs: number;
}

export const BINANCE_LIMITS: RateLimitOptions = {
  requestWeightPerMinute: 6000,
  futuresRequestWeightPerMinute: 2400,
  ordersPer10s: 100,
  ordersPerDay: 200_000,
  banAfter429s: 20,
  banMs: 120_000,
};

/** The counter a request weighs on: an IP's /fapi weight is counted apart from its spot weight. */
export function weightKey(ip: string, path: string): string {
  return path.startsWith('/fapi/') ? `${ip} fapi` : ip;
}

interface Window {
  start: number;
  used: number;
}

export type LimitVerdict =
  | { readonly ok: true; readonly usedWeight: number }
  | {
      readonly ok: false;
      readonly status: 429 | 418;
      readonly code: number;
      readonly msg: string;
      readonly retryAfterSec: number;
      readonly usedWeight: number;
    };

export class RateLimiter {
  private readonly weight = new Map<string, Window>();
  private readonly rejected = new Map<string, Window>();
  private readonly bans = new Map<string, number>();
  private readonly orders10s = new Map<string, Window>();
  private readonly orders1d = new Map<string, Window>();

  constructor(
    readonly options: RateLimitOptions,
    private readonly now: () => number,
  ) {}

  /** Count `weight` for the IP (or its /fapi counter: weightKey); refuse when banned or over the minute's limit. */
  request(ip: string, weight: number): LimitVerdict {
    const t = this.now();
    const banUntil = this.bans.get(ip);
    const w = bump(this.weight, ip, t, 60_000, 0);
    if (banUntil !== undefined && t < banUntil) {
      return {
        ok: false,
        status: 418,
        code: -1003,
        msg: `Way too much request weight used; IP banned until ${banUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
        retryAfterSec: Math.ceil((banUntil - t) / 1000),
        usedWeight: w.used,
      };
    }
    w.used += weight;
    const limit = ip.endsWith(' fapi')
      ? this.options.futuresRequestWeightPerMinute
      : this.options.requestWeightPerMinute;
    if (w.used > limit) {
      const r = bump(this.rejected, ip, t, 60_000, 1);
      const retryAfterSec = Math.ceil((w.start + 60_000 - t) / 1000);
      if (r.used >= this.options.banAfter429s) {
        const until = t + this.options.banMs;
        this.bans.set(ip, until);
        return {
          ok: false,
          status: 418,
          code: -1003,
          msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
          retryAfterSec: Math.ceil(this.options.banMs / 1000),
          usedWeight: w.used,
        };
      }
      return {
        ok: false,
        status: 429,
        code: -1003,
        msg: `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
        retryAfterSec,
        usedWeight: w.used,
      };
    }
    return { ok: true, usedWeight: w.used };
  }

  usedWeight(ip: string): number {
    const w = this.weight.get(ip);
    return w && this.now() - w.start < 60_000 ? w.used : 0;
  }

  /** Count a new order for the account; refuse over the 10 s or daily order limit. */
  order(
    accountId: string,
  ): { ok: true; count10s: number; count1d: number } | { ok: false; msg: string; retryAfterSec: number } {
    const t = this.now();
    const w10 = bump(this.orders10s, accountId, t, 10_000, 0);
    const wd = bump(this.orders1d, accountId, t, 86_400_000, 0);
    if (w10.used + 1 > this.options.ordersPer10s) {
      return {
        ok: false,
        msg: `Too many new orders; current limit is ${this.options.ordersPer10s} orders per 10 SECOND.`,
        retryAfterSec: Math.ceil((w10.start + 10_000 - t) / 1000),
      };
    }
    if (wd.used + 1 > this.options.ordersPerDay) {
      return {
        ok: false,
        msg: `Too many new orders; current limit is ${this.options.ordersPerDay} orders per 1 DAY.`,
        retryAfterSec: Math.ceil((wd.start + 86_400_000 - t) / 1000),
      };
    }
    w10.used += 1;
    wd.used += 1;
    return { ok: true, count10s: w10.used, count1d: wd.used };
  }

  reset(): void {
    this.weight.clear();
    this.rejected.clear();
    this.bans.clear();
    this.orders10s.clear();
    this.orders1d.clear();
  }
}

/** The window for `key` at time t (fixed, aligned to the interval), after adding `add`. */
function bump(map: Map<string, Window>, key: string, t: number, intervalMs: number, add: number): Window {
  const start = Math.floor(t / intervalMs) * intervalMs;
  let w = map.get(key);
  if (!w || w.start !== start) {
    w = { start, used: 0 };
    map.set(key, w);
  }
  w.used += add;
  return w;
}
