/**
 * The worker's view of the running bots, read from Temporal visibility (search attributes + memo):
 * which bots run, on which account, symbol and interval, with which client-id prefix and price
 * watches. The stream service routes events with it; reconciliation uses it to tell orphan orders.
 */
import type { Client } from '@temporalio/client';
import { tagOf } from '../core/client-ids';
import { BOT_WORKFLOW_TYPE, type BotMemo } from '../workflows/messages';

export interface RunningBot extends BotMemo {
  readonly workflowId: string;
  /** When the bot's current run started (a candle closed before it is not this run's to act on). */
  readonly runStartedAt: number;
}

/**
 * How long a bot stays routable after it vanished from a listing: during continue-as-new the old
 * run closes before the new one is listed, and a candle must not be lost in that instant.
 */
const GRACE_MS = 15_000;

/**
 * A full listing reads every running bot: at 1,000 bots it costs the dev server ~0.35 s of CPU
 * (bench/README.md, seventh pass), which every 2 s was a sixth of a core at idle and more in a
 * candle-close burst. So a full listing comes at most every FULL_COST_FACTOR times as long as the
 * last one took (never less often than every MAX_FULL_EVERY_MS). In between, a listing of the runs
 * started since the last full one (a new bot, a run that continued as new or was reset: ~1 ms)
 * keeps routing as fresh as before; what waits for the full one is a change of a running bot's memo
 * (its price watches).
 */
const FULL_COST_FACTOR = 10;
const MAX_FULL_EVERY_MS = 30_000;
/** Visibility lags the runs it lists by a moment: a run started that long before a full listing may be missing from it. */
const VISIBILITY_LAG_MS = 30_000;

interface Seen {
  bot: RunningBot;
  /** Since when the full listings no longer show it (null: it was in the last one). */
  missingSince: number | null;
}

export interface BotDirectoryOptions {
  /** How long `list()` serves its copy (default 2 s). */
  readonly maxAgeMs?: number;
  /** The shortest pause between two full listings (default: maxAgeMs). */
  readonly minFullEveryMs?: number;
  readonly now?: () => number;
}

export class BotDirectory {
  private bots: RunningBot[] = [];
  private readonly seen = new Map<string, Seen>();
  private lastRefresh = 0;
  /** When the last full listing began (0: none yet), and how long it took. */
  private lastFullAt = 0;
  private lastFullMs = 0;
  private inFlight: Promise<RunningBot[]> | null = null;
  private readonly maxAgeMs: number;
  private readonly minFullEveryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    options: BotDirectoryOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 2_000;
    this.minFullEveryMs = options.minFullEveryMs ?? this.maxAgeMs;
    this.now = options.now ?? Date.now;
  }

  /** The running bots, refreshed when older than `maxAgeMs`. */
  async list(): Promise<RunningBot[]> {
    if (this.now() - this.lastRefresh < this.maxAgeMs) return this.bots;
    return this.refresh();
  }

  /** Brought up to date: a full listing when one is due, else the runs started since the last. */
  refresh(): Promise<RunningBot[]> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  cached(): readonly RunningBot[] {
    return this.bots;
  }

  async tags(): Promise<string[]> {
    return (await this.list()).map((b) => b.tag);
  }

  /**
   * The bot owning a client order id, if it runs: the one whose tag is exactly the id's tag
   * (core/client-ids.ts). Two running bots with one tag (bots created before exact ids, started in
   * the same second with similar names) own nothing: routing either one the other's orders would
   * make it adopt them.
   */
  ownerOf(clientOrderId: string): RunningBot | undefined {
    const tag = tagOf(clientOrderId);
    if (tag === null) return undefined;
    const owners = this.bots.filter((b) => b.tag === tag);
    return owners.length === 1 ? owners[0] : undefined;
  }

  /** When the next full listing is due: its pause grows with what the last one cost. */
  private fullDue(now: number): boolean {
    if (this.lastFullAt === 0) return true;
    const every = Math.min(MAX_FULL_EVERY_MS, Math.max(this.minFullEveryMs, FULL_COST_FACTOR * this.lastFullMs));
    return now - this.lastFullAt >= every;
  }

  private async load(): Promise<RunningBot[]> {
    const began = this.now();
    const full = this.fullDue(began);
    let query = `WorkflowType = '${BOT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.taskQueue}'`;
    if (!full) query += ` AND StartTime >= '${new Date(this.lastFullAt - VISIBILITY_LAG_MS).toISOString()}'`;
    const newest = new Map<string, { bot: RunningBot; startedAt: number }>();
    for await (const wf of this.client.workflow.list({ query })) {
      const memo = wf.memo?.bot as BotMemo | undefined;
      if (!memo?.tag) continue;
      // A run just terminated or reset may still be listed as running beside its successor.
      const startedAt = wf.startTime.getTime();
      const seen = newest.get(wf.workflowId);
      if (!seen || startedAt >= seen.startedAt)
        newest.set(wf.workflowId, {
          bot: { workflowId: wf.workflowId, runStartedAt: startedAt, ...memo, watches: memo.watches ?? {} },
          startedAt,
        });
    }
    const now = this.now();
    for (const { bot } of newest.values()) {
      const known = this.seen.get(bot.workflowId);
      // An older run listed late must not replace the newer one already known.
      if (!full && known && known.bot.runStartedAt > bot.runStartedAt) continue;
      this.seen.set(bot.workflowId, { bot, missingSince: null });
    }
    if (full) {
      for (const [id, entry] of this.seen) if (!newest.has(id)) entry.missingSince ??= now;
      this.lastFullAt = began;
      this.lastFullMs = now - began;
    }
    for (const [id, entry] of this.seen)
      if (entry.missingSince !== null && now - entry.missingSince > GRACE_MS) this.seen.delete(id);
    this.bots = [...this.seen.values()].map((s) => s.bot);
    this.lastRefresh = now;
    return this.bots;
  }

  /** A bot that is known to be gone (its workflow completed): stop routing to it at once. */
  forget(workflowId: string): void {
    this.seen.delete(workflowId);
    this.bots = this.bots.filter((b) => b.workflowId !== workflowId);
  }
}
