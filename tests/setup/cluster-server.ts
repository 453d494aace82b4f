/**
 * `npm run test:cluster`: the run's Temporal server is a real cluster (infra/cluster/cluster.ts),
 * not the dev server — selected by TEST_TEMPORAL_SERVER=cluster in tests/setup/global-setup.ts.
 * Its home is data/test-cluster, made afresh for every run and kept afterwards, so PostgreSQL's
 * copy of the run's executions can be looked at (`npm run cluster -- --home data/test-cluster --status`).
 *
 * After the run the cluster is stopped and PostgreSQL is started again alone on its data: every
 * execution Temporal listed before the stop must still be a row there, or the run fails (a
 * teardown cannot fail a vitest run by throwing; it sets the exit code).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Connection, WorkflowClient } from '@temporalio/client';
import type { TestProject } from 'vitest/node';
import type { ClusterLayout } from '../../infra/cluster/config';
import { TemporalCluster } from '../../infra/cluster/cluster';
import { startPostgres } from '../../infra/cluster/postgres';
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
      let listed: number | null = null;
      try {
        listed = await countThroughTemporal(cluster.address);
        const c = cluster.counts();
        log(
          `PostgreSQL holds ${c.executions} executions (${c.visibility} in visibility; bots ${JSON.stringify(c.botsByStatus)}), ${c.historyEvents} history events at ${c.historyBytesPerEvent} bytes each; databases ${c.databaseMiB.temporal} + ${c.databaseMiB.visibility} MiB`,
        );
      } finally {
        await cluster.stop();
      }
      checkKeptInPostgres(cluster, listed, log);
    },
  };
}

/** Executions of the namespace as Temporal's API lists them (visibility, through the frontend). */
async function countThroughTemporal(address: string): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    return (await new WorkflowClient({ connection }).count()).count;
  } finally {
    await connection.close();
  }
}

/** With the cluster stopped, PostgreSQL alone on its data must still hold what Temporal listed. */
function checkKeptInPostgres(cluster: TemporalCluster, listed: number | null, log: (line: string) => void): void {
  const { temporal, visibility } = cluster.layout.databases;
  const pg = startPostgres({ dataDir: cluster.postgres.dataDir, port: cluster.layout.postgresPort });
  let executions: number;
  let visible: number;
  try {
    executions = Number(pg.sql(temporal, 'SELECT count(*) FROM executions'));
    visible = Number(pg.sql(visibility, 'SELECT count(*) FROM executions_visibility'));
  } finally {
    if (pg.startedHere) pg.stop();
  }
  const ok = listed !== null && visible >= listed && executions >= listed;
  const line = `after the stop, PostgreSQL alone holds ${executions} executions and ${visible} visibility rows; Temporal listed ${listed ?? '(no answer)'} before the stop`;
  if (ok) log(line);
  else {
    console.error(`[cluster] FAILED: ${line}`);
    process.exitCode = 1;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Only under `npm run test:cluster`. */
    temporalCluster: TestClusterInfo;
  }
}
