/**
 * `npm run torture [-- --kills 1000]`: many bots trade on the paper exchange with faults on,
 * while the driver kills -9 the worker (and, less often, the Temporal dev server, whose SQLite file
 * persists) at random moments and restarts it — and does what users do: twin bot names started in
 * the same second (the same first 12 letters, which once gave them the same client ids), Temporal
 * resets of every type the CLI and Web UI offer, in turn, at random points of random bots (first
 * runs and continued runs; by type, by event id, into the previous run, BuildId as a batch; with and
 * without reapplied signals and updates), terminate + start again under the same name, the
 * worker's own weight budget exhausted, credentials refused on lookups for a while, a strategy
 * that throws on some events. At the end, from the exchange's audit:
 *
 *   - duplicates: client ids that executed more than once (must be 0);
 *   - lost: fills of a running bot's orders it does not know, or positions that disagree (must be 0);
 *   - stuck: bots not running, not caught up, or with work in flight after the settle time (must be 0;
 *     the bots are paused first, so that they stop entering and a quiet moment comes);
 *   - unknown_open: orders still UNKNOWN in a bot at the end (must be 0);
 *   - collisions: client ids found taken by an order that was not the bot's request (must be 0);
 *   - every order open on the exchange is known to exactly one bot (managed, or reported as left by
 *     an earlier incarnation of its name);
 *   - overcommitted: bots whose resting sells exceed what they hold (a decision placed twice, e.g.
 *     a take-profit placed again after a reset next to the adopted one; must be 0);
 *   - orphans_overcommitted: earlier incarnations of a name (terminated, then started again) whose
 *     orders left resting sell more than the fills of that incarnation's own orders left it
 *     (judged against what it held, not the new run's position; must be 0);
 *   - balances: every balance equals its initial amount plus the fills and fees (and the audit's
 *     own conservation checks).
 *
 * `--min-orders N --extend-seconds S`: a slow or loaded machine places fewer orders between two
 * kills; after `--kills` the kill cycles go on (same schedule: resets, restarts, server kills)
 * until the bots have placed N orders and the futures bot 3, for at most S more seconds, so the
 * run always proves the invariants over enough trading (`orders`, `futures_orders` and `kills` in
 * the figures say how much it took). The futures bot is not reset in that extension: on 1m candles,
 * a reset every ~30 s of a loaded machine leaves it few candles that are not delivered again
 * (on those it never enters), and its resets were already made in the planned kills.
 *
 * Prints its figures as the last line and exits non-zero if any invariant fails.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { promisify, parseArgs } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { pauseBot, startBot } from '../client/bots';
import { MANUAL_PAPER_CANDLE_LEAD_MS } from '../core/candle-check';
import type { BotDefinition } from '../core/bot-definition';
import { seededRandom } from '../core/random';
import { startPaperExchange } from '../exchange';
import { FAULTS, RESETS, RESET_EVERY, RESTART_EVERY, SMALL_BUDGET_EVERY } from './torture-plan';
import { freePort } from '../infra/dev-server';
import { ensureTemporalCli } from '../infra/temporal-cli';
import { killHard, spawnWorkerProcess } from '../infra/worker-process';
import { tagOf } from '../core/client-ids';
import { workflowBundleOptions } from '../workers/worker';
import { startTortureServer } from './torture-server';
import { incarnationOvercommitments, overcommitment } from './torture-checks';
import { balanceProblems, disagreements, ownershipProblems } from './torture-consistency';
import {
  FUTURES_BOT,
  FUTURES_WALLET,
  futuresDefinition,
  futuresDisagreements,
  futuresFigures,
} from './torture-futures';
import { type BotStateView, type RuntimeOptions, stateQuery } from '../workflows/messages';

const { values: args } = parseArgs({
  options: {
    kills: { type: 'string', default: '30' },
    bots: { type: 'string', default: '6' },
    'server-kill-every': { type: 'string', default: '10' },
    seed: { type: 'string', default: '7' },
    'settle-timeout': { type: 'string', default: '180' },
    'min-orders': { type: 'string', default: '0' },
    'extend-seconds': { type: 'string', default: '300' },
    quiet: { type: 'boolean', default: false },
    // dev (SQLite dev server) or cluster (PostgreSQL, four service processes): scripts/torture-server.ts
    server: { type: 'string', default: 'dev' },
  },
});

const KILLS = Number(args.kills);
const BOTS = Number(args.bots);
const SERVER_KILL_EVERY = Number(args['server-kill-every']);
const SETTLE_TIMEOUT_MS = Number(args['settle-timeout']) * 1000;
const MIN_ORDERS = Number(args['min-orders']);
const EXTEND_MS = Number(args['extend-seconds']) * 1000;
/** With `--min-orders`: the futures bot's orders the extension waits for too (entries, take-profits). */
const MIN_FUTURES_ORDERS = 3;
const INITIAL = { USDT: '1000000', BTC: '0', ETH: '0' };
const API_KEY = 'torture-key-4f1c2a';
const API_SECRET = 'torture-secret-9b7e3d51c0a8';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => {
  if (!args.quiet) console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
};

