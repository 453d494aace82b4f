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
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const load = (file: string): unknown => JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));

describe('replay of recorded histories', () => {
  it('has recorded histories covering continue-as-new and completion', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files.some((f) => f.includes('continued_as_new'))).toBe(true);
    expect(files.some((f) => f.includes('completed'))).toBe(true);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, load(file));
  });

  it('detects a deliberately altered workflow as nondeterministic', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../replay/altered/workflows.ts'), logger: silent });
    for (const file of files) {
      await expect(Worker.runReplayHistory({ workflowBundle: { code } }, load(file))).rejects.toBeInstanceOf(DeterminismViolationError);
    }
  });
});

const noop = () => {};
const silent = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
