/**
 * Monitoring end to end on the real dev server and paper exchange, alerts delivered to a Bot API
 * stand-in, a webhook and the log:
 *
 * - /metrics (the control API's, serving the in-process worker's too) after trades;
 * - the circuit breaker: opens on injected 5xx, refuses an entry, lets a stop-loss exit through,
 *   closes after recovery — visible in the bots' `state`, the CLI, the metrics and the alerts;
 * - alerts under the paper exchange's faults (11 consecutive 5xx, an order unknown past its
 *   deadline, a user stream cut longer than the threshold), memory and CPU thresholds set low, and
 *   a bot terminated behind our back; each fires once and says "recovered".
 *
 * The seed 001 scalper trades here; its model's prediction is the test's (a data handler), so
 * entries come when the test wants them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataHandler } from '../../activities/market';
import { runCli } from '../../client/cli';
import type { ModelScalperState } from '../../core/strategies/model-scalper';
import { DEFAULT_THRESHOLDS } from '../../monitoring/alert-rules';
import type { BotWorker } from '../../workers/worker';
import { type TestApi, startTestApi } from '../support/control-api';
import { Harness, eventually } from '../support/harness';
import { TelegramStandIn } from '../support/telegram-stand-in';

const CHAT = 3131;
const tg = new TelegramStandIn();
const env: NodeJS.ProcessEnv = {};
const hooks: Array<{ id: string; kind: string; text: string }> = [];
let hookServer: http.Server;
const h = new Harness({
  notifyEnv: env,
  breaker: { failureThreshold: 5, cooldownMs: 1_000 },
  monitoring: { intervalMs: 200, botCheckEveryMs: 1_000, thresholds: { ...DEFAULT_THRESHOLDS, streamStaleMs: 1_500 } },
});
const predictions = new Map<string, number>();
let worker: BotWorker;
let api: TestApi;

const scalper = (name: string, symbol: string, extra: Record<string, unknown> = {}) => ({
  name,
  strategy: 'model-scalper',
  symbol,
  params: {
    quantity: symbol === 'BTCUSDT' ? '0.001' : '0.01',
    numTrades: 5,
    stopLossPoints: '15',
    trailPoints: '1',
    ...extra,
  },
});
const phase = async (name: string) => ((await h.state(name)).strategyState as ModelScalperState).phase;
const alerts = () =>
  tg
    .messages(CHAT)
    .map((m) => m.text)
    .filter((t) => t.startsWith('🚨') || t.startsWith('✅'));
async function waitAlert(text: string, timeoutMs = 30_000): Promise<string> {
  return (await tg.waitFor(CHAT, (m) => m.text.includes(text), timeoutMs)).text;
}
async function metric(name: string, labels: string): Promise<number | null> {
  const r = await fetch(`${api.url}/metrics`);
  const body = await r.text();
  const line = body
    .split('\n')
    .find((l) => l.startsWith(`${name}{${labels}}`) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

describe('monitoring, alerts and the circuit breaker', () => {
  beforeAll(async () => {
    await tg.start();
    hookServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hooks.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
    Object.assign(env, {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_ALLOWED_CHATS: String(CHAT),
      TELEGRAM_API_ROOT: tg.apiRoot,
      NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`,
      NOTIFY_SEND_TIMEOUT_MS: '2000',
    });
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', '30000', { qty: '0.5' });
    h.exchange.market.setPrice('ETHUSDT', '2000', { qty: '5' });
    const inference: DataHandler = async (request) => ({
      prediction: predictions.get((request as { symbol: string }).symbol) ?? 0,
      probability: 0.9,
    });
    worker = await h.startWorker({ dataHandlers: { inference } });
    api = await startTestApi(h, { dashboard: false, metrics: { registries: [worker.metrics] } });
  });
  afterAll(async () => {
    await api?.close();
    await h.stop();
    await tg.close();
    await new Promise<void>((r) => hookServer.close(() => r()));
  });

  it('/metrics shows the bots’ figures after trades, and the worker’s', async () => {
    predictions.set('BTCUSDT', 1);
    await h.startBot(scalper('mon-a', 'BTCUSDT'));
    await eventually(async () => {
      if ((await phase('mon-a')) !== 'holding') throw new Error('no entry yet');
    });
    // A trailing exit: above the entry, then one point under the high.
    await eventually(
      async () => {
        h.exchange.market.setPrice('BTCUSDT', '30003', { qty: '0.5' });
        if (!((await h.state('mon-a')).strategyState as ModelScalperState).holding?.risen)
          throw new Error('not risen yet');
      },
      30_000,
      250,
    );
    await eventually(
      async () => {
        h.exchange.market.setPrice('BTCUSDT', '30002', { qty: '0.5' });
        if ((await h.state('mon-a')).stats.roundTrips < 1) throw new Error('trade not closed yet');
      },
      30_000,
      250,
    );
    const s = await h.agreement('mon-a');
    expect(s.stats).toMatchObject({ ordersPlaced: 2, fills: 2, roundTrips: 1 });
    await tg.waitFor(CHAT, (m) => m.text.includes('mon-a: exit filled'));

    expect(await metric('bots_bots', 'status="RUNNING"')).toBe(1);
    expect(await metric('bots_bot_orders_placed_total', 'bot="mon-a",symbol="BTCUSDT"')).toBe(2);
    expect(await metric('bots_bot_orders_rejected_total', 'bot="mon-a",symbol="BTCUSDT"')).toBe(0);
    expect(await metric('bots_bot_orders_unknown', 'bot="mon-a",symbol="BTCUSDT"')).toBe(0);
    expect(await metric('bots_bot_fills_total', 'bot="mon-a",symbol="BTCUSDT"')).toBe(2);
    expect(await metric('bots_bot_round_trips_total', 'bot="mon-a",symbol="BTCUSDT"')).toBe(1);
    expect(await metric('bots_bot_realized_pnl', 'bot="mon-a",symbol="BTCUSDT"')).toBeCloseTo(Number(s.realizedPnl), 8);
    expect(await metric('bots_bot_win_rate', 'bot="mon-a",symbol="BTCUSDT"')).toBe(s.stats.wins);
    expect(await metric('bots_exchange_requests_total', 'account="paper",endpoint="order",outcome="ok"')).toBe(2);
    expect(await metric('bots_exchange_request_weight_used', 'account="paper"')).toBeGreaterThan(0);
    expect(await metric('bots_user_stream_up', 'account="paper"')).toBe(1);
    expect(await metric('bots_circuit_breaker_state', 'account="paper"')).toBe(0);
    expect(await metric('bots_reconcile_age_seconds', 'bot="mon-a"')).toBeGreaterThanOrEqual(0);
    expect(await metric('process_resident_memory_bytes', '')).toBeGreaterThan(10_000_000);
    expect(await metric('process_cpu_seconds_total', '')).toBeGreaterThan(0);
  });

  it('the circuit breaker opens on 5xx, refuses an entry, lets the stop-loss exit through, and closes after recovery', async () => {
    // mon-a enters again; mon-b waits on ETH with no prediction yet.
    await eventually(
      async () => {
        h.exchange.market.closeCandle('BTCUSDT', '1m');
        await h.waitForState(
          'mon-a',
          (v) => (v.strategyState as ModelScalperState).phase === 'holding',
          'second entry',
          2_000,
        );
      },
      30_000,
      0,
    );
    predictions.set('BTCUSDT', 0);
    await h.startBot(scalper('mon-b', 'ETHUSDT'));
    await h.waitForState('mon-b', (v) => (v.strategyState as ModelScalperState).lastPrediction !== null, 'mon-b ready');
    const entry = ((await h.state('mon-a')).strategyState as ModelScalperState).holding!.entry;

    // The exchange answers every request with 502 from now on.
    const fault = h.exchange.faults.add({
      kind: 'fail-before-executing',
      status: 502,
      match: { endpoint: '*' },
      count: -1,
    });
    await eventually(
      async () => {
        h.exchange.market.setPrice('BTCUSDT', String(Number(entry) - 20), { qty: '0.5' }); // through the stop: the exit goes out
        if ((await phase('mon-a')) !== 'selling') throw new Error('no stop-loss exit yet');
      },
      30_000,
      250,
    );
    const exitId = (await h.state('mon-a')).openOrders.find((o) => o.tag.startsWith('sell-'))!.clientOrderId;

    // Open: in the bots' state (signalled by the worker), the metrics and the alerts.
    const open = await h.waitForState(
      'mon-a',
      (v) => v.circuitBreaker?.state === 'open' || v.circuitBreaker?.state === 'half-open',
      'the breaker open',
      30_000,
    );
    expect(open.circuitBreaker!.lastError).toContain('HTTP502');
    const openedAt = open.circuitBreaker!.openedAt!;
    expect(await metric('bots_circuit_breaker_state', 'account="paper"')).toBeGreaterThanOrEqual(1);
    // The bots' figures are read from their state queries, cached for 5 s per scrape.
    await eventually(
      async () => {
        if ((await metric('bots_bot_circuit_breaker_open', 'bot="mon-a",symbol="BTCUSDT"')) !== 1)
          throw new Error('bots_bot_circuit_breaker_open of mon-a is not 1 yet');
      },
      15_000,
      500,
    );
    // Exchange errors by class: a 5xx leaves the outcome unknown.
    expect(await metric('bots_exchange_errors_total', 'account="paper",class="unknown"')).toBeGreaterThanOrEqual(5);
    expect(await metric('bots_exchange_consecutive_errors', 'account="paper"')).toBeGreaterThanOrEqual(5);
    expect(await waitAlert('ALERT — account paper: circuit breaker open')).toContain('no new entries, exits still go');

    // A new entry while open: refused before it reaches the exchange.
    predictions.set('ETHUSDT', 1);
    await eventually(
      async () => {
        h.exchange.market.closeCandle('ETHUSDT', '1m');
        await h.waitForState('mon-b', (v) => v.stats.ordersRejected >= 1, 'the refused entry', 2_000);
      },
      30_000,
      0,
    );
    const b = await h.state('mon-b');
    expect(
      b.notifications.some((n) => n.message.includes('CIRCUIT_OPEN') && n.message.includes('no new entries')),
    ).toBe(true);
    expect(b.position.qty).toBe('0');
    const refused = (
      await h.handle('mon-b').query<{ orders: Array<{ tag: string; clientOrderId: string; status: string }> }>('ledger')
    ).orders.find((o) => o.tag === 'buy-1')!;
    expect(refused.status).toBe('REJECTED');
    expect(h.exchange.faults.firings.some((f) => f.target.includes(refused.clientOrderId))).toBe(false); // never sent
    // The exit keeps going to the exchange while the breaker is open.
    await eventually(
      async () => {
        if (!h.exchange.faults.firings.some((f) => f.time > openedAt + 500 && f.target.includes(exitId)))
          throw new Error('the exit was not tried since the breaker opened');
      },
      30_000,
      200,
    );

    // Seed 003's "more than 10 consecutive errors", and the exit's outcome unknown past its deadline.
    expect(h.exchange.faults.list().find((f) => f.id === fault)!.fired).toBeGreaterThanOrEqual(5);
    expect(await waitAlert('ALERT — account paper: consecutive exchange errors')).toMatch(
      /1\d exchange calls failed in a row|\d{2} exchange calls failed in a row/,
    );
    expect(await waitAlert(`order ${exitId} outcome unknown`, 30_000)).toContain('past its deadline');
    const cli: string[] = [];
    process.env.TEMPORAL_ADDRESS = h.temporal.address;
    process.env.TEMPORAL_TASK_QUEUE = h.taskQueue;
    await runCli(['status', 'mon-a'], (l) => cli.push(l));
    expect(cli.join('\n')).toMatch(/breaker[\s\S]*mon-a .* (open|half-open) /);

    // The exchange recovers: the probe closes the breaker, the exit is filled, entries go again.
    h.exchange.faults.clear();
    await h.waitForState('mon-a', (v) => v.circuitBreaker?.state === 'closed', 'the breaker closed', 30_000);
    const closed = await h.waitForState('mon-a', (v) => v.stats.roundTrips === 2, 'the stop-loss filled', 60_000);
    expect((closed.strategyState as ModelScalperState).trades[1]!.exitReason).toBe('stop-loss');
    await tg.waitFor(CHAT, (m) => m.text.includes('mon-a: stop-loss hit'));
    expect(await waitAlert('RECOVERED — account paper: circuit breaker open')).toMatch(/lasted \d+ s/);
    await waitAlert('RECOVERED — account paper: consecutive exchange errors');
    await waitAlert(`RECOVERED — bot mon-a: order ${exitId} outcome unknown`);
    expect(await metric('bots_circuit_breaker_state', 'account="paper"')).toBe(0);
    // The breaker signal is untrusted like any other (the Web UI's Signal button): malformed ones are dropped.
    await h.handle('mon-b').signal('circuitBreaker');
    await h.handle('mon-b').signal('circuitBreaker', { account: 'paper', state: 'ajar', since: Date.now() + 1e9 });
    await h.handle('mon-b').signal('circuitBreaker', 'open');
    await eventually(
      async () => {
        h.exchange.market.closeCandle('ETHUSDT', '1m');
        await h.waitForState(
          'mon-b',
          (v) => (v.strategyState as ModelScalperState).phase === 'holding',
          'an entry after recovery',
          2_000,
        );
      },
      30_000,
      0,
    );
    predictions.set('ETHUSDT', 0);
    expect((await h.state('mon-b')).circuitBreaker?.state).toBe('closed');
    // Each alert was told once (Telegram and the webhook), with one recovery each.
    for (const text of [
      'ALERT — account paper: circuit breaker open',
      'RECOVERED — account paper: circuit breaker open',
      'ALERT — account paper: consecutive exchange errors',
    ]) {
      expect(alerts().filter((t) => t.includes(text))).toHaveLength(1);
      // The channels are sent to in parallel: the webhook's copy may land after Telegram's.
      await eventually(async () => {
        if (!hooks.some((x) => x.kind === 'alert' && x.text.includes(text))) throw new Error(`no webhook for ${text}`);
      });
      expect(hooks.filter((x) => x.kind === 'alert' && x.text.includes(text))).toHaveLength(1);
    }
  });

  it('a user stream cut longer than the threshold alerts, and recovers when it is back', async () => {
    h.exchange.faults.cutConnections('user');
    h.exchange.faults.freeze(); // the exchange holds the re-subscription: the stream stays down
    try {
      expect(await waitAlert('ALERT — account paper: user data stream down')).toMatch(/no subscription for \d+ s/);
      expect(await metric('bots_user_stream_up', 'account="paper"')).toBe(0);
      expect(await metric('bots_user_stream_stale_seconds', 'account="paper"')).toBeGreaterThan(1.5);
    } finally {
      h.exchange.faults.unfreeze();
    }
    await waitAlert('RECOVERED — account paper: user data stream down');
    expect(await metric('bots_user_stream_up', 'account="paper"')).toBe(1);
  });

  it('memory and CPU thresholds (set low here) alert, and recover when raised back', async () => {
    worker.monitor!.configure({ rssBytes: 1024 * 1024, cpuPct: 0, cpuForMs: 600 });
    expect(await waitAlert(`ALERT — worker ${process.pid}: memory over 1 MB`)).toMatch(/resident memory \d+ MB/);
    expect(await waitAlert('ALERT — machine CPU over 0 %')).toMatch(/busy for 1 s/);
    worker.monitor!.configure({
      rssBytes: DEFAULT_THRESHOLDS.rssBytes,
      cpuPct: DEFAULT_THRESHOLDS.cpuPct,
      cpuForMs: DEFAULT_THRESHOLDS.cpuForMs,
    });
    await waitAlert(`RECOVERED — worker ${process.pid}: memory over 1 MB`);
    await waitAlert('RECOVERED — machine CPU over 0 %');
    expect(alerts().filter((t) => t.includes('memory over 1 MB'))).toHaveLength(2);
  });

  /** A bot that trades nothing for 100 candles, started and past its first reconciliation. */
  async function startIdleBot(name: string): Promise<void> {
    await h.startBot({
      name,
      strategy: 'dca-take-profit',
      symbol: 'BTCUSDT',
      params: { everyCandles: 100, quantity: '0.001' },
    });
    await h.waitForState(name, (v) => v.eventsProcessed >= 2, 'start');
  }

  it('a bot stopped without being asked (terminated from the Web UI) alerts once', async () => {
    await startIdleBot('mon-c');
    await h.handle('mon-c').terminate('pressed Terminate in the Web UI');
    expect(await waitAlert('bot mon-c stopped without being asked')).toContain('workflow terminated');
    // Proves a negative (no second alert): two more looks of the monitor (botCheckEveryMs 1 s).
    await new Promise((r) => setTimeout(r, 2_500));
    expect(alerts().filter((t) => t.includes('bot mon-c stopped without being asked'))).toHaveLength(1);
  });

  it("the Web UI's Reset (the run it replaces is terminated) is no alert: the bot carries on", async () => {
    await startIdleBot('mon-d');
    const handle = h.handle('mon-d');
    const { runId } = await handle.describe();
    const events = (await handle.fetchHistory()).events ?? [];
    const firstTask = events.find((e) => e.workflowTaskCompletedEventAttributes)!;
    await h.client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: handle.workflowId, runId },
      reason: 'pressed Reset in the Web UI',
      workflowTaskFinishEventId: firstTask.eventId,
      requestId: `reset-mon-d-${Date.now()}`,
    });
    await eventually(async () => {
      const now = await h.handle('mon-d').describe();
      expect(now.runId).not.toBe(runId);
      expect(now.status.name).toBe('RUNNING');
    });
    expect((await h.client.workflow.getHandle(handle.workflowId, runId).describe()).status.name).toBe('TERMINATED');
    // Proves a negative: three more looks of the monitor (botCheckEveryMs 1 s) find the terminated run.
    await new Promise((r) => setTimeout(r, 3_500));
    expect(alerts().filter((t) => t.includes('bot mon-d'))).toEqual([]);
  });
});
