/**
 * Telegram end to end: a local Bot API stand-in over HTTP (grammY's apiRoot), the real dev server,
 * the paper exchange and a worker. Each command from the allowed chat acts on the real bot; other
 * chats and users get nothing; /stop needs its button; a command is never run twice across
 * restarts, even a kill -9 in the middle of one; notifications of the trades arrive in the chat.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANUAL_PAPER_CANDLE_LEAD_MS } from '../../core/candle-check';
import { ZERO_SPREAD_BOOK } from '../../exchange';
import { killHard } from '../../infra/worker-process';
import { PROJECT_ROOT } from '../../infra/temporal-cli';
import { type RunningTelegram, startTelegram } from '../../telegram/serve';
import { telegramSettings } from '../../telegram/settings';
import { Harness, eventually } from '../support/harness';
import { type SentMessage, TelegramStandIn } from '../support/telegram-stand-in';

const CHAT = 4242;
const USER = 501;
const tg = new TelegramStandIn();
const env: NodeJS.ProcessEnv = {};
// Expected prices are the last price: a book without spread (as the other bot tests that compute them).
const h = new Harness({ notifyEnv: env, exchange: { book: ZERO_SPREAD_BOOK } });
const stateFile = path.join(os.tmpdir(), `telegram-state-${randomUUID()}.json`);
let running: RunningTelegram | null = null;
const logged: string[] = [];

function botEnv(): NodeJS.ProcessEnv {
  return { ...env, TELEGRAM_ALLOWED_USERS: String(USER), TELEGRAM_POLL_TIMEOUT_S: '1', TELEGRAM_STATE_FILE: stateFile };
}

async function startBot(): Promise<RunningTelegram> {
  const settings = telegramSettings(botEnv())!;
  // Manual paper candles run ahead of the wall clock: the bots /run starts allow for it, as the harness's do.
  return startTelegram({
    temporal: h.temporal,
    settings,
    endpoints: { paper: h.exchange.httpBase },
    botOptions: { maxCandleLeadMs: MANUAL_PAPER_CANDLE_LEAD_MS },
    log: (l) => logged.push(l),
  });
}

/** Say something in the allowed chat and wait for the answer matching `test`. */
async function ask(
  text: string,
  test: (m: SentMessage) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<SentMessage> {
  const before = tg.messages(CHAT).length;
  tg.say(CHAT, USER, text);
  return tg.waitFor(CHAT, test, timeoutMs, before);
}

const dca = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '50', maxLots: 1, ...extra },
});

async function pauseSignals(name: string): Promise<number> {
  const history = await h.handle(name).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'pause')
    .length;
}

