/**
 * One real Temporal dev server per test run (never a mock), plus one pre-built workflow bundle so
 * test files do not each pay for webpack. Integration tests read both through `inject`; the unit
 * project (vitest.config.mts) does not run this file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../infra/dev-server';
import { startTestCluster, wantsCluster } from './cluster-server';

let server: { readonly address: string; stop(): Promise<void> } | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // `npm run test:cluster` runs the same tests against a real cluster (tests/setup/cluster-server.ts).
  if (wantsCluster()) server = await startTestCluster(project);
  else
    server = await startDevServer({
      headless: true,
      // No server overrides: tests force continue-as-new through the bot's own options.
      dynamicConfig: {},
    });
  const dir = path.join(os.tmpdir(), `bots-test-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  try {
    const { workflowBundleOptions } = await import('../../workers/worker');
    const bundle = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quietLogger });
    writeFileSync(bundlePath, bundle.code);
  } catch (err) {
    // Tests that need no bundle still run; those that do fail on the stand-in with this message.
    console.error(`workflow bundle failed: ${(err as Error).message}`);
    writeFileSync(
      bundlePath,
      `throw new Error(${JSON.stringify(`workflow bundle failed: ${(err as Error).message}`)});`,
    );
  }
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await server?.stop();
  };
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}
