/**
 * Determinism guard: histories recorded from real runs (npm run record:histories) must replay
 * against the current workflow code without nondeterminism, and an altered workflow must not.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';

const DIR = path.resolve(__dirname, '../replay/histories');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string): unknown => JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));

describe('replay of recorded histories', () => {
  it('has recorded histories covering continue-as-new and completion', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files.some((f) => f.includes('continued_as_new'))).toBe(true);
    expect(files.some((f) => f.includes('completed'))).toBe(true);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      load(file),
      workflowIdOf(file),
    );
  });

  it('detects a deliberately altered workflow as nondeterministic', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.resolve(__dirname, '../replay/altered/workflows.ts'),
      logger: silent,
    });
    for (const file of files) {
      await expect(Worker.runReplayHistory({ workflowBundle: { code } }, load(file))).rejects.toBeInstanceOf(
        DeterminismViolationError,
      );
    }
  });
});

/**
 * Histories do not hold their workflow id, and a bot's client ids derive from it (core/client-ids.ts):
 * replayed under another id, a bot would not recognise its own orders. The file name has the bot's
 * name (`<name>-<time>-<status>.json`, e.g. recorded-dca-...); the workflow id is `bot-<name>`.
 */
function workflowIdOf(file: string): string {
  const name = /^(.+)-\d{4}-\d\d-\d\dT/.exec(file)?.[1];
  if (!name) throw new Error(`${file}: not named <bot name>-<time>-<status>.json`);
  return `bot-${name}`;
}

const noop = () => {};
const silent = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
