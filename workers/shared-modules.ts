/**
 * Modules the worker loads once into its reusable V8 context and shares across every bot workflow
 * (Temporal's `preloadModules`, see workflowBundleOptions in ./worker.ts) instead of instantiating
 * them per cached workflow, as the sandbox does for every other module a workflow imports.
 *
 * Shared: zod, decimal.js and every module of `core/` — the pure domain (no I/O, no clock, no
 * `@temporalio/*`, no module-level mutable state: `tests/unit/shared-modules.test.ts` checks).
 * Per workflow they cost ~0.9 MiB of heap and ~14 ms to instantiate, which was most of the
 * worker's memory at 1,000 bots and of the time a restarted worker took to bring them back
 * (bench/README.md). `workflows/` stays per workflow: it holds each bot's Temporal handlers.
 *
 * The SDK deep-freezes what shared modules export, so nothing can carry state from one bot to the
 * next through them. It cannot freeze zod schemas: zod computes their internals lazily on first use
 * (`defineLazyInternal`, `installLazyProp`), and a frozen schema throws "object is not extensible"
 * at its first parse. So this module freezes the `core/` exports itself — everything reachable,
 * as the SDK would, except zod schemas, whose lazy caches are deterministic functions of the schema
 * — and then freezes each module's export object, which the SDK's deep freeze does not enter again.
 * Workflow-safe: no I/O, no clock, nothing per bot.
 */
import DecimalJs from 'decimal.js';
import { z } from 'zod';

// zod's module-level `allowsEval` cache, settled before zod itself is frozen.
z.object({ settle: z.string() }).safeParse({ settle: 'zod caches' });

interface WebpackContext {
  keys(): string[];
  (id: string): Record<string, unknown>;
}
declare const require: { context(dir: string, deep: boolean, filter: RegExp): WebpackContext };

/**
 * Every `core/` module, listed by the bundler at build time (webpack's require.context), one
 * directory at a time: the SDK bundler's file system does not list subdirectories for a recursive
 * context. `tests/unit/shared-modules.test.ts` fails when a directory of `core/` is missing here.
 */
const CORE_DIRECTORIES: readonly WebpackContext[] = [
  require.context('../core', false, /\.ts$/),
  require.context('../core/analysis', false, /\.ts$/),
  require.context('../core/futures', false, /\.ts$/),
  require.context('../core/indicators', false, /\.ts$/),
  require.context('../core/kernel', false, /\.ts$/),
  require.context('../core/risk', false, /\.ts$/),
  require.context('../core/strategies', false, /\.ts$/),
  require.context('../core/strategies/seed', false, /\.ts$/),
  require.context('../core/strategy-kit', false, /\.ts$/),
];

/** Every zod 4 schema carries its internals under `_zod`. */
const isZodSchema = (value: object): boolean => '_zod' in value;

/**
 * Object.freeze, recursively, as the SDK's deep freeze does — a function is frozen but not entered
 * (a class's prototype stays as it is: decimal.js assigns `constructor` on each new instance) —
 * without entering zod schemas or stateless RegExps.
 */
function freezeExceptSchemas(value: unknown, seen = new WeakSet<object>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
  if (seen.has(value) || isZodSchema(value)) return;
  seen.add(value);
  // zod resets a pattern's lastIndex before each test: a frozen RegExp would throw there. Only a
  // global or sticky one keeps state between calls, and that one is frozen (so its use throws).
  if (value instanceof RegExp && !value.global && !value.sticky) return;
  if (typeof value === 'function') {
    Object.freeze(value);
    return;
  }
  for (const key of Reflect.ownKeys(value)) {
    const desc = Object.getOwnPropertyDescriptor(value, key);
    if (desc && 'value' in desc) freezeExceptSchemas(desc.value, seen);
    else if (desc?.get) freezeExceptSchemas((value as Record<PropertyKey, unknown>)[key], seen);
  }
  Object.freeze(value);
}

const seen = new WeakSet<object>();
for (const directory of CORE_DIRECTORIES) for (const id of directory.keys()) freezeExceptSchemas(directory(id), seen);

export const SHARED_MODULES = [z, DecimalJs] as const;
