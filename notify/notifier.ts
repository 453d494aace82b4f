/**
 * Delivering notices: each one becomes a row per channel in the outbox (./outbox.ts), is sent at
 * once where possible, and otherwise by the dispatcher loop until it goes through. Used by the
 * notification activity (bot notices from the bots' histories) and by the monitor (alerts).
 *
 * A kind set to `off` goes to the log only; `silent` reaches Telegram without sound.
 */
import type { Notice, NoticeKind } from '../core/notices';
import type { NotifySettings } from '../telegram/settings';
import {
  type Channel,
  type DeliveryPayload,
  LogChannel,
  PermanentDeliveryError,
  RetryLaterError,
  TelegramChannel,
  WebhookChannel,
  telegramApi,
} from './channels';
import { type Delivery, Outbox } from './outbox';

export interface SubmitResult {
  /** Deliveries that were new in the outbox (0 when the notices were all known: a retry or replay). */
  readonly queued: number;
  readonly sent: number;
  /** Left for the dispatcher (the channel failed, or another process holds them). */
  readonly pending: number;
}

export interface NotifierOptions {
  readonly settings: NotifySettings;
  readonly log?: (line: string) => void;
  /** How long a process holds a delivery while sending it (default: twice the send timeout). */
  readonly claimMs?: number;
  /** Dispatcher tick (default 2 s). */
  readonly retryEveryMs?: number;
  /** Extra channels (tests, embedding). */
  readonly channels?: readonly Channel[];
}

const KEEP_FINISHED_MS = 7 * 24 * 3600_000;

export class Notifier {
  readonly outbox: Outbox;
  private readonly channels = new Map<string, Channel>();
  private readonly telegram: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private lastPrune = 0;
  private readonly background = new Set<Promise<unknown>>();
  readonly stats = { sent: 0, failed: 0, retried: 0 };

  constructor(private readonly options: NotifierOptions) {
    const s = options.settings;
    this.outbox = new Outbox(s.dbFile, options.claimMs ?? Math.max(2 * s.sendTimeoutMs, 1_000));
    this.add(new LogChannel(options.log ?? ((l) => console.log(l))));
    if (s.telegram) {
      const api = telegramApi({ token: s.telegram.token, apiRoot: s.telegram.apiRoot, timeoutMs: s.sendTimeoutMs });
      for (const chat of s.telegram.notifyChats) this.telegram.push(this.add(new TelegramChannel(api, chat)));
    }
    if (s.webhookUrl) this.add(new WebhookChannel(s.webhookUrl, s.sendTimeoutMs));
    for (const c of options.channels ?? []) this.add(c);
  }

  private add(c: Channel): string {
    this.channels.set(c.name, c);
    return c.name;
  }

  /** The channels a notice of this kind goes to. */
  channelsFor(kind: NoticeKind): string[] {
    const mode = this.options.settings.modes[kind];
    if (mode === 'off') return ['log'];
    return [...this.channels.keys()];
  }

  /**
   * Record the notices in the outbox (once, whatever the retries), then send them now: awaited, or
   * in the background with `wait: false` (the notification activity: storing is all it waits for).
   */
  async submit(notices: readonly Notice[], options: { wait?: boolean } = {}): Promise<SubmitResult> {
    const rows = notices.flatMap((n) => {
      const payload: DeliveryPayload = {
        id: n.id,
        kind: n.kind,
        bot: n.bot,
        time: n.time,
        text: n.text,
        silent: this.options.settings.modes[n.kind] === 'silent',
      };
      return this.channelsFor(n.kind).map((channel) => ({ id: n.id, channel, payload: JSON.stringify(payload) }));
    });
    const queued = this.outbox.enqueue(rows);
    let sent = 0;
    let pending = 0;
    const sending = Promise.all(
      rows.map(async (r) => {
        const claimed = this.outbox.claim(r.id, r.channel);
        if (!claimed) {
          const row = this.outbox.get(r.id, r.channel);
          if (row?.status === 'pending') pending++;
          return;
        }
        if (await this.deliver(claimed)) sent++;
        else pending++;
      }),
    );
    if (options.wait === false) {
      const background = sending.catch((err: unknown) =>
        this.options.log?.(`notifications: ${(err as Error).message}`),
      );
      this.background.add(background);
      void background.finally(() => this.background.delete(background));
      return { queued, sent: 0, pending: rows.length };
    }
    await sending;
    return { queued, sent, pending };
  }

  /** Send one claimed delivery and record the outcome; true when it went out. */
  private async deliver(d: Delivery): Promise<boolean> {
    const channel = this.channels.get(d.channel);
    if (!channel) {
      this.outbox.markFailed(d.id, d.channel, `channel ${d.channel} is no longer configured`);
      return false;
    }
    try {
      const receipt = await channel.send(JSON.parse(d.payload) as DeliveryPayload);
      this.outbox.markSent(d.id, d.channel, receipt);
      this.stats.sent++;
      return true;
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (err instanceof PermanentDeliveryError) {
        this.outbox.markFailed(d.id, d.channel, message);
        this.stats.failed++;
        this.options.log?.(`notification ${d.id} to ${d.channel} dropped: ${message}`);
        return false;
      }
      const backoff =
        err instanceof RetryLaterError ? err.retryAfterMs : Math.min(5 * 60_000, 1_000 * 2 ** Math.min(d.attempts, 9));
      this.outbox.release(d.id, d.channel, message, backoff);
      this.stats.retried++;
      return false;
    }
  }

  /** Send what is due (left by a failed attempt, or by a process that died while sending). */
  async deliverDue(limit = 20): Promise<number> {
    let sent = 0;
    for (const d of this.outbox.claimDue(limit)) if (await this.deliver(d)) sent++;
    const now = Date.now();
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      this.outbox.prune(KEEP_FINISHED_MS, now);
    }
    return sent;
  }

  /** Run the dispatcher loop until `stop()`. */
  start(): void {
    if (this.timer) return;
    const every = this.options.retryEveryMs ?? 2_000;
    const tick = () => {
      if (this.ticking) return;
      this.ticking = this.deliverDue()
        .then(() => undefined)
        .catch((err: unknown) => this.options.log?.(`notification dispatcher: ${(err as Error).message}`))
        .finally(() => {
          this.ticking = null;
        });
    };
    this.timer = setInterval(tick, every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Wait for the sends under way — background ones and a dispatcher tick — before `close()` (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.background, ...(this.ticking ? [this.ticking] : [])]);
  }

  close(): void {
    this.stop();
    this.outbox.close();
  }

  /** Telegram channel names (`telegram:<chat>`) configured. */
  telegramChannels(): readonly string[] {
    return this.telegram;
  }
}
