/**
 * The shipped futures seed configs run as a user starts them: `bots start configs/seed-00x-*.json`
 * through the CLI (validated, checked with the worker, started), with a worker whose "paper"
 * account points at the paper exchange (ACCOUNT_PAPER_HTTP_BASE etc. in the README; here the
 * harness's account), on a real Temporal dev server. Each bot runs: RUNNING, not BLOCKED, on the
 * futures market, its leverage and margin type on the exchange as configured, its warm-up done.
 * No trade is waited for: the seeds' thresholds need market conditions paper data may never make.
 */
import path from 'node:path';
import Binance from 'binance-api-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawPositionRisk } from '../../activities/futures-types';
import { runCli } from '../../client/cli';
import { loadBotConfig } from '../../client/config-file';
import { configQuery } from '../../workflows/messages';
import { Harness, eventually } from '../support/harness';

// The paper exchange as `npm start` runs it: a random walk with synthetic history to warm up on.
const h = new Harness({ exchange: { prices: { kind: 'random-walk', seed: 3, tickMs: 1000, history: 300 } } });
const saved = { address: process.env.TEMPORAL_ADDRESS, queue: process.env.TEMPORAL_TASK_QUEUE };

beforeAll(async () => {
  await h.start();
  h.exchange.futures.deposit('paper', 'USDT', '10000');
  await h.startWorker();
  // The CLI reads its Temporal settings from the environment, as for a user.
  process.env.TEMPORAL_ADDRESS = h.temporal.address;
  process.env.TEMPORAL_TASK_QUEUE = h.taskQueue;
});
afterAll(async () => {
  process.env.TEMPORAL_ADDRESS = saved.address;
  process.env.TEMPORAL_TASK_QUEUE = saved.queue;
  if (saved.address === undefined) delete process.env.TEMPORAL_ADDRESS;
  if (saved.queue === undefined) delete process.env.TEMPORAL_TASK_QUEUE;
  await h.stop();
});

async function positionRisk(symbol: string): Promise<RawPositionRisk> {
  const client = Binance({
    apiKey: h.apiKey,
    apiSecret: h.apiSecret,
    httpBase: h.exchange.httpBase,
    httpFutures: h.exchange.httpBase,
  }) as unknown as { futuresPositionRisk(p: { symbol: string }): Promise<RawPositionRisk[]> };
  const row = (await client.futuresPositionRisk({ symbol })).find((r) => r.symbol === symbol);
  if (!row) throw new Error(`no positionRisk row for ${symbol}`);
  return row;
}

describe('the futures seed configs, started with `bots start <file>` on the paper exchange', () => {
  it.each([
    ['configs/seed-003-bitsniper-perp.json', 10],
    ['configs/seed-004-minerva-perp.json', 50],
  ])('%s runs: RUNNING on futures, %ix ISOLATED on the exchange, warmed up, not refused', async (file, leverage) => {
    const abs = path.resolve(file);
    const [def] = loadBotConfig(abs);
    const lines: string[] = [];
    // The previous case's bot held the account's BTCUSDT slot: its release follows its stop closely.
    const code = await eventually(() => runCli(['start', abs], (l) => lines.push(l)), 15_000, 250);
    expect(code).toBe(0);
    expect(lines.join('\n')).not.toMatch(/not checked|refused|BLOCKED/);

    try {
      const s = await h.waitForState(
        def!.name,
        (x) => x.status === 'RUNNING' && x.blocked === null && x.eventsProcessed >= 2 && x.activitiesInFlight === 0,
        'running',
        30_000,
      );
      const config = await h.handle(def!.name).query(configQuery);
      expect(config.market).toBe('futures');
      expect(s.account).toBe('paper');
      expect(s.notifications.filter((n) => n.level === 'error')).toEqual([]);
      if (def!.strategy === 'rsi-sniper') {
        // Warmed on the exchange's history (200 closed candles by default), not on nothing.
        const st = s.strategyState as { warm: boolean; decisions: { action: string; reason: string }[] };
        expect(st.warm).toBe(true);
        const warmed = st.decisions.find((x) => x.action === 'warm')?.reason ?? '';
        expect(warmed).toMatch(/^RSI warmed on \d+ closed candles$/);
        expect(Number(/\d+/.exec(warmed)![0])).toBeGreaterThanOrEqual(199);
      }
      await eventually(async () => {
        const r = await positionRisk(def!.symbol);
        if (Number(r.leverage) !== leverage || r.marginType !== 'isolated')
          throw new Error(`positionRisk ${r.leverage}x ${r.marginType}`);
      });
    } finally {
      await h.handle(def!.name).cancel();
      await h
        .handle(def!.name)
        .result()
        .catch(() => {});
    }
  });
});
