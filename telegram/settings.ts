/**
 * Telegram and notification settings from the environment (or `.env`), validated with zod; a bad
 * value is refused at start with the variable named. Shared by the Telegram process (commands),
 * and the worker (notifications and alerts go out from the worker, from the bots' histories).
 *
 *   TELEGRAM_BOT_TOKEN        the bot's token (from @BotFather); unset = no Telegram at all
 *   TELEGRAM_ALLOWED_CHATS    comma-separated chat ids allowed to command the bots (deny by default)
 *   TELEGRAM_ALLOWED_USERS    optional: user ids allowed, on top of the chat (for group chats)
 *   TELEGRAM_NOTIFY_CHATS     where notifications and alerts go (default: the allowed chats)
 *   TELEGRAM_API_ROOT         Bot API server (default https://api.telegram.org; tests use a local stand-in)
 *   TELEGRAM_NOTIFY           per kind on|silent|off, e.g. "fill=on,warning=off" (defaults below)
 *   TELEGRAM_POLL_TIMEOUT_S   long-polling timeout (default 30)
 *   TELEGRAM_MAX_COMMAND_AGE_S  commands older than this (sent while nothing listened) are not run (default 600)
 *   TELEGRAM_STATE_FILE       where the update offset and pending confirmations are kept (default data/telegram-state.json)
 *   TELEGRAM_DEFAULT_ACCOUNT  account for /run and /balance when none is named (default paper)
 *   NOTIFY_WEBHOOK_URL        optional: every notification and alert is also POSTed there as JSON
 *   NOTIFICATIONS_DB          the outbox (default data/notifications.db)
 *   NOTIFY_SEND_TIMEOUT_MS    one delivery attempt's timeout (default 10000)
 */
import path from 'node:path';
import { z } from 'zod';
import { ACCOUNT_NAME_PATTERN } from '../core/bot-definition';
import { ConfigError } from '../infra/temporal-connection';
import { NOTICE_KINDS, type NoticeKind } from '../core/notices';
import { formatIssues } from '../core/schema';

export type NoticeMode = 'on' | 'silent' | 'off';

/** freqtrade's defaults, roughly: trades and lifecycle on, single fills off, warnings silent. */
export const DEFAULT_MODES: Readonly<Record<NoticeKind, NoticeMode>> = {
  entry: 'on',
  exit: 'on',
  stoploss: 'on',
  fill: 'off',
  stopped: 'on',
  failed: 'on',
  error: 'on',
  warning: 'silent',
  info: 'off',
  alert: 'on',
};

export interface TelegramSettings {
  readonly token: string;
  readonly apiRoot: string;
  readonly allowedChats: readonly number[];
  readonly allowedUsers: readonly number[] | null;
  readonly notifyChats: readonly number[];
  readonly pollTimeoutS: number;
  readonly maxCommandAgeS: number;
  readonly stateFile: string;
  readonly defaultAccount: string;
}

export interface NotifySettings {
  readonly telegram: TelegramSettings | null;
  readonly webhookUrl: string | null;
  readonly modes: Readonly<Record<NoticeKind, NoticeMode>>;
  readonly dbFile: string;
  readonly sendTimeoutMs: number;
}

/** A wrong TELEGRAM_* / NOTIFY_* variable: a configuration error like the worker's own (one line, no stack). */
export class SettingsError extends ConfigError {
  override name = 'SettingsError';
}

const chatIds = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const parts = (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const ids: number[] = [];
      for (const p of parts) {
        if (!/^-?\d{1,16}$/.test(p)) {
          ctx.addIssue({
            code: 'custom',
            message: `${name}: "${p}" is not a chat or user id (whole numbers, comma-separated; groups are negative)`,
          });
          return z.NEVER;
        }
        ids.push(Number(p));
      }
      return ids;
    });

const modes = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const out: Record<NoticeKind, NoticeMode> = { ...DEFAULT_MODES };
    for (const part of (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [kind, mode] = part.split(/[=:]/).map((s) => s.trim());
      if (!(NOTICE_KINDS as readonly string[]).includes(kind ?? '') || !['on', 'silent', 'off'].includes(mode ?? '')) {
        ctx.addIssue({
          code: 'custom',
          message: `"${part}": expected kind=on|silent|off with kind one of ${NOTICE_KINDS.join(', ')}`,
        });
        return z.NEVER;
      }
      out[kind as NoticeKind] = mode as NoticeMode;
    }
    return out;
  });

