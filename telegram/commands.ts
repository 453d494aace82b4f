/**
 * What each Telegram command does, through the Temporal client exactly like the CLI and the
 * control API (client/bots.ts, client/control.ts, the same zod schemas): the Telegram process
 * keeps nothing about bots. Each returns the reply's text (and buttons for /stop).
 */
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { paramsBody } from '../api/bots';
import type { PublicMarkets } from '../api/market-data';
import { explainTemporalError } from '../client/errors';
import {
  BotCommandError,
  QUERY_DEADLINE_MS,
  botState,
  listBots,
  pauseBot,
  resumeBot,
  setBotParams,
  startBot,
  stopBot,
} from '../client/bots';
import { accountBalance, botConfig, botLedger } from '../client/control';
import { ACCOUNT_NAME_PATTERN, BOT_NAME_PATTERN } from '../core/bot-definition';
import { formatIssues } from '../core/schema';
import { strategyIds } from '../core/strategies';
import type { BotStateView, RuntimeOptions } from '../workflows/messages';
import { balanceText, botsText, dailyText, profitText, statusText, stopQuestion, tradesText } from './format';
import { parseRunArgs } from './run-args';

export interface Reply {
  readonly text: string;
  /** Inline keyboard rows: button text and callback data. */
  readonly buttons?: ReadonlyArray<ReadonlyArray<{ readonly text: string; readonly data: string }>>;
}

export interface CommandsOptions {
  readonly client: Client;
  readonly taskQueue: string;
  readonly defaultAccount: string;
  /** Public endpoints per account: /run refuses a symbol the exchange does not list. */
  readonly markets?: PublicMarkets;
  readonly now?: () => number;
  /** Runtime options of the bots /run starts (checked by startBot like the CLI's). */
  readonly botOptions?: RuntimeOptions;
  /** How long /pause and /resume wait for the bot to show the change (default 5 s). */
  readonly settleMs?: number;
}

export const HELP = [
  'Commands:',
  '/bots — the running bots',
  '/status [bot] — status, position, PnL, open orders',
  '/pause <bot|all> — no new entries (open orders still managed)',
  '/resume <bot|all>',
  '/stop <bot> — graceful stop per its onStop (asks to confirm)',
  '/trades <bot> [n] — last fills and trades',
  '/profit [bot] — realised, unrealised, win rate, trades, max drawdown',
  '/balance [account]',
  '/daily [n] — realised PnL per day',
  '/params <bot> {json} — change params (validated)',
  '/run <strategy> <symbol> [trades=N] [param=value…] — start a bot (trades=N: stop after N trades)',
  '/help',
].join('\n');

const usage = (text: string): Reply => ({ text: `usage: ${text}` });

/** What went wrong in words (client/errors.ts): our client's errors already say what and where. */
function problem(err: unknown, what = ''): string {
  return explainTemporalError(err, { what });
}

/** The update validator's own words when it refused (the bot is left untouched), else null. */
function refusalOf(err: unknown): string | null {
  const update = err instanceof WorkflowUpdateFailedError ? err : (err as { cause?: unknown }).cause;
  if (!(update instanceof WorkflowUpdateFailedError)) return null;
  return update.cause?.message ?? update.message;
}

function checkName(name: string | undefined, usageText: string): string {
  if (!name) throw new BotCommandError(`usage: ${usageText}`);
  if (!BOT_NAME_PATTERN.test(name))
    throw new BotCommandError(`"${name}" is not a bot name (letters, digits, "-" or "_")`);
  return name;
}

export class TelegramCommands {
  private readonly now: () => number;

