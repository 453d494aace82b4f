/**
 * The worker process: `npm run worker` (or systemd / docker). Reads its settings from the
 * environment (and `.env`), runs until SIGINT/SIGTERM (graceful: in-flight activities get a grace
 * period), and exits non-zero on a fatal error so systemd or docker restarts it.
 */
import 'dotenv/config';
import { Runtime } from '@temporalio/worker';
import { BotConsoleLogger, sdkLogLevel } from '../infra/logger';
import { explainTemporalError, isUnreachable } from '../client/errors';
import { ConfigError, accountSettings, temporalSettings, workflowBundlePath } from './config';
import { createBotWorker } from './worker';

async function main(): Promise<void> {
  const temporal = temporalSettings();
  const accounts = accountSettings();
  if (accounts.length === 0) console.warn('no exchange account configured (BOT_ACCOUNTS / BINANCE_API_KEY): bots will fail to trade');
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM', 'SIGQUIT'], logger: new BotConsoleLogger(sdkLogLevel()) });
  const bundle = workflowBundlePath();
  let bot;
  try {
    bot = await createBotWorker({ temporal, accounts, ...(bundle ? { workflowBundlePath: bundle } : {}), identity: `bots-worker-${process.pid}` });
  } catch (err) {
    if (isUnreachable(err)) throw new ConfigError(explainTemporalError(err, { what: '', address: temporal.address, namespace: temporal.namespace }));
    throw err;
  }
  console.log(`worker ${process.pid} polling "${temporal.taskQueue}" on ${temporal.address} (namespace ${temporal.namespace}); accounts: ${accounts.map((a) => a.name).join(', ') || 'none'}`);
  await bot.run();
  console.log('worker stopped');
}

main().catch((err) => {
  // A configuration problem is one clear line; anything else keeps its stack for the bug report.
  if (err instanceof ConfigError) console.error(`worker not started: ${err.message}`);
  else console.error(`worker failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
