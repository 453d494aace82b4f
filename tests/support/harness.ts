/**
 * Integration-test harness: the run's real Temporal dev server (tests/setup/global-setup.ts), a
 * paper exchange on 127.0.0.1, and bot workers — in-process, or as child processes that a test can
 * kill -9. Every test gets its own task queue, so files never see each other's bots.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, inject } from 'vitest';
import type { AccountConfig } from '../../activities/exchange-account';
import { startBot } from '../../client/bots';
import type { BotDefinition } from '../../core/bot-definition';
import { startPaperExchange } from '../../exchange';
import { spawnWorkerProcess } from '../../infra/worker-process';
import type { TemporalSettings } from '../../infra/temporal-connection';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { MANUAL_PAPER_CANDLE_LEAD_MS } from '../../core/candle-check';
import { Decimal } from '../../core/decimal';
import { type BotWorker, type BotWorkerOptions, createBotWorker } from '../../workers/worker';
import { notifySettings } from '../../telegram/settings';
import { type BotStateView, type RuntimeOptions, botWorkflowId, stateQuery } from '../../workflows/messages';

export type PaperExchange = Awaited<ReturnType<typeof startPaperExchange>>;
type PaperExchangeOptions = Parameters<typeof startPaperExchange>[0];

// Workers in test processes log warnings and errors only (bot notifications are info).
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  /* already installed in this process */
}

export interface HarnessOptions {
  readonly balances?: Record<string, string>;
  readonly exchange?: Partial<PaperExchangeOptions>;
  /** Short timing so unknown outcomes resolve in seconds, not the production 17 s. */
  readonly recvWindowMs?: number;
  readonly backendTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** TELEGRAM_* / NOTIFY_* / ALERT_* settings of the workers (in-process and spawned). */
  readonly notifyEnv?: NodeJS.ProcessEnv;
  /** Monitor settings of in-process workers. */
  readonly monitoring?: BotWorkerOptions['monitoring'];
  /** Circuit breaker thresholds of the paper account. */
  readonly breaker?: { readonly failureThreshold: number; readonly cooldownMs: number };
}

export class Harness {
  readonly taskQueue = `test-${randomUUID()}`;
  readonly apiKey = randomBytes(16).toString('hex');
  readonly apiSecret = randomBytes(32).toString('hex');
  readonly workers: BotWorker[] = [];
  readonly processes: ChildProcess[] = [];
  /** This test's notification outbox (never the project's data/). */
  readonly notifyDb = path.join(os.tmpdir(), `bots-notify-${this.taskQueue}.db`);
  client!: Client;
  exchange!: PaperExchange;
  private connection!: Connection;
  private readonly running: Promise<void>[] = [];

  constructor(private readonly options: HarnessOptions = {}) {}

  get temporal(): TemporalSettings {
    return { address: inject('temporalAddress'), namespace: 'default', taskQueue: this.taskQueue };
  }

  get account(): AccountConfig {
    return {
      name: 'paper',
      apiKey: this.apiKey,
      apiSecret: this.apiSecret,
      httpBase: this.exchange.httpBase,
      wsBase: this.exchange.wsBase,
      wsApi: this.exchange.wsApi,
      recvWindowMs: this.options.recvWindowMs ?? 1_000,
      backendTimeoutMs: this.options.backendTimeoutMs ?? 1_000,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 3_000,
      weightLimitPerMinute: 100_000,
      ...(this.options.breaker ? { breaker: this.options.breaker } : {}),
    };
  }

  async start(): Promise<this> {
    this.exchange = await startPaperExchange({
      port: 0,
      accounts: [
        {
          name: 'paper',
          apiKey: this.apiKey,
          apiSecret: this.apiSecret,
          balances: this.options.balances ?? { USDT: '100000', BTC: '0', ETH: '0' },
        },
      ],
      // An hour ahead: a test slow to close its first candle (a loaded machine) must not have its
      // bots take the forming one as closed once the wall clock passes its minute.
      prices: { kind: 'manual', leadMs: 3_600_000 },
      backendTimeoutMs: this.options.backendTimeoutMs ?? 1_000,
      ...this.options.exchange,
    });
    this.connection = await Connection.connect({ address: this.temporal.address });
    this.client = new Client({ connection: this.connection, namespace: 'default' });
    return this;
  }

