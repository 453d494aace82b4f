/**
 * The Telegram bot (grammY): long polling, so a Pi at home needs no open port; replies through
 * @grammyjs/auto-retry for Telegram's flood limits.
 *
 * - **Deny by default.** Only the chats of TELEGRAM_ALLOWED_CHATS (and, when set, the users of
 *   TELEGRAM_ALLOWED_USERS) get an answer; anyone else gets nothing, and is logged once.
 * - **Each update runs once.** The polling loop is ours, not grammY's `bot.start()`: the offset
 *   past an update is saved before its command runs (./state-file.ts), so a restart never runs it
 *   again; a command cut short by a crash is reported to its chat at the next start instead.
 * - **Stale commands are not run.** One sent while nothing listened (longer than
 *   TELEGRAM_MAX_COMMAND_AGE_S ago) is answered with "send it again", not executed hours later.
 * - `/stop` asks first: an inline button whose callback carries a one-time nonce, kept in the
 *   state file so it still works after a restart and expires after 10 minutes.
 */
import { randomBytes } from 'node:crypto';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, type Context, GrammyError, HttpError, InlineKeyboard } from 'grammy';
import type { Update } from 'grammy/types';
import { clip } from '../notify/channels';
import type { Reply, TelegramCommands } from './commands';
import type { TelegramSettings } from './settings';
import { TelegramStateFile } from './state-file';

const CONFIRM_TTL_MS = 10 * 60_000;
const COMMANDS = [
  'bots',
  'status',
  'pause',
  'resume',
  'stop',
  'trades',
  'profit',
  'balance',
  'daily',
  'params',
  'run',
  'help',
  'start',
] as const;

export interface TelegramBotOptions {
  readonly settings: TelegramSettings;
  readonly commands: TelegramCommands;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
}

export class TelegramBot {
  readonly bot: Bot;
  readonly state: TelegramStateFile;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly refused = new Set<string>();
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  /** Background work (a stop's final summary) still to finish before close. */
  private readonly pending = new Set<Promise<unknown>>();
  handled = 0;

