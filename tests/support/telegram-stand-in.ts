/**
 * A local stand-in for Telegram's Bot API over HTTP on 127.0.0.1, for grammY's `apiRoot` (no test
 * may reach Telegram). It implements what the bot uses, with the Bot API's semantics:
 *
 * - `getUpdates`: long polling with `timeout`; an `offset` confirms (forgets) every update below
 *   it, and unconfirmed updates are delivered again — exactly what makes a restart without a saved
 *   offset run a command twice;
 * - `sendMessage`, `editMessageText`, `answerCallbackQuery`, `getMe`, `deleteWebhook`,
 *   `setMyCommands`; a wrong token gets 401;
 * - people: `say(chat, user, text)` sends a message (commands carry their `bot_command` entity),
 *   `press(chat, user, message, data)` presses an inline button;
 * - faults: `failNext(method, error)` (e.g. a 429 with retry_after) and `holdSends(predicate)`:
 *   such sendMessage requests get no answer and are not delivered — a sender killed meanwhile
 *   has sent nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  readonly message_id: number;
  readonly chat_id: number;
  text: string;
  readonly reply_markup?: { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> };
  readonly disable_notification?: boolean;
  readonly date: number;
  readonly edits: string[];
}

interface Waiter {
  readonly resolve: () => void;
}

type Json = Record<string, unknown>;

export class TelegramStandIn {
  readonly token: string;
  readonly bot = { id: 7000000001, is_bot: true, first_name: 'Trading bots', username: 'trading_bots_test_bot' };
  readonly sent: SentMessage[] = [];
  readonly answers: Array<{ callback_query_id: string; text?: string }> = [];
  readonly calls: string[] = [];
  /** sendMessage requests held and never answered (their sender died or gave up). */
  readonly dropped: Json[] = [];
  private updates: Json[] = [];
  private nextUpdateId = 100;
  private nextMessageId = 1;
  private nextUserMessageId = 1_000_000;
  private waiters: Waiter[] = [];
  private failures = new Map<string, Array<{ error_code: number; description: string; retry_after?: number }>>();
  private hold: ((payload: Json) => boolean) | null = null;
  private held: Array<{ payload: Json; res: http.ServerResponse }> = [];
  private server: http.Server | null = null;
  apiRoot = '';

  constructor(token = `123456789:${'A'.repeat(35)}`) {
    this.token = token;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => void this.route(req, res, body));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.apiRoot = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w.resolve();
    for (const h of this.held.splice(0)) h.res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  // ---- people ----------------------------------------------------------------------------------

  /** A person writes in a chat; `ageS` dates the message in the past. */
  say(chatId: number, userId: number, text: string, ageS = 0): number {
    const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
    const message = {
      message_id: this.nextUserMessageId++,
      from: { id: userId, is_bot: false, first_name: `user${userId}` },
      chat: {
        id: chatId,
        type: chatId < 0 ? 'group' : 'private',
        ...(chatId < 0 ? { title: 'group' } : { first_name: `user${userId}` }),
      },
      date: Math.floor(Date.now() / 1000) - ageS,
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    };
    return this.push({ message });
  }

  /** A person presses an inline button of a message the bot sent. */
  press(chatId: number, userId: number, message: SentMessage, data: string): number {
    return this.push({
      callback_query: {
        id: `cq${this.nextUpdateId}`,
        from: { id: userId, is_bot: false, first_name: `user${userId}` },
        chat_instance: `ci${chatId}`,
        data,
        message: {
          message_id: message.message_id,
          from: this.bot,
          chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
          date: message.date,
          text: message.text,
        },
      },
    });
  }

  private push(update: Json): number {
    const update_id = this.nextUpdateId++;
    this.updates.push({ update_id, ...update });
    for (const w of this.waiters.splice(0)) w.resolve();
    return update_id;
  }

  /** Updates not confirmed yet (Telegram keeps them for 24 h). */
  pendingUpdates(): number {
    return this.updates.length;
  }

  messages(chatId: number): SentMessage[] {
    return this.sent.filter((m) => m.chat_id === chatId);
  }

  /** Wait for a message the bot sent to `chatId` matching `test` (after `afterIndex` of that chat's messages). */
  async waitFor(
    chatId: number,
    test: (m: SentMessage) => boolean,
    timeoutMs = 30_000,
    afterIndex = 0,
  ): Promise<SentMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages(chatId).slice(afterIndex).find(test);
      if (m) return m;
      if (Date.now() > deadline)
        throw new Error(
          `no message to chat ${chatId} matching ${test.toString()} within ${timeoutMs} ms; sent there: ${JSON.stringify(this.messages(chatId).map((x) => x.text))}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // ---- faults ------------------------------------------------------------------------------------

  failNext(method: string, error: { error_code: number; description: string; retry_after?: number }): void {
    const list = this.failures.get(method) ?? [];
    list.push(error);
    this.failures.set(method, list);
  }

  /** Hold (never answer, never deliver) the sendMessage requests matching `test`; null stops holding. */
  holdSends(test: ((payload: Json) => boolean) | null): void {
    this.hold = test;
  }

  heldCount(): number {
    return this.held.length;
  }

  // ---- the API -----------------------------------------------------------------------------------

  private reply(res: http.ServerResponse, status: number, body: Json): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec((req.url ?? '').split('?')[0]!);
    if (!m) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== this.token) return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2]!;
    this.calls.push(method);
    let p: Json = {};
    try {
      p = body ? (JSON.parse(body) as Json) : {};
    } catch {
      return this.reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
    }
    const fail = this.failures.get(method)?.shift();
    if (fail)
      return this.reply(res, fail.error_code, {
        ok: false,
        error_code: fail.error_code,
        description: fail.description,
        ...(fail.retry_after !== undefined ? { parameters: { retry_after: fail.retry_after } } : {}),
      });
    const ok = (result: unknown) => this.reply(res, 200, { ok: true, result });
    switch (method) {
      case 'getMe':
        return ok(this.bot);
      case 'deleteWebhook':
      case 'setMyCommands':
      case 'close':
        return ok(true);
      case 'getUpdates':
        return this.getUpdates(req, res, p);
      case 'sendMessage': {
        if (typeof p.text !== 'string' || p.text === '')
          return this.reply(res, 400, {
            ok: false,
            error_code: 400,
            description: 'Bad Request: message text is empty',
          });
        if (this.hold?.(p)) {
          const entry = { payload: p, res };
          this.held.push(entry);
          req.socket.once('close', () => {
            this.held = this.held.filter((h) => h !== entry);
            this.dropped.push(p);
          });
          return;
        }
        const msg: SentMessage = {
          message_id: this.nextMessageId++,
          chat_id: Number(p.chat_id),
          text: p.text,
          ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}),
          ...(p.disable_notification ? { disable_notification: true } : {}),
          date: Math.floor(Date.now() / 1000),
          edits: [],
        };
        this.sent.push(msg);
        return ok({
          message_id: msg.message_id,
          from: this.bot,
          chat: { id: msg.chat_id, type: msg.chat_id < 0 ? 'group' : 'private' },
          date: msg.date,
          text: msg.text,
        });
      }
      case 'editMessageText': {
        const msg = this.sent.find((x) => x.message_id === Number(p.message_id) && x.chat_id === Number(p.chat_id));
        if (!msg)
          return this.reply(res, 400, {
            ok: false,
            error_code: 400,
            description: 'Bad Request: message to edit not found',
          });
        msg.edits.push(String(p.text));
        msg.text = String(p.text);
        return ok({
          message_id: msg.message_id,
          from: this.bot,
          chat: { id: msg.chat_id, type: 'private' },
          date: msg.date,
          text: msg.text,
        });
      }
      case 'answerCallbackQuery':
        this.answers.push({
          callback_query_id: String(p.callback_query_id),
          ...(typeof p.text === 'string' ? { text: p.text } : {}),
        });
        return ok(true);
      default:
        return this.reply(res, 404, {
          ok: false,
          error_code: 404,
          description: `Not Found: method ${method} not implemented by the stand-in`,
        });
    }
  }

  private async getUpdates(req: http.IncomingMessage, res: http.ServerResponse, p: Json): Promise<void> {
    const offset = typeof p.offset === 'number' ? p.offset : null;
    // An offset confirms every update before it: Telegram forgets them.
    if (offset !== null) this.updates = this.updates.filter((u) => (u.update_id as number) >= offset);
    const limit = typeof p.limit === 'number' ? p.limit : 100;
    const timeoutMs = (typeof p.timeout === 'number' ? p.timeout : 0) * 1000;
    const deadline = Date.now() + timeoutMs;
    let gone = false;
    res.once('close', () => (gone = true));
    while (this.updates.length === 0 && Date.now() < deadline && !gone) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push({ resolve: () => (clearTimeout(t), resolve()) });
      });
    }
    if (gone) return;
    this.reply(res, 200, { ok: true, result: this.updates.slice(0, limit) });
  }
}
