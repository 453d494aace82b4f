/**
 * Watches the worker's activities (a Temporal activity interceptor, so no activity changes) for
 * what monitoring needs across attempts:
 *
 * - orders whose outcome is unknown: a placement attempt that failed with OutcomeUnknown or
 *   NotYetVisible, until an attempt settles it (placed, adopted, or refused for good). Past its
 *   deadline — when the exchange can no longer execute the request — still unknown means the
 *   exchange is not answering the lookups: an alert.
 * - the last successful reconciliation of each bot (metrics: reconciliation lag);
 * - failures by activity type and failure type (metrics).
 */
import type { Context as ActivityContext } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { UNKNOWN_OUTCOME_TYPES } from '../workflows/failure-types';

export interface UnknownOrder {
  readonly key: string;
  readonly bot: string;
  readonly account: string;
  readonly clientOrderId: string;
  /** First attempt that left the outcome unknown. */
  readonly since: number;
  /** After this the exchange cannot execute the request any more (activities/orders.ts). */
  readonly deadline: number;
  readonly lastError: string;
  readonly touchedAt: number;
}

const PLACEMENTS = new Set(['placeOrder', 'placeOco']);
const UNKNOWN_TYPES = new Set<string>(UNKNOWN_OUTCOME_TYPES);
/** An order not retried for this long was abandoned (its bot was terminated): forget it. */
const ABANDONED_MS = 10 * 60_000;

export class ActivityTracker {
  private readonly unknown = new Map<string, UnknownOrder>();
  private readonly reconciled = new Map<string, number>();
  readonly failures = new Map<string, number>();

  /** @param deadlineMs how long after its first unknown outcome an order of `account` may still execute. */
  constructor(
    private readonly deadlineMs: (account: string) => number,
    private readonly now: () => number = Date.now,
  ) {}

  readonly interceptor: ActivityInterceptorsFactory = (ctx: ActivityContext) => ({
    inbound: {
      execute: async (input, next) => {
        try {
          const result = await next(input);
          this.settled(ctx, input.args[0], null);
          return result;
        } catch (err) {
          this.settled(ctx, input.args[0], err);
          throw err;
        }
      },
    },
  });

  private settled(ctx: ActivityContext, arg: unknown, err: unknown): void {
    const info = ctx.info;
    const bot = info.workflowExecution?.workflowId ?? '';
    const type = info.activityType;
    const t = this.now();
    if (err !== null) {
      const failure =
        err instanceof ApplicationFailure ? (err.type ?? 'ApplicationFailure') : ((err as Error)?.name ?? 'Error');
      const k = `${type}|${failure}`;
      this.failures.set(k, (this.failures.get(k) ?? 0) + 1);
    }
    if (type === 'reconcile' && err === null) this.reconciled.set(bot, t);
    if (!PLACEMENTS.has(type)) return;
    const key = `${bot}/${info.activityId}`;
    const retryable = err instanceof ApplicationFailure && !err.nonRetryable && UNKNOWN_TYPES.has(err.type ?? '');
    if (!retryable) {
      this.unknown.delete(key);
      return;
    }
    const input = (arg ?? {}) as { account?: string; clientOrderId?: string; listClientOrderId?: string };
    const account = String(input.account ?? '');
    const prev = this.unknown.get(key);
    const since = prev?.since ?? t;
    this.unknown.set(key, {
      key,
      bot,
      account,
      clientOrderId: String(input.clientOrderId ?? input.listClientOrderId ?? ''),
      since,
      deadline: prev?.deadline ?? since + this.deadlineMs(account),
      lastError: (err as Error).message.slice(0, 300),
      touchedAt: t,
    });
  }

  unknownOrders(): UnknownOrder[] {
    const t = this.now();
    for (const [k, o] of this.unknown) if (t - o.touchedAt > ABANDONED_MS) this.unknown.delete(k);
    return [...this.unknown.values()];
  }

  /** Last successful reconciliation per bot workflow id. */
  lastReconciled(): ReadonlyMap<string, number> {
    return this.reconciled;
  }

  /** Stop tracking a bot that is gone. */
  forget(bot: string): void {
    this.reconciled.delete(bot);
  }
}
