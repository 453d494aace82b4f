/**
 * What one worker process saw of an exchange account's REST calls: consecutive failures (for the
 * account and per bot), the last success, counts by endpoint and error class. Read by the metrics
 * (/metrics) and the alert rules (monitoring/). Recorded by `ExchangeAccount.call`; the bot is the
 * workflow of the activity making the call, when there is one.
 */
import { Context } from '@temporalio/activity';
import type { ErrorClass } from './errors';

/** Error classes as metrics label them: the classifier's kinds, with rate limits apart. */
export type ErrorLabel = 'unknown' | 'not_sent' | 'rate_limited' | 'rejected' | 'not_found' | 'duplicate';

export function errorLabel(c: ErrorClass): ErrorLabel {
  switch (c.kind) {
    case 'unknown':
      return 'unknown';
    case 'notSent':
      return c.rateLimited ? 'rate_limited' : 'not_sent';
    case 'rejected':
      return 'rejected';
    case 'notFound':
      return 'not_found';
    case 'duplicate':
      return 'duplicate';
    default: {
      const unreachable: never = c;
      return unreachable;
    }
  }
}

/** An error the exchange did not serve us through (as opposed to an answer that refused something). */
export function isServiceError(c: ErrorClass): boolean {
  return c.kind === 'unknown' || c.kind === 'notSent';
}

export interface ConsecutiveErrors {
  readonly count: number;
  readonly since: number | null;
  readonly lastError: string | null;
}

const NONE: ConsecutiveErrors = { count: 0, since: null, lastError: null };

/** Bots not heard of for this long are forgotten (a stopped bot must not keep an alert open). */
const BOT_FORGET_MS = 30 * 60_000;

export class ExchangeHealth {
  private consecutive: ConsecutiveErrors = NONE;
  private readonly perBot = new Map<string, ConsecutiveErrors & { readonly seenAt: number }>();
  /** Last call the exchange answered (including refusals: it works). */
  lastSuccessAt: number | null = null;
  lastCallAt: number | null = null;
  readonly calls = new Map<string, number>();
  readonly errors = new Map<ErrorLabel, number>();

  constructor(private readonly now: () => number = Date.now) {}

  record(endpoint: string, c: ErrorClass | null, bot: string | null = currentBot()): void {
    const t = this.now();
    this.lastCallAt = t;
    const outcome = c === null ? 'ok' : errorLabel(c);
    const key = `${endpoint}|${outcome}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    if (c !== null) this.errors.set(errorLabel(c), (this.errors.get(errorLabel(c)) ?? 0) + 1);
    if (c !== null && isServiceError(c)) {
      const message = `${c.code}: ${c.message}`.slice(0, 300);
      this.consecutive = { count: this.consecutive.count + 1, since: this.consecutive.since ?? t, lastError: message };
      if (bot) {
        const prev = this.perBot.get(bot) ?? NONE;
        this.perBot.set(bot, { count: prev.count + 1, since: prev.since ?? t, lastError: message, seenAt: t });
      }
      return;
    }
    if (c === null || c.kind !== 'notSent') {
      // Answered: a success, or a refusal that proves the exchange works.
      this.lastSuccessAt = t;
      this.consecutive = NONE;
      if (bot) this.perBot.set(bot, { ...NONE, seenAt: t });
    }
  }

  accountErrors(): ConsecutiveErrors {
    return this.consecutive;
  }

  botErrors(): ReadonlyMap<string, ConsecutiveErrors> {
    const t = this.now();
    for (const [bot, e] of this.perBot) if (t - e.seenAt > BOT_FORGET_MS) this.perBot.delete(bot);
    return this.perBot;
  }
}

/** The bot (workflow id, `bot-<name>`) whose activity is making the current call, if a bot's activity makes it. */
export function currentBot(): string | null {
  try {
    const id = Context.current().info.workflowExecution?.workflowId;
    return id?.startsWith('bot-') ? id : null; // balance reads and optimiser batches are no bot's
  } catch {
    return null; // not in an activity (stream service, probe, balance read outside a workflow)
  }
}
