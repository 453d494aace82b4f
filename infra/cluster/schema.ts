/**
 * The two databases of a Temporal cluster on PostgreSQL, set up with the server's own SQL tool
 * (temporal-sql-tool, built at the pinned version) from the server module's schema files:
 *
 *   temporal             schema/postgresql/v12/temporal/versioned    (executions, history, tasks, ...)
 *   temporal_visibility  schema/postgresql/v12/visibility/versioned  (what List/Count queries read)
 *
 * Idempotent: a database that exists is kept; its schema is only brought up to the newest version
 * (update-schema applies the versions it lacks), so running the cluster again reuses its data and a
 * newer server version migrates it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { ServerBinaries } from './binaries';
import type { Postgres } from './postgres';

export interface Databases {
  readonly temporal: string;
  readonly visibility: string;
}

export const DEFAULT_DATABASES: Databases = { temporal: 'temporal', visibility: 'temporal_visibility' };

export function ensureSchemas(
  pg: Postgres,
  bin: ServerBinaries,
  dbs: Databases = DEFAULT_DATABASES,
  log: (line: string) => void = () => {},
): void {
  const tool = (database: string, ...args: string[]) => {
    const r = spawnSync(
      bin.sqlTool,
      [
        '--plugin',
        'postgres12',
        '--ep',
        pg.host,
        '-p',
        String(pg.port),
        '-u',
        pg.user,
        '--pw',
        pg.password,
        '--db',
        database,
        ...args,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0)
      throw new Error(
        `temporal-sql-tool --db ${database} ${args.join(' ')} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-3000)}`,
      );
  };
  for (const [database, kind] of [
    [dbs.temporal, 'temporal'],
    [dbs.visibility, 'visibility'],
  ] as const) {
    const exists = pg.sql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${database}'`) === '1';
    if (!exists) {
      log(`creating database ${database}`);
      tool(database, 'create-database');
    }
    // setup-schema -v 0.0 only creates the version tables; running it on a set-up database would
    // reset the recorded version, so it runs once.
    const versioned = pg.sql(database, `SELECT to_regclass('public.schema_version') IS NOT NULL`) === 't';
    if (!versioned) tool(database, 'setup-schema', '-v', '0.0');
    const before = schemaVersion(pg, database);
    tool(database, 'update-schema', '-d', path.join(bin.schemaDir, 'postgresql', 'v12', kind, 'versioned'));
    const after = schemaVersion(pg, database);
    if (before !== after) log(`database ${database}: schema ${before ?? 'none'} -> ${after}`);
  }
}

export function schemaVersion(pg: Postgres, database: string): string | null {
  return pg.sql(database, `SELECT curr_version FROM schema_version LIMIT 1`) || null;
}
