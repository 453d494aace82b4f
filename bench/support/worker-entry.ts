/**
 * The benchmark's worker process: `workers/main.ts` with Temporal worker tuning taken from
 * BENCH_TUNING (JSON), so the benchmark can compare settings without touching the product's
 * configuration. Everything else (settings from the environment, createBotWorker, the stream
 * service) is the product's own code.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { accountSettings, temporalSettings } from '../../workers/config';
import { type BotWorkerOptions, createBotWorker } from '../../workers/worker';

async function main(): Promise<void> {
  const tuning = JSON.parse(process.env.BENCH_TUNING ?? '{}') as BotWorkerOptions['tuning'];
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'], logger: new DefaultLogger('WARN') });
  const temporal = temporalSettings();
  const bot = await createBotWorker({
    temporal,
    accounts: accountSettings(),
    ...(process.env.WORKFLOW_BUNDLE ? { workflowBundlePath: process.env.WORKFLOW_BUNDLE } : {}),
    identity: `bench-worker-${process.pid}`,
    ...(tuning ? { tuning } : {}),
    log: (m) => console.error(m),
  });
  // The parent waits for this line (as infra/worker-process.ts does for workers/main.ts).
  console.log(`worker ${process.pid} polling "${temporal.taskQueue}"`);
  await bot.run();
}

main().catch((err) => {
  console.error(`bench worker failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
