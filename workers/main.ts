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
import { deliveryFromEnv } from './stream-delivery';
import { startMetricsServer } from '../monitoring/metrics-server';
import { installRuntimeWithFallback, temporalMetricsBind, temporalTelemetry } from '../monitoring/temporal-runtime';

/** Our /metrics: METRICS_PORT (default 9091; "off" disables), METRICS_HOST (default 127.0.0.1), METRICS_TOKEN. */
function metricsPort(env: NodeJS.ProcessEnv): number | null {
  const v = env.METRICS_PORT?.trim();
  if (v === 'off') return null;
  const port = Number(v || 9091);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ConfigError(`METRICS_PORT: must be a port number or "off", got "${v}"`);
  return port;
}

async function main(): Promise<void> {
  const temporal = temporalSettings();
  const accounts = accountSettings();
  if (accounts.length === 0)
    console.warn('no exchange account configured (BOT_ACCOUNTS / BINANCE_API_KEY): bots will fail to trade');
  const port = metricsPort(process.env);
  const streamDelivery = deliveryFromEnv(process.env.STREAM_DELIVERY);
  // The SDK's own worker metrics, on their own port (monitoring/temporal-runtime.ts).
  const telemetry = installRuntimeWithFallback(
    (options) => Runtime.install(options),
    { shutdownSignals: ['SIGINT', 'SIGTERM', 'SIGQUIT'], logger: new BotConsoleLogger(sdkLogLevel()) },
    await temporalTelemetry(temporalMetricsBind(process.env)),
  );
  const bundle = workflowBundlePath();
  let bot;
  try {
    bot = await createBotWorker({
      temporal,
      accounts,
      ...(bundle ? { workflowBundlePath: bundle } : {}),
      identity: `bots-worker-${process.pid}`,
      streamDelivery,
    });
  } catch (err) {
    if (isUnreachable(err))
      throw new ConfigError(
        explainTemporalError(err, { what: '', address: temporal.address, namespace: temporal.namespace }),
      );
    throw err;
  }
  const metrics =
    port === null
      ? null
      : await startMetricsServer([bot.metrics], {
          port,
          host: process.env.METRICS_HOST || '127.0.0.1',
          token: process.env.METRICS_TOKEN || null,
        }).catch((err: unknown) => {
          console.warn(`metrics not served on port ${port}: ${(err as Error).message}`);
          return null;
        });
  if (metrics) console.log(`metrics on ${metrics.url}`);
  if (telemetry.telemetryOptions?.metrics)
    console.log(`Temporal SDK metrics on http://${temporalMetricsBind(process.env)}/metrics`);
  console.log(
    `worker ${process.pid} polling "${temporal.taskQueue}" on ${temporal.address} (namespace ${temporal.namespace}); accounts: ${accounts.map((a) => a.name).join(', ') || 'none'}`,
  );
  await bot.run();
  await metrics?.close();
  console.log('worker stopped');
}

main().catch((err) => {
  // A configuration problem is one clear line; anything else keeps its stack for the bug report.
  if (err instanceof ConfigError) console.error(`worker not started: ${err.message}`);
  else console.error(`worker failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