describe('Telegram control and notifications', () => {
  beforeAll(async () => {
    await tg.start();
    Object.assign(env, {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_ALLOWED_CHATS: String(CHAT),
      TELEGRAM_API_ROOT: tg.apiRoot,
      NOTIFY_SEND_TIMEOUT_MS: '3000',
    });
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', '30000');
    await h.startWorker();
    await h.startBot(dca('tg-dca'));
    await h.waitForState(
      'tg-dca',
      (s) => s.eventsProcessed >= 2 && !s.openOrders.some((o) => o.status === 'SUBMITTING'),
      'start',
    );
    await eventually(async () => {
      if (!h.exchange.listening.market('btcusdt@kline_1m')) throw new Error('no kline subscriber yet');
    });
    h.exchange.market.closeCandle('BTCUSDT', '1m');
    await h.waitForState(
      'tg-dca',
      (s) => Number(s.position.qty) > 0 && s.openOrders.some((o) => o.tag === 'tp-1' && o.status === 'NEW'),
      'entry and take-profit',
    );
    running = await startBot();
  });
  afterAll(async () => {
    await running?.close();
    await h.stop();
    await tg.close();
  });

  it('tells the chat about the trade: the entry fill with price and quantity', async () => {
    const m = await tg.waitFor(CHAT, (x) => x.text.includes('tg-dca: entry filled'));
    expect(m.text).toContain('BUY 0.01 BTCUSDT @ 30000 (300 USDT)');
    expect(tg.messages(CHAT).filter((x) => x.text.includes('tg-dca: entry filled'))).toHaveLength(1);
  });

  it('answers nobody else: another chat, or another user of the allowed chat', async () => {
    const before = running!.bot.handled;
    tg.say(999, 777, '/bots');
    tg.say(CHAT, 778, '/pause tg-dca');
    tg.say(999, 777, '/pause all');
    await eventually(async () => {
      if (running!.bot.handled < before + 3) throw new Error('updates not handled yet');
    });
    // Logged once per stranger, then ignored silently.
    expect(logged.filter((l) => l.includes('ignoring chat 999 user 777'))).toHaveLength(1);
    expect(logged.filter((l) => l.includes(`ignoring chat ${CHAT} user 778`))).toHaveLength(1);
    // Proves a negative (no reply to a stranger): a moment for a reply that would follow the handling.
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.messages(999)).toEqual([]);
    expect(tg.messages(CHAT).some((m) => m.text.includes('paused'))).toBe(false);
    expect((await h.state('tg-dca')).status).toBe('RUNNING');
  });

  it('/bots and /status show status, position, PnL and open orders', async () => {
    const bots = await ask('/bots', (m) => m.text.startsWith('Bots'));
    // 0.01 bought, the 0.1 % fee paid in BTC.
    expect(bots.text).toMatch(/tg-dca RUNNING — dca-take-profit BTCUSDT; position 0\.00999; PnL 0/);
    const status = await ask('/status tg-dca', (m) => m.text.includes('tg-dca: RUNNING'));
    expect(status.text).toContain('position 0.00999 @ 30030.03003003');
    expect(status.text).toMatch(/PnL: realised 0 USDT, unrealised -0\.3\d* USDT/);
    expect(status.text).toMatch(/tp-1: SELL 0\.00999 LIMIT @ 45000 — NEW/);
    expect((await ask('/status nobody', (m) => m.text.includes('nobody'))).text).toContain('no bot named "nobody"');
  });

  it('/pause really pauses the bot and /resume resumes it, at once', async () => {
    const paused = await ask('/pause tg-dca', (m) => m.text.includes('tg-dca'));
    expect(paused.text).toContain('⏸ tg-dca paused');
    expect((await h.state('tg-dca')).status).toBe('PAUSED');
    const resumed = await ask('/resume all', (m) => m.text.includes('tg-dca'));
    expect(resumed.text).toContain('▶️ tg-dca running again');
    expect((await h.state('tg-dca')).status).toBe('RUNNING');
  });

  it('/params is validated with the bot’s schema: refused with the reason, or applied', async () => {
    const refused = await ask('/params tg-dca {"takeProfitPct": "-1"}', (m) => m.text.includes('refused'));
    expect(refused.text).toContain('params.takeProfitPct: must be a percentage above 0 and below 1000');
    expect((await ask('/params tg-dca {oops', (m) => m.text.includes('refused'))).text).toContain(
      'params must be JSON',
    );
    expect((await ask('/params tg-dca [1]', (m) => m.text.includes('refused'))).text).toContain(
      'must be a JSON object',
    );
    expect(((await h.state('tg-dca')).params as { takeProfitPct: string }).takeProfitPct).toBe('50');
    const ok = await ask('/params tg-dca {"takeProfitPct": "40"}', (m) => m.text.includes('params now'));
    expect(ok.text).toContain('"takeProfitPct":"40"');
    expect(((await h.state('tg-dca')).params as { takeProfitPct: string }).takeProfitPct).toBe('40');
  });

  it('/trades, /profit, /daily, /balance and /help answer with the figures', async () => {
    expect((await ask('/trades tg-dca 5', (m) => m.text.includes('fill'))).text).toMatch(
      /BUY 0\.01 @ 30000 \(buy-1, entry\)/,
    );
    const profit = await ask('/profit', (m) => m.text.startsWith('💹'));
    expect(profit.text).toMatch(/realised 0 USDT; unrealised -0\.3/);
    expect(profit.text).toContain('trades 0, won 0, win rate -');
    expect(profit.text).toContain('max drawdown 0');
    expect((await ask('/daily 3', (m) => m.text.startsWith('📅'))).text.split('\n')).toHaveLength(4);
    const balance = await ask('/balance', (m) => m.text.startsWith('💼'));
    expect(balance.text).toMatch(/paper: total \d/);
    expect(balance.text).toMatch(/BTC: 0 free \+ 0\.00999 locked ≈ 299\.7 USDT/);
    // Telegram's flood limit: the reply waits the retry_after it is given (auto-retry) and still arrives.
    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    expect((await ask('/help', (m) => m.text.startsWith('Commands'))).text).toContain(
      '/run <strategy> <symbol> [trades=N]',
    );
    expect((await ask('/frobnicate', (m) => m.text.startsWith('Unknown'))).text).toContain('/help');
  });

  it('/run starts a bot that makes its N trades then stops (seed 001), telling each step', async () => {
    const started = await ask(
      '/run dca-take-profit BTCUSDT trades=1 quantity=0.001 takeProfitPct=1 everyCandles=1 name=tg-run',
      (m) => m.text.includes('tg-run'),
    );
    expect(started.text).toContain(
      '▶️ started tg-run: dca-take-profit on BTCUSDT 1m, account paper, stops after 1 trade(s)',
    );
    expect(
      (await ask('/run dca-take-profit BTCUSDT quantity=zero', (m) => m.text.includes('not started'))).text,
    ).toContain('params.quantity');
    expect(
      (await ask('/run dca-take-profit BTCXYZ quantity=0.1', (m) => m.text.includes('not started'))).text,
    ).toContain('BTCXYZ is not traded on account "paper"');
    await h.waitForState(
      'tg-run',
      (s) => s.eventsProcessed >= 2 && !s.openOrders.some((o) => o.status === 'SUBMITTING'),
      'start',
    );
    await eventually(
      async () => {
        h.exchange.market.closeCandle('BTCUSDT', '1m');
        await h.waitForState(
          'tg-run',
          (s) => s.openOrders.some((o) => o.tag === 'tp-1' && o.status === 'NEW'),
          'entry',
          2_000,
        );
      },
      30_000,
      0,
    );
    h.exchange.market.setPrice('BTCUSDT', '30400');
    const stopped = await tg.waitFor(CHAT, (m) => m.text.includes('⏹ tg-run stopped'), 60_000);
    expect(stopped.text).toContain('completed 1 trade(s) (stopAfterTrades 1)');
    // The worker sends its notices in the background, each on its own: the exit's may land after the stop's.
    const exit = await tg.waitFor(CHAT, (m) => m.text.includes('tg-run: exit filled'));
    expect(exit.text).toMatch(/SELL 0\.00099 BTCUSDT @ 30300 /);
    expect(exit.text).toMatch(/trade PnL \+0\.2\d+ USDT \(\+0\.\d+%\)/);
    h.exchange.market.setPrice('BTCUSDT', '30000');
  });

  it('/stop asks first; the button stops the bot gracefully, once', async () => {
    await h.startBot(dca('tg-stop', { everyCandles: 100 }));
    await h.waitForState('tg-stop', (s) => s.eventsProcessed >= 2, 'start');
    const question = await ask('/stop tg-stop', (m) => m.text.startsWith('Stop tg-stop?'));
    expect(question.text).toContain('onStop: cancel-orders');
    const buttons = question.reply_markup!.inline_keyboard!.flat();
    expect(buttons.map((b) => b.text)).toEqual(['⏹ Stop tg-stop', 'Cancel']);
    // Proves a negative: nothing happens without the button.
    await new Promise((r) => setTimeout(r, 500));
    expect((await h.handle('tg-stop').describe()).status.name).toBe('RUNNING');
    // A forged button does nothing.
    tg.press(CHAT, USER, question, 'stop:0123456789abcdef');
    await eventually(async () => {
      if (!tg.answers.some((a) => a.text?.includes('expired'))) throw new Error('no answer to the forged button');
    });
    expect((await h.handle('tg-stop').describe()).status.name).toBe('RUNNING');
    const before = tg.messages(CHAT).length;
    tg.press(CHAT, USER, question, buttons[0]!.callback_data!);
    // The command's own summary once the workflow completed, and the bot's "stopped" notification.
    const summary = await tg.waitFor(CHAT, (m) => m.text.startsWith('⏹ tg-stop stopped:'), 30_000, before);
    expect(summary.text).toContain('realised PnL 0, position 0, open orders left 0 (cancelled)');
    // The notification comes from the worker, on its own path: it may land after the summary.
    await tg.waitFor(CHAT, (m) => m.text.startsWith('⏹ tg-stop stopped (cancelled)'), 30_000, before);
    expect(
      tg.messages(CHAT).filter((m) => m.text.startsWith('⏹ tg-stop stopped (cancelled) — realised PnL 0 USDT')),
    ).toHaveLength(1);
    expect((await h.handle('tg-stop').describe()).status.name).toBe('COMPLETED');
    expect(question.text).toContain('stopping tg-stop'); // the question was edited
    const answered = tg.answers.length;
    tg.press(CHAT, USER, question, buttons[0]!.callback_data!); // a second press
    await eventually(async () => {
      if (tg.answers.length === answered) throw new Error('no answer to the second press');
    });
    expect(tg.answers[tg.answers.length - 1]!.text).toContain('expired');
  });

  it('after a restart, nothing runs twice; a command sent while offline runs once, a stale one not at all', async () => {
    const pausesBefore = await pauseSignals('tg-dca');
    await running!.close();
    running = null;
    const before = tg.messages(CHAT).length;
    tg.say(CHAT, USER, '/status tg-dca');
    tg.say(CHAT, USER, '/pause tg-dca', 3600);
    running = await startBot();
    await tg.waitFor(CHAT, (m) => m.text.includes('tg-dca: RUNNING'), 30_000, before);
    const stale = await tg.waitFor(CHAT, (m) => m.text.includes('Not done'), 30_000, before);
    expect(stale.text).toContain('/pause was sent 60 min ago while I was offline');
    // Proves a negative (nothing runs twice): a few more polls of the restarted bot.
    await new Promise((r) => setTimeout(r, 1_500));
    const since = tg
      .messages(CHAT)
      .slice(before)
      .map((m) => m.text);
    expect(since.filter((t) => t.includes('tg-dca: RUNNING'))).toHaveLength(1);
    expect(since.some((t) => t.includes('paused'))).toBe(false);
    expect(await pauseSignals('tg-dca')).toBe(pausesBefore);
  });

  it('a Telegram process killed -9 in the middle of a command does not run it again', async () => {
    await running!.close();
    running = null;
    const spawnTelegram = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'telegram/main.ts')], {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          ...botEnv(),
          TEMPORAL_ADDRESS: h.temporal.address,
          TEMPORAL_NAMESPACE: 'default',
          TEMPORAL_TASK_QUEUE: h.taskQueue,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`telegram process did not start:\n${out}`)), 60_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('polling')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.once('exit', (code) => reject(new Error(`telegram process exited ${code}:\n${out}`)));
      });
      return child;
    };
    const pausesBefore = await pauseSignals('tg-dca');
    const first = await spawnTelegram();
    try {
      // The pause goes through, but its answer is held: the process dies before it can reply.
      tg.holdSends((p) => String(p.text).includes('paused'));
      const before = tg.messages(CHAT).length;
      tg.say(CHAT, USER, '/pause tg-dca');
      await eventually(async () => {
        if (tg.heldCount() === 0) throw new Error('the reply was not sent yet');
      });
      await killHard(first);
      tg.holdSends(null);
      expect((await h.state('tg-dca')).status).toBe('PAUSED');
      const second = await spawnTelegram();
      try {
        const notice = await tg.waitFor(CHAT, (m) => m.text.includes('I was restarted while handling'), 30_000, before);
        expect(notice.text).toContain('"/pause tg-dca"');
        await ask('/bots', (m) => m.text.startsWith('Bots'));
        expect(
          tg
            .messages(CHAT)
            .slice(before)
            .some((m) => m.text.includes('⏸ tg-dca paused')),
        ).toBe(false);
        expect(await pauseSignals('tg-dca')).toBe(pausesBefore + 1);
        expect(tg.dropped.length).toBe(1);
      } finally {
        await killHard(second);
      }
    } finally {
      await killHard(first);
    }
  });
});
