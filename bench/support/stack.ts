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
import { type DevServer, type DevServerOptions, freePort, startDevServer } from '../../infra/dev-server';
import { PROJECT_ROOT } from '../../infra/temporal-cli';
import { type BotWorkerOptions, workflowBundleOptions } from '../../workers/worker';
import type { RuntimeOptions } from '../../workflows/messages';
import { MANUAL_PAPER_CANDLE_LEAD_MS } from '../../core/candle-check';

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
    const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error, log: quiet } });
    writeFileSync(file, code);
    return file;
  })();
  return bundle;
}

export class BenchStack {
  readonly arrivals: Arrival[] = [];
  private readonly listeners = new Set<() => void>();
  worker: ChildProcess | null = null;
  baseline: ChildProcess | null = null;
  client!: Client;
  private connection!: Connection;

  private constructor(
    readonly dir: string,
    readonly options: StackOptions,
    public server: DevServer,
    readonly exchange: PaperExchange,
    readonly bundlePath: string,
    private readonly port: number,
  ) {}

  static async start(options: StackOptions): Promise<BenchStack> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const bundlePath = await workflowBundle();
    const port = await freePort();
    const server = await startDevServer(serverOptions(dir, port, options));
    const exchange = await startPaperExchange({
      port: 0,
      prices: { kind: 'manual' },
      // The exchange is not what is measured: no fees to drift balances, no rate limits to wait on.
      fees: { maker: '0', taker: '0' },
      rateLimits: false,
      accounts: [
        { name: BOT_ACCOUNT, apiKey: 'bench-bots-key', apiSecret: 'bench-bots-secret', balances: BALANCES },
        { name: BASELINE_ACCOUNT, apiKey: 'bench-baseline-key', apiSecret: 'bench-baseline-secret', balances: BALANCES },
      ],
    });
    const stack = new BenchStack(dir, options, server, exchange, bundlePath, port);
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

  /** Start the worker process (extra node flags, e.g. --cpu-prof); resolves once it polls, with the time that took. */
  async spawnWorker(tuning?: WorkerTuning, nodeArgs: readonly string[] = []): Promise<{ child: ChildProcess; readyMs: number }> {
    const t0 = performance.now();
    const child = await spawnChild(path.join(PROJECT_ROOT, 'bench/support/worker-entry.ts'), this.workerEnv(tuning ?? this.options.tuning), 'polling', path.join(this.dir, 'worker.log'), nodeArgs);
    this.worker = child;
    return { child, readyMs: performance.now() - t0 };
  }

  /** kill -9 the worker: the crash a power cut or the OOM killer would cause. */
  async killWorker(): Promise<void> {
    if (this.worker) await killHard(this.worker);
    this.worker = null;
  }

  async spawnBaseline(config: object): Promise<ChildProcess> {
    const child = await spawnChild(path.join(PROJECT_ROOT, 'bench/support/baseline.ts'), { ...process.env, BASELINE_CONFIG: JSON.stringify(config) }, 'ready', path.join(this.dir, 'baseline.log'));
    this.baseline = child;
    return child;
  }

  async stopBaseline(): Promise<void> {
    if (this.baseline) await killHard(this.baseline);
    this.baseline = null;
  }

  /** kill -9 the Temporal server and start it again on the same SQLite file and port. */
  async restartServer(): Promise<{ readyMs: number }> {
    await this.server.kill();
    await this.connection.close().catch(() => {});
    const t0 = performance.now();
    this.server = await startDevServer(serverOptions(this.dir, this.port, this.options));
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
        const full = { account: BOT_ACCOUNT, market: 'spot', risk: {}, onStop: 'leave-orders', interval: '1m', ...def } as BotDefinition;
        const r = await startBot(this.client, full, TASK_QUEUE, { maxCandleLeadMs: MANUAL_PAPER_CANDLE_LEAD_MS, ...options });
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
    await this.server.kill().catch(() => {});
    // BENCH_KEEP=1 keeps the worker and baseline logs and the SQLite file for a look afterwards.
    if (process.env.BENCH_KEEP) this.options.log(`kept ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

function serverOptions(dir: string, port: number, o: StackOptions): DevServerOptions {
  return {
    dbFile: path.join(dir, 'temporal.db'),
    port,
    headless: true,
    ...(o.dynamicConfig ? { dynamicConfig: o.dynamicConfig } : {}),
    ...(o.sqlitePragmas ? { sqlitePragmas: o.sqlitePragmas } : {}),
  };
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

async function spawnChild(entry: string, env: NodeJS.ProcessEnv, readyLine: string, logFile: string, nodeArgs: readonly string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  // Never leave a child behind when the benchmark ends (normally or on an error).
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${path.basename(entry)} did not start within 90 s:\n${output}`)), 90_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(entry)} exited with ${code}:\n${output}`));
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyLine)) {
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve();
      }
    });
    child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8000)));
    child.once('exit', onExit);
  });
  log.write(output);
  child.stdout!.removeAllListeners('data');
  child.stderr!.removeAllListeners('data');
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}
