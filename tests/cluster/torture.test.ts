/**
 * The short crash torture against a real cluster: `npm run torture -- --server cluster --kills 30
 * --server-kill-every 2` — the worker killed -9 thirty times and, every second time, one Temporal
 * service killed -9 and restarted (history and matching six times each, the frontend twice) or the
 * whole machine's power cut once (PostgreSQL and all four services at once). It must end with no
 * duplicate, no lost fill and no stuck bot, and PostgreSQL holding the executions.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

describe('crash torture on the cluster (short)', () => {
  it(
    'survives 30+ worker kills and 15+ service kills -9 with duplicates=0 lost=0 stuck=0',
    async () => {
      const args = [
        '--import',
        'tsx',
        path.join(ROOT, 'scripts/torture.ts'),
        '--server',
        'cluster',
        '--kills',
        '30',
        '--server-kill-every',
        '2',
        '--min-orders',
        '51',
        '--extend-seconds',
        '240',
        '--quiet',
      ];
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const last = out.trim().split('\n').at(-1) ?? '';
      console.log(`cluster torture: ${last}`);
      const figures = Object.fromEntries(last.split(' ').map((kv) => kv.split('=')));
      expect(figures, out.slice(-3000)).toMatchObject({
        duplicates: '0',
        lost: '0',
        stuck: '0',
      });
      expect(Number(figures.kills)).toBeGreaterThanOrEqual(30);
      expect(Number(figures.server_kills)).toBeGreaterThanOrEqual(15);
      expect(Number(figures.history_kills)).toBeGreaterThanOrEqual(5);
      expect(Number(figures.matching_kills)).toBeGreaterThanOrEqual(5);
      expect(Number(figures.power_cuts)).toBeGreaterThanOrEqual(1);
      // Enough trading under the kills: the kill cycles go on (at most 4 more minutes) until 51 orders
      // were placed; since the torture also resets, restarts and pauses bots (issue 10), a 2-core run
      // placed 36 in the 30 kills. More than the 9 bots' first entry and take-profit each is asked;
      // the proof is the invariants above over all that trading.
      expect(Number(figures.orders)).toBeGreaterThan(24);
      // Every bot's runs (continue-as-new makes several per bot) are rows of PostgreSQL.
      expect(Number(figures.pg_executions)).toBeGreaterThanOrEqual(Number(figures.bots));
      expect(code).toBe(0);
    },
    15 * 60_000,
  );
});
