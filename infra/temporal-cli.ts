/**
 * Provision the Temporal CLI (dev server + Web UI), pinned in exactly one place: TEMPORAL_CLI_VERSION.
 *
 * Order of preference:
 *   1. TEMPORAL_CLI=/path/to/temporal
 *   2. `temporal` on PATH
 *   3. a copy built earlier into .tools/bin (git-ignored)
 *   4. `go install github.com/temporalio/cli/cmd/temporal@<version>` into .tools/bin (needs Go and its module proxy)
 *   5. the SDK's own download (@temporalio/testing, needs internet) — signalled by returning null.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The only place the CLI version is pinned. v1.5.1 is the newest tag `go install` accepts (later tags carry a replace directive). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
/**
 * The only place the Temporal server version is pinned: the server the CLI v1.5.1 embeds, and the
 * one `npm run cluster` builds (go.temporal.io/server/cmd/server, infra/cluster/binaries.ts), so the
 * dev server and the cluster run the same server code.
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** What that CLI reports as its server version (a `go install` build prints 0.0.0-DEV as its own version). */
const PINNED_SERVER_VERSION = `Server ${TEMPORAL_SERVER_VERSION}`;

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const TOOLS_BIN = path.join(PROJECT_ROOT, '.tools', 'bin');

export function onPath(cmd: string): string | null {
  const result = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : null;
}

function version(binary: string): string | null {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 }).trim();
  } catch {
    return null;
  }
}

/**
 * Find or build the CLI. Returns its path, or null when only the SDK download is left (the caller
 * then uses `{ type: 'cached-download' }`).
 */
export function ensureTemporalCli(log: (line: string) => void = () => {}): string | null {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI=${fromEnv} does not exist`);
    return fromEnv;
  }
  const local = path.join(TOOLS_BIN, 'temporal');
  if (existsSync(local) && version(local)?.includes(PINNED_SERVER_VERSION)) return local;
  const global = onPath('temporal');
  if (global) return global;
  const go = onPath('go');
  if (go) {
    mkdirSync(TOOLS_BIN, { recursive: true });
    log(
      `building the Temporal CLI v${TEMPORAL_CLI_VERSION} with go install into ${TOOLS_BIN} (first run only, a few minutes)...`,
    );
    const result = spawnSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: TOOLS_BIN, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status === 0 && existsSync(local)) return local;
    log('go install failed; falling back to the SDK download (needs internet)');
  }
  return null;
}

/**
 * Last resort, for users with internet: let the SDK download the CLI it pairs with (into
 * .tools/download), then use that binary like any other. Returns null when the download fails.
 */
export async function downloadTemporalCli(log: (line: string) => void = () => {}): Promise<string | null> {
  const dir = path.join(PROJECT_ROOT, '.tools', 'download');
  mkdirSync(dir, { recursive: true });
  const found = findExecutable(dir);
  if (found) return found;
  log('no Temporal CLI and no Go: downloading the CLI through the Temporal SDK (needs internet)...');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir: dir } },
    });
    await env.teardown();
  } catch (err) {
    log(`download failed: ${(err as Error).message}`);
    return null;
  }
  return findExecutable(dir);
}

function findExecutable(dir: string): string | null {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      const inner = findExecutable(full);
      if (inner) return inner;
    } else if (/^temporal/.test(name) && (st.mode & 0o111) !== 0) {
      return full;
    }
  }
  return null;
}

if (require.main === module) {
  void (async () => {
    const found = ensureTemporalCli((l) => console.error(l)) ?? (await downloadTemporalCli((l) => console.error(l)));
    if (found) console.log(found);
    else {
      console.error(
        'no Temporal CLI: install it (https://docs.temporal.io/cli), set TEMPORAL_CLI, install Go, or give this machine internet access',
      );
      process.exit(process.argv.includes('--require') ? 1 : 0);
    }
  })();
}
