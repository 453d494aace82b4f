/**
 * `npm run bench -- density --server cluster` at its smallest: the dev server with one worker and a
 * cluster of its own (PostgreSQL, four services) with two workers, measured in one run, printed side
 * by side and written to the JSON. Figures are not judged here (benchmarks are not timed tests):
 * what must hold is that both stacks were measured on the same bots, every bot answered every
 * burst on both, and the cluster's figures count its four services, its two workers and PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Stage {
  readonly bots: number;
  readonly processes: { readonly workers: number; readonly server: number };
  readonly missing: number;
  readonly burst: { readonly n: number; readonly p50: number };
  readonly workerRssMiB: { readonly peak: number };
  readonly serverRssMiB: { readonly peak: number };
  readonly databaseRssMiB?: { readonly idle: number };
  readonly cpuSecondsPerBurst: { readonly server: number; readonly database?: number };
}

describe('npm run bench -- --server cluster', () => {
  it(
    'measures the dev server (1 worker) and the cluster (2 workers) in one run, side by side',
    async () => {
      const out = path.join(dir, 'bench.json');
      const args = [
        '--import',
        'tsx',
        path.join(ROOT, 'bench/main.ts'),
        'density',
        '--server',
        'cluster',
        '--sizes',
        '6',
        '--bursts',
        '1',
        '--out',
        out,
      ];
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let printed = '';
      child.stdout.on('data', (c: Buffer) => (printed += c.toString()));
      child.stderr.on('data', (c: Buffer) => (printed += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, printed.slice(-3000)).toBe(0);

      const results = JSON.parse(readFileSync(out, 'utf8')) as {
        density: { stages: Stage[] };
        cluster: { workers: number; serverVersion: string; historyShards: number; density: { stages: Stage[] } };
      };
      const dev = results.density.stages[0]!;
      const cluster = results.cluster.density.stages[0]!;
      expect(results.cluster).toMatchObject({ workers: 2, serverVersion: '1.29.1', historyShards: 4 });
      expect(dev).toMatchObject({ bots: 6, processes: { workers: 1, server: 1 }, missing: 0, burst: { n: 6 } });
      expect(cluster).toMatchObject({ bots: 6, processes: { workers: 2, server: 4 }, missing: 0, burst: { n: 6 } });
      for (const s of [dev, cluster]) {
        expect(s.burst.p50).toBeGreaterThan(0);
        expect(s.workerRssMiB.peak).toBeGreaterThan(0);
        expect(s.serverRssMiB.peak).toBeGreaterThan(0);
      }
      // PostgreSQL is measured apart from the services (the dev server has no database process).
      expect(cluster.databaseRssMiB?.idle).toBeGreaterThan(0);
      expect(cluster.cpuSecondsPerBurst.database).toBeGreaterThanOrEqual(0);
      expect(dev.databaseRssMiB).toBeUndefined();

      // The printed report has both in one table, one row per size: "dev | cluster" figures.
      const table = printed.slice(printed.indexOf('Dev server (1 worker) vs cluster (2 workers), same run'));
      expect(table, printed.slice(-3000)).toMatch(/^Dev server \(1 worker\) vs cluster \(2 workers\), same run/);
      expect(table).toMatch(/\n\s+6\s+[\d.,]+ \/ [\d.,]+ \| [\d.,]+ \/ [\d.,]+\s/);
    },
    5 * 60_000,
  );
});
