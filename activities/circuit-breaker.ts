/**
 * A circuit breaker per exchange account (seed 003: "circuit breaker pour éviter les surcharges"),
 * held by the worker process next to the account's client (activities/exchange-account.ts).
 *
 * - **closed**: everything goes. Consecutive exchange failures are counted: 5xx answers, our own
 *   timeouts, connection resets and refusals (the exchange did not serve the request). Answers the
 *   exchange gave — even refusals of an order, or "unknown order" — prove it works and reset the
 *   count; rate limits (429/418) count neither way (they have their own back-off).
 * - **open** after `failureThreshold` consecutive failures: no *new* entry is sent (the placement
 *   activity refuses it as a rejection the strategy sees). Exits, protective orders, cancels and
 *   reads still go: a bot must always be able to get out, and reconciliation must keep running.
 * - **half-open** after `cooldownMs`: one probe (a light `GET /api/v3/time`) is sent. Success
 *   closes the breaker; failure opens it again for another cool-down. Any other call's outcome in
 *   that state counts the same way.
 *
 * An entry whose earlier attempt may have reached the exchange is never refused: its outcome is
 * looked up first (activities/orders.ts), and only a placement proven absent is subject to the
 * breaker — refusing it blindly could orphan a live order.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type ErrorClass } from './errors';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  readonly failureThreshold: number;
  /** Time open before the half-open probe (default 30 s). */
  readonly cooldownMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = { failureThreshold: 5, cooldownMs: 30_000 };

/** What the `state` query, the CLI, metrics and alerts show (plain JSON). */
export interface BreakerSnapshot {
  readonly account: string;
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  /** When the breaker last left `closed` (null while closed). */
  readonly openedAt: number | null;
  /** When the current state began. */
  readonly since: number;
  readonly lastError: string | null;
  /** How many times it opened since the worker started. */
  readonly opens: number;
}

/** How one exchange call ended, as far as the breaker is concerned. */
export type CallOutcome =
  { readonly kind: 'answered' } | { readonly kind: 'failed'; readonly error: string } | { readonly kind: 'neutral' };

/** Map a classified error onto the breaker's view: not served, served, or neither (rate limit). */
export function outcomeOf(c: ErrorClass | null): CallOutcome {
  if (c === null) return { kind: 'answered' };
  switch (c.kind) {
    case 'unknown':
      return { kind: 'failed', error: `${c.code}: ${c.message}` };
    case 'notSent':
      return c.rateLimited ? { kind: 'neutral' } : { kind: 'failed', error: `${c.code}: ${c.message}` };
    case 'rejected':
    case 'duplicate':
    case 'notFound':
      return { kind: 'answered' };
    default: {
      const unreachable: never = c;
      return unreachable;
    }
  }
}

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt: number | null = null;
  private since: number;
  private lastError: string | null = null;
  private opens = 0;
  private timer: NodeJS.Timeout | null = null;
  private probe: (() => Promise<unknown>) | null = null;
  private probing = false;
  private readonly listeners: Array<(s: BreakerSnapshot) => void> = [];

  constructor(
    readonly account: string,
    private readonly options: BreakerOptions = DEFAULT_BREAKER_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  /** The call the half-open state sends (it must go through the account's `call`, so its outcome is recorded). */
  setProbe(probe: () => Promise<unknown>): void {
    this.probe = probe;
  }

  onChange(listener: (s: BreakerSnapshot) => void): void {
    this.listeners.push(listener);
  }

  snapshot(): BreakerSnapshot {
    return {
      account: this.account,
      state: this.state,
      consecutiveFailures: this.failures,
      openedAt: this.openedAt,
      since: this.since,
      lastError: this.lastError,
      opens: this.opens,
    };
  }

  /** Why a new entry may not be sent now, or null. */
  entryRefusal(): string | null {
    if (this.state === 'closed') return null;
    const since = new Date(this.openedAt ?? this.since).toISOString();
    return `circuit breaker ${this.state} on account "${this.account}" since ${since} after ${this.failures} consecutive exchange failures (last: ${this.lastError ?? 'unknown'}): no new entries; exits and protective orders still go`;
  }

  record(outcome: CallOutcome): void {
    if (outcome.kind === 'neutral') return;
    if (outcome.kind === 'answered') {
      this.failures = 0;
      if (this.state === 'half-open') this.moveTo('closed');
      return;
    }
    this.failures += 1;
    this.lastError = outcome.error.slice(0, 300);
    if (this.state === 'closed' && this.failures >= this.options.failureThreshold) this.moveTo('open');
    else if (this.state === 'half-open') this.moveTo('open');
  }

  /** Stop the cool-down timer (worker shutdown). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private moveTo(next: BreakerState): void {
    const t = this.now();
    if (next === 'open') {
      if (this.state === 'closed') {
        this.openedAt = t;
        this.opens += 1;
      }
      this.scheduleProbe();
    }
    if (next === 'closed') {
      this.openedAt = null;
      this.close();
    }
    this.state = next;
    this.since = t;
    const s = this.snapshot();
    for (const l of this.listeners) {
      try {
        l(s);
      } catch {
        /* a listener's failure must not break exchange calls */
      }
    }
  }

  private scheduleProbe(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.state !== 'open') return;
      this.moveTo('half-open');
      void this.runProbe();
    }, this.options.cooldownMs);
    this.timer.unref?.();
  }

  private async runProbe(): Promise<void> {
    if (!this.probe || this.probing) return;
    this.probing = true;
    try {
      await this.probe();
    } catch {
      /* recorded by the account's call */
    } finally {
      this.probing = false;
    }
    // A neutral answer (rate limit) leaves it half-open: try again after another cool-down.
    if (this.state === 'half-open') {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.runProbe();
      }, this.options.cooldownMs);
      this.timer.unref?.();
    }
  }
}

/**
 * Refuse a new entry while the account's breaker is not closed: a definitive rejection (nothing was
 * sent), which the kernel reports to the strategy like any exchange refusal. Exits pass, and so do
 * placements from workflows that do not say what they are (older bots): never block a way out.
 */
export function refuseEntryWhileOpen(
  breaker: CircuitBreaker,
  purpose: 'entry' | 'exit' | undefined,
  what: string,
): void {
  if (purpose !== 'entry') return;
  const refusal = breaker.entryRefusal();
  if (!refusal) return;
  // Shaped like an exchange rejection (details carry code and message) so the workflow reports it
  // the same way. `heldBack`: proof that no order for the id is live — this request was never sent,
  // and any earlier send was looked up and proven absent before the refusal (the callers check first).
  throw ApplicationFailure.create({
    type: FailureType.OrderRejected,
    nonRetryable: true,
    message: `${what} not sent: ${refusal}`,
    details: [{ code: 'CIRCUIT_OPEN', message: refusal, heldBack: true }],
  });
}
