/**
 * The alert rules, seed 003's list as defaults ("plus de 10 erreurs consécutives, circuit breaker
 * ouvert, utilisation mémoire > 1GB, utilisation CPU > 90%, aucun succès depuis plus d'1 heure"),
 * plus: a user stream down too long, an order unknown past its deadline, a bot stopped without
 * being asked. Pure: a health snapshot in, the conditions that hold out. Each condition has a
 * stable key, so the monitor fires it once while it lasts and says "recovered" when it is gone.
 *
 * Thresholds come from the environment (`alertThresholds`), each variable named in its error.
 */
import { z } from 'zod';
import type { BreakerSnapshot } from '../activities/circuit-breaker';
import type { ConsecutiveErrors } from '../activities/exchange-health';
import { formatIssues } from '../core/schema';
import { ConfigError } from '../infra/temporal-connection';

export const ALERT_RULES = [
  'consecutive-errors',
  'circuit-open',
  'memory',
  'cpu',
  'no-success',
  'stream-stale',
  'order-unknown',
  'bot-stopped',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export interface AlertThresholds {
  /** Alert when more than this many exchange calls failed in a row (per account and per bot). */
  readonly consecutiveErrors: number;
  readonly rssBytes: number;
  readonly cpuPct: number;
  /** CPU must stay over `cpuPct` for this long. */
  readonly cpuForMs: number;
  readonly noSuccessMs: number;
  readonly streamStaleMs: number;
  /** Extra time past an unknown order's deadline before alerting. */
  readonly orderUnknownGraceMs: number;
  readonly disabled: ReadonlySet<AlertRule>;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  consecutiveErrors: 10,
  rssBytes: 1024 * 1024 * 1024,
  cpuPct: 90,
  cpuForMs: 5 * 60_000,
  noSuccessMs: 60 * 60_000,
  streamStaleMs: 2 * 60_000,
  orderUnknownGraceMs: 0,
  disabled: new Set(),
};

export interface AccountHealth {
  readonly name: string;
  /** Running bots on the account served by this worker (no bots: nothing to be silent about). */
  readonly bots: number;
  readonly errors: ConsecutiveErrors;
  readonly breaker: BreakerSnapshot;
  readonly lastSuccessAt: number | null;
  /** The worker's user stream of the account; null when this worker holds none. */
  readonly userStream: { readonly subscribed: boolean; readonly downSince: number | null } | null;
}

export interface HealthSnapshot {
  readonly now: number;
  /** When monitoring started (no "no success for an hour" in the first hour). */
  readonly startedAt: number;
  readonly accounts: readonly AccountHealth[];
  readonly bots: ReadonlyMap<string, ConsecutiveErrors>;
  readonly unknownOrders: ReadonlyArray<{
    readonly key: string;
    readonly bot: string;
    readonly clientOrderId: string;
    readonly since: number;
    readonly deadline: number;
    readonly lastError: string;
  }>;
  readonly process: { readonly pid: number; readonly rssBytes: number; readonly cpuFloorPct: number | null };
}

export interface AlertCondition {
  readonly key: string;
  readonly rule: AlertRule;
  /** What is wrong, stable while it lasts ("account paper: consecutive exchange errors"). */
  readonly label: string;
  /** The figures now (sent with the alert). */
  readonly detail: string;
}

function seconds(ms: number): string {
  if (ms < 90_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3600_000).toFixed(1)} h`;
}

export function evaluateAlerts(s: HealthSnapshot, t: AlertThresholds): AlertCondition[] {
  const out: AlertCondition[] = [];
  const on = (rule: AlertRule) => !t.disabled.has(rule);
  for (const a of s.accounts) {
    if (on('consecutive-errors') && a.errors.count > t.consecutiveErrors) {
      out.push({
        key: `consecutive-errors:account:${a.name}`,
        rule: 'consecutive-errors',
        label: `account ${a.name}: consecutive exchange errors`,
        detail: `${a.errors.count} exchange calls failed in a row over ${seconds(s.now - (a.errors.since ?? s.now))} (last: ${a.errors.lastError ?? '?'})`,
      });
    }
    if (on('circuit-open') && a.breaker.state !== 'closed') {
      out.push({
        key: `circuit-open:${a.name}`,
        rule: 'circuit-open',
        label: `account ${a.name}: circuit breaker open`,
        detail: `${a.breaker.state} since ${new Date(a.breaker.openedAt ?? a.breaker.since).toISOString()} after ${a.breaker.consecutiveFailures} consecutive failures (last: ${a.breaker.lastError ?? '?'}); no new entries, exits still go`,
      });
    }
    if (on('no-success') && a.bots > 0) {
      const streamUp = a.userStream?.subscribed === true;
      const since = a.lastSuccessAt ?? s.startedAt;
      if (!streamUp && s.now - since > t.noSuccessMs) {
        out.push({
          key: `no-success:${a.name}`,
          rule: 'no-success',
          label: `account ${a.name}: no successful exchange call`,
          detail: `nothing answered for ${seconds(s.now - since)} (REST and user stream), with ${a.bots} bot(s) running`,
        });
      }
    }
    if (
      on('stream-stale') &&
      a.bots > 0 &&
      a.userStream &&
      !a.userStream.subscribed &&
      a.userStream.downSince !== null &&
      s.now - a.userStream.downSince > t.streamStaleMs
    ) {
      out.push({
        key: `stream-stale:${a.name}`,
        rule: 'stream-stale',
        label: `account ${a.name}: user data stream down`,
        detail: `no subscription for ${seconds(s.now - a.userStream.downSince)}: fills reach the bots only through reconciliation polls`,
      });
    }
  }
  if (on('consecutive-errors')) {
    for (const [bot, e] of s.bots) {
      if (e.count > t.consecutiveErrors)
        out.push({
          key: `consecutive-errors:bot:${bot}`,
          rule: 'consecutive-errors',
          label: `bot ${bot.replace(/^bot-/, '')}: consecutive exchange errors`,
          detail: `${e.count} of its exchange calls failed in a row (last: ${e.lastError ?? '?'})`,
        });
    }
  }
  if (on('order-unknown')) {
    for (const o of s.unknownOrders) {
      if (s.now > o.deadline + t.orderUnknownGraceMs) {
        out.push({
          key: `order-unknown:${o.key}`,
          rule: 'order-unknown',
          label: `bot ${o.bot.replace(/^bot-/, '')}: order ${o.clientOrderId} outcome unknown`,
          detail: `unknown for ${seconds(s.now - o.since)}, past its deadline by ${seconds(s.now - o.deadline)}; still being looked up (last: ${o.lastError})`,
        });
      }
    }
  }
  if (on('memory') && s.process.rssBytes > t.rssBytes) {
    out.push({
      key: `memory:${s.process.pid}`,
      rule: 'memory',
      label: `worker ${s.process.pid}: memory over ${Math.round(t.rssBytes / 1048576)} MB`,
      detail: `resident memory ${Math.round(s.process.rssBytes / 1048576)} MB`,
    });
  }
  if (on('cpu') && s.process.cpuFloorPct !== null && s.process.cpuFloorPct > t.cpuPct) {
    out.push({
      key: `cpu:${s.process.pid}`,
      rule: 'cpu',
      label: `machine CPU over ${t.cpuPct} % (seen by worker ${s.process.pid})`,
      detail: `at least ${s.process.cpuFloorPct.toFixed(0)} % busy for ${seconds(t.cpuForMs)}`,
    });
  }
  return out;
}

const positiveInt = z.coerce.number().int().min(0);

const thresholdEnv = z.object({
  ALERT_CONSECUTIVE_ERRORS: positiveInt.optional(),
  ALERT_MEMORY_MB: z.coerce.number().positive().optional(),
  ALERT_CPU_PCT: z.coerce.number().min(0).max(100).optional(),
  ALERT_CPU_FOR_S: z.coerce.number().min(0).optional(),
  ALERT_NO_SUCCESS_S: z.coerce.number().positive().optional(),
  ALERT_STREAM_STALE_S: z.coerce.number().positive().optional(),
  ALERT_ORDER_UNKNOWN_GRACE_S: z.coerce.number().min(0).optional(),
  ALERTS_DISABLED: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const list = (v ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      for (const r of list) {
        if (!(ALERT_RULES as readonly string[]).includes(r)) {
          ctx.addIssue({ code: 'custom', message: `unknown rule "${r}" (rules: ${ALERT_RULES.join(', ')})` });
          return z.NEVER;
        }
      }
      return new Set(list as AlertRule[]);
    }),
});

/** Thresholds from ALERT_* variables; unset ones keep seed 003's defaults. */
export function alertThresholds(env: NodeJS.ProcessEnv = process.env): AlertThresholds {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('ALERT') && v !== undefined && v.trim() !== ''),
  );
  const r = thresholdEnv.safeParse(cleaned);
  if (!r.success) throw new ConfigError(`invalid alert settings:\n${formatIssues(r.error).join('\n')}`);
  const e = r.data;
  const d = DEFAULT_THRESHOLDS;
  return {
    consecutiveErrors: e.ALERT_CONSECUTIVE_ERRORS ?? d.consecutiveErrors,
    rssBytes: e.ALERT_MEMORY_MB !== undefined ? e.ALERT_MEMORY_MB * 1048576 : d.rssBytes,
    cpuPct: e.ALERT_CPU_PCT ?? d.cpuPct,
    cpuForMs: e.ALERT_CPU_FOR_S !== undefined ? e.ALERT_CPU_FOR_S * 1000 : d.cpuForMs,
    noSuccessMs: e.ALERT_NO_SUCCESS_S !== undefined ? e.ALERT_NO_SUCCESS_S * 1000 : d.noSuccessMs,
    streamStaleMs: e.ALERT_STREAM_STALE_S !== undefined ? e.ALERT_STREAM_STALE_S * 1000 : d.streamStaleMs,
    orderUnknownGraceMs:
      e.ALERT_ORDER_UNKNOWN_GRACE_S !== undefined ? e.ALERT_ORDER_UNKNOWN_GRACE_S * 1000 : d.orderUnknownGraceMs,
    disabled: e.ALERTS_DISABLED,
  };
}