  constructor(private readonly o: CommandsOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Run one command; failures become a reply naming what went wrong (never an exception). */
  async run(command: string, args: string): Promise<Reply> {
    try {
      return await this.dispatch(command.toLowerCase(), args.trim());
    } catch (err) {
      if (err instanceof BotCommandError) return { text: `⚠️ ${err.message}` };
      return { text: `⚠️ ${command} failed: ${problem(err)}` };
    }
  }

  private async dispatch(command: string, args: string): Promise<Reply> {
    const words = args.split(/\s+/).filter(Boolean);
    switch (command) {
      case 'start':
      case 'help':
        return { text: HELP };
      case 'bots':
        return { text: botsText(await this.rows()) };
      case 'status':
        return words[0]
          ? { text: statusText(await botState(this.o.client, checkName(words[0], '/status [bot]')), this.now()) }
          : { text: botsText(await this.rows()) };
      case 'pause':
      case 'resume':
        return this.pauseOrResume(command, words[0]);
      case 'stop':
        return this.askStop(words[0]);
      case 'trades': {
        const name = checkName(words[0], '/trades <bot> [n]');
        const n = words[1] === undefined ? 10 : Number(words[1]);
        if (!Number.isInteger(n) || n < 1 || n > 100) return usage('/trades <bot> [n], n a whole number from 1 to 100');
        const [view, ledger] = await Promise.all([botState(this.o.client, name), botLedger(this.o.client, name)]);
        return { text: tradesText(view, ledger, n) };
      }
      case 'profit': {
        if (words[0])
          return { text: profitText(checkName(words[0], '/profit [bot]'), [await botState(this.o.client, words[0])]) };
        const views = (await this.rows()).flatMap((r) => (r.view ? [r.view] : []));
        return { text: profitText(`all bots (${views.length})`, views) };
      }
      case 'balance': {
        const account = words[0] ?? this.o.defaultAccount;
        if (!ACCOUNT_NAME_PATTERN.test(account))
          return usage('/balance [account], account 1-32 letters, digits, "-" or "_"');
        return { text: balanceText(await accountBalance(this.o.client, this.o.taskQueue, account)) };
      }
      case 'daily': {
        const n = words[0] === undefined ? 7 : Number(words[0]);
        if (!Number.isInteger(n) || n < 1 || n > 90) return usage('/daily [n], n a whole number of days from 1 to 90');
        const views = (await this.rows()).flatMap((r) => (r.view ? [r.view] : []));
        return { text: dailyText(views, n, this.now()) };
      }
      case 'params':
        return this.params(args);
      case 'run':
        return this.start(words);
      default:
        return { text: `Unknown command /${command}.\n\n${HELP}` };
    }
  }

  private async rows(): Promise<Array<{ name: string; view: BotStateView | null; error?: string }>> {
    const listings = await listBots(this.o.client, false, this.o.taskQueue);
    return Promise.all(
      listings.map(async (l) => {
        try {
          return {
            name: l.name,
            view: await this.o.client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
              botState(this.o.client, l.name),
            ),
          };
        } catch (err) {
          return { name: l.name, view: null, error: problem(err) };
        }
      }),
    );
  }

  private async targets(target: string | undefined, usageText: string): Promise<string[]> {
    if (target === 'all') return (await listBots(this.o.client, false, this.o.taskQueue)).map((b) => b.name);
    return [checkName(target, usageText)];
  }

  /** Wait until the bot shows the change (the signal is applied at its next workflow task). */
  private async settle(name: string, done: (s: BotStateView) => boolean): Promise<BotStateView> {
    const deadline = this.now() + (this.o.settleMs ?? 5_000);
    let s = await botState(this.o.client, name);
    while (!done(s) && this.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      s = await botState(this.o.client, name);
    }
    return s;
  }

  private async pauseOrResume(command: 'pause' | 'resume', target: string | undefined): Promise<Reply> {
    const names = await this.targets(target, `/${command} <bot|all>`);
    if (names.length === 0) return { text: 'No bot is running.' };
    const lines = await Promise.all(
      names.map(async (name) => {
        try {
          await (command === 'pause' ? pauseBot(this.o.client, name) : resumeBot(this.o.client, name));
          const s = await this.settle(name, (v) =>
            command === 'pause' ? v.status !== 'RUNNING' : v.status !== 'PAUSED',
          );
          if (command === 'pause')
            return s.status === 'PAUSED'
              ? `⏸ ${name} paused: no new entries; its ${s.openOrders.length} open order(s) are still managed`
              : `${name}: ${s.status.toLowerCase()} (pause applies to running bots)`;
          return s.status === 'RUNNING' ? `▶️ ${name} running again` : `${name}: ${s.status.toLowerCase()}`;
        } catch (err) {
          return `⚠️ ${name}: ${problem(err)}`;
        }
      }),
    );
    return { text: lines.join('\n') };
  }

