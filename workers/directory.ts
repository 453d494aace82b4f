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

export class BotDirectory {
  private bots: RunningBot[] = [];
  private readonly lastSeen = new Map<string, { bot: RunningBot; at: number }>();
  private lastRefresh = 0;
  private inFlight: Promise<RunningBot[]> | null = null;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly maxAgeMs = 2_000,
  ) {}

  /** The running bots, refreshed when older than `maxAgeMs`. */
  async list(): Promise<RunningBot[]> {
    if (Date.now() - this.lastRefresh < this.maxAgeMs) return this.bots;
    return this.refresh();
  }

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

  private async load(): Promise<RunningBot[]> {
    const newest = new Map<string, { bot: RunningBot; startedAt: number }>();
    const query = `WorkflowType = '${BOT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.taskQueue}'`;
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
    const found = [...newest.values()].map((x) => x.bot);
    const now = Date.now();
    for (const bot of found) this.lastSeen.set(bot.workflowId, { bot, at: now });
    for (const [id, seen] of this.lastSeen) if (now - seen.at > GRACE_MS) this.lastSeen.delete(id);
    this.bots = [...this.lastSeen.values()].map((s) => s.bot);
    this.lastRefresh = now;
    return this.bots;
  }

  /** A bot that is known to be gone (its workflow completed): stop routing to it at once. */
  forget(workflowId: string): void {
    this.lastSeen.delete(workflowId);
    this.bots = this.bots.filter((b) => b.workflowId !== workflowId);
  }
}
