/**
 * The system under measurement, wired like production on one machine: a Temporal dev server (a
 * child process on a SQLite file, so it can be killed -9 and restarted on the same file), the paper
 * exchange in this process (manual prices: the benchmark decides when a candle closes or a price
 * crosses an order), and the bot worker as a child process (bench/support/worker-entry.ts with the
 * pre-built workflow bundle), so its memory and CPU are its own and it can be killed -9.
 *
 * Order arrival times are taken where the exchange records each request in its audit (after the
 * signature check and the execution, well under a millisecond after the request arrives), with
 * performance.now() so they compare to emission times at sub-millisecond resolution.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { AccountConfig } from '../../activities/exchange-account';
import { startBot } from '../../client/bots';
import type { BotDefinition } from '../../core/bot-definition';
import { type PaperExchange, startPaperExchange } from '../../exchange';
import type { RequestRecord } from '../../exchange/audit';
import { PROJECT_ROOT } from '../../infra/temporal-cli';
import { type BotWorkerOptions, workflowBundleOptions } from '../../workers/worker';
import type { RuntimeOptions } from '../../workflows/messages';
import { type BenchServer, type ServerKind, startBenchServer } from './servers';
import { MANUAL_PAPER_CANDLE_LEAD_MS } from '../../core/candle-check';
import { nameSlug } from '../../core/client-ids';

export const TASK_QUEUE = 'bench';
export const BOT_ACCOUNT = 'bench';
export const BASELINE_ACCOUNT = 'baseline';
/** Enough of everything that thousands of orders never run an account dry. */
const BALANCES = { USDT: '1000000000', BTC: '1000000', ETH: '10000000', BNB: '10000000' };

export type WorkerTuning = NonNullable<BotWorkerOptions['tuning']>;

export interface StackOptions {
  /** Temporal dev-server dynamic config (e.g. eager activity dispatch). */
  readonly dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  /** SQLite pragmas of the dev server's file (e.g. journal_mode=wal). */
  readonly sqlitePragmas?: Readonly<Record<string, string>>;
  /** Worker tuning (BENCH_TUNING of the worker process). */
  readonly tuning?: WorkerTuning;
  /** The Temporal server: the dev server (default) or a real cluster (support/servers.ts). */
  readonly server?: ServerKind;
  /** Worker processes on the bots' task queue (default 1). */
  readonly workers?: number;
  /** Extra environment of the worker processes (e.g. STREAM_DELIVERY=signal). */
  readonly workerEnv?: Readonly<Record<string, string>>;
  /** Extra environment of the dev server's process. */
  readonly serverEnv?: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

/** One order request as it reached the exchange. */
export interface Arrival {
  /** performance.now() of this process when the exchange recorded the request. */
  readonly t: number;
  readonly clientOrderId: string;
  readonly outcome: string;
}

let bundle: Promise<string> | null = null;

/** Bundle the workflows once per benchmark run (what `npm run build:bundle` does for production). */
function workflowBundle(): Promise<string> {
  bundle ??= (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'workflow-bundle.js');
    const quiet = () => {};
    const { code } = await bundleWorkflowCode({
      ...workflowBundleOptions(),
      logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error, log: quiet },
    });
    writeFileSync(file, code);
    return file;
  })();
  return bundle;
}

export class BenchStack {
  readonly arrivals: Arrival[] = [];
  private readonly listeners = new Set<() => void>();
  /** The first worker process (null when none runs); `workers` holds them all. */
  worker: ChildProcess | null = null;
  workers: ChildProcess[] = [];
  baseline: ChildProcess | null = null;
  client!: Client;
  private connection!: Connection;

  private constructor(
    readonly dir: string,
    readonly options: StackOptions,
    readonly server: BenchServer,
    readonly exchange: PaperExchange,
    readonly bundlePath: string,
  ) {}