const env = z.object({
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'must look like 123456789:ABC... (from @BotFather)')
    .optional(),
  TELEGRAM_ALLOWED_CHATS: chatIds('TELEGRAM_ALLOWED_CHATS'),
  TELEGRAM_ALLOWED_USERS: chatIds('TELEGRAM_ALLOWED_USERS'),
  TELEGRAM_NOTIFY_CHATS: chatIds('TELEGRAM_NOTIFY_CHATS'),
  TELEGRAM_API_ROOT: z
    .string()
    .url()
    .refine((u) => !u.endsWith('/'), 'no trailing "/"')
    .default('https://api.telegram.org'),
  TELEGRAM_NOTIFY: modes,
  TELEGRAM_POLL_TIMEOUT_S: z.coerce.number().int().min(0).max(50).default(30),
  TELEGRAM_MAX_COMMAND_AGE_S: z.coerce.number().int().min(1).default(600),
  TELEGRAM_STATE_FILE: z.string().min(1).optional(),
  TELEGRAM_DEFAULT_ACCOUNT: z
    .string()
    .regex(ACCOUNT_NAME_PATTERN, 'must be an account name (1-32 letters, digits, "-" or "_")')
    .default('paper'),
  NOTIFY_WEBHOOK_URL: z.string().url().optional(),
  NOTIFICATIONS_DB: z.string().min(1).optional(),
  NOTIFY_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
});

function parse(source: NodeJS.ProcessEnv): z.output<typeof env> {
  // Empty variables (a blank line in .env) mean unset.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(
      ([k, v]) =>
        (k.startsWith('TELEGRAM_') || k.startsWith('NOTIFY') || k === 'NOTIFICATIONS_DB') &&
        v !== undefined &&
        v.trim() !== '',
    ),
  );
  const r = env.safeParse(cleaned);
  if (!r.success)
    throw new SettingsError(`invalid Telegram / notification settings:\n${formatIssues(r.error).join('\n')}`);
  return r.data;
}

/** The Telegram settings, or null when no token is set. `dataDir` holds the state file by default. */
export function telegramSettings(
  source: NodeJS.ProcessEnv = process.env,
  dataDir = path.resolve('data'),
): TelegramSettings | null {
  const e = parse(source);
  if (!e.TELEGRAM_BOT_TOKEN) return null;
  if (e.TELEGRAM_ALLOWED_CHATS.length === 0) {
    throw new SettingsError(
      'TELEGRAM_ALLOWED_CHATS: required with TELEGRAM_BOT_TOKEN (the chat ids allowed to drive the bots; nobody else gets an answer)',
    );
  }
  return {
    token: e.TELEGRAM_BOT_TOKEN,
    apiRoot: e.TELEGRAM_API_ROOT,
    allowedChats: e.TELEGRAM_ALLOWED_CHATS,
    allowedUsers: e.TELEGRAM_ALLOWED_USERS.length > 0 ? e.TELEGRAM_ALLOWED_USERS : null,
    notifyChats: e.TELEGRAM_NOTIFY_CHATS.length > 0 ? e.TELEGRAM_NOTIFY_CHATS : e.TELEGRAM_ALLOWED_CHATS,
    pollTimeoutS: e.TELEGRAM_POLL_TIMEOUT_S,
    maxCommandAgeS: e.TELEGRAM_MAX_COMMAND_AGE_S,
    stateFile: e.TELEGRAM_STATE_FILE ?? path.join(dataDir, 'telegram-state.json'),
    defaultAccount: e.TELEGRAM_DEFAULT_ACCOUNT,
  };
}

export function notifySettings(
  source: NodeJS.ProcessEnv = process.env,
  dataDir = path.resolve('data'),
): NotifySettings {
  const e = parse(source);
  return {
    telegram: telegramSettings(source, dataDir),
    webhookUrl: e.NOTIFY_WEBHOOK_URL ?? null,
    modes: e.TELEGRAM_NOTIFY,
    dbFile: e.NOTIFICATIONS_DB ?? path.join(dataDir, 'notifications.db'),
    sendTimeoutMs: e.NOTIFY_SEND_TIMEOUT_MS,
  };
}
