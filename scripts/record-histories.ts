/**
 * Record workflow histories from real runs (dev server + paper exchange + worker) into
 * tests/replay/histories/, for the replay tests that guard determinism:
 *
 *   npm run record:histories                      (every scenario; replaces their histories)
 *   npm run record:histories -- --add             (adds this version's, keeping the older ones)
 *   npm run record:histories -- --add oco warmup  (only these scenarios)
 *
 * The scenarios (scripts/record-histories/scenarios.ts): dca, an OCO strategy (smart-trade), a
 * strategy with data requests (rsi-dip's warm-up) and the multi-symbol portfolio (macd-portfolio).
 * Re-record only on purpose: a history that no longer replays means running bots would break on
 * upgrade (use `patched()` for changes that must stay compatible with running bots).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { AccountConfig } from '../activities/exchange-account';
import { startBot } from '../client/bots';
import { MANUAL_PAPER_CANDLE_LEAD_MS } from '../core/candle-check';
import { startPaperExchange } from '../exchange';
import { startDevServer } from '../infra/dev-server';
import { PROJECT_ROOT, ensureTemporalCli } from '../infra/temporal-cli';
import { createBotWorker } from '../workers/worker';
import { botWorkflowId } from '../workflows/messages';
import { type PaperExchange, SCENARIOS, type Scenario } from './record-histories/scenarios';

const OUT = path.join(PROJECT_ROOT, 'tests', 'replay', 'histories');
const TASK_QUEUE = 'record-histories';
const KEY = 'record-key';
const SECRET = 'record-secret';

function paperExchange(
  prices: NonNullable<Parameters<typeof startPaperExchange>[0]>['prices'],
): Promise<PaperExchange> {
  return startPaperExchange({
    port: 0,
    prices,
    accounts: [{ name: 'paper', apiKey: KEY, apiSecret: SECRET, balances: { USDT: '100000' } }],
  });
}

function account(name: string, exchange: PaperExchange): AccountConfig {
  return {
    name,
    apiKey: KEY,
    apiSecret: SECRET,
    httpBase: exchange.httpBase,
    wsBase: exchange.wsBase,
    wsApi: exchange.wsApi,
    recvWindowMs: 1000,
    backendTimeoutMs: 1000,
    requestTimeoutMs: 3000,
    weightLimitPerMinute: 100_000,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const add = args.includes('--add');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (unknown.length > 0)
    throw new Error(`unknown scenario(s) ${unknown.join(', ')}: choose from ${Object.keys(SCENARIOS).join(', ')}`);
  const chosen = (names.length > 0 ? names : Object.keys(SCENARIOS)).map((n) => [n, SCENARIOS[n]!] as const);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({ headless: true });
  const manual = await paperExchange({ kind: 'manual' });
  // Never ticks during a recording (prices move only when a scenario says), with daily history.
  const walk = await paperExchange({ kind: 'random-walk', seed: 7, tickMs: 3_600_000, history: 300 });
  const bots = await createBotWorker({
    temporal: { address: server.address, namespace: 'default', taskQueue: TASK_QUEUE },
    accounts: [account('paper', manual), account('walk', walk)],
    log: () => {},
  });
  const running = bots.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });

  mkdirSync(OUT, { recursive: true });
  try {
    for (const [name, scenario] of chosen) {
      const n = await record(client, server.address, scenario, { manual, walk }, add);
      console.log(`${name}: recorded ${n} histories of ${botWorkflowId(scenario.definition.name)}`);
    }
  } finally {
    await bots.shutdown();
    await running;
    await connection.close();
    await manual.close();
    await walk.close();
    await server.stop();
  }
}

async function record(
  client: Client,
  address: string,
  scenario: Scenario,
  exchanges: { manual: PaperExchange; walk: PaperExchange },
  add: boolean,
): Promise<number> {
  const def = scenario.definition;
  const r = await startBot(client, def, TASK_QUEUE, {
    ...scenario.options,
    maxCandleLeadMs: MANUAL_PAPER_CANDLE_LEAD_MS,
  });
  if (!r.started) throw new Error(`${def.name}: ${r.message}`);
  const handle = client.workflow.getHandle(botWorkflowId(def.name));
  await scenario.drive({ client, handle, ...exchanges });
  // A bot that stopped itself still runs (it answers queries); cancelling completes the run.
  const { status } = await handle.describe();
  if (status.name === 'RUNNING') await handle.cancel();
  await handle.result();

  // `--add` keeps the histories recorded by earlier versions (they must keep replaying too).
  if (!add)
    for (const f of readdirSync(OUT))
      if (f.startsWith(`${def.name}-`) && /^\d{4}-/.test(f.slice(def.name.length + 1))) rmSync(path.join(OUT, f));
  let n = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
    // The CLI's JSON is the format `temporal workflow show` gives users, and what replay accepts
    // (stored without indentation: a quarter smaller).
    const json = execFileSync(
      ensureTemporalCli()!,
      [
        'workflow',
        'show',
        '--address',
        address,
        '--workflow-id',
        run.workflowId,
        '--run-id',
        run.runId,
        '--output',
        'json',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const time = run.startTime.toISOString().replace(/[:.]/g, '-');
    const file = path.join(OUT, `${def.name}-${time}-${run.status.name.toLowerCase()}.json`);
    writeFileSync(file, `${JSON.stringify(JSON.parse(json))}\n`);
    n++;
  }
  return n;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
