/**
 * `npm run telegram`: the Telegram bot alone (long polling; no open port needed). Settings from
 * the environment or `.env`: TELEGRAM_BOT_TOKEN, TELEGRAM_ALLOWED_CHATS (required), and the
 * Temporal connection (TEMPORAL_ADDRESS, ...). See telegram/settings.ts for every variable.
 */
import 'dotenv/config';
import path from 'node:path';
import { publicEndpointsFromEnv } from '../api/market-data';
import { PROJECT_ROOT } from '../infra/temporal-cli';
import { explainTemporalError, isUnreachable } from '../client/errors';
import { ConfigError, temporalSettings } from '../infra/temporal-connection';
import { startTelegram } from './serve';
import { telegramSettings } from './settings';

async function main(): Promise<void> {
  const settings = telegramSettings(process.env, path.join(PROJECT_ROOT, 'data'));
  if (!settings) {
    console.error(
      'TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather, then set TELEGRAM_BOT_TOKEN and TELEGRAM_ALLOWED_CHATS (your chat id) in .env',
    );
    process.exit(2);
  }
  const temporal = temporalSettings();
  let running;
  try {
    running = await startTelegram({ temporal, settings, endpoints: publicEndpointsFromEnv() });
  } catch (err) {
    if (isUnreachable(err))
      throw new ConfigError(
        explainTemporalError(err, { what: '', address: temporal.address, namespace: temporal.namespace }),
      );
    throw err;
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await running.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  // A configuration problem is one clear line naming the variable; anything else keeps its stack.
  if (err instanceof ConfigError) console.error(`telegram not started: ${err.message}`);
  else console.error(`telegram failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
