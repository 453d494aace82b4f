/**
 * A real Temporal cluster on one machine, for `npm run cluster`, `npm run test:cluster` and the
 * benchmark: the pinned server built from the Go module proxy, PostgreSQL (Debian's) holding the
 * `temporal` and `temporal_visibility` databases, and the frontend, history, matching and internal
 * worker services as four processes, with several history shards. Everything listens on 127.0.0.1.
 *
 * Everything lives in one home folder: `postgres/` (the data), `config/` (generated), `logs/`,
 * `run/` (pid files), `cluster.json` (the layout). Starting again on a home reuses its database,
 * its ports and its shard count. Workers and CLIs point at `address` with TEMPORAL_ADDRESS, as at
 * any Temporal server: nothing in the bots knows what server they run on.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { type ServerBinaries, ensureServerBinaries } from './binaries';
import { type ClusterLayout, SERVICES, type ServiceName, layoutFromBase, writeClusterConfig } from './config';
import { prepareNamespace } from './namespace';
import { type Postgres, startPostgres, stopPostgresIfRunning } from './postgres';
import { DEFAULT_DATABASES, type Databases, ensureSchemas } from './schema';
import { ServiceProcess, endLeftoverService } from './services';

export interface ClusterOptions {
  /** The home folder (created on first use). */
  readonly home: string;
  /** Frontend port; the others follow it (config.ts). Omit for free ports (tests, benchmarks). */
  readonly basePort?: number;
  /** History shards for a new database (default 4); an existing database keeps its own. */
  readonly historyShards?: number;
  readonly namespace?: string;
  readonly retentionDays?: number;
  readonly databases?: Databases;
  /** Server log level (default warn). */
  readonly logLevel?: string;
  /** Extra server dynamic config, over the dev server's product defaults. */
  readonly dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  readonly log?: (line: string) => void;
}

export interface ClusterCounts {
  /** Workflow executions (every run) in the `executions` table of the temporal database. */
  readonly executions: number;
  /** Rows of the visibility store (what List/Count read). */
  readonly visibility: number;
  /** Bot executions in visibility by status. */
  readonly botsByStatus: Readonly<Record<string, number>>;
  /** Size on disk of the two databases (MiB), for sizing. */
  readonly databaseMiB: { readonly temporal: number; readonly visibility: number };
  /** History events of the runs in the executions table, and their stored bytes per event. */
  readonly historyEvents: number;
  readonly historyBytesPerEvent: number | null;
}

