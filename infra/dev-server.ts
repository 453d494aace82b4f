/**
 * The embedded Temporal server: `temporal server start-dev`, with the project's search attributes
 * registered at start. Persistent (SQLite file under data/) for `npm start`, throw-away for tests.
 * Started as a child process we control, so tests can kill -9 it and restart it on the same file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/search-attributes';
import { downloadTemporalCli, ensureTemporalCli } from './temporal-cli';

export interface DevServerOptions {
  /** SQLite file; omit for an in-memory server. */
  readonly dbFile?: string;
  readonly port?: number;
  readonly uiPort?: number;
  readonly headless?: boolean;
  readonly namespace?: string;
  /** Extra `--dynamic-config-value KEY=JSON` settings. */
  readonly dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  /** `--sqlite-pragma NAME=VALUE` settings of the SQLite file, over DEFAULT_SQLITE_PRAGMAS. */
  readonly sqlitePragmas?: Readonly<Record<string, string>>;
  /** Extra environment of the server's process (e.g. GOGC). */
  readonly env?: Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
  /** Where the server's own output goes (default: discarded). */
  readonly logFile?: string;
}

export interface DevServer {
  readonly address: string;
  readonly port: number;
  readonly uiUrl: string | null;
  readonly process: ChildProcess;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** kill -9: the crash a power cut would cause. */
  kill(): Promise<void>;
}

/**
 * The SQLite file in write-ahead-log mode with a full fsync at every commit: as durable as the
 * default rollback journal (a commit is on disk before the server answers, and a kill -9 or a power
 * cut replays the log at the next open), but one sequential write per commit instead of several.
 * Measured by `npm run bench` (bench/README.md): the candle-close burst of 100 bots went from a p99
 * of 11 s to 1.7 s on a 2-core VM.
 */
export const DEFAULT_SQLITE_PRAGMAS: Readonly<Record<string, string>> = { journal_mode: 'wal', synchronous: 'full' };

/**
 * Eager activity dispatch: an order activity scheduled by a bot is handed back to the worker that
 * completed the workflow task, instead of a round trip through the activity task queue.
 *
 * The transfer queue's reader may load new tasks up to 1,000 times a second per shard, not 20.
 * Every signal (a candle, a fill) becomes a workflow task only once the history service's transfer
 * queue has read it back and pushed it to matching; with the default cap, a bot that reacts to a
 * stream waited ~25 ms p50 there for the reader's next token (bench/README.md, fifth pass: candle
 * reaction 42 -> 18 ms). The reader loads only when a commit notifies it (or once a minute), so an
 * idle server does no more reads; a busy one reads smaller batches more often.
 */
export const DEFAULT_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  'system.enableActivityEagerExecution': true,
  'history.transferProcessorMaxPollRPS': 1000,
};

/**
 * The server's Go garbage collector paced at twice its live heap (Go's default: once). In a
 * 1,000-bot candle-close burst the collector took 11 % of the dev server's CPU (a `perf` profile,
 * bench/README.md seventh pass); at GOGC=200 the burst cost the server 10-17 % less CPU, for
 * ~160 MiB more server memory at 1,000 bots (less with fewer). A GOGC the user set is kept.
 */
export const DEFAULT_SERVER_ENV: Readonly<Record<string, string>> = { GOGC: '200' };

/** The server process's environment: ours, then the defaults the user did not set, then `extra`. */
export function devServerEnv(
  parent: NodeJS.ProcessEnv,
  extra: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  const defaults = Object.fromEntries(Object.entries(DEFAULT_SERVER_ENV).filter(([k]) => parent[k] === undefined));
  return { ...parent, ...defaults, ...extra };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? (() => {});
  const cli = ensureTemporalCli(log) ?? (await downloadTemporalCli(log));
  if (!cli)
    throw new Error(
      'The Temporal CLI is not available: install it (https://docs.temporal.io/cli), set TEMPORAL_CLI, install Go so it can be built, or give this machine internet access so the SDK can download it.',
    );
  const port = options.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort ?? port + 1000));
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const { name, type } of SEARCH_ATTRIBUTE_DEFINITIONS) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries({ ...DEFAULT_DYNAMIC_CONFIG, ...options.dynamicConfig }))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  // Pragmas only mean something for a file (the in-memory server has no journal).
  if (options.dbFile)
    for (const [name, value] of Object.entries({ ...DEFAULT_SQLITE_PRAGMAS, ...options.sqlitePragmas }))
      args.push('--sqlite-pragma', `${name}=${value}`);

  const child = spawn(cli, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
    env: devServerEnv(process.env, options.env),
  });
  // Never leave a server behind when this process ends (normally or on an error); after a kill -9
  // of this process the server lives on, and the next start simply reuses it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 250))]);
    if (early !== 'waiting') throw new Error(`temporal server start-dev exited with code ${early}:\n${output}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal dev server did not become ready on ${address}: ${(err as Error).message}\n${output}`);
      }
    }
  }
  const uiUrl = options.headless ? null : `http://localhost:${options.uiPort ?? port + 1000}`;
  log(`Temporal dev server ready on ${address}${uiUrl ? `, Web UI ${uiUrl}` : ''}`);

  const waitExit = async (ms: number) =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  return {
    address,
    port,
    uiUrl,
    process: child,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (!(await waitExit(10_000))) {
        child.kill('SIGKILL');
        await waitExit(5_000);
      }
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await waitExit(5_000);
    },
  };
}
