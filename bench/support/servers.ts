/**
 * The Temporal server a benchmark stack runs on:
 *
 *   dev      the dev server on a SQLite file (infra/dev-server.ts), as `npm start` runs it: one process.
 *   cluster  a real cluster (infra/cluster/cluster.ts): PostgreSQL and four service processes,
 *            4 history shards, as `npm run cluster` runs it.
 *
 * Both expose the pids whose memory and CPU count as "the server", and a kill -9 and restart
 * (the whole dev server; for the cluster, the history service, which owns the bots' state).
 */
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { TemporalCluster } from '../../infra/cluster/cluster';
import { type DevServer, type DevServerOptions, freePort, startDevServer } from '../../infra/dev-server';

export type ServerKind = 'dev' | 'cluster';

export interface BenchServer {
  readonly kind: ServerKind;
  readonly address: string;
  /** The Temporal server's own processes (the dev server; the four cluster services). */
  serverPids(): number[];
  /** The database's processes (PostgreSQL's postmaster and backends); none for the dev server. */
  databasePids(): number[];
  /** What can be killed -9 and restarted: the dev server whole; the cluster's history and matching services. */
  readonly parts: readonly string[];
  /** kill -9 one part (default the first: the dev server, the cluster's history service). */
  kill(part?: string): Promise<void>;
  /** Start what kill() ended, on the same data and ports; resolves once it answers. */
  start(part?: string): Promise<void>;
  close(): Promise<void>;
}

export interface ServerSettings {
  readonly dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  readonly sqlitePragmas?: Readonly<Record<string, string>>;
  readonly serverEnv?: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

export async function startBenchServer(kind: ServerKind, dir: string, s: ServerSettings): Promise<BenchServer> {
  return kind === 'cluster' ? clusterServer(dir, s) : devServer(dir, s);
}

async function devServer(dir: string, s: ServerSettings): Promise<BenchServer> {
  const options: DevServerOptions = {
    dbFile: path.join(dir, 'temporal.db'),
    port: await freePort(),
    headless: true,
    ...(s.dynamicConfig ? { dynamicConfig: s.dynamicConfig } : {}),
    ...(s.sqlitePragmas ? { sqlitePragmas: s.sqlitePragmas } : {}),
    ...(s.serverEnv ? { env: s.serverEnv } : {}),
  };
  let server: DevServer = await startDevServer(options);
  return {
    kind: 'dev',
    address: server.address,
    serverPids: () => [server.pid],
    databasePids: () => [],
    parts: ['server'],
    kill: () => server.kill(),
    async start() {
      server = await startDevServer(options);
    },
    close: () => server.kill(),
  };
}

async function clusterServer(dir: string, s: ServerSettings): Promise<BenchServer> {
  // mkdtemp made the folder private; PostgreSQL runs as the postgres user when we are root.
  chmodSync(dir, 0o711);
  const cluster = await TemporalCluster.start({
    home: path.join(dir, 'cluster'),
    ...(s.dynamicConfig ? { dynamicConfig: s.dynamicConfig } : {}),
    log: s.log,
  });
  return {
    kind: 'cluster',
    address: cluster.address,
    serverPids: () => cluster.pids(),
    databasePids: () => cluster.postgres.pids(),
    parts: ['history', 'matching'],
    kill: (part = 'history') => cluster.services[servicePart(part)].kill(),
    start: (part = 'history') => cluster.services[servicePart(part)].start(),
    async close() {
      // What the run left in PostgreSQL: the sizing figures of deploy/README.md.
      const c = cluster.counts();
      s.log(
        `cluster: PostgreSQL holds ${c.executions} executions, ${c.historyEvents} history events at ${c.historyBytesPerEvent} bytes each; databases ${c.databaseMiB.temporal} + ${c.databaseMiB.visibility} MiB`,
      );
      await cluster.stop();
    },
  };
}

function servicePart(part: string): 'history' | 'matching' {
  if (part !== 'history' && part !== 'matching') throw new Error(`no cluster part ${part} to kill (history, matching)`);
  return part;
}
