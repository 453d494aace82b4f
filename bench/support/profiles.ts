/**
 * Settings of the system under measurement. `shipped` is what the product runs (infra/dev-server.ts
 * defaults: SQLite in WAL mode with a full fsync per commit, eager activity dispatch, the transfer
 * queue's reader at up to 1,000 loads/s instead of 20;
 * workers/worker.ts tuning). `previous` is what it ran before the benchmark found the first two
 * settings (SQLite's rollback journal, every activity through the task queue), kept so `--compare`
 * shows what they changed.
 */
import type { StackOptions, WorkerTuning } from './stack';

export interface Profile {
  readonly name: string;
  readonly description: string;
  readonly sqlitePragmas?: Readonly<Record<string, string>>;
  readonly dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  readonly tuning?: WorkerTuning;
  readonly workerEnv?: Readonly<Record<string, string>>;
  /** Extra environment of the dev server's process (e.g. GOGC, its Go garbage collector's pace). */
  readonly serverEnv?: Readonly<Record<string, string>>;
}

export const PROFILES: Readonly<Record<string, Profile>> = {
  shipped: {
    name: 'shipped',
    description:
      'dev server as npm start runs it (SQLite WAL, synchronous=FULL: one fsync per commit; eager activity dispatch); worker as createBotWorker builds it',
  },
  previous: {
    name: 'previous',
    description:
      'dev server as it ran before the benchmark (SQLite rollback journal, fsync per commit; activities through the task queue); worker as createBotWorker builds it',
    sqlitePragmas: { journal_mode: 'delete', synchronous: 'full' },
    dynamicConfig: { 'system.enableActivityEagerExecution': false },
  },
  /** As shipped, but stream events reach bots as signals (the path before Workflow Updates). */
  signals: {
    name: 'signals',
    description:
      'as shipped but candles and order reports delivered as signals (STREAM_DELIVERY=signal), the path before updates',
    workerEnv: { STREAM_DELIVERY: 'signal' },
  },
  /** As shipped, but candles too as updates (5 history events per silent candle instead of 4). */
  updates: {
    name: 'updates',
    description:
      'as shipped but candles as well as order reports delivered as Workflow Updates (STREAM_DELIVERY=update)',
    workerEnv: { STREAM_DELIVERY: 'update' },
  },
  /** As shipped, but a bot's task waits a minute for the worker that caches it, not 10 s. */
  'sticky-60s': {
    name: 'sticky-60s',
    description:
      'as shipped but stickyQueueScheduleToStartTimeout 60 s: a long burst keeps bots on the worker that caches them instead of replaying them elsewhere',
    tuning: { stickyQueueScheduleToStartTimeout: '60s' },
  },
  /** As shipped, but the SDK's per-promise stack-trace hook on (what ran before WORKFLOW_STACK_TRACES). */
  'stack-traces': {
    name: 'stack-traces',
    description:
      "as shipped but WORKFLOW_STACK_TRACES=on: the SDK's per-promise stack-trace hook in the workflow thread, as before 8dfdf45",
    workerEnv: { WORKFLOW_STACK_TRACES: 'on' },
  },
  /** As shipped, but two workflow threads (the SDK's default with a reusable context is one). */
  'threads-2': {
    name: 'threads-2',
    description: 'as shipped but workflowThreadPoolSize 2: bots spread over two workflow threads (two V8 contexts)',
    tuning: { workflowThreadPoolSize: 2 },
  },
  /** As shipped, but the transfer queue's reader at Temporal's default cap (what ran before the fifth pass). */
  'transfer-rps-20': {
    name: 'transfer-rps-20',
    description:
      "as shipped but history.transferProcessorMaxPollRPS 20 (Temporal's default): each signal waits for the transfer reader's next token before it becomes a workflow task",
    dynamicConfig: { 'history.transferProcessorMaxPollRPS': 20 },
  },
  /** As shipped, but the server's caches large enough for 1,000 bots (events cache, SQLite's page cache). */
  'server-caches': {
    name: 'server-caches',
    description:
      "as shipped but history.eventsCacheMaxSizeBytes 64 MiB (Temporal's default: 512 KiB per shard, the dev server has one) and SQLite cache_size 64 MiB (default 2 MiB)",
    sqlitePragmas: { cache_size: '-65536' },
    dynamicConfig: { 'history.eventsCacheMaxSizeBytes': 64 * 1024 * 1024 },
  },
  /** As shipped, but the server's Go garbage collector at Go's default pace (what ran before the seventh pass). */
  'server-gogc-100': {
    name: 'server-gogc-100',
    description:
      "as shipped but the dev server's process with GOGC=100 (Go's default; shipped: 200, infra/dev-server.ts DEFAULT_SERVER_ENV): its garbage collector runs twice as often for a smaller heap",
    serverEnv: { GOGC: '100' },
  },
  /** For comparison only: what the fsync per commit costs. Not power-safe, never for production. */
  'no-fsync': {
    name: 'no-fsync',
    description:
      'as shipped but SQLite synchronous=NORMAL: no fsync per commit, so a power cut may lose the last commits (exactly-once at risk); comparison only',
    sqlitePragmas: { journal_mode: 'wal', synchronous: 'normal' },
  },
};

export function stackOptions(profile: Profile, log: (line: string) => void): StackOptions {
  return {
    log,
    ...(profile.sqlitePragmas ? { sqlitePragmas: profile.sqlitePragmas } : {}),
    ...(profile.dynamicConfig ? { dynamicConfig: profile.dynamicConfig } : {}),
    ...(profile.tuning ? { tuning: profile.tuning } : {}),
    ...(profile.workerEnv ? { workerEnv: profile.workerEnv } : {}),
    ...(profile.serverEnv ? { serverEnv: profile.serverEnv } : {}),
  };
}
