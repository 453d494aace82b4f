/**
 * Pre-build the workflow bundle for production starts (no webpack at worker start):
 *   npm run build:bundle && WORKFLOW_BUNDLE=dist/workflow-bundle.js npm run worker
 * Rebuild after every change to workflows/ or core/: the bundle is the workflow code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT } from '../infra/temporal-cli';
import { workflowBundleOptions } from '../workers/worker';

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js'));
  const { code } = await bundleWorkflowCode(workflowBundleOptions());
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