async function main(): Promise<number> {
  const random = seededRandom(Number(args.seed)); // same seed, same kill schedule
  const faultRandom = seededRandom(Number(args.seed) + 1); // the fault timer's own stream: it ticks on its own clock
  const dir = mkdtempSync(path.join(os.tmpdir(), 'torture-'));
  const dbFile = path.join(dir, 'temporal.db');
  const port = await freePort();
  const server = await startTortureServer(args.server, { dir, dbFile, port, log });
  const exchange = await startPaperExchange({
    port: 0,
    accounts: [
      { name: 'paper', apiKey: API_KEY, apiSecret: API_SECRET, balances: INITIAL, futuresBalances: FUTURES_WALLET },
    ],
    prices: { kind: 'random-walk', seed: Number(args.seed), tickMs: 100, volatility: 0.0008, history: 50 },
    backendTimeoutMs: 1_000,
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(
    bundlePath,
    (
      await bundleWorkflowCode({
        ...workflowBundleOptions(),
        logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
      })
    ).code,
  );
  const taskQueue = 'torture';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE: bundlePath,
    LOG_LEVEL: 'ERROR',
    BOT_ACCOUNTS: 'paper',
    ACCOUNT_PAPER_API_KEY: API_KEY,
    ACCOUNT_PAPER_API_SECRET: API_SECRET,
    ACCOUNT_PAPER_HTTP_BASE: exchange.httpBase,
    ACCOUNT_PAPER_WS_BASE: exchange.wsBase,
    ACCOUNT_PAPER_WS_API: exchange.wsApi,
    ACCOUNT_PAPER_RECV_WINDOW_MS: '1000',
    ACCOUNT_PAPER_BACKEND_TIMEOUT_MS: '1000',
    ACCOUNT_PAPER_REQUEST_TIMEOUT_MS: '2500',
    // The exchange enforces Binance's 6,000 weight a minute: the worker's budget keeps its bots under it.
    ACCOUNT_PAPER_WEIGHT_LIMIT: '6000',
  };
  const workerLog = path.join(dir, 'worker.log');
  let worker: ChildProcess = await spawnWorkerProcess(env, workerLog);
  let connection = await Connection.connect({ address: server.address });
  let client = new Client({ connection });

  const options: RuntimeOptions = {
    attemptTimeout: '5s',
    continueAsNewAfterEvents: 150,
    reconcile: { openOrdersEveryMs: 5_000, staleEveryMs: 3_000, staleAfterMs: 4_000, idleEveryMs: 20_000 },
    // The manual paper exchange closes candles ahead of the wall clock.
    maxCandleLeadMs: MANUAL_PAPER_CANDLE_LEAD_MS,
  };
  const definition = (name: string, i: number, strategy = i === 3 ? 'fault-dca' : 'dca-take-profit'): BotDefinition => {
    const symbol = i % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT';
    return {
      name,
      strategy,
      symbol,
      interval: '1s',
      account: 'paper',
      market: 'spot',
      risk: {},
      onStop: 'cancel-orders',
      params: {
        everyCandles: 2 + (i % 3),
        quantity: symbol === 'BTCUSDT' ? '0.002' : '0.03',
        takeProfitPct: ['0.05', '0.1', '0.15'][i % 3]!,
        maxLots: 3,
        ...(strategy === 'fault-dca' ? { throwEvery: 7 } : {}),
      },
    };
  };
  const bots = new Map<string, BotDefinition>();
  for (let i = 0; i < BOTS; i++) bots.set(`torture-${i + 1}`, definition(`torture-${i + 1}`, i));
  // Twins: the same first 12 letters, the same symbol, started in the same second by one command.
  bots.set('torture-twin-bot-a', definition('torture-twin-bot-a', 0));
  bots.set('torture-twin-bot-b', definition('torture-twin-bot-b', 0));
  bots.set(FUTURES_BOT, futuresDefinition()); // through the kills, faults and resets; not terminated (torture-futures.ts)
  await Promise.all([...bots.values()].map((def) => startBot(client, def, taskQueue, options)));
  const names = [...bots.keys()];
  const spotNames = names.filter((n) => n !== FUTURES_BOT);
  log(`${names.length} bots started (twins and a strategy that throws among them); worker log: ${workerLog}`);

  const cli = ensureTemporalCli();
  if (!cli) throw new Error('the Temporal CLI is needed for resets');
  const run = promisify(execFile);
  let resets = 0;
  let futuresResets = 0;
  let resetsRefused = 0;
  const resetKinds = new Set<string>();
  let restarts = 0;
  let smallBudgets = 0;

  const isTaskCompleted = (e: { eventType?: unknown }) =>
    String(e.eventType) === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED' || e.eventType === 7;
  const randomTask = (events: ReadonlyArray<{ eventType?: unknown; eventId?: unknown }>) => {
    const points = events.filter(isTaskCompleted).map((e) => Number(e.eventId));
    return points.length < 2 ? null : points[1 + Math.floor(random() * (points.length - 1))]!;
  };

  /** The CLI arguments of a reset of `kind` for this bot, or null when it does not apply to its current run. */
  async function resetArgs(name: string, kind: readonly string[]): Promise<string[] | null> {
    const handle = client.workflow.getHandle(`bot-${name}`);
    const events = (await handle.fetchHistory()).events ?? [];
    const continuedFrom = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || null;
    switch (kind[0]) {
      case 'event-id': {
        const point = randomTask(events);
        return point === null ? null : ['--workflow-id', `bot-${name}`, '--event-id', String(point), ...kind.slice(1)];
      }
      case 'previous-run': {
        if (!continuedFrom) return null;
        const point = randomTask(
          (await client.workflow.getHandle(`bot-${name}`, continuedFrom).fetchHistory()).events ?? [],
        );
        return point === null
          ? null
          : ['--workflow-id', `bot-${name}`, '--run-id', continuedFrom, '--event-id', String(point)];
      }
      case 'build-id': {
        const completed = events.find(
          (e) => e.workflowTaskCompletedEventAttributes,
        )?.workflowTaskCompletedEventAttributes;
        const buildId =
          completed?.workerVersion?.buildId || completed?.deploymentVersion?.buildId || completed?.binaryChecksum;
        return buildId
          ? ['--query', `WorkflowId = 'bot-${name}'`, '--type', 'BuildId', '--build-id', buildId, '--yes']
          : null;
      }
      default:
        if (kind.includes('LastContinuedAsNew') && !continuedFrom) return null;
        return ['--workflow-id', `bot-${name}`, ...kind];
    }
  }

  /** A reset as the Web UI or `temporal workflow reset` does it: this kind, on `first` or, if it does not apply there, another bot. */
  async function reset(first: string, kind: readonly string[]): Promise<void> {
    const order = [first, ...spotNames.filter((n) => n !== first)];
    for (const name of order) {
      let cliArgs: string[] | null;
      try {
        cliArgs = await resetArgs(name, kind);
      } catch {
        cliArgs = null;
      }
      if (!cliArgs) continue;
      const before = await client.workflow
        .getHandle(`bot-${name}`)
        .describe()
        .then(
          (d) => d.runId,
          () => null,
        );
      try {
        await run(cli!, ['workflow', 'reset', '--reason', 'torture', ...cliArgs, '--address', server.address], {
          encoding: 'utf8',
        });
        // A batch reset runs on the server a moment later.
        if (kind[0] === 'build-id') {
          const until = Date.now() + 15_000;
          while (
            Date.now() < until &&
            (await client.workflow
              .getHandle(`bot-${name}`)
              .describe()
              .then(
                (d) => d.runId,
                () => before,
              )) === before
          )
            await sleep(250);
        }
        resets++;
        if (name === FUTURES_BOT) futuresResets++;
        resetKinds.add(kind.join(' '));
        log(`reset bot-${name} ${cliArgs.join(' ')}`);
      } catch (err) {
        // e.g. a run that continued as new a moment ago has no completed task to reset to yet
        resetsRefused++;
        log(
          `reset bot-${name} ${cliArgs.join(' ')} refused: ${String((err as { stderr?: string }).stderr ?? err)
            .trim()
            .split('\n')
            .at(-1)}`,
        );
      }
      return;
    }
    resetsRefused++;
    log(`reset ${kind.join(' ')}: applies to no bot's current run yet`);
  }

  /** Terminate (the Web UI's Terminate button), then start it again under the same name. */
  async function terminateAndRestart(name: string): Promise<void> {
    await client.workflow
      .getHandle(`bot-${name}`)
      .terminate('torture: operator pressed Terminate')
      .catch(() => {});
    await startBot(client, bots.get(name)!, taskQueue, options);
    restarts++;
    log(`terminated bot-${name} and started it again`);
  }

  let kills = 0;
  let serverKills = 0;
  let faultsInjected = 0;
  const faultTimer = setInterval(() => {
    const rule = FAULTS[Math.floor(faultRandom() * FAULTS.length)]!;
    exchange.faults.add({ count: 1, ...rule });
    faultsInjected++;
  }, 700);

  // After the planned kills, more of the same until enough orders were placed (bounded in time).
  let extendUntil: number | null = null;
  const futuresOrders = () => exchange.futures.perp.allOrders('paper', 'BTCUSDT').length;
  const goOn = (): boolean => {
    if (kills < KILLS) return true;
    if (MIN_ORDERS === 0) return false;
    if (exchange.audit.summary().ordersCreated >= MIN_ORDERS && futuresOrders() >= MIN_FUTURES_ORDERS) return false;
    extendUntil ??= Date.now() + EXTEND_MS;
    if (kills === KILLS)
      log(
        `${KILLS} kills with ${exchange.audit.summary().ordersCreated} orders placed (futures ${futuresOrders()}): going on until ${MIN_ORDERS} (futures ${MIN_FUTURES_ORDERS}), at most ${EXTEND_MS / 1000} s`,
      );
    return Date.now() < extendUntil;
  };
  while (goOn()) {
    await sleep(500 + random() * 2_500);
    const pick = spotNames[Math.floor(random() * spotNames.length)]!;
    // Every other reset is the futures bot's (odd turns: the event-id and previous-run kinds).
    const turn = Math.floor(kills / RESET_EVERY);
    const futuresTurn = turn % 2 === 1 && kills < KILLS;
    if (kills % RESET_EVERY === 1) await reset(futuresTurn ? FUTURES_BOT : pick, RESETS[turn % RESETS.length]!);
    if (kills % RESTART_EVERY === 5) await terminateAndRestart(spotNames[Math.floor(random() * spotNames.length)]!);
    kills++;
    await killHard(worker);
    if (SERVER_KILL_EVERY > 0 && kills % SERVER_KILL_EVERY === 0) {
      serverKills++;
      const what = await server.crash(random);
      await connection.close().catch(() => {});
      connection = await Connection.connect({ address: server.address });
      client = new Client({ connection });
      log(`kill ${kills}: worker killed -9; ${what}`);
    } else {
      log(`kill ${kills}: worker killed -9`);
    }
    if (random() < 0.3) await sleep(random() * 2_000); // sometimes stay down a while
    // Now and then a worker whose own weight budget its bots exhaust (reconciliations, lookups).
    const small = kills % SMALL_BUDGET_EVERY === 0;
    if (small) smallBudgets++;
    worker = await spawnWorkerProcess(small ? { ...env, ACCOUNT_PAPER_WEIGHT_LIMIT: '300' } : env, workerLog);
  }
  clearInterval(faultTimer);
  exchange.faults.clear();
  await killHard(worker);
  worker = await spawnWorkerProcess(env, workerLog);
  // Bots on 1 s candles never stop trading by themselves: pause them (no new entries; their open
  // orders are still managed, take-profits still fill) so that a moment comes when all agree.
  const paused = new Set<string>();
  for (let tries = 0; tries < 60 && paused.size < names.length; tries++) {
    for (const n of names.filter((x) => !paused.has(x)))
      await pauseBot(client, n).then(
        () => paused.add(n),
        () => {},
      );
    if (paused.size < names.length) await sleep(500);
  }
  log(`faults off, ${paused.size} bots paused; waiting for every bot to settle`);

  // ---- settle and check ------------------------------------------------------------------------
  const problems: string[] = [];
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let states: BotStateView[] = [];
  let lastIssues: string[] = [];
  while (Date.now() < deadline) {
    states = await Promise.all(names.map((n) => client.workflow.getHandle(`bot-${n}`).query(stateQuery))).catch(
      () => [],
    );
    lastIssues =
      states.length === names.length
        ? [
            ...states.flatMap((s) => (s.name === FUTURES_BOT ? futuresDisagreements : disagreements)(s, exchange)),
            ...ownershipProblems(states, exchange),
          ]
        : ['bots not answering queries'];
    if (lastIssues.length === 0) break;
    await sleep(1_000);
  }
  const stuck = lastIssues.length === 0 ? 0 : new Set(lastIssues.map((l) => l.split(':')[0])).size;
  problems.push(...lastIssues);

  const venue = exchange.venue;
  const fills = venue.allFills().filter((f) => f.accountId === 'paper');
  const duplicates = exchange.audit.duplicates().length;
  // A running bot's fills it does not know (per bot above); fills of terminated incarnations'
  // orders are theirs, reported by the incarnation that followed (left_fills).
  const futuresState = states.find((s) => s.name === FUTURES_BOT);
  const futures = futuresFigures(futuresState, exchange);
  if (futures.duplicates > 0) problems.push(`${futures.duplicates} futures client ids executed twice`);
  const spotStates = states.filter((s) => s !== futuresState); // the spot venue's checks
  const running = new Set(spotStates.map((s) => s.clientIdTag));
  const runningFills = fills.filter((f) => running.has(tagOf(f.clientOrderId) ?? ''));
  const knownFills = spotStates.reduce((n, s) => n + s.stats.fills, 0);
  const lost = Math.max(0, runningFills.length - knownFills);
  if (lost > 0) problems.push(`${lost} fills of running bots' orders are in no bot's state`);
  problems.push(...balanceProblems(exchange, INITIAL), ...exchange.audit.check(venue));
  problems.push(...exchange.futures.audit.check(exchange.futures.perp));
  const unknownOpen = states.reduce((n, s) => n + s.openOrders.filter((o) => o.status === 'UNKNOWN').length, 0);
  const collisions = states.reduce((n, s) => n + (s.stats.collisions ?? 0), 0);
  const adopted = states.reduce((n, s) => n + (s.stats.adopted ?? 0), 0);
  const strategyErrors = states.reduce((n, s) => n + (s.stats.strategyErrors ?? 0), 0);
  if (unknownOpen > 0) problems.push(`${unknownOpen} orders still UNKNOWN`);
  if (collisions > 0) problems.push(`${collisions} client id collisions`);
  const overcommitted = spotStates.filter((s) => overcommitment(s).gt(0)).length;
  const orphanExcess =
    spotStates.length === spotNames.length ? incarnationOvercommitments(exchange.venue, 'paper', running) : [];
  problems.push(...orphanExcess);
  const orders = exchange.audit.summary().ordersCreated;
  for (const s of states) {
    const mine = exchange.venue
      .allOrders('paper', s.symbol)
      .filter((o) => tagOf(o.clientOrderId) === s.clientIdTag).length;
    log(
      `${s.name}: generation ${s.generation}, ${mine} orders on the exchange, ${s.stats.fills} fills, ${s.stats.adopted ?? 0} adopted, ${s.stats.ordersRejected} rejected, ${s.stats.strategyErrors ?? 0} strategy errors, position ${s.position.qty}, ${s.openOrders.length} open, ${s.inherited.length} inherited`,
    );
  }
  const rateLimited = exchange.audit.requests().filter((r) => r.httpStatus === 429 || r.httpStatus === 418).length;

  await killHard(worker);
  await connection.close().catch(() => {});
  await exchange.close();
  await server.stop();
  if (problems.length === 0) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir} for inspection`);

  for (const p of problems.slice(0, 30)) console.log(`PROBLEM ${p}`);
  console.log(
    `kills=${kills} extra_kills=${Math.max(0, kills - KILLS)} server_kills=${serverKills}${server.figures()} bots=${names.length} orders=${orders} fills=${fills.length} left_fills=${fills.length - runningFills.length} faults=${faultsInjected} rate_limited=${rateLimited} ` +
      `${futures.line} futures_resets=${futuresResets} resets=${resets} reset_kinds=${resetKinds.size} resets_refused=${resetsRefused} restarts=${restarts} small_budgets=${smallBudgets} adopted=${adopted} strategy_errors=${strategyErrors} ` +
      `duplicates=${duplicates} lost=${lost} stuck=${stuck} overcommitted=${overcommitted} orphans_overcommitted=${orphanExcess.length} unknown_open=${unknownOpen} collisions=${collisions}`,
  );
  return problems.length === 0 &&
    duplicates === 0 &&
    lost === 0 &&
    stuck === 0 &&
    overcommitted === 0 &&
    unknownOpen === 0 &&
    collisions === 0
    ? 0
    : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