  /** A worker in this process (fast; cannot be killed -9). */
  async startWorker(extra: Partial<BotWorkerOptions> = {}): Promise<BotWorker> {
    const worker = await createBotWorker({
      temporal: this.temporal,
      accounts: [this.account],
      workflowBundlePath: inject('workflowBundlePath'),
      identity: `test-worker-${this.workers.length + 1}`,
      log: () => {},
      notifications: notifySettings({ NOTIFICATIONS_DB: this.notifyDb, ...this.options.notifyEnv }),
      ...(this.options.monitoring !== undefined ? { monitoring: this.options.monitoring } : {}),
      ...extra,
    });
    this.workers.push(worker);
    this.running.push(worker.run());
    return worker;
  }

  /**
   * Stops an in-process worker and waits until it has stopped polling: `shutdown()` only begins
   * the drain, and a poll still open could take the bot's next workflow task and hold it started.
   */
  async stopWorker(worker: BotWorker): Promise<void> {
    const i = this.workers.indexOf(worker);
    await worker.shutdown();
    if (i >= 0) await this.running[i]!.catch(() => {});
  }

  /** The env a worker process needs: Temporal settings and the paper account, never in a workflow. */
  workerEnv(): NodeJS.ProcessEnv {
    const a = this.account;
    return {
      ...process.env,
      TEMPORAL_ADDRESS: this.temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      BOT_ACCOUNTS: 'paper',
      ACCOUNT_PAPER_API_KEY: a.apiKey,
      ACCOUNT_PAPER_API_SECRET: a.apiSecret,
      ACCOUNT_PAPER_HTTP_BASE: a.httpBase,
      ACCOUNT_PAPER_WS_BASE: a.wsBase,
      ACCOUNT_PAPER_WS_API: a.wsApi,
      ACCOUNT_PAPER_RECV_WINDOW_MS: String(a.recvWindowMs),
      ACCOUNT_PAPER_BACKEND_TIMEOUT_MS: String(a.backendTimeoutMs),
      ACCOUNT_PAPER_REQUEST_TIMEOUT_MS: String(a.requestTimeoutMs),
      ACCOUNT_PAPER_WEIGHT_LIMIT: String(a.weightLimitPerMinute),
      ...(this.options.breaker
        ? {
            ACCOUNT_PAPER_BREAKER_FAILURES: String(this.options.breaker.failureThreshold),
            ACCOUNT_PAPER_BREAKER_COOLDOWN_MS: String(this.options.breaker.cooldownMs),
          }
        : {}),
      NOTIFICATIONS_DB: this.notifyDb,
      // Fixed metrics ports would collide between test files: ours on a random port, the SDK's off.
      METRICS_PORT: '0',
      TEMPORAL_METRICS_BIND: 'off',
      // No test reaches Telegram or a webhook unless it points them at its own stand-in: set empty
      // (= unset), a developer's .env (read by workers/main.ts) cannot fill them in.
      TELEGRAM_BOT_TOKEN: '',
      NOTIFY_WEBHOOK_URL: '',
      ...this.options.notifyEnv,
    };
  }

  /** A worker as a child process (workers/main.ts), resolved once it polls. */
  async spawnWorker(): Promise<ChildProcess> {
    const child = await spawnWorkerProcess(this.workerEnv());
    this.processes.push(child);
    return child;
  }

  async startBot(
    definition: Omit<BotDefinition, 'account' | 'market' | 'risk' | 'onStop' | 'interval'> & Partial<BotDefinition>,
    options?: RuntimeOptions,
  ): Promise<string> {
    const def = {
      account: 'paper',
      market: 'spot',
      risk: {},
      onStop: 'cancel-orders',
      interval: '1m',
      ...definition,
    } as BotDefinition;
    // Manual paper candles run ahead of the wall clock (see MANUAL_PAPER_CANDLE_LEAD_MS).
    const r = await startBot(this.client, def, this.taskQueue, {
      maxCandleLeadMs: MANUAL_PAPER_CANDLE_LEAD_MS,
      ...options,
    });
    if (!r.started) throw new Error(r.message);
    return r.workflowId;
  }

  handle(name: string) {
    return this.client.workflow.getHandle(botWorkflowId(name));
  }

