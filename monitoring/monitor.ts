/**
 * The worker's monitor: every tick it samples the process, reads what the exchange accounts, the
 * streams and the activities saw, evaluates the alert rules (./alert-rules.ts) and announces what
 * started or stopped holding (./alert-book.ts) through the notifier: Telegram, the log and the
 * optional webhook, de-duplicated while an alert lasts, with a "recovered" message after.
 *
 * It also looks, less often, for bots that stopped without being asked: a bot workflow that
 * failed, was terminated or timed out, or that completed because its risk limits stopped it (a
 * run a Temporal reset terminated is not one: the bot carries on in the reset's run). Each
 * such run is announced once (its run id keys the message).
 */
import { type Client, WorkflowFailedError } from '@temporalio/client';
import type { AccountRegistry } from '../activities/exchange-account';
import type { Notice } from '../core/notices';
import type { Notifier } from '../notify/notifier';
import type { BotDirectory } from '../workers/directory';
import type { StreamService } from '../workers/stream-service';
import type { UserStreamStatus } from '../workers/streams/user-stream';
import { BOT_WORKFLOW_TYPE, type BotStateView } from '../workflows/messages';
import type { ActivityTracker } from './activity-tracker';
import { AlertBook, type AlertChange } from './alert-book';
import { type AlertThresholds, type HealthSnapshot, evaluateAlerts } from './alert-rules';
import { ProcessStats } from './process-stats';

export interface MonitorOptions {
  readonly accounts: AccountRegistry;
  readonly directory: BotDirectory;
  readonly streams: StreamService | null;
  readonly tracker: ActivityTracker;
  readonly notifier: Notifier | null;
  readonly client: Client;
  readonly taskQueue: string;
  readonly thresholds: AlertThresholds;
  /** Default 15 s. */
  readonly intervalMs?: number;
  /** How often to look for bots that stopped unasked (default 15 s). */
  readonly botCheckEveryMs?: number;
  readonly log?: (line: string) => void;
}

export class Monitor {
  readonly stats = new ProcessStats();
  private readonly book: AlertBook | null;
  private thresholds: AlertThresholds;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private readonly startedAt = Date.now();
  private lastBotCheck = 0;
  /** Closed runs already looked at (bounded). */
  private readonly seenRuns = new Set<string>();
  private checkedUpTo = Date.now() - 10 * 60_000;
  readonly changes: AlertChange[] = [];

  constructor(private readonly o: MonitorOptions) {
    this.thresholds = o.thresholds;
    this.book = o.notifier ? new AlertBook(o.notifier.outbox) : new AlertBook(memoryStore());
  }

  /** Change thresholds while running (a settings reload; tests). */
  configure(patch: Partial<AlertThresholds>): void {
    this.thresholds = { ...this.thresholds, ...patch };
  }

  currentThresholds(): AlertThresholds {
    return this.thresholds;
  }

