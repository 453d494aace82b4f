/**
 * `npm start`: the whole thing on one machine, with nothing to configure.
 *
 *   1. the Temporal dev server (SQLite under data/, Web UI on :8233), reused if one already listens;
 *   2. the paper exchange on 127.0.0.1:8090 (its balances persist under data/);
 *   3. a worker (bot workflows, exchange activities, stream service);
 *   4. the example bots of bots.example.json (or the file given as argument);
 *   5. the control API and dashboard on 127.0.0.1:${CONTROL_PORT:-8080} (api/serve.ts), with /metrics;
 *   6. the Telegram bot when TELEGRAM_BOT_TOKEN is set (telegram/serve.ts). The Temporal SDK's own
 *      metrics are on 127.0.0.1:9464 (TEMPORAL_METRICS_BIND).
 *
 * Ctrl-C stops the worker, the exchange and the server cleanly; the bots live on in the server's
 * database and carry on where they were at the next `npm start`.
 */
import 'dotenv/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { BotConsoleLogger, sdkLogLevel } from '../infra/logger';
import type { AccountConfig } from '../activities/exchange-account';
import { startBot } from '../client/bots';
import { loadBotConfig } from '../client/config-file';
import { startPaperExchange } from '../exchange';
import { type DevServer, startDevServer } from '../infra/dev-server';
import { PROJECT_ROOT } from '../infra/temporal-cli';
import { DEFAULT_TASK_QUEUE } from '../workers/config';
import { createBotWorker } from '../workers/worker';
import { startControlApi } from '../api/serve';
import { temporalMetricsBind, temporalTelemetry } from '../monitoring/temporal-runtime';
import { type RunningTelegram, startTelegram } from '../telegram/serve';
import { telegramSettings } from '../telegram/settings';

const DATA = path.join(PROJECT_ROOT, 'data');
const TEMPORAL_PORT = Number(process.env.TEMPORAL_PORT ?? 7233);
const UI_PORT = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
const EXCHANGE_PORT = Number(process.env.PAPER_EXCHANGE_PORT ?? 8090);
const ADMIN_TOKEN_FILE = path.join(DATA, 'paper-exchange.admin-token');

interface PaperCredentials {
  readonly apiKey: string;
  readonly apiSecret: string;
}

/** Random paper credentials, created once and kept under data/ (never in git, never in a workflow). */
function paperCredentials(): PaperCredentials {
  const file = path.join(DATA, 'paper-account.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as PaperCredentials;
  const creds = { apiKey: randomBytes(24).toString('hex'), apiSecret: randomBytes(32).toString('hex') };
  writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

async function reachable(address: string): Promise<boolean> {
  try {
    const c = await Connection.connect({ address, connectTimeout: 1_000 });
    await c.workflowService.getSystemInfo({});
    await c.close();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const configFile = process.argv[2] ?? path.join(PROJECT_ROOT, 'bots.example.json');
  const definitions = loadBotConfig(configFile); // refuse a bad file before starting anything
  mkdirSync(DATA, { recursive: true });
  const telegram = telegramSettings(process.env, DATA); // refuse bad Telegram settings before starting anything
  const telemetry = await temporalTelemetry(temporalMetricsBind(process.env));
  Runtime.install({ shutdownSignals: [], logger: new BotConsoleLogger(sdkLogLevel()), ...telemetry }); // we handle Ctrl-C ourselves, in order

  const address = `127.0.0.1:${TEMPORAL_PORT}`;
  let server: DevServer | null = null;
  if (await reachable(address)) {
    console.log(`using the Temporal server already running on ${address}`);
  } else {
    server = await startDevServer({
      dbFile: path.join(DATA, 'temporal.db'),
      port: TEMPORAL_PORT,
      uiPort: UI_PORT,
      log: (l) => console.log(l),
    });
  }

  const creds = paperCredentials();
  const exchange = await startPaperExchange({
    port: EXCHANGE_PORT,
    stateFile: path.join(DATA, 'paper-exchange.json'),
    accounts: [
      { apiKey: creds.apiKey, apiSecret: creds.apiSecret, balances: { USDT: '10000', BTC: '0', ETH: '0', BNB: '0' } },
    ],
    prices: { kind: 'random-walk', seed: 42, tickMs: 250 },
    // Faults, prices and deposits for tools on this machine; the token is new at every start.
    admin: { enabled: true, tokenFile: ADMIN_TOKEN_FILE },
  });
  console.log(`paper exchange on ${exchange.httpBase}`);
  console.log(
    `paper exchange admin token ${exchange.admin.token} (also in ${ADMIN_TOKEN_FILE}, mode 600; send it as Authorization: Bearer <token>)`,
  );

  const paper: AccountConfig = {
    name: 'paper',
    apiKey: creds.apiKey,
    apiSecret: creds.apiSecret,
    httpBase: exchange.httpBase,
    wsBase: exchange.wsBase,
    wsApi: exchange.wsApi,
    recvWindowMs: 5_000,
    backendTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    weightLimitPerMinute: 6_000,
  };
  const temporal = { address, namespace: 'default', taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE };
  const bots = await createBotWorker({
    temporal,
    accounts: [paper],
    identity: `npm-start-${process.pid}`,
    log: (m) => console.log(`[streams] ${m}`),
  });
  const running = bots.run();

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: temporal.namespace });
  for (const def of definitions) {
    const r = await startBot(client, def, temporal.taskQueue);
    console.log(r.started ? r.message : `bot "${def.name}" is already running: it carries on where it was`);
  }
  await connection.close();
  const control = await startControlApi({
    temporal,
    endpoints: { paper: exchange.httpBase },
    dataDir: DATA,
    generateCredentials: true,
    metrics: [bots.metrics],
  });
  let chat: RunningTelegram | null = null;
  if (telegram) chat = await startTelegram({ temporal, settings: telegram, endpoints: { paper: exchange.httpBase } });

  console.log('');
  console.log(`Temporal Web UI: http://localhost:${UI_PORT}/namespaces/default/workflows`);
  console.log(`Dashboard, API:  ${control.url}   (${control.loginHelp}; API: ${control.url}/api/v1/openapi.json)`);
  console.log('Bots:           npm run bots -- status        (pause, resume, params, stop: npm run bots -- help)');
  console.log(
    `Metrics:        ${control.url}/metrics${telemetry.telemetryOptions ? `   (Temporal SDK: http://${temporalMetricsBind(process.env)}/metrics)` : ''}`,
  );
  console.log(
    `Telegram:       ${chat ? `on (allowed chats ${telegram!.allowedChats.join(', ')})` : 'off (set TELEGRAM_BOT_TOKEN and TELEGRAM_ALLOWED_CHATS in .env)'}`,
  );
  console.log('Stop:           Ctrl-C (the bots carry on at the next npm start)');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the worker, the paper exchange and the Temporal server...`);
    await chat?.close();
    await control.close();
    await bots.shutdown();
    await running.catch(() => {});
    await exchange.close();
    await server?.stop();
    console.log('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await running.catch(async (err) => {
    console.error(`worker failed: ${(err as Error).message}`);
    await exchange.close();
    await server?.stop();
    process.exit(1);
  });
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