  static async start(options: StackOptions): Promise<BenchStack> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const bundlePath = await workflowBundle();
    const server = await startBenchServer(options.server ?? 'dev', dir, options);
    const exchange = await startPaperExchange({
      port: 0,
      prices: { kind: 'manual' },
      // The exchange is not what is measured: no fees to drift balances, no rate limits to wait on.
      fees: { maker: '0', taker: '0' },
      rateLimits: false,
      accounts: [
        { name: BOT_ACCOUNT, apiKey: 'bench-bots-key', apiSecret: 'bench-bots-secret', balances: BALANCES },
        {
          name: BASELINE_ACCOUNT,
          apiKey: 'bench-baseline-key',
          apiSecret: 'bench-baseline-secret',
          balances: BALANCES,
        },
      ],
    });
    const stack = new BenchStack(dir, options, server, exchange, bundlePath);
    stack.captureArrivals();
    await stack.connect();
    return stack;
  }

  private async connect(): Promise<void> {
    this.connection = await Connection.connect({ address: this.server.address });
    this.client = new Client({ connection: this.connection, namespace: 'default' });
  }

  /** Order placements as the exchange records them, timed on this process's high-resolution clock. */
  private captureArrivals(): void {
    const audit = this.exchange.audit;
    const record = audit.recordRequest.bind(audit);
    audit.recordRequest = (r: Omit<RequestRecord, 'seq'>): RequestRecord => {
      const t = performance.now();
      const rec = record(r);
      if (r.endpoint === 'POST /api/v3/order' && r.clientIds[0] !== undefined) {
        this.arrivals.push({ t, clientOrderId: r.clientIds[0], outcome: r.outcome });
        for (const listener of this.listeners) listener();
      }
      return rec;
    };
  }

  /** Resolve once `done()` holds (checked after every arrival), or false after `timeoutMs`. */
  waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(ok);
      };
      const check = () => {
        if (done()) finish(true);
      };
      const timer = setTimeout(() => finish(done()), timeoutMs);
      this.listeners.add(check);
    });
  }

  account(name: string, apiKey: string, apiSecret: string): AccountConfig {
    return {
      name,
      apiKey,
      apiSecret,
      httpBase: this.exchange.httpBase,
      wsBase: this.exchange.wsBase,
      wsApi: this.exchange.wsApi,
      recvWindowMs: 5_000,
      backendTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      // Thousands of bots on one paper account: the client-side weight budget must not throttle.
      weightLimitPerMinute: 1_000_000_000,
    };
  }

  get botAccount(): AccountConfig {
    return this.account(BOT_ACCOUNT, 'bench-bots-key', 'bench-bots-secret');
  }

  get baselineAccount(): AccountConfig {
    return this.account(BASELINE_ACCOUNT, 'bench-baseline-key', 'bench-baseline-secret');
  }

  workerEnv(tuning: WorkerTuning | undefined = this.options.tuning): NodeJS.ProcessEnv {
    const a = this.botAccount;
    const prefix = `ACCOUNT_${BOT_ACCOUNT.toUpperCase()}_`;
    return {
      ...process.env,
      ...this.options.workerEnv,
      TEMPORAL_ADDRESS: this.server.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      WORKFLOW_BUNDLE: this.bundlePath,
      BOT_ACCOUNTS: BOT_ACCOUNT,
      [`${prefix}API_KEY`]: a.apiKey,
      [`${prefix}API_SECRET`]: a.apiSecret,
      [`${prefix}HTTP_BASE`]: a.httpBase,
      [`${prefix}WS_BASE`]: a.wsBase,
      [`${prefix}WS_API`]: a.wsApi,
      [`${prefix}RECV_WINDOW_MS`]: String(a.recvWindowMs),
      [`${prefix}BACKEND_TIMEOUT_MS`]: String(a.backendTimeoutMs),
      [`${prefix}REQUEST_TIMEOUT_MS`]: String(a.requestTimeoutMs),
      [`${prefix}WEIGHT_LIMIT`]: String(a.weightLimitPerMinute),
      BENCH_TUNING: JSON.stringify(tuning ?? {}),
    };
  }

  /** Pids of the worker processes running now. */
  workerPids(): number[] {
    return this.workers.map((w) => w.pid!).filter((p) => p !== undefined);
  }

  /** Pids whose memory and CPU count as the server: Temporal's processes, then the database's. */
  serverPids(): number[] {
    return [...this.server.serverPids(), ...this.server.databasePids()];
  }

  /**
   * Start the worker processes (options.workers of them, extra node flags e.g. --cpu-prof);
   * resolves once every one polls, with the time that took.
   */
  async spawnWorker(
    tuning?: WorkerTuning,
    nodeArgs: readonly string[] = [],
  ): Promise<{ child: ChildProcess; readyMs: number }> {
    const t0 = performance.now();
    const n = Math.max(1, this.options.workers ?? 1);
    const entry = path.join(PROJECT_ROOT, 'bench/support/worker-entry.ts');
    const env = this.workerEnv(tuning ?? this.options.tuning);
    this.workers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        spawnChild(
          entry,
          env,
          'polling',
          path.join(this.dir, n === 1 ? 'worker.log' : `worker-${i + 1}.log`),
          nodeArgs,
        ),
      ),
    );
    this.worker = this.workers[0]!;
    return { child: this.worker, readyMs: performance.now() - t0 };
  }

  /** kill -9 every worker: the crash a power cut or the OOM killer would cause. */
  async killWorker(): Promise<void> {
    await Promise.all(this.workers.map(killHard));
    this.workers = [];
    this.worker = null;
  }

  async spawnBaseline(config: object): Promise<ChildProcess> {
    const child = await spawnChild(
      path.join(PROJECT_ROOT, 'bench/support/baseline.ts'),
      { ...process.env, BASELINE_CONFIG: JSON.stringify(config) },
      'ready',
      path.join(this.dir, 'baseline.log'),
    );
    this.baseline = child;
    return child;
  }

  async stopBaseline(): Promise<void> {
    if (this.baseline) await killHard(this.baseline);
    this.baseline = null;
  }

  /** kill -9 the Temporal server (or one part of a cluster: support/servers.ts) and start it again on the same data and ports. */
  async restartServer(part?: string): Promise<{ readyMs: number }> {
    await this.server.kill(part);
    await this.connection.close().catch(() => {});
    const t0 = performance.now();
    await this.server.start(part);
    const readyMs = performance.now() - t0;
    await this.connect();
    return { readyMs };
  }

  /** Start bots, `concurrency` start requests at a time. */
  async startBots(defs: readonly BenchBot[], options?: RuntimeOptions, concurrency = 32): Promise<void> {
    let next = 0;
    const run = async () => {
      while (next < defs.length) {
        const def = defs[next++]!;
        const full = {
          account: BOT_ACCOUNT,
          market: 'spot',
          risk: {},
          onStop: 'leave-orders',
          interval: '1m',
          ...def,
        } as BotDefinition;
        const r = await startBot(this.client, full, TASK_QUEUE, {
          maxCandleLeadMs: MANUAL_PAPER_CANDLE_LEAD_MS,
          ...options,
        });
        if (!r.started) throw new Error(r.message);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, defs.length) }, run));
  }

  async close(): Promise<void> {
    await this.stopBaseline().catch(() => {});
    await this.killWorker().catch(() => {});
    await this.connection?.close().catch(() => {});
    await this.exchange.close().catch(() => {});
    await this.server.close().catch(() => {});
    // BENCH_KEEP=1 keeps the worker and baseline logs and the SQLite file for a look afterwards.
    if (process.env.BENCH_KEEP) this.options.log(`kept ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface BenchBot {
  readonly name: string;
  readonly symbol: string;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly interval?: string;
}

/** The bot a client order id belongs to, by the name slug of its tag (`<slug>_<time>-<seq>`). */
export function slugOf(clientOrderId: string): string {
  return clientOrderId.slice(0, clientOrderId.indexOf('_'));
}

/** True when the bot named `botName` placed the order: ids carry only its name's slug (core/client-ids.ts). */
export function placedBy(clientOrderId: string, botName: string): boolean {
  return slugOf(clientOrderId) === nameSlug(botName);
}

async function spawnChild(
  entry: string,
  env: NodeJS.ProcessEnv,
  readyLine: string,
  logFile: string,
  nodeArgs: readonly string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  // Never leave a child behind when the benchmark ends (normally or on an error).
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${path.basename(entry)} did not start within 90 s:\n${output}`)),
      90_000,
    );
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(entry)} exited with ${code}:\n${output}`));
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyLine)) {
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve();
      }
    });
    child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8000)));
    child.once('exit', onExit);
  });
  log.write(output);
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}