  start(): void {
    if (this.timer) return;
    void this.announce(this.book!.adopt(Date.now()));
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 15_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One evaluation (the timer's, or a test's); concurrent calls share the one running. */
  tick(): Promise<void> {
    this.ticking ??= this.evaluate().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  firing(): Array<{ key: string; label: string; firedAt: number }> {
    return this.book!.firing();
  }

  snapshot(): HealthSnapshot {
    const now = Date.now();
    const running = this.o.directory.cached();
    const streams = this.o.streams?.userStreamStatus() ?? new Map<string, UserStreamStatus>();
    const bots = new Map<string, { count: number; since: number | null; lastError: string | null }>();
    const accounts = this.o.accounts.all().map((acc) => {
      for (const [bot, e] of acc.health.botErrors()) {
        const prev = bots.get(bot);
        if (!prev || e.count > prev.count) bots.set(bot, e);
      }
      const stream = streams.get(acc.name);
      return {
        name: acc.name,
        bots: running.filter((b) => b.account === acc.name).length,
        errors: acc.health.accountErrors(),
        breaker: acc.breaker.snapshot(),
        lastSuccessAt: acc.health.lastSuccessAt,
        userStream: stream ? { subscribed: stream.subscribed, downSince: stream.downSince } : null,
      };
    });
    return {
      now,
      startedAt: this.startedAt,
      accounts,
      bots,
      unknownOrders: this.o.tracker.unknownOrders(),
      process: {
        pid: process.pid,
        rssBytes: this.stats.rssBytes(),
        cpuFloorPct: this.stats.cpuFloor(this.thresholds.cpuForMs),
      },
    };
  }

  private async evaluate(): Promise<void> {
    try {
      this.stats.sample();
      const now = Date.now();
      await this.announce(this.book!.update(evaluateAlerts(this.snapshot(), this.thresholds), now));
      if (
        !this.thresholds.disabled.has('bot-stopped') &&
        now - this.lastBotCheck >= (this.o.botCheckEveryMs ?? 15_000)
      ) {
        this.lastBotCheck = now;
        await this.checkStoppedBots();
      }
    } catch (err) {
      this.o.log?.(`monitor: ${(err as Error).message}`);
    }
  }

  private async announce(changes: readonly AlertChange[]): Promise<void> {
    if (changes.length === 0) return;
    this.changes.push(...changes);
    if (this.changes.length > 500) this.changes.splice(0, this.changes.length - 500);
    const notices: Notice[] = changes.map((c) => ({
      id: `alert/${c.key}/${c.firedAt}/${c.type}`,
      kind: 'alert',
      bot: '',
      time: Date.now(),
      text: c.text,
    }));
    await this.deliver(notices);
  }

  private async deliver(notices: Notice[]): Promise<void> {
    if (this.o.notifier) await this.o.notifier.submit(notices);
    else for (const n of notices) this.o.log?.(`[alert] ${n.text}`);
  }

  /** Bot runs of this task queue that closed since the last look, other than by continue-as-new or a user's stop. */
  private async checkStoppedBots(): Promise<void> {
    const from = new Date(this.checkedUpTo - 60_000).toISOString();
    const checkStart = Date.now();
    const queue = this.o.taskQueue.replace(/'/g, "''");
    const query = `WorkflowType = '${BOT_WORKFLOW_TYPE}' AND TaskQueue = '${queue}' AND CloseTime > '${from}'`;
    const notices: Notice[] = [];
    for await (const wf of this.o.client.workflow.list({ query })) {
      const status = wf.status.name;
      if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') continue;
      const run = `${wf.workflowId}/${wf.runId}`;
      if (this.seenRuns.has(run)) continue;
      this.seenRuns.add(run);
      const name = wf.workflowId.replace(/^bot-/, '');
      let why: string | null = null;
      if (status === 'COMPLETED') {
        const summary = (await this.o.client.workflow
          .getHandle(wf.workflowId, wf.runId)
          .result()
          .catch(() => null)) as BotStateView | null;
        if (summary?.stopReason?.startsWith('risk:'))
          why = `stopped itself: ${summary.stopReason} (realised PnL ${summary.realizedPnl}, position ${summary.position.qty}, open orders left ${summary.openOrders.length})`;
      } else if (status === 'TERMINATED' && (await this.carriesOn(wf.workflowId, wf.runId))) {
        // Temporal's Reset (Web UI or CLI) terminates the run it replaces: the bot carries on in
        // the new run, which says so itself ("history reset"). No alarm for the button pressed.
        why = null;
      } else {
        const detail = status === 'FAILED' ? await this.failureOf(wf.workflowId, wf.runId) : '';
        why = `workflow ${status.toLowerCase().replace(/_/g, ' ')}${detail ? `: ${detail}` : ''}${status === 'TERMINATED' ? ' (terminated: open orders were not handled by its stop policy; check the exchange)' : ''}`;
      }
      if (why)
        notices.push({
          id: `alert/bot-stopped/${run}`,
          kind: 'alert',
          bot: name,
          time: Date.now(),
          text: `🚨 ALERT — bot ${name} stopped without being asked: ${why}`,
        });
    }
    if (this.seenRuns.size > 5_000) this.seenRuns.clear();
    this.checkedUpTo = checkStart;
    if (notices.length > 0) {
      for (const n of notices)
        this.changes.push({ type: 'fired', key: n.id, label: n.text, text: n.text, firedAt: n.time });
      await this.deliver(notices);
    }
  }

  /** A later run of this workflow id is running (a reset's, or the bot started again). */
  private async carriesOn(workflowId: string, runId: string): Promise<boolean> {
    try {
      const current = await this.o.client.workflow.getHandle(workflowId).describe();
      return current.runId !== runId && current.status.name === 'RUNNING';
    } catch {
      return false;
    }
  }

  private async failureOf(workflowId: string, runId: string): Promise<string> {
    try {
      await this.o.client.workflow.getHandle(workflowId, runId).result();
      return '';
    } catch (err) {
      const cause = err instanceof WorkflowFailedError ? err.cause : err;
      return String((cause as Error | undefined)?.message ?? '').slice(0, 300);
    }
  }
}

function memoryStore() {
  const alerts = new Map<string, { firedAt: number; message: string }>();
  return {
    activeAlerts: () => [...alerts].map(([key, a]) => ({ key, ...a })),
    startAlert: (key: string, firedAt: number, message: string) =>
      alerts.has(key) ? false : (alerts.set(key, { firedAt, message }), true),
    endAlert: (key: string) => {
      const a = alerts.get(key);
      alerts.delete(key);
      return a?.firedAt ?? null;
    },
  };
}