  constructor(private readonly o: TelegramBotOptions) {
    this.log = o.log ?? ((l) => console.log(l));
    this.now = o.now ?? Date.now;
    this.state = new TelegramStateFile(o.settings.stateFile, this.log);
    this.bot = new Bot(o.settings.token, {
      client: { apiRoot: o.settings.apiRoot, timeoutSeconds: o.settings.pollTimeoutS + 15 },
    });
    this.bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: true }));
    this.bot.use((ctx, next) => (this.allowed(ctx) ? next() : undefined));
    for (const c of COMMANDS) this.bot.command(c, (ctx) => this.onCommand(ctx, c, String(ctx.match ?? '')));
    this.bot.callbackQuery(/^(stop|cancel):([a-f0-9]{16})$/, (ctx) =>
      this.onConfirm(ctx, ctx.match[1] as 'stop' | 'cancel', ctx.match[2]!),
    );
    this.bot.on('callback_query', (ctx) =>
      ctx.answerCallbackQuery({ text: 'This button is not mine or has expired.' }),
    );
    this.bot.on('message:text', (ctx) =>
      ctx.message.text.startsWith('/')
        ? this.send(ctx.chat.id, { text: `Unknown command.\nSend /help for the list.` })
        : undefined,
    );
    this.bot.catch((err) =>
      this.log(`telegram: update ${err.ctx.update.update_id} failed: ${(err.error as Error)?.message ?? err.error}`),
    );
  }

  private allowed(ctx: Context): boolean {
    const chat = ctx.chat?.id;
    const user = ctx.from?.id;
    const s = this.o.settings;
    const ok =
      chat !== undefined &&
      s.allowedChats.includes(chat) &&
      (s.allowedUsers === null || (user !== undefined && s.allowedUsers.includes(user)));
    if (!ok) {
      const who = `chat ${chat ?? '?'} user ${user ?? '?'}`;
      if (!this.refused.has(who)) {
        this.refused.add(who);
        this.log(
          `telegram: ignoring ${who} (not in TELEGRAM_ALLOWED_CHATS${s.allowedUsers ? '/TELEGRAM_ALLOWED_USERS' : ''}); further messages from it are ignored silently`,
        );
      }
    }
    return ok;
  }

  private async send(chatId: number, reply: Reply): Promise<void> {
    const keyboard = reply.buttons
      ? InlineKeyboard.from(reply.buttons.map((row) => row.map((b) => InlineKeyboard.text(b.text, b.data))))
      : undefined;
    await this.bot.api.sendMessage(chatId, clip(reply.text), {
      link_preview_options: { is_disabled: true },
      ...(keyboard ? { reply_markup: keyboard } : {}),
    });
  }

  private async onCommand(ctx: Context, command: string, args: string): Promise<void> {
    const chatId = ctx.chat!.id;
    const sentAt = (ctx.message?.date ?? 0) * 1000;
    const age = this.now() - sentAt;
    if (age > this.o.settings.maxCommandAgeS * 1000) {
      await this.send(chatId, {
        text: `Not done: /${command} was sent ${Math.round(age / 60_000)} min ago while I was offline. Send it again if you still want it.`,
      });
      return;
    }
    const reply = await this.o.commands.run(command, args);
    if (command === 'stop' && reply.buttons) {
      const name = args.trim().split(/\s+/)[0]!;
      const nonce = randomBytes(8).toString('hex');
      const buttons = reply.buttons.map((row) => row.map((b) => ({ ...b, data: `${b.data}:${nonce}` })));
      const keyboard = InlineKeyboard.from(buttons.map((row) => row.map((b) => InlineKeyboard.text(b.text, b.data))));
      const m = await this.bot.api.sendMessage(chatId, clip(reply.text), { reply_markup: keyboard });
      this.state.update((s) => {
        const now = this.now();
        for (const [k, c] of Object.entries(s.confirmations)) if (c.expiresAt < now) delete s.confirmations[k];
        s.confirmations[nonce] = { bot: name, chatId, messageId: m.message_id, expiresAt: now + CONFIRM_TTL_MS };
        return s;
      });
      return;
    }
    await this.send(chatId, reply);
  }

  private async onConfirm(ctx: Context, action: 'stop' | 'cancel', nonce: string): Promise<void> {
    const c = this.state.get().confirmations[nonce];
    const chatId = ctx.chat?.id;
    if (!c || c.chatId !== chatId || c.expiresAt < this.now()) {
      await ctx.answerCallbackQuery({ text: 'This button has expired: send /stop again.' });
      return;
    }
    // One press only: forget the nonce before acting.
    this.state.update((s) => {
      delete s.confirmations[nonce];
      return s;
    });
    if (action === 'cancel') {
      await ctx.answerCallbackQuery({ text: 'Not stopped.' });
      await ctx.editMessageText(`Not stopped: ${c.bot} carries on.`).catch(() => {});
      return;
    }
    let result: Awaited<ReturnType<TelegramCommands['stop']>>;
    try {
      result = await this.o.commands.stop(c.bot);
    } catch (err) {
      await ctx.answerCallbackQuery({ text: 'Not stopped.' });
      await ctx.editMessageText(`⚠️ ${c.bot} not stopped: ${(err as Error).message}`).catch(() => {});
      return;
    }
    await ctx.answerCallbackQuery({ text: `Stopping ${c.bot}…` });
    await ctx.editMessageText(result.accepted.text).catch(() => {});
    const follow = result.done
      .then((r) => this.send(c.chatId, r))
      .catch((err: unknown) => this.log(`telegram: stop summary of ${c.bot} not sent: ${(err as Error).message}`));
    this.pending.add(follow);
    void follow.finally(() => this.pending.delete(follow));
  }

  /** Handle one update, saving the offset past it first (at most once, across restarts). */
  async handle(update: Update): Promise<void> {
    const text = update.message?.text ?? update.callback_query?.data ?? '';
    const chatId = update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? 0;
    this.state.update((s) => ({
      ...s,
      offset: update.update_id + 1,
      interrupted: { updateId: update.update_id, chatId, text: text.slice(0, 200) },
    }));
    try {
      await this.bot.handleUpdate(update);
    } finally {
      this.state.update((s) => ({ ...s, interrupted: null }));
      this.handled++;
    }
  }

  /** Start long polling (returns at once; `close()` stops it). */
  async start(): Promise<void> {
    await this.initWithRetry();
    const interrupted = this.state.get().interrupted;
    if (interrupted) {
      const allowed = this.o.settings.allowedChats.includes(interrupted.chatId);
      this.state.update((s) => ({ ...s, interrupted: null }));
      if (allowed && interrupted.text.startsWith('/')) {
        await this.send(interrupted.chatId, {
          text: `I was restarted while handling "${interrupted.text}": it may not have completed, and I will not run it again. Check /status and send it again if needed.`,
        }).catch(() => {});
      }
    }
    await this.bot.api
      .setMyCommands(COMMANDS.filter((c) => c !== 'start').map((c) => ({ command: c, description: `/${c}` })))
      .catch(() => {});
    this.abort = new AbortController();
    this.loop = this.poll(this.abort.signal);
  }

  private async initWithRetry(): Promise<void> {
    for (let delay = 1_000; ; delay = Math.min(60_000, delay * 2)) {
      try {
        await this.bot.init();
        // Polling and a webhook exclude each other: make sure none is set.
        await this.bot.api.deleteWebhook();
        this.log(
          `telegram: @${this.bot.botInfo.username} polling ${this.o.settings.apiRoot === 'https://api.telegram.org' ? 'Telegram' : this.o.settings.apiRoot}; allowed chats ${this.o.settings.allowedChats.join(', ')}`,
        );
        return;
      } catch (err) {
        if (err instanceof GrammyError && err.error_code === 401)
          throw new Error('TELEGRAM_BOT_TOKEN was refused by Telegram (401): check the token from @BotFather');
        this.log(`telegram: not reachable yet (${(err as Error).message}); retrying in ${delay / 1000} s`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async poll(signal: AbortSignal): Promise<void> {
    let delay = 1_000;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = await this.bot.api.getUpdates(
          {
            offset: this.state.get().offset,
            timeout: this.o.settings.pollTimeoutS,
            allowed_updates: ['message', 'callback_query'],
          },
          signal as never,
        );
        delay = 1_000;
      } catch (err) {
        if (signal.aborted) return;
        const conflict = err instanceof GrammyError && err.error_code === 409;
        this.log(
          `telegram: getUpdates failed (${(err as Error).message})${conflict ? ' — another process polls with this token' : ''}; retrying in ${delay / 1000} s`,
        );
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(60_000, delay * 2);
        continue;
      }
      for (const u of updates) {
        if (signal.aborted) return;
        if (u.update_id < this.state.get().offset) continue;
        await this.handle(u).catch((err: unknown) =>
          this.log(
            `telegram: update ${u.update_id}: ${err instanceof HttpError ? 'Telegram unreachable' : (err as Error).message}`,
          ),
        );
      }
    }
  }

  async close(): Promise<void> {
    this.abort?.abort();
    await this.loop?.catch(() => {});
    await Promise.allSettled([...this.pending]);
  }
}
