/**
 * Request-weight budget per exchange account, shared by every bot of a worker process, and the
 * Retry-After values the exchange sends with 429/418 answers.
 *
 * binance-api-node drops the Retry-After header of JSON error answers, so we observe it on Node's
 * own HTTP client diagnostics channel instead of patching the library.
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { FailureType, retryableFailure } from './errors';

const WINDOW_MS = 60_000;

export class WeightBudget {
  private windowStart = 0;
  private used = 0;

  /** @param limitPerMinute the exchange's REQUEST_WEIGHT limit; we stop at `safety` of it. */
  constructor(
    private readonly limitPerMinute: number,
    private readonly safety = 0.8,
  ) {}

  /** Reserve weight for a request, or fail retryably until the next window if the budget is spent. */
  reserve(weight: number, now: number = Date.now()): void {
    this.roll(now);
    if (this.used + weight > this.limitPerMinute * this.safety) {
      const wait = this.windowStart + WINDOW_MS - now;
      throw retryableFailure(FailureType.RateLimited, `request weight budget spent (${this.used}/${this.limitPerMinute} this minute); waiting ${wait} ms`, wait);
    }
    this.used += weight;
  }

  /** Align with the weight the exchange reports (X-MBX-USED-WEIGHT-1M): other clients on the IP count too. */
  observe(usedByServer: number, now: number = Date.now()): void {
    this.roll(now);
    if (Number.isFinite(usedByServer) && usedByServer > this.used) this.used = usedByServer;
  }

  get usedThisWindow(): number {
    return this.used;
  }

  private roll(now: number): void {
    const start = now - (now % WINDOW_MS);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
  }
}

/** Latest Retry-After (ms, absolute deadline) seen per host:port. */
const retryAfterByHost = new Map<string, { until: number; seenAt: number }>();
let listening = false;

export function watchRetryAfterHeaders(): void {
  if (listening) return;
  listening = true;
  diagnostics.subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: { host?: string; getHeader?(n: string): number | string | string[] | undefined }; response: IncomingMessage };
    if (response.statusCode !== 429 && response.statusCode !== 418) return;
    const seconds = Number(response.headers['retry-after']);
    if (!Number.isFinite(seconds) || seconds <= 0) return;
    const header = request.getHeader?.('host');
    const host = header === undefined ? (request.host ?? '') : Array.isArray(header) ? header.join(',') : String(header);
    const now = Date.now();
    retryAfterByHost.set(host, { until: now + seconds * 1000, seenAt: now });
  });
}

/** Remaining Retry-After for a host, if one was received in the last few seconds. */
export function retryAfterHint(host: string, now: number = Date.now()): number | null {
  const seen = retryAfterByHost.get(host);
  if (!seen || now - seen.seenAt > 10_000) return null;
  return Math.max(0, seen.until - now);
}
