import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that take minutes (the short crash torture alone ~10 on a slow hour of a 2-core VM) start
 * first. Vitest orders files by their last duration, but a fresh clone (CI) has no record of it
 * and orders them by size, so the small torture file started near the end and ran alone for its
 * last minutes.
 */
const LONG_FIRST = [
  'tests/integration/torture.test.ts',
  'tests/integration/optimize-temporal.test.ts',
  'tests/integration/worker-crash.test.ts',
  'tests/integration/replay.test.ts',
  'tests/integration/resilience.test.ts',
  'tests/integration/exactly-once.test.ts',
];

class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONG_FIRST.findIndex((name) => f.moduleId.endsWith(name));
      return i === -1 ? LONG_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the rest keeps vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * Two tiers (`npm test` runs both, CI runs `npm test`):
 * - unit (`npm run test:unit`): pure code, no Temporal server, no workflow bundle: seconds;
 * - integration (`npm run test:integration`): one real Temporal dev server and one workflow bundle
 *   for the whole run (tests/setup/global-setup.ts), the paper exchange, workers, CLIs.
 */
export default defineConfig({
  test: {
    environment: 'node',
    // The Temporal worker is a native addon: forks, never worker threads (sdk-typescript#876).
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    // Integration files each start a worker: keep the 2-core machine from thrashing.
    maxWorkers: 2,
    sequence: { sequencer: LongFirstSequencer },
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/setup/global-setup.ts'],
        },
      },
    ],
  },
});
