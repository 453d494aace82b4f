/**
 * A PostgreSQL instance of the project's own, from Debian's postgresql-15 binaries: `initdb` into a
 * git-ignored folder (first run), started with pg_ctl on 127.0.0.1 and a port of its own, no Unix
 * socket — so it never meets the machine's other PostgreSQL clusters or their users. Running it
 * again on the same folder reuses the data; an instance already running on the folder is reused.
 *
 * PostgreSQL refuses to run as root: as root, every pg_* binary runs as the `postgres` user (which
 * the Debian package creates), and the data folder belongs to it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface PostgresOptions {
  /** The data folder (created by initdb on first use). */
  readonly dataDir: string;
  readonly port: number;
  readonly user?: string;
  readonly password?: string;
  readonly log?: (line: string) => void;
}

export interface Postgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dataDir: string;
  /** Whether this call started it (false: it was already running and is left running). */
  readonly startedHere: boolean;
  /** Run SQL with psql and return its unaligned, tuples-only output. */
  sql(database: string, statement: string): string;
  /** The postmaster's pid, or null when it is not running. */
  pid(): number | null;
  /** The postmaster and its backends (for memory and CPU figures). */
  pids(): number[];
  /** Clean shutdown (fast mode: transactions rolled back, a checkpoint written). */
  stop(): void;
  /** kill -9 of the postmaster: a power cut for the database (WAL replay on the next start). */
  kill(): void;
  /** Start again on the same data (after stop or kill). */
  start(): void;
}

/** Debian's layout first (/usr/lib/postgresql/<major>/bin), newest major first; PG_BIN overrides. */
export function findPostgresBin(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    // Temporal's postgres12 plugin wants 12 or newer; the project pins 15 in .ci/run.
    for (const m of majors)
      if (Number(m) >= 12 && existsSync(path.join(root, m, 'bin', 'initdb'))) return path.join(root, m, 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    /* no pg_config */
  }
  return null;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function dbOwner(): { uid: number; gid: number } | null {
  if (!isRoot()) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line)
    throw new Error(
      'running as root but there is no postgres user to run PostgreSQL as (install the postgresql package, or run as an ordinary user)',
    );
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export function startPostgres(o: PostgresOptions): Postgres {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      'PostgreSQL is not installed: apt-get install postgresql-15 (or set PG_BIN to the folder of initdb and pg_ctl)',
    );
  const log = o.log ?? (() => {});
  const user = o.user ?? 'temporal';
  const password = o.password ?? 'temporal';
  const dataDir = path.resolve(o.dataDir);
  const owner = dbOwner();
  const logFile = path.join(dataDir, 'postgres.log');

  const run = (
    tool: string,
    args: readonly string[],
    opts: { input?: string; env?: NodeJS.ProcessEnv; allowFail?: boolean } = {},
  ) => {
    const exe = path.join(bin, tool);
    // runuser keeps our environment (PGPASSWORD) and needs no password as root.
    const [cmd, argv] = owner ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, [...args]];
    const r = spawnSync(cmd, argv, {
      encoding: 'utf8',
      input: opts.input,
      env: { ...process.env, ...opts.env },
      cwd: '/',
    });
    if (r.status !== 0 && !opts.allowFail)
      throw new Error(
        `${tool} ${args.join(' ')} failed (${r.status}):\n${r.stderr || r.stdout}${tool === 'pg_ctl' ? `\n${tail(logFile)}` : ''}`,
      );
    return r;
  };

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true });
    // Only the data folder itself is private; the folders above must let the postgres user through.
    mkdirSync(path.dirname(dataDir), { recursive: true });
    mkdirSync(dataDir, { mode: 0o700 });
    chmodSync(dataDir, 0o700);
    if (owner) {
      chownSync(dataDir, owner.uid, owner.gid);
      if (spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dataDir]).status !== 0) {
        throw new Error(
          `the postgres user cannot reach ${dataDir}: let it through the folders above (chmod o+x) or choose a data folder elsewhere`,
        );
      }
    }
    const pwFile = path.join(path.dirname(dataDir), `.pgpass-init-${process.pid}`);
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(pwFile, owner.uid, owner.gid);
    log(`initdb ${dataDir} (PostgreSQL ${path.basename(path.dirname(bin))}, superuser ${user})`);
    try {
      run('initdb', [
        '-D',
        dataDir,
        '-U',
        user,
        `--pwfile=${pwFile}`,
        '--auth-local=scram-sha-256',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
      ]);
    } finally {
      rmSync(pwFile, { force: true });
    }
  }

  const pidOf = (): number | null => {
    const file = path.join(dataDir, 'postmaster.pid');
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    if (!pid) return null;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return null; // a stale pid file after a kill -9: pg_ctl start cleans it up
    }
  };

  // Settings on the command line, not in postgresql.conf, so one data folder can move ports.
  // max_connections: four Temporal services hold up to ~25 connections each.
  const options = [
    `-c listen_addresses=127.0.0.1`,
    `-c port=${o.port}`,
    `-c unix_socket_directories=''`,
    '-c max_connections=300',
    '-c shared_buffers=128MB',
  ].join(' ');
  const start = () => {
    for (let attempt = 1; ; attempt++) {
      if (pidOf()) return;
      const r = run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options], {
        allowFail: attempt < 5,
      });
      if (r.status === 0) return;
      // Right after a kill -9 the old shared memory can still be attached for a moment.
      spawnSync('sleep', ['1']);
    }
  };
  const env = { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' };
  const startedHere = pidOf() === null;
  start();
  log(`PostgreSQL ${startedHere ? 'started' : 'already running'} on 127.0.0.1:${o.port} (data ${dataDir})`);

  return {
    host: '127.0.0.1',
    port: o.port,
    user,
    password,
    dataDir,
    startedHere,
    sql(database, statement) {
      const r = run(
        'psql',
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(o.port),
          '-U',
          user,
          '-d',
          database,
          '-v',
          'ON_ERROR_STOP=1',
          '-At',
          '-c',
          statement,
        ],
        { env },
      );
      return r.stdout.trim();
    },
    pid: pidOf,
    pids() {
      const pid = pidOf();
      return pid === null ? [] : [pid, ...childrenOf(pid)];
    },
    stop() {
      if (!pidOf()) return;
      run('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
    },
    kill() {
      const pid = pidOf();
      if (!pid) return;
      // A power cut stops every process at once: the postmaster and all its backends.
      const all = [pid, ...childrenOf(pid)];
      for (const p of all) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && all.some(alive)) spawnSync('sleep', ['0.05']);
    },
    start,
  };
}

/** Stop the instance running on `dataDir`, if one is (fast shutdown); no-op otherwise. */
export function stopPostgresIfRunning(dataDir: string): void {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (!pid || !alive(pid)) return;
  const bin = findPostgresBin();
  if (!bin) return;
  const exe = path.join(bin, 'pg_ctl');
  const args = ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'];
  const r = isRoot()
    ? spawnSync('runuser', ['-u', 'postgres', '--', exe, ...args], { cwd: '/' })
    : spawnSync(exe, args, { cwd: '/' });
  if (r.status !== 0 && alive(pid)) process.kill(pid, 'SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Direct children of a process, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
