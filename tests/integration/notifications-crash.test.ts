/**
 * A trade notification arrives exactly once across a worker kill -9 between the fill and the send:
 * worker processes (workers/main.ts) on the real dev server and paper exchange, Telegram's Bot API
 * stood in over HTTP. The stand-in holds the first sendMessage without answering (the message is
 * not delivered) and the worker is killed while it waits; a new worker delivers it, once.
 *
 * The same worker processes serve our /metrics and the Temporal SDK's own worker metrics (runtime
 * telemetry, TEMPORAL_METRICS_BIND): both are scraped here.
 */
import net from 'node:net';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ZERO_SPREAD_BOOK } from '../../exchange';
import { killHard } from '../../infra/worker-process';
import { Outbox } from '../../notify/outbox';
import { ledgerQuery } from '../../workflows/control';
import { Harness, eventually } from '../support/harness';
import { TelegramStandIn } from '../support/telegram-stand-in';

const CHAT = 777;
const tg = new TelegramStandIn();
const env: NodeJS.ProcessEnv = {};
// The expected price is the last price: a book without spread.
const h = new Harness({ notifyEnv: env, exchange: { book: ZERO_SPREAD_BOOK } });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

describe('notifications from the durable history', () => {
  beforeAll(async () => {
    await tg.start();
    Object.assign(env, {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_ALLOWED_CHATS: String(CHAT),
      TELEGRAM_API_ROOT: tg.apiRoot,
      NOTIFY_SEND_TIMEOUT_MS: '1500',
    });
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', '30000');
  });
  afterAll(async () => {
    await h.stop();
    await tg.close();
  });

  it('a trade notification arrives once across a worker kill -9 between the fill and the send', async () => {
    const [ours, sdk] = [await freePort(), await freePort()];
    Object.assign(env, { METRICS_PORT: String(ours), TEMPORAL_METRICS_BIND: `127.0.0.1:${sdk}` });
    const a = await h.spawnWorker();
    await h.startBot(
      {
        name: 'nk',
        strategy: 'dca-take-profit',
        symbol: 'BTCUSDT',
        params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '50', maxLots: 1 },
      },
      { attemptTimeout: '3s' },
    );
    await h.waitForState(
      'nk',
      (s) => s.eventsProcessed >= 2 && !s.openOrders.some((o) => o.status === 'SUBMITTING'),
      'start',
    );
    await eventually(async () => {
      if (!h.exchange.listening.market('btcusdt@kline_1m')) throw new Error('no kline subscriber yet');
    });

    // Both metrics endpoints of the worker process: ours, and the Temporal SDK's (Rust core).
    const mine = await scrape(ours);
    expect(mine).toMatch(
      /^bots_exchange_requests_total\{account="paper",endpoint="exchangeInfo",outcome="ok"\} [1-9]/m,
    );
    expect(mine).toMatch(/^bots_circuit_breaker_state\{account="paper"\} 0$/m);
    expect(mine).toMatch(/^process_resident_memory_bytes \d+/m);
    const temporal = await scrape(sdk);
    expect(temporal).toMatch(/^temporal_worker_task_slots_available\{/m);
    expect(temporal).toMatch(/^temporal_workflow_task_execution_latency/m);

    tg.holdSends((p) => String(p.text).includes('nk: entry filled'));
    h.exchange.market.closeCandle('BTCUSDT', '1m');
    await h.waitForState('nk', (s) => s.stats.fills === 1, 'the entry fill');
    await eventually(async () => {
      if (tg.heldCount() === 0) throw new Error('the notification is not being sent yet');
    });
    // The fill is in the bot's history, the message is on its way but not delivered: power cut.
    await killHard(a);
    tg.holdSends(null);
    await eventually(async () => {
      if (tg.dropped.length === 0) throw new Error('the held request is not dropped yet');
    });
    expect(tg.messages(CHAT).filter((m) => m.text.includes('nk: entry filled'))).toHaveLength(0);

    delete env.METRICS_PORT;
    delete env.TEMPORAL_METRICS_BIND;
    const b = await h.spawnWorker();
    const m = await tg.waitFor(CHAT, (x) => x.text.includes('nk: entry filled'), 60_000);
    expect(m.text).toContain('BUY 0.01 BTCUSDT @ 30000 (300 USDT)');
    // The bot goes on (replayed on the new worker): nothing is told twice.
    await eventually(
      async () => {
        h.exchange.market.closeCandle('BTCUSDT', '1m'); // until the new worker's stream relays one
        await h.waitForState(
          'nk',
          (s) => (s.strategyState as { candlesSeen: number }).candlesSeen >= 2,
          'a second candle',
          2_000,
        );
      },
      60_000,
      0,
    );
    // Proves a negative (nothing told twice): past the claim of the dead worker and a few dispatcher ticks.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(tg.messages(CHAT).filter((x) => x.text.includes('nk: entry filled'))).toHaveLength(1);
    expect(tg.dropped).toHaveLength(1);
    // The outbox row of that message: claimed by the dead worker (attempt 1), sent by the new one.
    const state = await h.state('nk');
    const buy = (await h.handle('nk').query(ledgerQuery)).orders.find((o) => o.tag === 'buy-1')!;
    const outbox = new Outbox(h.notifyDb);
    try {
      const row = outbox.get(`${state.clientIdTag}/entry/${buy.clientOrderId}`, `telegram:${CHAT}`);
      expect(row).toMatchObject({ status: 'sent', attempts: 2 });
      expect(outbox.counts().pending).toBe(0);
    } finally {
      outbox.close();
    }
    // In the history a notification costs one local-activity marker, never an activity's three
    // events and the workflow task that wakes the bot for its result (the issue 16 budget).
    const events = (await h.handle('nk').fetchHistory()).events ?? [];
    const markers = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(markers.length).toBeGreaterThanOrEqual(1);
    expect(
      events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverNotifications'),
    ).toBe(false);
    // And that history, notification markers included, replays against the workflow code without nondeterminism.
    // Under its own workflow id: the bot's client ids derive from it (see tests/integration/replay.test.ts).
    const handle = h.handle('nk');
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      await handle.fetchHistory(),
      handle.workflowId,
    );
    await killHard(b);
  });
});
