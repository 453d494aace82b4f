/**
 * Modules the worker loads once into its reusable V8 context and shares across every bot workflow
 * (Temporal's `preloadModules`, see workflowBundleOptions in ./worker.ts). zod and decimal.js are
 * pure libraries and most of the workflow bundle: instantiated per workflow, as the sandbox does
 * for every module a workflow imports, they cost about 0.75 MiB of heap per bot.
 *
 * The SDK deep-freezes shared modules once they are loaded, so anything they compute lazily into
 * their own exported objects must be computed here first: one object parse settles zod's
 * module-level `allowsEval` cache. Workflow-safe: no I/O, no clock, nothing per-bot.
 */
import DecimalJs from 'decimal.js';
import { z } from 'zod';

z.object({ settle: z.string() }).safeParse({ settle: 'zod caches' });

export const SHARED_MODULES = [z, DecimalJs] as const;