  async state(name: string): Promise<BotStateView> {
    return this.handle(name).query(stateQuery);
  }

  /** Poll the bot's state until `predicate` holds (no fixed sleeps in tests). */
  async waitForState(
    name: string,
    predicate: (s: BotStateView) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<BotStateView> {
    return eventually(async () => {
      const s = await this.state(name);
      if (!predicate(s))
        throw new Error(
          `bot ${name}: still waiting for ${what}; state: ${JSON.stringify({ status: s.status, position: s.position, open: s.openOrders.map((o) => `${o.tag}:${o.status}`), stats: s.stats, notifications: s.notifications.slice(-3) })}`,
        );
      return s;
    }, timeoutMs);
  }

  /**
   * Wait until the bot and the exchange agree: nothing in flight, the same open orders, every fill
   * of the bot's client ids known to the bot, and the position equal to what those fills add up to.
   */
  async agreement(name: string, timeoutMs = 60_000): Promise<BotStateView> {
    return eventually(
      async () => {
        const s = await this.state(name);
        const mine = (id: string) => id.startsWith(`${s.clientIdTag}-`);
        if (s.activitiesInFlight > 0 || s.pendingEvents > 0)
          throw new Error(`${name}: ${s.activitiesInFlight} activities in flight, ${s.pendingEvents} events pending`);
        if (s.openOrders.some((o) => o.status === 'SUBMITTING' || o.cancelRequested))
          throw new Error(`${name}: orders in flight: ${s.openOrders.map((o) => `${o.tag}:${o.status}`).join(',')}`);
        const venueOpen = this.exchange.venue
          .openOrders('paper')
          .filter((o) => mine(o.clientOrderId))
          .map((o) => o.clientOrderId)
          .sort();
        const botOpen = s.openOrders.map((o) => o.clientOrderId).sort();
        if (venueOpen.join() !== botOpen.join())
          throw new Error(`${name}: open orders differ: exchange [${venueOpen.join(',')}] bot [${botOpen.join(',')}]`);
        const fills = this.exchange.venue.allFills().filter((f) => f.accountId === 'paper' && mine(f.clientOrderId));
        if (fills.length !== s.stats.fills)
          throw new Error(`${name}: fills differ: exchange ${fills.length} bot ${s.stats.fills}`);
        let qty = new Decimal(0);
        for (const f of fills) {
          const base = f.commissionAsset === 'BTC' || f.commissionAsset === 'ETH' ? f.commission : '0';
          qty = f.side === 'BUY' ? qty.plus(f.qty).minus(base) : qty.minus(f.qty).minus(base);
        }
        if (!qty.equals(s.position.qty))
          throw new Error(`${name}: position ${s.position.qty} but the exchange's fills add up to ${qty.toFixed()}`);
        return s;
      },
      timeoutMs,
      200,
    );
  }

  /** The exchange's own audit: no client id executed twice, every balance change accounted for. */
  auditProblems(): string[] {
    return this.exchange.audit.check(this.exchange.venue);
  }

  async stop(): Promise<void> {
    for (const p of this.processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const w of this.workers) await w.shutdown().catch(() => {});
    await Promise.allSettled(this.running);
    await this.terminateBots();
    await this.connection?.close().catch(() => {});
    await this.exchange?.close().catch(() => {});
  }

  /** Terminate this test's bots so they do not linger on the shared server. */
  private async terminateBots(): Promise<void> {
    if (!this.client) return;
    for await (const wf of this.client.workflow.list({
      query: `TaskQueue = '${this.taskQueue}' AND ExecutionStatus = 'Running'`,
    })) {
      await this.client.workflow
        .getHandle(wf.workflowId)
        .terminate('test over')
        .catch(() => {});
    }
  }
}

/** Retry `fn` until it resolves or the time is up (rethrows the last error). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
  throw last;
}

/**
 * The usual setup of a test file or suite: a harness started before its tests (exchange, server
 * connection), BTCUSDT trading at `price`, one in-process worker; everything stopped after them.
 */
export function harnessWithWorker(price = '30000', options: HarnessOptions = {}): Harness {
  const h = new Harness(options);
  beforeAll(async () => {
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', price);
    await h.startWorker();
  });
  afterAll(() => h.stop());
  return h;
}
