/**
 * `npm run fix:lockfile` after `npm install`: the npm registry mirror some machines use lacks the
 * platform packages other machines need (e.g. @swc/core-darwin-arm64), so npm leaves them out of
 * package-lock.json and `npm ci` then refuses the lock. This adds the missing optional platform
 * entries (version, os, cpu; npm skips them on other platforms and fetches them on theirs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = path.resolve(__dirname, '../package-lock.json');

interface LockEntry {
  version?: string;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
}

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openbsd', 'sunos', 'aix'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

/** `@swc/core-linux-arm-gnueabihf` → os linux, cpu arm, libc glibc. */
export function platformOf(name: string): Pick<LockEntry, 'os' | 'cpu' | 'libc'> | null {
  const parts = name.split('/').pop()!.split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  if (!os || !cpu) return null;
  const libc = parts.includes('musl') ? ['musl'] : os === 'linux' && parts.some((p) => p.startsWith('gnu')) ? ['glibc'] : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

function main(): void {
  const lock = JSON.parse(readFileSync(FILE, 'utf8')) as { packages: Record<string, LockEntry> };
  const added: string[] = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const where = key === '' ? `node_modules/${dep}` : `${key}/node_modules/${dep}`;
      const hoisted = `node_modules/${dep}`;
      if (lock.packages[where] || lock.packages[hoisted]) continue;
      const platform = platformOf(dep);
      if (!platform) continue;
      lock.packages[hoisted] = { version, optional: true, ...platform };
      added.push(`${dep}@${version}`);
    }
  }
  const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  writeFileSync(FILE, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
  console.log(added.length > 0 ? `added ${added.length} platform entries: ${added.join(', ')}` : 'package-lock.json already complete');
}

if (require.main === module) main();
