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
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** The only place the CLI version is pinned. v1.5.1 is the newest tag `go install` accepts (later tags carry a replace directive). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
/** What that CLI reports as its server version (a `go install` build prints 0.0.0-DEV as its own version). */
const PINNED_SERVER_VERSION = 'Server 1.29.1';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const TOOLS_BIN = path.join(PROJECT_ROOT, '.tools', 'bin');

function onPath(cmd: string): string | null {
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
    log(`building the Temporal CLI v${TEMPORAL_CLI_VERSION} with go install into ${TOOLS_BIN} (first run only, a few minutes)...`);
    const result = spawnSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: TOOLS_BIN, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status === 0 && existsSync(local)) return local;
    log('go install failed; falling back to the SDK download (needs internet)');
  }
  return null;
}

if (require.main === module) {
  const found = ensureTemporalCli((l) => console.error(l));
  if (found) console.log(found);
  else {
    console.error('no Temporal CLI found or built; the SDK will download one on first use (needs internet)');
    process.exit(process.argv.includes('--require') ? 1 : 0);
  }
}
