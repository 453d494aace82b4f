/**
 * The worker shares one instance of zod, decimal.js and every `core/` module among all its bot
 * workflows (workers/shared-modules.ts). Checked in the SDK's reusable V8 context itself, built
 * from the bundle a worker runs: the modules are shared, frozen like the SDK freezes shared
 * modules, and their zod schemas (which the freeze must not reach) still parse.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { PROJECT_ROOT } from '../../infra/temporal-cli';
import { workflowBundleOptions } from '../../workers/worker';

const CORE_ROOT = path.join(PROJECT_ROOT, 'core');
const quiet = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };

function coreDirectories(dir = CORE_ROOT): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const here = entries.some((e) => e.isFile() && e.name.endsWith('.ts')) ? [dir] : [];
  return [...here, ...entries.filter((e) => e.isDirectory()).flatMap((e) => coreDirectories(path.join(dir, e.name)))];
}

describe('shared core modules', () => {
  it('lists every directory of core/ (a missing one would be frozen by the SDK with its schemas)', () => {
    const source = fs.readFileSync(path.join(PROJECT_ROOT, 'workers/shared-modules.ts'), 'utf8');
    const listed = [...source.matchAll(/require\.context\('\.\.\/(core[^']*)', false, /g)].map((m) => m[1]);
    const present = coreDirectories().map((d) => path.relative(PROJECT_ROOT, d));
    expect(listed.sort()).toEqual(present.sort());
  });

  describe('in the worker sandbox', () => {
    let context: vm.Context;
    const run = (code: string): unknown => vm.runInContext(`'use strict';\n${code}`, context);

    beforeAll(async () => {
      const bundle = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quiet });
      const creator = await ReusableVMWorkflowCreator.create(
        parseWorkflowCode(bundle.code),
        5_000,
        new Set<string>(),
        undefined,
      );
      // The context all workflows of a worker run in (protected in the SDK's types).
      context = (creator as unknown as { context: vm.Context }).context;
    }, 120_000);

    const core = (id: string) => `globalThis.__webpack_module_cache__[${JSON.stringify(id)}].exports`;

    it('holds one instance of every core module, loaded before any bot', () => {
      const ids = coreDirectories().flatMap((d) =>
        fs
          .readdirSync(d)
          .filter((f) => f.endsWith('.ts'))
          .map((f) => `./${path.relative(PROJECT_ROOT, path.join(d, f))}`),
      );
      const missing = ids.filter((id) => !run(`globalThis.__webpack_module_cache__[${JSON.stringify(id)}] != null`));
      expect(missing).toEqual([]);
    });

    it('freezes what they export, so no bot can leave state in them for the next', () => {
      expect(run(`Object.isFrozen(${core('./core/strategies/index.ts')})`)).toBe(true);
      expect(run(`Object.isFrozen(${core('./core/strategies/index.ts')}.STRATEGIES)`)).toBe(true);
      expect(run(`Object.isFrozen(${core('./core/market.ts')}.CANDLE_INTERVALS)`)).toBe(true);
      expect(() => run(`${core('./core/strategies/index.ts')}.STRATEGIES['grid'] = null`)).toThrow(/read only/);
    });

    it('leaves zod schemas unfrozen, and every strategy parses its params there', () => {
      const results = run(`
        const { STRATEGIES } = ${core('./core/strategies/index.ts')};
        Object.values(STRATEGIES).map((s) => [s.id, Object.isFrozen(s.params), s.params.safeParse({}).success, s.params.safeParse(null).success]);
      `) as [string, boolean, boolean, boolean][];
      expect(results.length).toBeGreaterThan(5);
      for (const [id, frozen, , nullAccepted] of results) {
        expect({ id, frozen, nullAccepted }).toEqual({ id, frozen: false, nullAccepted: false });
      }
      const parsed = run(`${core('./core/schema.ts')}.decimalString.nullable().safeParse('1.50').data`);
      expect(parsed).toBe('1.50');
    });

    it('checks a bot definition there twice (shared patterns, lazily built schemas)', () => {
      const good = { name: 'dca-1', strategy: 'dca-take-profit', symbol: 'BTCUSDT', interval: '1m', account: 'paper' };
      const check = (definition: object) =>
        run(`${core('./core/bot-definition.ts')}.checkBotDefinition(${JSON.stringify(definition)})`) as {
          ok: boolean;
          problems?: string[];
        };
      expect(check({ ...good, params: { quantity: '0.001' } })).toMatchObject({ ok: true });
      expect(check({ ...good, params: { quantity: '0.001' } })).toMatchObject({ ok: true });
      const bad = check({ ...good, name: 'no spaces', params: { quantity: '-1' } });
      expect(bad.ok).toBe(false);
      expect(bad.problems?.join('\n')).toMatch(/name/);
    });
  });
});
