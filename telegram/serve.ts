/**
 * Start the Telegram bot with a Temporal client of its own: used by `npm run telegram`
 * (./main.ts) and `npm start` (when TELEGRAM_BOT_TOKEN is set). It imports no worker code: the
 * connection settings come from infra/temporal-connection.ts, like the CLI's and the control API's.
 */
import { Client, Connection } from '@temporalio/client';
import { PublicMarkets } from '../api/market-data';
import type { RuntimeOptions } from '../workflows/messages';
import { type TemporalSettings, connectionOptions } from '../infra/temporal-connection';
import { TelegramBot } from './bot';
import { TelegramCommands } from './commands';
import type { TelegramSettings } from './settings';

export interface RunningTelegram {
  readonly bot: TelegramBot;
  close(): Promise<void>;
}

export interface StartTelegramOptions {
  readonly temporal: TemporalSettings;
  readonly settings: TelegramSettings;
  /** Public endpoints per account: /run refuses a symbol the exchange does not list. */
  readonly endpoints?: Readonly<Record<string, string>>;
  /** Runtime options of the bots /run starts (as the control API's botOptions; production needs none). */
  readonly botOptions?: RuntimeOptions;
  readonly log?: (line: string) => void;
}

export async function startTelegram(o: StartTelegramOptions): Promise<RunningTelegram> {
  const connection = await Connection.connect(connectionOptions(o.temporal));
  const client = new Client({ connection, namespace: o.temporal.namespace });
  const commands = new TelegramCommands({
    client,
    taskQueue: o.temporal.taskQueue,
    defaultAccount: o.settings.defaultAccount,
    ...(o.endpoints ? { markets: new PublicMarkets(o.endpoints) } : {}),
    ...(o.botOptions ? { botOptions: o.botOptions } : {}),
  });
  const bot = new TelegramBot({ settings: o.settings, commands, ...(o.log ? { log: o.log } : {}) });
  try {
    await bot.start();
  } catch (err) {
    await connection.close().catch(() => {});
    throw err;
  }
  return {
    bot,
    async close() {
      await bot.close();
      await connection.close().catch(() => {});
    },
  };
}
