/**
 * The short crash-torture run inside `npm test`: `npm run torture -- --kills 30` (bots trading on
 * the paper exchange with random faults while the worker, and every tenth time the Temporal dev
 * server, is killed -9, with resets, terminate + restart, twins, budget exhaustion and a strategy
 * that throws; the kill cycles go on, at most 4 more minutes, until the bots placed 51 orders and the futures
 * bot 3 (not reset in that extension), so a loaded machine still proves it over enough trading). It must end with no duplicate, no lost fill, no stuck bot, no bot selling more than
 * it holds (nor an earlier incarnation's orders left resting selling more than that incarnation held), nothing UNKNOWN and no id collision.
 * One of the bots trades USDⓈ-M futures (scripts/torture-futures.ts) through the kills, faults and
 * every other reset (by event id): at the end its fills are the perpetual's, its signed position is
 * positionRisk's, no client id of it executed twice, and a position left open has exactly one
 * protective stop on the exchange, the bot's.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

describe('crash torture (short)', () => {
  it(
    "survives 30+ kills -9 and the users' buttons with duplicates=0 lost=0 stuck=0 overcommitted=0 orphans_overcommitted=0 unknown_open=0 collisions=0",
    async () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(ROOT, 'scripts/torture.ts'),
          '--kills',
          '30',
          '--min-orders',
          '51',
          '--extend-seconds',
          '240',
          '--quiet',
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const last = out.trim().split('\n').at(-1) ?? '';
      const figures = Object.fromEntries(last.split(' ').map((kv) => kv.split('=')));
      expect(figures, out.slice(-3000)).toMatchObject({
        duplicates: '0',
        lost: '0',
        stuck: '0',
        overcommitted: '0',
        orphans_overcommitted: '0',
        unknown_open: '0',
        collisions: '0',
      });
      expect(Number(figures.kills)).toBeGreaterThanOrEqual(30);
      expect(Number(figures.server_kills)).toBeGreaterThanOrEqual(3);
      // A reset every third kill, the kinds in turn (a kind that applies to no bot's run yet is refused).
      expect(Number(figures.resets)).toBeGreaterThanOrEqual(6);
      expect(Number(figures.reset_kinds)).toBeGreaterThanOrEqual(6);
      expect(Number(figures.restarts)).toBeGreaterThanOrEqual(3);
      expect(Number(figures.strategy_errors)).toBeGreaterThan(0);
      // Enough trading under the kills: the kill cycles go on (at most 4 more minutes) until 51
      // orders were placed. On 2 cores shared with the rest of the suite a run placed 30-46 even so
      // (idle: 60-70), so the check asks for more than the 8 bots' first entry and take-profit
      // each; the proof is the invariants above, over all that trading.
      expect(Number(figures.orders)).toBeGreaterThan(24);
      // The futures bot (1m candles: an entry a minute) traded through the kills: entries and
      // take-profits on the perpetual, a protective stop with each position, nothing twice. Its
      // agreement with the exchange is in the invariants above (stuck=0 needs it).
      expect(figures).toMatchObject({ futures_duplicates: '0' });
      expect(Number(figures.futures_orders)).toBeGreaterThanOrEqual(2);
      expect(Number(figures.futures_fills)).toBeGreaterThanOrEqual(2);
      expect(Number(figures.futures_stops)).toBeGreaterThanOrEqual(1);
      // Every other reset is the futures bot's: its lineage scan adopts what the discarded branch placed.
      expect(Number(figures.futures_resets)).toBeGreaterThanOrEqual(2);
      expect(code).toBe(0);
    },
    15 * 60_000,
  );
});
