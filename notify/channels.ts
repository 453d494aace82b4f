/**
 * Where notifications go: Telegram chats (grammY's Api, with @grammyjs/auto-retry for Telegram's
 * flood limits), an optional webhook (JSON POST), and the log. A channel either returns a receipt
 * (the Telegram message id, the HTTP status) or throws: `PermanentDeliveryError` for what no retry
 * can fix (the chat does not exist, the bot was blocked), anything else is retried later.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { Api, GrammyError, HttpError } from 'grammy';

export interface DeliveryPayload {
  readonly id: string;
  readonly kind: string;
  readonly bot: string;
  readonly time: number;
  readonly text: string;
  /** Telegram: deliver without sound (the kind's mode is "silent"). */
  readonly silent: boolean;
}

export interface Channel {
  readonly name: string;
  send(payload: DeliveryPayload): Promise<string>;
}

export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/** A transient failure with the delay the other side asked for (Telegram's retry_after). */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** Telegram's limit is 4096 characters per message. */
export const TELEGRAM_MAX_TEXT = 4096;

export function clip(text: string, max = TELEGRAM_MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 2)} …`;
}

export interface TelegramApiOptions {
  readonly token: string;
  readonly apiRoot: string;
  readonly timeoutMs: number;
  /** Give up waiting on a flood limit longer than this and let the caller retry later. */
  readonly maxRetryDelayS?: number;
}

/** A grammY Api client pointed at `apiRoot`, retrying 429s (short waits) and 5xx a few times. */
export function telegramApi(o: TelegramApiOptions): Api {
  const api = new Api(o.token, { apiRoot: o.apiRoot, timeoutSeconds: Math.max(1, Math.ceil(o.timeoutMs / 1000)) });
  // Network errors are rethrown: the plugin would otherwise retry them without end, and the caller
  // (the outbox, the polling loop) has its own bounded back-off.
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: o.maxRetryDelayS ?? 10, rethrowHttpErrors: true }));
  return api;
}

export class TelegramChannel implements Channel {
  readonly name: string;
  constructor(
    private readonly api: Api,
    readonly chatId: number,
  ) {
    this.name = `telegram:${chatId}`;
  }

  async send(p: DeliveryPayload): Promise<string> {
    try {
      const m = await this.api.sendMessage(this.chatId, clip(p.text), {
        disable_notification: p.silent,
        link_preview_options: { is_disabled: true },
      });
      return String(m.message_id);
    } catch (err) {
      if (err instanceof GrammyError) {
        const retryAfter = err.parameters?.retry_after;
        if (retryAfter !== undefined) throw new RetryLaterError(err.description, retryAfter * 1000);
        // 400 chat not found / bad request, 403 blocked by the user: no retry will change that.
        if (err.error_code === 400 || err.error_code === 403)
          throw new PermanentDeliveryError(`${err.error_code} ${err.description}`);
        throw new Error(`${err.error_code} ${err.description}`);
      }
      if (err instanceof HttpError) throw new Error(`Telegram unreachable: ${err.message}`);
      throw err;
    }
  }
}

export class WebhookChannel implements Channel {
  readonly name = 'webhook';
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async send(p: DeliveryPayload): Promise<string> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': p.id },
      body: JSON.stringify({
        id: p.id,
        kind: p.kind,
        bot: p.bot || null,
        time: new Date(p.time).toISOString(),
        text: p.text,
        silent: p.silent,
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return `HTTP ${res.status}`;
    if (res.status === 429)
      throw new RetryLaterError('webhook answered 429', (Number(res.headers.get('retry-after')) || 30) * 1000);
    if (res.status >= 400 && res.status < 500 && res.status !== 408)
      throw new PermanentDeliveryError(`webhook answered HTTP ${res.status}`);
    throw new Error(`webhook answered HTTP ${res.status}`);
  }
}

export class LogChannel implements Channel {
  readonly name = 'log';
  constructor(private readonly log: (line: string) => void) {}

  async send(p: DeliveryPayload): Promise<string> {
    this.log(`[notify ${p.kind}] ${p.text.replace(/\n/g, ' | ')}`);
    return 'logged';
  }
}
