/**
 * `npm run test:cluster`: the run's Temporal server is a real cluster (infra/cluster/cluster.ts),
 * not the dev server — selected by TEST_TEMPORAL_SERVER=cluster in tests/setup/global-setup.ts.
 * Its home is data/test-cluster, made afresh for every run and kept afterwards, so PostgreSQL's
 * copy of the run's executions can be looked at (`npm run cluster -- --home data/test-cluster --status`).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type ClusterLayout } from '../../infra/cluster/config';
import { TemporalCluster } from '../../infra/cluster/cluster';
import { PROJECT_ROOT } from '../../infra/temporal-cli';

export const TEST_CLUSTER_HOME = path.join(PROJECT_ROOT, 'data', 'test-cluster');

export interface TestClusterInfo {
  readonly home: string;
  readonly layout: ClusterLayout;
}

export function wantsCluster(): boolean {
  return process.env.TEST_TEMPORAL_SERVER === 'cluster';
}

/** Start the run's cluster; `stop` prints what PostgreSQL holds, then stops it cleanly. */
export async function startTestCluster(project: TestProject): Promise<{ address: string; stop(): Promise<void> }> {
  // A run that was killed -9 leaves its cluster running on this home: end it before wiping it.
  TemporalCluster.endLeftovers(TEST_CLUSTER_HOME);
  rmSync(TEST_CLUSTER_HOME, { recursive: true, force: true });
  const log = (line: string) => console.log(`[cluster] ${line}`);
  const cluster = await TemporalCluster.start({ home: TEST_CLUSTER_HOME, log });
  project.provide('temporalCluster', { home: cluster.home, layout: cluster.layout });
  return {
    address: cluster.address,
    async stop() {
      try {
        const c = cluster.counts();
        log(`PostgreSQL holds ${c.executions} executions (${c.visibility} in visibility; bots ${JSON.stringify(c.botsByStatus)}), ${c.historyEvents} history events at ${c.historyBytesPerEvent} bytes each; databases ${c.databaseMiB.temporal} + ${c.databaseMiB.visibility} MiB`);
      } finally {
        await cluster.stop();
      }
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Only under `npm run test:cluster`. */
    temporalCluster: TestClusterInfo;
  }
}
