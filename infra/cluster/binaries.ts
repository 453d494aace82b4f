/**
 * The Temporal server and its SQL schema tool, built from the Go module proxy at the pinned version
 * (TEMPORAL_SERVER_VERSION in infra/temporal-cli.ts) into a git-ignored folder of the project:
 *
 *   .tools-cluster/temporal-server-v<version>/server   go.temporal.io/server/cmd/server
 *   .tools-cluster/temporal-server-v<version>/sql      go.temporal.io/server/cmd/tools/sql
 *
 * The schema files come from the same module in the Go module cache (`go env GOMODCACHE`):
 * go.temporal.io/server@v<version>/schema/postgresql/v12/{temporal,visibility}.
 *
 * Users with binaries of their own (a release archive, a package) set TEMPORAL_SERVER_BIN,
 * TEMPORAL_SQL_TOOL and TEMPORAL_SCHEMA_DIR (the folder holding `postgresql/v12`) instead.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, TEMPORAL_SERVER_VERSION, onPath } from '../temporal-cli';

export interface ServerBinaries {
  readonly server: string;
  readonly sqlTool: string;
  /** The folder holding `postgresql/v12/temporal` and `postgresql/v12/visibility`. */
  readonly schemaDir: string;
  readonly version: string;
}

export const CLUSTER_TOOLS_DIR = path.join(
  PROJECT_ROOT,
  '.tools-cluster',
  `temporal-server-v${TEMPORAL_SERVER_VERSION}`,
);
const MODULE = 'go.temporal.io/server';

/** Where the binaries are or would be, without building anything. */
export function binaryPaths(): { server: string; sqlTool: string } {
  return {
    server: process.env.TEMPORAL_SERVER_BIN ?? path.join(CLUSTER_TOOLS_DIR, 'server'),
    sqlTool: process.env.TEMPORAL_SQL_TOOL ?? path.join(CLUSTER_TOOLS_DIR, 'sql'),
  };
}

function goEnv(go: string, name: string): string {
  return execFileSync(go, ['env', name], { encoding: 'utf8' }).trim();
}

function schemaDirFor(go: string | null): string | null {
  if (process.env.TEMPORAL_SCHEMA_DIR) return process.env.TEMPORAL_SCHEMA_DIR;
  if (!go) return null;
  // The module cache escapes capital letters, but go.temporal.io/server has none.
  const dir = path.join(goEnv(go, 'GOMODCACHE'), `${MODULE}@v${TEMPORAL_SERVER_VERSION}`, 'schema');
  return existsSync(path.join(dir, 'postgresql', 'v12', 'temporal', 'versioned')) ? dir : null;
}

/**
 * Find or build the server, the SQL tool and the schema files. Building takes several minutes on
 * 2 cores the first time (then Go's build cache and the module cache make it seconds).
 */
export async function ensureServerBinaries(log: (line: string) => void = () => {}): Promise<ServerBinaries> {
  const { server, sqlTool } = binaryPaths();
  const go = onPath('go');
  let schemaDir = schemaDirFor(go);
  if (!existsSync(server) || !existsSync(sqlTool) || !schemaDir) {
    if (process.env.TEMPORAL_SERVER_BIN || process.env.TEMPORAL_SQL_TOOL) {
      throw new Error(
        `TEMPORAL_SERVER_BIN / TEMPORAL_SQL_TOOL point at missing files (${server}, ${sqlTool}), or TEMPORAL_SCHEMA_DIR is unset`,
      );
    }
    if (!go)
      throw new Error(
        `no Temporal server binaries in ${CLUSTER_TOOLS_DIR} and no Go to build them: install Go (https://go.dev/dl), or set TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL and TEMPORAL_SCHEMA_DIR`,
      );
    mkdirSync(CLUSTER_TOOLS_DIR, { recursive: true });
    log(
      `building the Temporal server v${TEMPORAL_SERVER_VERSION} and its SQL tool with go install into ${path.relative(PROJECT_ROOT, CLUSTER_TOOLS_DIR)} (first run only, several minutes)...`,
    );
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        go,
        [
          'install',
          `${MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
          `${MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
        ],
        {
          env: { ...process.env, GOBIN: CLUSTER_TOOLS_DIR, GOFLAGS: '-mod=mod' },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      child.once('exit', resolve);
      child.once('error', () => resolve(-1));
    });
    schemaDir = schemaDirFor(go);
    if (code !== 0 || !existsSync(server) || !existsSync(sqlTool) || !schemaDir)
      throw new Error(`go install of ${MODULE}@v${TEMPORAL_SERVER_VERSION} failed (exit ${code})`);
  }
  return { server, sqlTool, schemaDir, version: TEMPORAL_SERVER_VERSION };
}

if (require.main === module) {
  ensureServerBinaries((l) => console.error(l)).then(
    (b) => console.log(JSON.stringify(b)),
    (err) => {
      console.error((err as Error).message);
      process.exit(1);
    },
  );
}
