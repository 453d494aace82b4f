/**
 * `npm run cluster [-- --port 7233 --home data/cluster --shards 4]`: a real Temporal cluster on
 * this machine (infra/cluster/cluster.ts) — PostgreSQL, and the frontend, history, matching and
 * internal worker services as separate processes — until Ctrl-C, which stops it cleanly. Running
 * it again reuses the database. Point workers and the CLI at it with TEMPORAL_ADDRESS.
 *
 *   npm run cluster -- --status   what PostgreSQL holds (executions, bots by status), then exit
 *
 * A home keeps the ports it was first started with (cluster.json) unless --port moves them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TemporalCluster } from '../infra/cluster/cluster';
import { PROJECT_ROOT } from '../infra/temporal-cli';

const { values: args } = parseArgs({
  options: {
    home: { type: 'string', default: process.env.CLUSTER_HOME ?? path.join(PROJECT_ROOT, 'data', 'cluster') },
    // Default: the home's saved layout, or 7233 for a new home.
    port: { type: 'string', ...(process.env.CLUSTER_PORT ? { default: process.env.CLUSTER_PORT } : {}) },
    shards: { type: 'string' },
    namespace: { type: 'string', default: process.env.TEMPORAL_NAMESPACE ?? 'default' },
    'retention-days': { type: 'string', default: '7' },
    'log-level': { type: 'string', default: 'warn' },
    status: { type: 'boolean', default: false },
  },
});

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

async function main(): Promise<void> {
  const saved = existsSync(path.join(args.home, 'cluster.json'));
  const port = args.port !== undefined ? Number(args.port) : saved ? undefined : 7233;
  if (port !== undefined && !Number.isInteger(port)) throw new Error(`--port ${args.port}: a port number`);
  const shards = args.shards === undefined ? undefined : Number(args.shards);
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 1 || shards > 1024))
    throw new Error(`--shards ${args.shards}: a whole number from 1 to 1024`);
  const cluster = await TemporalCluster.start({
    home: args.home,
    ...(port !== undefined ? { basePort: port } : {}),
    ...(shards !== undefined ? { historyShards: shards } : {}),
    namespace: args.namespace,
    retentionDays: Number(args['retention-days']),
    logLevel: args['log-level'],
    log,
  });
  if (args.status) {
    console.log(
      JSON.stringify({ address: cluster.address, namespace: cluster.namespace, ...cluster.counts() }, null, 2),
    );
    await cluster.stop();
    return;
  }
  log(`workers:  TEMPORAL_ADDRESS=${cluster.address} TEMPORAL_NAMESPACE=${cluster.namespace} npm run worker`);
  log(`CLI:      .tools/bin/temporal workflow list --address ${cluster.address}`);
  log(`logs in ${path.join(cluster.home, 'logs')}; Ctrl-C stops the cluster (the database stays)`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    log('stopping...');
    cluster.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
