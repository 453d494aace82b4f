/**
 * The worker's Prometheus metrics (prom-client), read when scraped from what the process already
 * keeps: exchange calls and errors by class, request weight used, circuit breakers, stream
 * staleness, orders of unknown outcome, reconciliation lag, notifications, alerts firing, and the
 * process's CPU and memory (prom-client's default metrics). The bots' own figures (status, orders,
 * fills, PnL, win rate) come from their queries: ./bot-metrics.ts.
 *
 * The Temporal SDK's worker metrics are served by its runtime on their own port
 * (./temporal-runtime.ts).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AccountRegistry } from '../activities/exchange-account';
import type { Notifier } from '../notify/notifier';
import type { StreamService } from '../workers/stream-service';
import type { ActivityTracker } from './activity-tracker';
import type { Monitor } from './monitor';

export interface WorkerMetricsSources {
  readonly accounts: AccountRegistry;
  readonly streams: () => StreamService | null;
  readonly tracker: ActivityTracker;
  readonly notifier: Notifier | null;
  readonly monitor: Monitor | null;
}

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export function workerMetrics(src: WorkerMetricsSources, registry = new Registry()): Registry {
  collectDefaultMetrics({ register: registry });
  const now = () => Date.now();

  new Counter({
    name: 'bots_exchange_requests_total',
    help: 'REST calls to the exchange by account, endpoint and outcome (ok or the error class)',
    labelNames: ['account', 'endpoint', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const acc of src.accounts.all()) {
        for (const [key, n] of acc.health.calls) {
          const [endpoint, outcome] = key.split('|');
          this.inc({ account: acc.name, endpoint: endpoint!, outcome: outcome! }, n);
        }
      }
    },
  });
  new Counter({
    name: 'bots_exchange_errors_total',
    help: 'Exchange errors by class: unknown (5xx, timeouts, resets: outcome unknown), not_sent, rate_limited, rejected, not_found, duplicate',
    labelNames: ['account', 'class'],
    registers: [registry],
    collect() {
      this.reset();
      for (const acc of src.accounts.all())
        for (const [cls, n] of acc.health.errors) this.inc({ account: acc.name, class: cls }, n);
    },
  });
  new Gauge({
    name: 'bots_exchange_consecutive_errors',
    help: 'Exchange calls of the account that failed in a row (reset by any answer)',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const acc of src.accounts.all()) this.set({ account: acc.name }, acc.health.accountErrors().count);
    },
  });
  new Gauge({
    name: 'bots_exchange_last_success_timestamp_seconds',
    help: 'When the exchange last answered a call of the account',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const acc of src.accounts.all())
        if (acc.health.lastSuccessAt !== null) this.set({ account: acc.name }, acc.health.lastSuccessAt / 1000);
    },
  });
  new Gauge({
    name: 'bots_exchange_request_weight_used',
    help: 'Request weight used in the current minute (our budget, aligned with X-MBX-USED-WEIGHT-1M)',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const acc of src.accounts.all()) this.set({ account: acc.name }, acc.budget.usedThisWindow);
    },
  });
  new Gauge({
    name: 'bots_exchange_request_weight_limit',
    help: 'Request weight allowed per minute',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const acc of src.accounts.all()) this.set({ account: acc.name }, acc.config.weightLimitPerMinute);
    },
  });
  new Gauge({
    name: 'bots_circuit_breaker_state',
    help: 'Circuit breaker of the account: 0 closed, 1 half-open, 2 open (no new entries while not closed)',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const acc of src.accounts.all())
        this.set({ account: acc.name }, BREAKER_VALUE[acc.breaker.snapshot().state]);
    },
  });
  new Counter({
    name: 'bots_circuit_breaker_opens_total',
    help: 'Times the account circuit breaker opened since the worker started',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const acc of src.accounts.all()) this.inc({ account: acc.name }, acc.breaker.snapshot().opens);
    },
  });
  new Gauge({
    name: 'bots_user_stream_up',
    help: 'User data stream of the account subscribed (1) or down (0)',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [account, s] of src.streams()?.userStreamStatus() ?? []) this.set({ account }, s.subscribed ? 1 : 0);
    },
  });
  new Gauge({
    name: 'bots_user_stream_stale_seconds',
    help: 'How long the user data stream of the account has been down (0 while subscribed)',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [account, s] of src.streams()?.userStreamStatus() ?? [])
        this.set({ account }, s.downSince === null ? 0 : (now() - s.downSince) / 1000);
    },
  });
  new Gauge({
    name: 'bots_market_stream_stale_seconds',
    help: 'Seconds since the last message on the market-stream connection of an endpoint',
    labelNames: ['endpoint'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [endpoint, at] of src.streams()?.marketStreamStatus() ?? [])
        if (at !== null) this.set({ endpoint }, (now() - at) / 1000);
    },
  });
  new Gauge({
    name: 'bots_orders_unknown',
    help: 'Order placements whose outcome is unknown right now (being looked up), by account',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const acc of src.accounts.all()) this.set({ account: acc.name }, 0);
      for (const o of src.tracker.unknownOrders()) this.inc({ account: o.account }, 1);
    },
  });
  new Gauge({
    name: 'bots_reconcile_age_seconds',
    help: 'Seconds since the bot last reconciled successfully with the exchange (on this worker)',
    labelNames: ['bot'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [bot, at] of src.tracker.lastReconciled())
        this.set({ bot: bot.replace(/^bot-/, '') }, (now() - at) / 1000);
    },
  });
  new Counter({
    name: 'bots_activity_failures_total',
    help: 'Failed activity attempts by activity and failure type',
    labelNames: ['activity', 'failure'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, n] of src.tracker.failures) {
        const [activity, failure] = key.split('|');
        this.inc({ activity: activity!, failure: failure! }, n);
      }
    },
  });
  new Gauge({
    name: 'bots_notifications',
    help: 'Deliveries in the notification outbox by status (pending, sent, failed)',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      if (!src.notifier) return;
      for (const [status, n] of Object.entries(src.notifier.outbox.counts())) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'bots_alerts_firing',
    help: 'Alerts firing now, by rule',
    labelNames: ['rule'],
    registers: [registry],
    collect() {
      this.reset();
      for (const a of src.monitor?.firing() ?? []) this.inc({ rule: a.key.split(':')[0]! }, 1);
    },
  });
  new Gauge({
    name: 'bots_system_cpu_percent',
    help: 'Machine CPU busy share over the last monitor interval (all cores)',
    registers: [registry],
    collect() {
      const pct = src.monitor?.stats.latestCpuPct();
      if (pct !== null && pct !== undefined) this.set(pct);
    },
  });
  return registry;
}
