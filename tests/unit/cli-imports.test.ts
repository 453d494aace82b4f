/**
 * The lint rule checks each file's own imports; this checks the CLI's whole import graph (as
 * esbuild resolves it): printing a status must not load the worker, the activities, the paper
 * exchange or any native addon.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const NATIVE = [
  '@temporalio/worker',
  '@temporalio/core-bridge',
  'better-sqlite3',
  'onnxruntime-node',
  'bufferutil',
  '@swc/core',
];

/** `node_modules/@scope/name/lib/x.js` → `@scope/name`. */
function packageOf(input: string): string | null {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return null;
  return parts[at + 1]!.startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1]!;
}

function buildsNative(pkg: string): boolean {
  const dir = path.join(ROOT, 'node_modules', pkg);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { gypfile?: boolean };
  return manifest.gypfile === true || existsSync(path.join(dir, 'binding.gyp'));
}

describe("the CLI's import graph", () => {
  it('holds no workers/, activities/, exchange/ module and no native addon', async () => {
    const result = await build({
      entryPoints: [path.join(ROOT, 'client/cli.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
      outfile: path.join(ROOT, 'dist/cli-probe.js'),
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('client/cli.ts');
    expect(inputs.filter((i) => /^(workers|activities|exchange)\//.test(i))).toEqual([]);
    const packages = [...new Set(inputs.map(packageOf).filter((p): p is string => p !== null))];
    expect(packages).toContain('@temporalio/client');
    expect(packages.filter((p) => NATIVE.includes(p) || buildsNative(p))).toEqual([]);
  });
});
