/**
 * Resilience beyond a single worker: two workers share a task queue and one dies; a bot's
 * stop-loss keeps protecting its position on the exchange while no worker runs at all; and no
 * credential ever reaches a workflow history.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killHard } from '../../infra/worker-process';
import type { BotStateView } from '../../workflows/messages';
import { ZERO_SPREAD_BOOK } from '../../exchange';
import { Harness, eventually } from '../support/harness';

// Stop prices and gap fills are computed from the last price (entry 30000, stop 29400, filled at
// 29000): the idealised book, bid = ask = last. The paper exchange's default book has a spread.
const h = new Harness({ balances: { USDT: '100000', BTC: '0', ETH: '0' }, exchange: { book: ZERO_SPREAD_BOOK } });
let price = 30000;

function move(to: number): void {
  price = to;
  h.exchange.market.setPrice('BTCUSDT', String(to));
}

function closeCandle(): void {
  h.exchange.market.closeCandle('BTCUSDT', '1m');
}

const candlesSeen = (s: BotStateView) => (s.strategyState as { candlesSeen: number }).candlesSeen;

/**
 * Close candles until `predicate` holds for every bot. A worker's stream service relays a candle
 * to the bots its directory lists (Temporal visibility, refreshed every 2 s); on a cluster under
 * load visibility can lag seconds behind a bot's start, and a candle closed before the bot is
 * listed passes it by, as a real candle closing a moment after a start would. So the first candle a
 * test needs is closed again until the bot has it, instead of once with a hope.
 */
