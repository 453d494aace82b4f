/**
 * What each folder may import at run time: the import rules of the README's layout table, in one
 * place. `lint/layer-imports.mjs` enforces them (`npm run lint`); `tests/unit/lint-rules.test.ts`
 * proves they bite.
 *
 * A layer either allows (`allow`: everything else is refused) or denies (`deny`: everything else is
 * accepted). `folders` are paths from the repository root (a folder ends with `/`, a file has no
 * extension); `packages` are npm package names (`@scope/name`) or `node:` for Node's built-ins.
 * Type-only imports (`import type`, `import { type X }` with every specifier a type) are erased at
 * build time and never restricted: a workflow may name an activity's input type.
 */

/** Pure modules of the optimiser the optimize workflow runs (its search loop and result shaping). */
const OPTIMISER_CORE = [
  'backtest/optimize/search',
  'backtest/optimize/result',
  'backtest/optimize/ga',
  'backtest/optimize/feasibility',
  'backtest/optimize/space',
  'backtest/optimize/bounds',
  'backtest/optimize/splits',
];

/** Packages of pure computation, safe in the kernel and in the workflow sandbox. */
const PURE_PACKAGES = ['zod', 'decimal.js', 'technicalindicators'];

/** Packages that load a native addon (or spawn a binary): never in a process that only prints a status. */
const NATIVE_PACKAGES = [
  '@temporalio/worker',
  '@temporalio/core-bridge',
  '@temporalio/testing',
  'better-sqlite3',
  'onnxruntime-node',
  'bufferutil',
  '@swc/core',
  'esbuild',
];

const TEMPORAL_PACKAGES = [
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/common',
  '@temporalio/core-bridge',
  '@temporalio/proto',
  '@temporalio/testing',
  '@temporalio/worker',
  '@temporalio/workflow',
];

/** Checked in order: the first layer whose `files` match a file applies to it. */
export const LAYERS = [
  {
    name: 'core/strategy-kit/',
    files: ['core/strategy-kit/**'],
    why: 'the strategy kit is pure: it builds on the kernel and the contract only (no I/O, no Temporal)',
    allow: { folders: ['core/'], packages: ['zod'] },
  },
  {
    name: 'core/',
    files: ['core/**'],
    why: 'core/ is the pure, deterministic domain: no I/O, no Temporal, no Node built-ins',
    allow: { folders: ['core/'], packages: PURE_PACKAGES },
  },
  {
    name: 'venue/',
    files: ['venue/**'],
    why: 'the venue simulator is pure (shared by the paper exchange and the backtester): it builds on core/ only',
    allow: { folders: ['venue/', 'core/'], packages: PURE_PACKAGES },
  },
  {
    name: "the optimiser's search (backtest/optimize/search and its modules)",
    files: OPTIMISER_CORE.map((f) => `${f}.ts`),
    why: 'the optimiser search runs inside the optimize workflow: it must be as pure as core/',
    allow: { folders: ['core/', ...OPTIMISER_CORE], packages: PURE_PACKAGES },
  },
  {
    name: 'workflows/',
    files: ['workflows/**'],
    why: 'workflow code runs in the deterministic sandbox: only @temporalio/workflow (and @temporalio/common), core/ and its siblings; activities, workers and the exchange by type only',
    allow: {
      folders: ['workflows/', 'core/', ...OPTIMISER_CORE],
      packages: ['@temporalio/workflow', '@temporalio/common', ...PURE_PACKAGES],
    },
  },
  {
    name: 'activities/',
    files: ['activities/**'],
    why: "activities run on the worker outside the workflow sandbox: never @temporalio/workflow's runtime, nor the processes around them",
    deny: {
      folders: ['workers/', 'client/', 'api/', 'exchange/'],
      packages: ['@temporalio/workflow', '@temporalio/worker'],
    },
  },
  {
    name: 'exchange/',
    files: ['exchange/**'],
    why: 'the paper exchange stands alone (any Binance client can use it): no Temporal, no bot code',
    deny: {
      folders: ['activities/', 'workers/', 'workflows/', 'client/', 'api/', 'backtest/'],
      packages: TEMPORAL_PACKAGES,
    },
  },
  {
    name: 'dashboard/',
    files: ['dashboard/**'],
    why: 'the dashboard is browser code: its siblings and lightweight-charts only',
    allow: { folders: ['dashboard/'], packages: ['lightweight-charts'] },
  },
  {
    name: 'api/',
    files: ['api/**'],
    why: 'the control API talks to Temporal as a client: it never loads the worker',
    deny: { folders: ['workers/'], packages: ['@temporalio/worker', '@temporalio/core-bridge'] },
  },
  {
    name: 'infra/',
    files: ['infra/**'],
    why: 'infra/ serves every process (the CLI too): it never loads the worker',
    deny: { folders: ['workers/'], packages: ['@temporalio/worker', '@temporalio/core-bridge'] },
  },
  {
    name: 'telegram/',
    files: ['telegram/**'],
    why: 'the Telegram bot is a Temporal client in its own process (like the CLI): it never loads the worker, the activities, the exchange or a native addon',
    deny: { folders: ['workers/', 'activities/', 'exchange/', 'backtest/'], packages: NATIVE_PACKAGES },
  },
  {
    name: 'notify/',
    files: ['notify/**'],
    why: 'the notification outbox and its channels serve the worker and the Telegram process alike: no Temporal and no process or bot code of its own',
    deny: {
      folders: ['workers/', 'activities/', 'workflows/', 'client/', 'api/', 'exchange/', 'backtest/'],
      packages: TEMPORAL_PACKAGES,
    },
  },
  {
    name: 'monitoring/',
    files: ['monitoring/**'],
    why: "monitoring runs in the worker and the control API, outside the workflow sandbox: never @temporalio/workflow's runtime, the worker process (workers/) or the exchange",
    deny: { folders: ['workers/', 'exchange/', 'backtest/'], packages: ['@temporalio/workflow'] },
  },
  {
    name: 'client/',
    files: ['client/**'],
    why: 'the CLI connects to Temporal and prints: it never loads the worker, the activities or a native addon',
    deny: { folders: ['workers/', 'activities/', 'exchange/', 'backtest/'], packages: NATIVE_PACKAGES },
  },
];