export class TemporalCluster {
  private constructor(
    readonly home: string,
    readonly layout: ClusterLayout,
    readonly postgres: Postgres,
    readonly services: Readonly<Record<ServiceName, ServiceProcess>>,
    readonly namespace: string,
    private readonly binaries: ServerBinaries,
    private readonly log: (line: string) => void,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.layout.services.frontend.grpc}`;
  }

  get version(): string {
    return this.binaries.version;
  }

  /** Pids of the four service processes (for RSS and CPU figures). */
  pids(): number[] {
    return SERVICES.map((s) => this.services[s].pid).filter((p): p is number => p !== null);
  }

  static async start(o: ClusterOptions): Promise<TemporalCluster> {
    const log = o.log ?? (() => {});
    const home = path.resolve(o.home);
    mkdirSync(home, { recursive: true });
    const binaries = await ensureServerBinaries(log);
    const layout = await resolveLayout(home, o);
    for (const s of SERVICES) endLeftoverService(home, s);
    await checkPortsFree(layout);
    const postgres = startPostgres({ dataDir: path.join(home, 'postgres'), port: layout.postgresPort, log });
    ensureSchemas(postgres, binaries, layout.databases, log);
    const configRoot = writeClusterConfig(home, layout, postgres, {
      ...(o.logLevel ? { logLevel: o.logLevel } : {}),
      ...(o.dynamicConfig ? { dynamicConfig: o.dynamicConfig } : {}),
    });
    const services = Object.fromEntries(
      SERVICES.map((s) => [
        s,
        new ServiceProcess(
          s,
          binaries.server,
          configRoot,
          home,
          s === 'worker' ? layout.services[s].membership : layout.services[s].grpc,
        ),
      ]),
    ) as Record<ServiceName, ServiceProcess>;
    const cluster = new TemporalCluster(home, layout, postgres, services, o.namespace ?? 'default', binaries, log);
    // The services die with this process (services.ts); PostgreSQL runs detached, so a launcher
    // ending without stop() (an uncaught error) shuts the instance it started down on its way out.
    if (postgres.startedHere) process.once('exit', () => stopPostgresIfRunning(postgres.dataDir));
    try {
      // The first process on a new database writes the cluster metadata record; several doing it
      // at once conflict and exit. So history (which owns the shards) first, then the rest.
      await services.history.start();
      await Promise.all(SERVICES.filter((s) => s !== 'history').map((s) => services[s].start()));
      await prepareNamespace(cluster.address, {
        namespace: cluster.namespace,
        retentionDays: o.retentionDays ?? 7,
        log,
      });
    } catch (err) {
      await cluster.stop().catch(() => {});
      throw err;
    }
    log(
      `Temporal cluster v${binaries.version} ready on ${cluster.address}: ${SERVICES.map((s) => `${s} pid ${services[s].pid}`).join(', ')}; ${layout.historyShards} history shards; PostgreSQL 127.0.0.1:${layout.postgresPort}`,
    );
    return cluster;
  }

  /**
   * End what a launcher of `home` that was itself killed -9 left running: its services (by their
   * pid files) and its PostgreSQL. Before a home is wiped or reused by a new run.
   */
  static endLeftovers(home: string): void {
    const dir = path.resolve(home);
    for (const s of SERVICES) endLeftoverService(dir, s);
    stopPostgresIfRunning(path.join(dir, 'postgres'));
  }

  /** kill -9 one service, then start it again on the same ports (the rest of the cluster lives on). */
  async crashService(name: ServiceName, downMs = 0): Promise<void> {
    await this.services[name].kill();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.services[name].start();
  }

  /** kill -9 PostgreSQL and every service at once (a power cut of the whole machine), then start all again. */
  async powerCut(): Promise<void> {
    this.postgres.kill();
    await Promise.all(SERVICES.map((s) => this.services[s].kill()));
    this.postgres.start();
    await Promise.all(SERVICES.map((s) => this.services[s].start()));
  }

  /** What PostgreSQL holds: executions in the temporal database, their visibility rows, bots by status. */
  counts(): ClusterCounts {
    const { temporal, visibility } = this.layout.databases;
    const executions = Number(this.postgres.sql(temporal, 'SELECT count(*) FROM executions'));
    const vis = Number(this.postgres.sql(visibility, 'SELECT count(*) FROM executions_visibility'));
    const rows = this.postgres.sql(
      visibility,
      `SELECT status, count(*) FROM executions_visibility WHERE workflow_type_name = 'botWorkflow' GROUP BY status ORDER BY status`,
    );
    // Visibility stores the status as the enum number of temporal.api.enums.v1.WorkflowExecutionStatus.
    const names = [
      'UNSPECIFIED',
      'RUNNING',
      'COMPLETED',
      'FAILED',
      'CANCELED',
      'TERMINATED',
      'CONTINUED_AS_NEW',
      'TIMED_OUT',
    ];
    const botsByStatus: Record<string, number> = {};
    for (const line of rows.split('\n').filter(Boolean)) {
      const [status, n] = line.split('|');
      botsByStatus[names[Number(status)] ?? status!] = Number(n);
    }
    const mib = (db: string) =>
      Math.round(Number(this.postgres.sql(db, `SELECT pg_database_size('${db}')`)) / 1024 / 102.4) / 10;
    const historyEvents = Number(
      this.postgres.sql(temporal, 'SELECT coalesce(sum(next_event_id - 1), 0) FROM executions'),
    );
    const historyBytes = Number(
      this.postgres.sql(temporal, 'SELECT coalesce(sum(octet_length(data)), 0) FROM history_node'),
    );
    return {
      executions,
      visibility: vis,
      botsByStatus,
      databaseMiB: { temporal: mib(temporal), visibility: mib(visibility) },
      historyEvents,
      historyBytesPerEvent: historyEvents > 0 ? Math.round(historyBytes / historyEvents) : null,
    };
  }

  /**
   * Clean stop: the frontend first (no new requests), then the internal worker, matching and
   * history (which hands its shards back), each with SIGTERM; PostgreSQL last, if this call
   * started it. The database stays for the next start.
   */
  async stop(o: { keepPostgres?: boolean } = {}): Promise<void> {
    const killed: string[] = [];
    for (const s of ['frontend', 'worker', 'matching', 'history'] as const)
      if (!(await this.services[s].stop())) killed.push(s);
    const pg = !o.keepPostgres && this.postgres.startedHere;
    if (pg) this.postgres.stop();
    const how = killed.length === 0 ? 'cleanly' : `(${killed.join(', ')} did not stop within 20 s and were killed)`;
    this.log(`Temporal cluster stopped ${how}${pg ? ', and PostgreSQL' : ''}; data kept in ${this.home}`);
  }
}

/** The home's layout: its saved ports and shards, or a new one (from basePort, or free ports). */
async function resolveLayout(home: string, o: ClusterOptions): Promise<ClusterLayout> {
  const file = path.join(home, 'cluster.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClusterLayout) : null;
  if (saved && o.historyShards !== undefined && o.historyShards !== saved.historyShards) {
    throw new Error(
      `${home} holds a cluster with ${saved.historyShards} history shards; the shard count of a database never changes (use another home for ${o.historyShards})`,
    );
  }
  const databases = o.databases ?? saved?.databases ?? DEFAULT_DATABASES;
  const shards = saved?.historyShards ?? o.historyShards ?? 4;
  let layout: ClusterLayout;
  if (o.basePort !== undefined) layout = layoutFromBase(o.basePort, databases, shards);
  else if (saved) layout = saved;
  else {
    const ports = await distinctFreePorts(14);
    const svc = () => ({ grpc: ports.pop()!, membership: ports.pop()!, metrics: ports.pop()! });
    layout = {
      historyShards: shards,
      postgresPort: ports.pop()!,
      frontendHttpPort: ports.pop()!,
      services: { frontend: svc(), history: svc(), matching: svc(), worker: svc() },
      databases,
    };
  }
  writeFileSync(file, `${JSON.stringify(layout, null, 2)}\n`);
  return layout;
}

/** Refuse to start on ports something else holds (a dev server on 7233, another cluster), naming them. */
async function checkPortsFree(l: ClusterLayout): Promise<void> {
  const wanted: Array<[string, number]> = [['frontend HTTP', l.frontendHttpPort]];
  for (const s of SERVICES)
    wanted.push(
      [`${s} gRPC`, l.services[s].grpc],
      [`${s} membership`, l.services[s].membership],
      [`${s} metrics`, l.services[s].metrics],
    );
  const taken: string[] = [];
  for (const [what, port] of wanted) if (!(await canListen(port))) taken.push(`${port} (${what})`);
  if (taken.length > 0)
    throw new Error(
      `ports in use on 127.0.0.1: ${taken.join(', ')}; is a dev server (npm start) or another cluster running? Choose another --port`,
    );
}

/**
 * `n` different ports free right now, below Linux's ephemeral range (32768+): the membership table
 * stores ports as a smallint (at most 32767), and a port of the ephemeral range, freed by a killed
 * service, can be taken by some outgoing connection before the service restarts on it.
 */
async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < n; tries++) {
    if (tries > 2_000) throw new Error('no free ports between 20000 and 32000 on 127.0.0.1');
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  return [...ports];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A frontend port for layoutFromBase whose every derived port is free now (for tests and scripts). */
export async function freeBasePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const base = 21_000 + Math.floor(Math.random() * 10_000);
    const l = layoutFromBase(base, DEFAULT_DATABASES);
    const ports = [
      l.postgresPort,
      l.frontendHttpPort,
      ...SERVICES.flatMap((s) => [l.services[s].grpc, l.services[s].membership, l.services[s].metrics]),
    ];
    let free = true;
    for (const p of ports) if (!(await canListen(p))) free = false;
    if (free) return base;
  }
  throw new Error('no free block of ports for a cluster between 21000 and 31000');
}