async function closeCandlesUntil(
  names: readonly string[],
  predicate: (s: BotStateView) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let closed = 1; ; closed++) {
    closeCandle();
    try {
      await Promise.all(names.map((n) => h.waitForState(n, predicate, what, 5_000)));
      return closed;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

async function streamsUp(connections: number): Promise<void> {
  await eventually(async () => {
    if (h.exchange.stats().connections < connections) throw new Error('streams not connected yet');
  }, 30_000);
}

beforeAll(async () => {
  await h.start();
  move(price);
});
afterAll(() => h.stop());

describe('two workers on one task queue', () => {
  it('when one is killed, its bots carry on with the other; events relayed twice count once', async () => {
    const a: ChildProcess = await h.spawnWorker();
    const b: ChildProcess = await h.spawnWorker();
    const names = ['pair-1', 'pair-2', 'pair-3'];
    for (const name of names) {
      await h.startBot(
        {
          name,
          strategy: 'dca-take-profit',
          symbol: 'BTCUSDT',
          params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '0.5', maxLots: 2 },
        },
        { attemptTimeout: '6s' },
      );
    }
    await Promise.all(names.map((n) => h.waitForState(n, (s) => s.eventsProcessed >= 2, 'started')));
    await streamsUp(4); // each worker: one market and one user stream
    const closed = await closeCandlesUntil(names, (s) => candlesSeen(s) >= 1, 'a first candle');
    // Both workers relay every candle: a bot never counts more candles than were closed.
    for (const s of await Promise.all(names.map((n) => h.agreement(n))))
      expect(candlesSeen(s)).toBeLessThanOrEqual(closed);
    // Every bot is listed now: one more candle, relayed by both workers, counts exactly once.
    const base = new Map(await Promise.all(names.map(async (n) => [n, candlesSeen(await h.state(n))] as const)));
    closeCandle();
    await Promise.all(
      names.map((n) =>
        h.waitForState(n, (s) => candlesSeen(s) === base.get(n)! + 1, 'the candle both workers relayed'),
      ),
    );
    await Promise.all(names.map((n) => h.agreement(n)));

    await killHard(a);
    for (let i = 2; i <= 4; i++) {
      move(price + 200); // take-profits fill, relayed by the surviving worker
      closeCandle();
      await Promise.all(
        names.map((n) =>
          h.waitForState(n, (s) => candlesSeen(s) === base.get(n)! + i, `candle ${i} after the kill`, 60_000),
        ),
      );
    }
    const states: BotStateView[] = await Promise.all(names.map((n) => h.agreement(n)));
    for (const s of states) {
      expect(s.status).toBe('RUNNING');
      expect(s.stats.roundTrips).toBeGreaterThan(0);
    }
    expect(h.auditProblems()).toEqual([]);
    await killHard(b);
    for (const n of names) await h.handle(n).terminate('next test');
  });
});

describe('protection survives downtime', () => {
  it('the stop-loss sits on the exchange and fires while no worker runs; the bot learns it on restart', async () => {
    let worker = await h.spawnWorker();
    move(30000);
    await h.startBot(
      {
        name: 'protected',
        strategy: 'smart-trade',
        symbol: 'BTCUSDT',
        onStop: 'leave-orders',
        params: {
          entry: { type: 'market' },
          sizing: { mode: 'base', quantity: '0.01' },
          exits: { takeProfits: [{ pct: '5', share: '100' }], stopLoss: { pct: '2' } },
        },
      },
      { attemptTimeout: '6s' },
    );
    await h.waitForState('protected', (s) => s.eventsProcessed >= 2, 'started');
    await streamsUp(2);
    const armedWhen = (s: BotStateView) =>
      s.position.qty !== '0' && s.openOrders.length >= 2 && s.openOrders.every((o) => o.status === 'NEW');
    await closeCandlesUntil(['protected'], armedWhen, 'entered, exits on the exchange');
    const armed = await h.waitForState('protected', armedWhen, 'entered, exits on the exchange');
    const stop = armed.openOrders.find((o) => o.request.type.startsWith('STOP_LOSS'))!;
    expect(stop.request.stopPrice).toBe('29400');
    await h.agreement('protected');

    // Power cut: no worker at all. The market falls through the stop; the exchange sells.
    await killHard(worker);
    move(29000);
    const onExchange = h.exchange.venue.getOrder('paper', 'BTCUSDT', { origClientOrderId: stop.clientOrderId });
    expect(onExchange).toMatchObject({ ok: true, order: { status: 'FILLED' } });

    worker = await h.spawnWorker();
    const after = await h.waitForState(
      'protected',
      (s) => s.stats.roundTrips === 1 && s.openOrders.length === 0,
      'stop fill learned after restart',
      60_000,
    );
    // The market gapped from 30000 to 29000 through the 29400 stop: it sold at 29000 (fees aside).
    const fill = h.exchange.venue.allFills().find((f) => f.clientOrderId === stop.clientOrderId)!;
    expect(fill.price).toMatch(/^29000(\.0+)?$/);
    expect(Number(after.realizedPnl)).toBeLessThan(0);
    expect(after.position.qty).toBe('0');
    expect(h.auditProblems()).toEqual([]);
    await killHard(worker);
  });
});

describe('credentials never reach a workflow history', () => {
  it('no payload of any history of this run holds the API key or secret', async () => {
    // One more bot, in process, through every kind of message, so the scan covers them all.
    await h.startWorker();
    move(30000);
    await h.startBot({
      name: 'secret-scan',
      strategy: 'dca-take-profit',
      symbol: 'BTCUSDT',
      params: { everyCandles: 1, quantity: '0.01' },
    });
    await h.waitForState('secret-scan', (s) => s.eventsProcessed >= 2, 'started');
    await streamsUp(2);
    await closeCandlesUntil(['secret-scan'], (s) => s.stats.ordersPlaced >= 2, 'orders');
    await h.handle('secret-scan').cancel();
    await h.handle('secret-scan').result();

    let histories = 0;
    let payloads = 0;
    const leaks: string[] = [];
    for await (const wf of h.client.workflow.list({ query: `TaskQueue = '${h.taskQueue}'` })) {
      const history = await h.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      histories++;
      walk(history, (text) => {
        payloads++;
        if (text.includes(h.apiKey)) leaks.push(`${wf.workflowId}: API key`);
        if (text.includes(h.apiSecret)) leaks.push(`${wf.workflowId}: API secret`);
      });
    }
    expect(histories).toBeGreaterThanOrEqual(5);
    expect(payloads).toBeGreaterThan(100);
    expect(leaks).toEqual([]);
  });
});

/** Visit every string and every byte payload (decoded as UTF-8) of a history. */
function walk(value: unknown, visit: (text: string) => void): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') return visit(value);
  if (value instanceof Uint8Array) return visit(Buffer.from(value).toString('utf8'));
  if (Array.isArray(value)) return value.forEach((v) => walk(v, visit));
  if (typeof value === 'object') for (const v of Object.values(value)) walk(v, visit);
}
