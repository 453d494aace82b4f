/**
 * The worker process: `npm run worker` (or systemd / docker). Reads its settings from the
 * environment (and `.env`), runs until SIGINT/SIGTERM (graceful: in-flight activities get a grace
 * period), and exits non-zero on a fatal error so systemd or docker restarts it.
 */
import 'dotenv/config';
import { Runtime } from '@temporalio/worker';
import { BotConsoleLogger, sdkLogLevel } from '../infra/logger';
import { accountSettings, temporalSettings } from './config';
import { createBotWorker } from './worker';

async function main(): Promise<void> {
  const temporal = temporalSettings();
  const accounts = accountSettings();
  if (accounts.length === 0) console.warn('no exchange account configured (BOT_ACCOUNTS / BINANCE_API_KEY): bots will fail to trade');
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM', 'SIGQUIT'], logger: new BotConsoleLogger(sdkLogLevel()) });
  const bot = await createBotWorker({
    temporal,
    accounts,
    ...(process.env.WORKFLOW_BUNDLE ? { workflowBundlePath: process.env.WORKFLOW_BUNDLE } : {}),
    identity: `bots-worker-${process.pid}`,
  });
  console.log(`worker ${process.pid} polling "${temporal.taskQueue}" on ${temporal.address} (namespace ${temporal.namespace}); accounts: ${accounts.map((a) => a.name).join(', ') || 'none'}`);
  await bot.run();
  console.log('worker stopped');
}

main().catch((err) => {
  console.error(`worker failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
