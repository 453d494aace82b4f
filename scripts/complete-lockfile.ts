/**
 * `npm run fix:lockfile` after `npm install`: the npm registry mirror some machines use lacks the
 * platform packages other machines need (e.g. @swc/core-darwin-arm64), so npm leaves them out of
 * package-lock.json and `npm ci` then refuses the lock. This adds the missing optional platform
 * entries (version, os, cpu; npm skips them on other platforms and fetches them on theirs).
 *
 * The file is written exactly as npm writes it (`npmLockText`), so the next `npm install` leaves it
 * byte for byte unchanged: a fresh install must not rewrite the work tree.
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
  const libc = parts.includes('musl')
    ? ['musl']
    : os === 'linux' && parts.some((p) => p.startsWith('gnu'))
      ? ['glibc']
      : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

/** The keys npm puts first, in this order (@npmcli/arborist shrinkwrap.js `swKeyOrder`). */
const NPM_KEY_ORDER = [
  'name',
  'version',
  'lockfileVersion',
  'resolved',
  'integrity',
  'requires',
  'packages',
  'dependencies',
];

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function compareKeys(a: string, b: string): number {
  const ia = NPM_KEY_ORDER.indexOf(a);
  const ib = NPM_KEY_ORDER.indexOf(b);
  if (ia >= 0 || ib >= 0) return ia < 0 ? 1 : ib < 0 ? -1 : ia - ib;
  return a.localeCompare(b, 'en');
}

/**
 * package-lock.json as npm serialises it (json-stringify-nice with arborist's key order): in every
 * object the preferred keys first, then plain values (strings, booleans, arrays) before objects,
 * each group in English collation order; two-space indent and a final newline.
 */
export function npmLockText(lock: unknown): string {
  const sortKeys = (_key: string, value: unknown): unknown => {
    if (!isObject(value)) return value;
    const entries = Object.entries(value).sort(([ak, av], [bk, bv]) =>
      isObject(av) === isObject(bv) ? compareKeys(ak, bk) : isObject(av) ? 1 : -1,
    );
    return Object.fromEntries(entries);
  };
  return `${JSON.stringify(lock, sortKeys, 2)}\n`;
}

/** Add the missing optional platform entries; returns the names added. */
export function completeLock(lock: { packages: Record<string, LockEntry> }): string[] {
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
  return added;
}

function main(): void {
  const lock = JSON.parse(readFileSync(FILE, 'utf8')) as { packages: Record<string, LockEntry> };
  const added = completeLock(lock);
  writeFileSync(FILE, npmLockText(lock));
  console.log(
    added.length > 0
      ? `added ${added.length} platform entries: ${added.join(', ')}`
      : 'package-lock.json already complete',
  );
}

if (require.main === module) main();
