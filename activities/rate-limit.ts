/**
 * Request-weight budget per exchange host, shared by every bot of a worker process, kept honest
 * with what the exchange itself reports:
 *
 * - Binance counts request weight per IP, over every client on it: each answer carries the IP's
 *   weight used this minute (`X-MBX-USED-WEIGHT-1M`), and the budget follows it, so several
 *   workers on one IP (the README's scale-out) share the limit instead of each spending it whole.
 * - A 429 or 418 answer carries `Retry-After` (seconds): every call to that host waits it out
 *   (a 418 ban stops them all until it ends), never less than a second (a `Retry-After: 0` must
 *   not turn into a burst of retries a millisecond apart).
 *
 * - Binance counts USDⓈ-M futures weight (/fapi, 2,400 a minute) apart from spot's, so a futures
 *   host's answers feed the futures budget only (`budgetKey`), even on a host serving both (the
 *   paper exchange).
 *
 * binance-api-node drops the headers of JSON answers, so they are read on Node's own HTTP client
 * diagnostics channel instead of patching the library.
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

const WINDOW_MS = 60_000;
/** The shortest wait after a 429/418, whatever Retry-After says. */
export const MIN_RETRY_AFTER_MS = 1_000;

/** Our own budget refused a call before it was sent (nothing reached the exchange). */
export class WeightBudgetExhausted extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'WeightBudgetExhausted';
  }
}

export class WeightBudget {
  private windowStart = 0;
  private used = 0;
  private blockedUntil = 0;
  private blockReason = '';

  /** @param limitPerMinute the exchange's REQUEST_WEIGHT limit; we stop at `safety` of it. */
  constructor(
    private readonly limitPerMinute: number,
    private readonly safety = 0.8,
  ) {}

  /** Reserve weight for a request, or refuse it (WeightBudgetExhausted) until it may go. */
  reserve(weight: number, now: number = Date.now()): void {
    if (now < this.blockedUntil) {
      throw new WeightBudgetExhausted(
        `${this.blockReason}; waiting ${this.blockedUntil - now} ms`,
        this.blockedUntil - now,
      );
    }
    this.roll(now);
    if (this.used + weight > this.limitPerMinute * this.safety) {
      const wait = Math.max(MIN_RETRY_AFTER_MS, this.windowStart + WINDOW_MS - now);
      throw new WeightBudgetExhausted(
        `request weight budget spent (${this.used}/${this.limitPerMinute} this minute); waiting ${wait} ms`,
        wait,
      );
    }
    this.used += weight;
  }

  /** Align with the weight the exchange reports for the IP (X-MBX-USED-WEIGHT-1M): other clients count too. */
  observe(usedByServer: number, now: number = Date.now()): void {
    this.roll(now);
    if (Number.isFinite(usedByServer) && usedByServer > this.used) this.used = usedByServer;
  }

  /** The exchange said to wait (429) or banned the IP (418): no call until then. */
  blockUntil(until: number, reason: string): void {
    if (until > this.blockedUntil) {
      this.blockedUntil = until;
      this.blockReason = reason;
    }
  }

  get usedThisWindow(): number {
    return this.used;
  }

  /** Remaining time of a 429/418 wait, 0 when none. */
  blockedFor(now: number = Date.now()): number {
    return Math.max(0, this.blockedUntil - now);
  }

  private roll(now: number): void {
    const start = now - (now % WINDOW_MS);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
  }
}

/** Budgets told about each host's answers (several budgets for one host: tests with several "workers"). */
const budgetsByHost = new Map<string, Set<WeightBudget>>();
/** Latest Retry-After (absolute deadline) seen per host:port. */
const retryAfterByHost = new Map<string, { until: number; seenAt: number }>();
let listening = false;

export function registerBudget(host: string, budget: WeightBudget): void {
  let set = budgetsByHost.get(host);
  if (!set) budgetsByHost.set(host, (set = new Set()));
  set.add(budget);
}

/** The budget an answer counts for: a host's /fapi answers count apart from its spot ones. */
export function budgetKey(host: string, path: string = '/'): string {
  return path.startsWith('/fapi/') ? `${host}/fapi` : host;
}

/** Watch every HTTP answer of this process: used weight and Retry-After, per host. */
export function watchRateLimitHeaders(): void {
  if (listening) return;
  listening = true;
  diagnostics.subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as {
      request: { host?: string; path?: string; getHeader?(n: string): number | string | string[] | undefined };
      response: IncomingMessage;
    };
    const header = request.getHeader?.('host');
    const host =
      header === undefined ? (request.host ?? '') : Array.isArray(header) ? header.join(',') : String(header);
    observeAnswer(budgetKey(host, request.path), response.statusCode ?? 0, response.headers);
  });
}

/** What one answer tells the budgets of its host (exported for tests of the arithmetic). */
export function observeAnswer(
  host: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  now: number = Date.now(),
): void {
  const budgets = budgetsByHost.get(host);
  const used = Number(headers['x-mbx-used-weight-1m']);
  if (budgets && Number.isFinite(used)) for (const b of budgets) b.observe(used, now);
  if (status !== 429 && status !== 418) return;
  const seconds = Number(headers['retry-after']);
  const waitMs = Math.max(
    MIN_RETRY_AFTER_MS,
    Number.isFinite(seconds) ? seconds * 1000 : WINDOW_MS - (now % WINDOW_MS),
  );
  retryAfterByHost.set(host, { until: now + waitMs, seenAt: now });
  const reason =
    status === 418
      ? `the exchange banned this IP (418) for ${waitMs} ms`
      : `the exchange said to wait (429) ${waitMs} ms`;
  if (budgets) for (const b of budgets) b.blockUntil(now + waitMs, reason);
}

/** Remaining Retry-After for a host, if one was received in the last few seconds; never below the floor. */
export function retryAfterHint(host: string, now: number = Date.now()): number | null {
  const seen = retryAfterByHost.get(host);
  if (!seen || now - seen.seenAt > 10_000) return null;
  return Math.max(MIN_RETRY_AFTER_MS, seen.until - now);
}
