/**
 * What a newcomer's first `npm install` must not do: rewrite the committed lock file, warn about a
 * config of ours, or run an install script nobody reviewed (onnxruntime-node's would download GPU
 * binaries, ccxt's calls GitHub's API).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeLock, npmLockText } from '../../scripts/complete-lockfile';

const ROOT = path.resolve(__dirname, '../..');
const read = (name: string) => readFileSync(path.join(ROOT, name), 'utf8');

interface Lock {
  packages: Record<
    string,
    { version?: string; hasInstallScript?: boolean; optionalDependencies?: Record<string, string> }
  >;
}

describe('package files', () => {
  it('package-lock.json is byte for byte what npm writes, so npm install leaves it unchanged', () => {
    const text = read('package-lock.json');
    expect(npmLockText(JSON.parse(text))).toBe(text);
  });

  it('npm run fix:lockfile writes the entries it adds in npm’s own key order', () => {
    const lock = JSON.parse(read('package-lock.json')) as Lock;
    delete lock.packages['node_modules/@swc/core-darwin-arm64'];
    expect(completeLock(lock)).toEqual([expect.stringMatching(/^@swc\/core-darwin-arm64@/)]);
    const text = npmLockText(lock);
    expect(text).toMatch(
      /"node_modules\/@swc\/core-darwin-arm64": \{\n {6}"version": "[^"]+",\n {6}"cpu": \[\n {8}"arm64"\n {6}\],\n {6}"optional": true,\n {6}"os": \[/,
    );
    expect(npmLockText(JSON.parse(text))).toBe(text);
  });

  it('every dependency with an install script is reviewed in allowScripts; onnxruntime-node’s download is denied', () => {
    const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> };
    const lock = JSON.parse(read('package-lock.json')) as Lock;
    const allow = pkg.allowScripts ?? {};
    const withScripts = Object.entries(lock.packages)
      .filter(([, e]) => e.hasInstallScript)
      .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(allow, `allowScripts has no entry for ${name}`).toHaveProperty([name]);
    expect(allow['onnxruntime-node']).toBe(false);
    expect(allow['better-sqlite3']).toBe(true);
  });

  it('no .npmrc key npm does not know (npm 12 stops honouring them; npm 11 warns on every command)', () => {
    const file = path.join(ROOT, '.npmrc');
    if (!existsSync(file)) return;
    expect(readFileSync(file, 'utf8')).not.toMatch(/onnxruntime/);
  });
});