  private async askStop(target: string | undefined): Promise<Reply> {
    const name = checkName(target, '/stop <bot>');
    const [view, config] = await Promise.all([botState(this.o.client, name), botConfig(this.o.client, name)]);
    return {
      text: stopQuestion(view, config.onStop),
      buttons: [
        [
          { text: `⏹ Stop ${name}`, data: 'stop' },
          { text: 'Cancel', data: 'cancel' },
        ],
      ],
    };
  }

  /** The confirmed stop: a graceful cancel; resolves with the final summary once the bot stopped. */
  async stop(name: string): Promise<{ accepted: Reply; done: Promise<Reply> }> {
    await stopBot(this.o.client, checkName(name, '/stop <bot>'), false);
    const done = this.o.client.workflow
      .getHandle(`bot-${name}`)
      .result()
      .then(
        (v: BotStateView) => ({
          text: `⏹ ${name} stopped: realised PnL ${v.realizedPnl}, position ${v.position.qty}, open orders left ${v.openOrders.length}${v.stopReason ? ` (${v.stopReason})` : ''}`,
        }),
        (err: unknown) => ({ text: `⚠️ ${name} did not stop cleanly: ${problem(err)}` }),
      );
    return {
      accepted: { text: `⏳ stopping ${name}… (open orders handled per its onStop; I will tell you when it is done)` },
      done,
    };
  }

  private async params(args: string): Promise<Reply> {
    const m = /^(\S+)\s+([\s\S]+)$/.exec(args);
    if (!m) return usage('/params <bot> {"param": "value"}');
    const name = checkName(m[1], '/params <bot> {json}');
    let json: unknown;
    try {
      json = JSON.parse(m[2]!);
    } catch (err) {
      return { text: `⚠️ refused: params must be JSON, such as {"takeProfitPct": "0.5"} (${(err as Error).message})` };
    }
    const parsed = paramsBody.safeParse(json);
    if (!parsed.success) return { text: `⚠️ refused: ${formatIssues(parsed.error, 'params').join('; ')}` };
    try {
      const r = (await setBotParams(this.o.client, name, parsed.data)) as { params: unknown };
      return { text: `✅ ${name} params now ${JSON.stringify(r.params)}` };
    } catch (err) {
      const refusal = refusalOf(err);
      if (refusal === null) throw err;
      return { text: `⚠️ refused, ${name} unchanged:\n${refusal}` };
    }
  }

  private async start(words: readonly string[]): Promise<Reply> {
    const r = parseRunArgs(words, { defaultAccount: this.o.defaultAccount, now: this.now() });
    if (!r.ok)
      return {
        text: `⚠️ not started:\n${r.problems.join('\n')}${words.length === 0 ? `\nstrategies: ${strategyIds().join(', ')}` : ''}`,
      };
    const def = r.definition;
    const markets = this.o.markets;
    if (markets) {
      const known = markets.accounts();
      if (known.length > 0 && !known.includes(def.account))
        return { text: `⚠️ not started: account: unknown account "${def.account}" (configured: ${known.join(', ')})` };
      if ((await markets.hasSymbol(def.account, def.symbol).catch(() => null)) === false)
        return { text: `⚠️ not started: symbol: ${def.symbol} is not traded on account "${def.account}"` };
    }
    const started = await startBot(this.o.client, def, this.o.taskQueue, this.o.botOptions);
    if (!started.started) return { text: `⚠️ ${started.message}` };
    return {
      text: `▶️ started ${def.name}: ${def.strategy} on ${def.symbol} ${def.interval}, account ${def.account}${r.trades !== null ? `, stops after ${r.trades} trade(s)` : ''}\nparams ${JSON.stringify(def.params)}\n/status ${def.name} · /stop ${def.name}`,
    };
  }
}
