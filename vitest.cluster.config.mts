/**
 * `npm run test:cluster`: the integration scenarios that matter on a real Temporal cluster
 * (PostgreSQL, four service processes; tests/setup/cluster-server.ts), and the cluster's own tests
 * (tests/cluster/: PostgreSQL holds the bots; Ctrl-C and rerun; the bench's dev server vs cluster
 * table; the torture with history and matching kills).
 * Same pool and timeouts as vitest.config.mts, one project with the integration tier's global setup
 * (which starts the cluster instead of the dev server when TEST_TEMPORAL_SERVER=cluster).
 */
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.config.mts';

/**
 * The torture is the longest file by far (~4 minutes: it brings up a cluster of its own, which its
 * power cuts take down whole). Started first, it runs beside all the others on the second fork
 * instead of alone after them; a fresh clone has no timings cache to order files by.
 */
class TortureFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isTorture = (f: TestSpecification) => f.moduleId.endsWith('tests/cluster/torture.test.ts');
    return [...sorted.filter(isTorture), ...sorted.filter((f) => !isTorture(f))];
  }
}

// Read by tests/setup/global-setup.ts in this process and inherited by the test processes.
process.env.TEST_TEMPORAL_SERVER = 'cluster';

// The base config's `projects` (unit, integration) are left out: this run is one project of its own.
const { projects: _projects, ...shared } = base.test ?? {};

export default defineConfig({
  test: {
    ...shared,
    name: 'cluster',
    globalSetup: ['tests/setup/global-setup.ts'],
    include: [
      'tests/integration/bot-runtime.test.ts',
      'tests/integration/exactly-once.test.ts',
      'tests/integration/resilience.test.ts',
      'tests/integration/worker-crash.test.ts',
      'tests/integration/continue-as-new.test.ts',
      'tests/integration/temporal-cli.test.ts',
      'tests/integration/replay.test.ts',
      'tests/cluster/**/*.test.ts',
    ],
    exclude: configDefaults.exclude,
    sequence: { ...shared.sequence, sequencer: TortureFirst },
  },
});
