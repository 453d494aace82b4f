/**
 * Record workflow histories from real runs (dev server + paper exchange + worker) into
 * tests/replay/histories/, for the replay tests that guard determinism:
 *
 *   npm run record:histories            (replaces the recorded histories)
 *   npm run record:histories -- --add   (adds this version's, keeping the older ones)
 *
 * Re-record only on purpose: a history that no longer replays means running bots would break on
 * upgrade (use `patched()` for changes that must stay compatible with running bots).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startBot } from '../client/bots';
import { MANUAL_PAPER_CANDLE_LEAD_MS } from '../core/candle-check';
import type { BotDefinition } from '../core/bot-definition';
import { startPaperExchange } from '../exchange';
import { startDevServer } from '../infra/dev-server';
import { PROJECT_ROOT, ensureTemporalCli } from '../infra/temporal-cli';
import { createBotWorker } from '../workers/worker';
import { circuitBreakerSignal } from '../workflows/circuit';
import {
  type BotStateView,
  type RuntimeOptions,
  botWorkflowId,
  pauseSignal,
  resumeSignal,
  setParamsUpdate,
  stateQuery,
} from '../workflows/messages';

const OUT = path.join(PROJECT_ROOT, 'tests', 'replay', 'histories');
const TASK_QUEUE = 'record-histories';

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({ headless: true });
  const exchange = await startPaperExchange({
    port: 0,
    prices: { kind: 'manual' },
    accounts: [{ name: 'paper', apiKey: 'record-key', apiSecret: 'record-secret', balances: { USDT: '100000' } }],
  });
  exchange.market.setPrice('BTCUSDT', '30000');
  const bots = await createBotWorker({
    temporal: { address: server.address, namespace: 'default', taskQueue: TASK_QUEUE },
    accounts: [
      {
        name: 'paper',
        apiKey: 'record-key',
        apiSecret: 'record-secret',
        httpBase: exchange.httpBase,
        wsBase: exchange.wsBase,
        wsApi: exchange.wsApi,
        recvWindowMs: 1000,
        backendTimeoutMs: 1000,
        requestTimeoutMs: 3000,
        weightLimitPerMinute: 100_000,
      },
    ],
    log: () => {},
  });
  const running = bots.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });

  const def = {
    name: 'recorded-dca',
    strategy: 'dca-take-profit',
    symbol: 'BTCUSDT',
    interval: '1m',
    account: 'paper',
    market: 'spot',
    onStop: 'cancel-orders',
    risk: {},
    params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '0.5', maxLots: 2 },
  } as BotDefinition;
  const options: RuntimeOptions = { continueAsNewAfterEvents: 12, maxCandleLeadMs: MANUAL_PAPER_CANDLE_LEAD_MS };
  await startBot(client, def, TASK_QUEUE, options);
  const handle = client.workflow.getHandle(botWorkflowId(def.name));
  const state = () => handle.query(stateQuery);
  await until(async () => ((await state()).eventsProcessed >= 2 ? true : undefined), 'start');
  await new Promise((r) => setTimeout(r, 3_000)); // stream subscription

  const prices = ['30000', '30100', '30250', '29900', '30400', '30600', '30050', '30500'];
  for (const [i, price] of prices.entries()) {
    exchange.market.setPrice('BTCUSDT', price);
    exchange.market.closeCandle('BTCUSDT', '1m');
    await until(async () => {
      const s: BotStateView = await state();
      return (s.strategyState as { candlesSeen: number }).candlesSeen === i + 1 &&
        !s.openOrders.some((o) => o.status === 'SUBMITTING')
        ? true
        : undefined;
    }, `candle ${i}`).catch(async (e) => {
      const s = await state();
      console.error(
        JSON.stringify({
          gen: s.generation,
          ev: s.eventsProcessed,
          st: s.strategyState,
          open: s.openOrders.map((o) => [o.tag, o.status]),
          notes: s.notifications,
          pending: s.pendingEvents,
        }),
      );
      throw e;
    });
    if (i === 2) await handle.signal(pauseSignal);
    if (i === 3) await handle.signal(resumeSignal);
    if (i === 4) await handle.executeUpdate(setParamsUpdate, { args: [{ takeProfitPct: '0.8' }] });
    // The worker's word on the account's circuit breaker (issue 15), and a malformed one it drops.
    if (i === 5) {
      const now = Date.now();
      await handle.signal(circuitBreakerSignal, {
        account: 'paper',
        state: 'open',
        consecutiveFailures: 5,
        openedAt: now,
        since: now,
        lastError: 'HTTP502 (recorded)',
        opens: 1,
      });
      await handle.signal(circuitBreakerSignal, 'open' as never);
    }
    if (i === 6)
      await handle.signal(circuitBreakerSignal, {
        account: 'paper',
        state: 'closed',
        consecutiveFailures: 0,
        openedAt: null,
        since: Date.now(),
        lastError: null,
        opens: 1,
      });
  }
  await handle.cancel();
  await handle.result();

  // `--add` keeps the histories recorded by earlier versions (they must keep replaying too).
  if (!process.argv.includes('--add')) rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  let n = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
    // The CLI's JSON is the format `temporal workflow show` gives users, and what replay accepts.
    const json = execFileSync(
      ensureTemporalCli()!,
      [
        'workflow',
        'show',
        '--address',
        server.address,
        '--workflow-id',
        run.workflowId,
        '--run-id',
        run.runId,
        '--output',
        'json',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const file = path.join(
      OUT,
      `${def.name}-${run.startTime.toISOString().replace(/[:.]/g, '-')}-${run.status.name.toLowerCase()}.json`,
    );
    writeFileSync(file, json);
    n++;
  }
  console.log(`recorded ${n} histories of ${handle.workflowId} into ${path.relative(PROJECT_ROOT, OUT)}`);

  await connection.close();
  await bots.shutdown();
  await running;
  await exchange.close();
  await server.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
