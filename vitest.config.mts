import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    // tests/cluster/ needs a real cluster: npm run test:cluster (vitest.cluster.config.mts).
    exclude: [...configDefaults.exclude, 'tests/cluster/**'],
    // The Temporal worker is a native addon: forks, never worker threads (sdk-typescript#876).
    pool: 'forks',
    // One Temporal dev server and one workflow bundle for the whole run (tests/setup/global-setup.ts).
    globalSetup: ['tests/setup/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    // Integration files each start a worker: keep the 2-core machine from thrashing.
    maxWorkers: 2,
  },
});
