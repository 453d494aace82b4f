/**
 * The Temporal server under `npm run torture`, and what "kill the server" means for it:
 *
 *   --server dev      the dev server on a SQLite file: kill -9 and restart on the same file.
 *   --server cluster  a real cluster (infra/cluster/cluster.ts: PostgreSQL, four service
 *                     processes, 4 history shards): kill -9 one service and restart it, in turn
 *                     history, matching, history, matching, frontend, history, matching, history,
 *                     matching, then a power cut (PostgreSQL and all four services at once, then
 *                     started again on the same database), and around again.
 *
 * The figures it adds to the torture's last line count each kind of kill, and for the cluster what
 * PostgreSQL holds at the end (pg_executions: rows of the executions table).
 */
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { TemporalCluster } from '../infra/cluster/cluster';
import { startDevServer } from '../infra/dev-server';

export interface TortureServer {
  readonly address: string;
  /** Crash the server (or part of it) and bring it back; returns what happened, for the log. */
  crash(random: () => number): Promise<string>;
  stop(): Promise<void>;
  /** Extra `key=value` figures for the torture's last line (leading space), empty for the dev server. */
  figures(): string;
}

export interface TortureServerOptions {
  /** The torture's scratch folder. */
  readonly dir: string;
  /** The dev server's SQLite file. */
  readonly dbFile: string;
  readonly port: number;
  readonly log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startTortureServer(kind: string, o: TortureServerOptions): Promise<TortureServer> {
  if (kind === 'dev') return devServer(o);
  if (kind === 'cluster') return clusterServer(o);
  throw new Error(`--server ${kind}: dev or cluster`);
}

async function devServer(o: TortureServerOptions): Promise<TortureServer> {
  let server = await startDevServer({ dbFile: o.dbFile, port: o.port, headless: true });
  return {
    address: server.address,
    async crash(random) {
      await server.kill();
      await sleep(random() * 1_000);
      server = await startDevServer({ dbFile: o.dbFile, port: o.port, headless: true });
      return 'Temporal server killed -9, restarted on the same SQLite file';
    },
    stop: () => server.stop(),
    figures: () => '',
  };
}

type ClusterKill = 'history' | 'matching' | 'frontend' | 'power-cut';
const ROTATION: readonly ClusterKill[] = [
  'history',
  'matching',
  'history',
  'matching',
  'frontend',
  'history',
  'matching',
  'history',
  'matching',
  'power-cut',
];

async function clusterServer(o: TortureServerOptions): Promise<TortureServer> {
  // mkdtemp makes the scratch folder private; PostgreSQL (run as the postgres user when we are
  // root) must get through it to its data folder.
  chmodSync(o.dir, 0o711);
  const cluster = await TemporalCluster.start({ home: path.join(o.dir, 'cluster'), log: o.log });
  const kills: Record<ClusterKill, number> = { history: 0, matching: 0, frontend: 0, 'power-cut': 0 };
  let turn = 0;
  let executions: number | null = null;
  return {
    address: cluster.address,
    async crash(random) {
      const what = ROTATION[turn++ % ROTATION.length]!;
      kills[what]++;
      const downMs = Math.round(random() * 1_000);
      if (what === 'power-cut') {
        await cluster.powerCut();
        return 'power cut: PostgreSQL and all four Temporal services killed -9, started again on the same database';
      }
      await cluster.crashService(what, downMs);
      return `Temporal ${what} service killed -9, restarted after ${downMs} ms`;
    },
    async stop() {
      try {
        executions = cluster.counts().executions;
      } finally {
        await cluster.stop();
      }
    },
    figures: () =>
      ` history_kills=${kills.history} matching_kills=${kills.matching} frontend_kills=${kills.frontend} power_cuts=${kills['power-cut']}${executions === null ? '' : ` pg_executions=${executions}`}`,
  };
}
