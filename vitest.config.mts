import { defineConfig } from 'vitest/config';

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
