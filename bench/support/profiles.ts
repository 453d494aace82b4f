/**
 * Settings of the system under measurement. `shipped` is what the product runs today
 * (infra/dev-server.ts and scripts/start.ts defaults: SQLite file in its default rollback-journal
 * mode, no eager activity dispatch; workers/worker.ts tuning). `proposed` is what the benchmark
 * found to change the numbers (bench/README.md says why), measured side by side until the product
 * adopts it.
 */
import type { StackOptions, WorkerTuning } from './stack';

export interface Profile {
  readonly name: string;
  readonly description: string;
  readonly sqlitePragmas?: Readonly<Record<string, string>>;
  readonly dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  readonly tuning?: WorkerTuning;
}

export const PROFILES: Readonly<Record<string, Profile>> = {
  shipped: {
    name: 'shipped',
    description: 'dev server as npm start runs it (SQLite file, rollback journal, fsync per commit); worker as createBotWorker builds it',
  },
  proposed: {
    name: 'proposed',
    description: 'dev server with SQLite WAL (synchronous=FULL: one fsync per commit, same durability) and eager activity dispatch; worker as createBotWorker builds it',
    sqlitePragmas: { journal_mode: 'wal', synchronous: 'full' },
    dynamicConfig: { 'system.enableActivityEagerExecution': true },
  },
  /** For comparison only: what the fsync per commit costs. Not power-safe, never for production. */
  'no-fsync': {
    name: 'no-fsync',
    description: 'as proposed but SQLite synchronous=NORMAL: no fsync per commit, so a power cut may lose the last commits (exactly-once at risk); comparison only',
    sqlitePragmas: { journal_mode: 'wal', synchronous: 'normal' },
    dynamicConfig: { 'system.enableActivityEagerExecution': true },
  },
};

export function stackOptions(profile: Profile, log: (line: string) => void): StackOptions {
  return {
    log,
    ...(profile.sqlitePragmas ? { sqlitePragmas: profile.sqlitePragmas } : {}),
    ...(profile.dynamicConfig ? { dynamicConfig: profile.dynamicConfig } : {}),
    ...(profile.tuning ? { tuning: profile.tuning } : {}),
  };
}
