/**
 * Every fault mode of the paper exchange, observed through binance-api-node as a bot would see it,
 * and checked against the audit (submitted / executed per client id).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PaperExchange, startPaperExchange } from '../../exchange';
import { type BinanceClient, type Wire, adminCall, clientFor, rejectionOf, waitFor } from '../support/exchange-client';
import { wsText } from '../../infra/ws-text';

const KEY = 'fault-key';
const SECRET = 'fault-secret';

let ex: PaperExchange;
let client: BinanceClient;

beforeAll(async () => {
  ex = await startPaperExchange({
    prices: { kind: 'manual' },
    accounts: [{ apiKey: KEY, apiSecret: SECRET, balances: { USDT: '100000', BTC: '5' } }],
    backendTimeoutMs: 300,
    admin: { enabled: true },
  });
  client = clientFor(ex, KEY, SECRET, { emitSocketOpens: true });
  ex.market.setPrice('BTCUSDT', '30000');
});

afterEach(() => {
  ex.faults.clear();
});

afterAll(async () => {
  await ex.close();
});

const limit = (cid: string, extra: Wire = {}) =>
  client.order({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: '0.001',
    price: '29000',
    newClientOrderId: cid,
    ...extra,
  });
const lookup = (cid: string) => client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: cid });
const stats = (cid: string) => ex.audit.clientId(cid);

describe('order request faults', () => {
  it('lose-response: the order executes but the answer never comes (socket dropped later)', async () => {
    ex.faults.add({ kind: 'lose-response', match: { clientOrderId: '^f-lose$' }, afterMs: 200 });
    const err = await rejectionOf(limit('f-lose'));
    expect(typeof err.code).toBe('string'); // a network error, not a Binance code
    expect((await lookup('f-lose')).status).toBe('NEW');
    expect(stats('f-lose')).toMatchObject({ submitted: 1, executed: 1 });
    expect(ex.audit.requests({ clientOrderId: 'f-lose' })[0]?.outcome).toBe('lose-response');
  });

  it('reset-after-execute: ECONNRESET after the order executed', async () => {
    ex.faults.add({ kind: 'reset-after-execute', match: { clientOrderId: '^f-reset-after$' } });
    const err = await rejectionOf(limit('f-reset-after'));
    expect(err.code).toBe('ECONNRESET');
    expect((await lookup('f-reset-after')).status).toBe('NEW');
    expect(stats('f-reset-after')).toMatchObject({ submitted: 1, executed: 1 });
  });

  it('reset-before-execute: ECONNRESET and no order', async () => {
    ex.faults.add({ kind: 'reset-before-execute', match: { clientOrderId: '^f-reset-before$' } });
    expect((await rejectionOf(limit('f-reset-before'))).code).toBe('ECONNRESET');
    expect((await rejectionOf(lookup('f-reset-before'))).code).toBe(-2013);
    expect(stats('f-reset-before')).toMatchObject({ submitted: 1, executed: 0 });
    // The same id then goes through: the fault fired once.
    expect((await limit('f-reset-before')).status).toBe('NEW');
    expect(stats('f-reset-before')).toMatchObject({ submitted: 2, executed: 1 });
  });

  it('unknown-while-executing: HTTP 5xx with -1007 after the backend timeout, order executed', async () => {
    ex.faults.add({ kind: 'unknown-while-executing', match: { clientOrderId: '^f-unknown$' } });
    const err = await rejectionOf(limit('f-unknown'));
    expect(err).toMatchObject({
      code: -1007,
      message: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
    });
    expect((await lookup('f-unknown')).status).toBe('NEW');
    expect(stats('f-unknown')).toMatchObject({ submitted: 1, executed: 1 });
  });

  it('unknown-while-executing with late execution: -1007 first, -2013 on lookup, then the order appears', async () => {
    ex.faults.add({
      kind: 'unknown-while-executing',
      match: { clientOrderId: '^f-late$' },
      afterMs: 10,
      executeDelayMs: 400,
    });
    expect((await rejectionOf(limit('f-late'))).code).toBe(-1007);
    expect((await rejectionOf(lookup('f-late'))).code).toBe(-2013);
    const found = await waitFor(() => lookup('f-late').catch(() => undefined), 5000, 'late order');
    expect(found.status).toBe('NEW');
    expect(stats('f-late')).toMatchObject({ submitted: 1, executed: 1 });
  });

  it('fail-before-executing: a 502 HTML page (or JSON -1001), never executed', async () => {
    ex.faults.add({ kind: 'fail-before-executing', match: { clientOrderId: '^f-502$' } });
    const html = await rejectionOf(limit('f-502'));
    expect(html.code).toBeUndefined();
    expect((html as unknown as { response: { status: number } }).response.status).toBe(502);
    expect(html.message).toMatch(/^502 Bad Gateway <html>/);
    ex.faults.add({ kind: 'fail-before-executing', match: { clientOrderId: '^f-502$' }, status: 500, body: 'json' });
    expect((await rejectionOf(limit('f-502'))).code).toBe(-1001);
    expect((await rejectionOf(lookup('f-502'))).code).toBe(-2013);
    expect(stats('f-502')).toMatchObject({ submitted: 2, executed: 0 });
  });

  it('delay before executing re-checks recvWindow (-1021); delay after answers late but fine', async () => {
    ex.faults.add({ kind: 'delay', match: { clientOrderId: '^f-delay-before$' }, ms: 400 });
    const late = await rejectionOf(limit('f-delay-before', { recvWindow: 100 }));
    expect(late).toMatchObject({ code: -1021, message: 'Timestamp for this request is outside of the recvWindow.' });
    expect(stats('f-delay-before')).toMatchObject({ submitted: 1, executed: 0 });
    // Answered later than its recvWindow, yet fine: the window is checked on arrival only. (A
    // 1 s window, not 100 ms: a loaded machine may take longer than 100 ms to deliver the request.)
    ex.faults.add({ kind: 'delay', match: { clientOrderId: '^f-delay-after$' }, ms: 1_500, phase: 'after' });
    expect((await limit('f-delay-after', { recvWindow: 1_000 })).status).toBe('NEW');
  });

  it('rate-limit bursts: 429 -1003 then 418, with Retry-After', async () => {
    ex.faults.add({ kind: 'rate-limit', count: 2, retryAfterSec: 7 });
    ex.faults.add({ kind: 'rate-limit', status: 418, count: 1, retryAfterSec: 120 });
    const first = await rejectionOf(limit('f-rl'));
    expect(first.code).toBe(-1003);
    expect(first.message).toMatch(/^Too much request weight used/);
    expect((await rejectionOf(limit('f-rl'))).code).toBe(-1003);
    // The library hides headers; the Retry-After value is checked on the raw answer.
    const raw = await fetch(`${ex.httpBase}/api/v3/order?symbol=BTCUSDT`, { method: 'POST' });
    expect(raw.status).toBe(418);
    expect(raw.headers.get('retry-after')).toBe('120');
    expect(((await raw.json()) as Wire).msg).toMatch(/^Way too much request weight used; IP banned until/);
    expect((await limit('f-rl')).status).toBe('NEW');
  });

  it('hide-order: a just-placed order is invisible to lookups for a while', async () => {
    ex.faults.add({ kind: 'hide-order', match: { clientOrderId: '^f-hidden$' }, ms: 400 });
    const placed = await limit('f-hidden');
    expect((await rejectionOf(lookup('f-hidden'))).code).toBe(-2013);
    expect((await client.openOrders({ symbol: 'BTCUSDT' })).some((o: Wire) => o.clientOrderId === 'f-hidden')).toBe(
      false,
    );
    const found = await waitFor(() => lookup('f-hidden').catch(() => undefined), 5000, 'visible order');
    expect(found.orderId).toBe(placed.orderId);
  });

  it('matches by endpoint too: a cancel can be lost after executing', async () => {
    await limit('f-cancel');
    ex.faults.add({
      kind: 'reset-after-execute',
      match: { endpoint: 'DELETE /api/v3/order', clientOrderId: '^f-cancel$' },
    });
    expect((await rejectionOf(client.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: 'f-cancel' }))).code).toBe(
      'ECONNRESET',
    );
    expect((await lookup('f-cancel')).status).toBe('CANCELED');
  });
});

describe('user-stream faults', () => {
  async function subscribe(): Promise<{ events: Wire[]; clean: () => void }> {
    const events: Wire[] = [];
    const clean = (await client.ws.user((e: Wire) => events.push(e))) as () => void;
    return { events, clean };
  }
  const reportsFor = (events: Wire[], cid: string) =>
    events.filter((e) => e.eventType === 'executionReport' && e.newClientOrderId === cid);
  const market = (cid: string) =>
    client.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: cid });

  it('drops, duplicates, reorders and delays events', async () => {
    const { events, clean } = await subscribe();
    try {
      ex.faults.add({
        kind: 'user-drop',
        match: { eventType: 'executionReport', clientOrderId: '^u-drop$' },
        count: -1,
      });
      await market('u-drop');
      await market('u-marker-1');
      await waitFor(() => reportsFor(events, 'u-marker-1').length === 2, 5000, 'marker');
      expect(reportsFor(events, 'u-drop')).toHaveLength(0);

      ex.faults.add({
        kind: 'user-duplicate',
        match: { eventType: 'executionReport', clientOrderId: '^u-dup$' },
        count: -1,
      });
      await market('u-dup');
      await waitFor(() => reportsFor(events, 'u-dup').length === 4, 5000, 'duplicates');
      expect(reportsFor(events, 'u-dup').map((e) => e.executionType)).toEqual(['NEW', 'NEW', 'TRADE', 'TRADE']);

      ex.faults.add({
        kind: 'user-reorder',
        match: { eventType: 'executionReport', clientOrderId: '^u-reorder$' },
        count: 2,
      });
      await market('u-reorder');
      await waitFor(() => reportsFor(events, 'u-reorder').length === 2, 5000, 'reordered');
      expect(reportsFor(events, 'u-reorder').map((e) => e.orderStatus)).toEqual(['FILLED', 'NEW']);

      // Held longer than the marker order's round trip takes even on a loaded machine: the marker's
      // events are then sent first (held 300 ms, they raced it).
      ex.faults.add({
        kind: 'user-delay',
        match: { eventType: 'executionReport', clientOrderId: '^u-delay$' },
        ms: 1_500,
        count: -1,
      });
      await market('u-delay');
      await market('u-marker-2');
      await waitFor(() => reportsFor(events, 'u-delay').length === 2, 5000, 'delayed');
      const order = events.filter((e) => e.eventType === 'executionReport').map((e) => e.newClientOrderId);
      expect(order.lastIndexOf('u-delay')).toBeGreaterThan(order.lastIndexOf('u-marker-2'));
    } finally {
      clean();
    }
  });

  it('cuts WebSocket connections; binance-api-node reconnects and re-subscribes', async () => {
    const { events, clean } = await subscribe();
    try {
      const opensBefore = events.filter((e) => e.eventType === 'open').length;
      expect(ex.faults.cutConnections('user')).toBeGreaterThan(0);
      // reconnecting-websocket waits 4–10 s before reconnecting.
      await waitFor(() => events.filter((e) => e.eventType === 'open').length > opensBefore, 15_000, 'reconnect');
      await waitFor(
        async () => {
          await market(`u-after-cut-${events.length}`);
          return events.some(
            (e) => e.eventType === 'executionReport' && String(e.newClientOrderId).startsWith('u-after-cut'),
          );
        },
        5000,
        'events after the cut',
      );
    } finally {
      clean();
    }
  }, 30_000);
});

describe('whole-exchange faults', () => {
  it('freeze: requests and streams wait until the thaw', async () => {
    const { events, clean } = await (async () => {
      const evs: Wire[] = [];
      const c = (await client.ws.user((e: Wire) => evs.push(e))) as () => void;
      return { events: evs, clean: c };
    })();
    try {
      ex.faults.freeze();
      let settled = false;
      const requestsBefore = ex.stats().httpRequests;
      const pending = client
        .order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'frozen-1' })
        .finally(() => {
          settled = true;
        });
      await waitFor(() => ex.stats().httpRequests > requestsBefore, 5000, 'the order at the exchange');
      // Proves a negative: the order, arrived, is held while frozen.
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      expect(ex.audit.clientId('frozen-1')).toBeUndefined();
      ex.faults.unfreeze();
      expect((await pending).status).toBe('FILLED');
      await waitFor(() => events.some((e) => e.newClientOrderId === 'frozen-1'), 5000, 'report after thaw');
    } finally {
      clean();
    }
  });

  it('serverShutdown: streams get the event, then a polite close', async () => {
    const WebSocket = (await import('ws')).default;
    const raw = new WebSocket(`${ex.wsBase}/btcusdt@trade`);
    const combined = new WebSocket(`ws://127.0.0.1:${ex.port}/stream?streams=btcusdt@trade`);
    const got: string[] = [];
    const closes: number[] = [];
    for (const ws of [raw, combined]) {
      ws.on('message', (m) => got.push(wsText(m)));
      ws.on('close', (code) => closes.push(code));
    }
    await Promise.all([raw, combined].map((ws) => new Promise((r) => ws.once('open', r))));
    expect(ex.faults.serverShutdown()).toBeGreaterThanOrEqual(2);
    await waitFor(() => closes.length === 2, 5000, 'closes');
    expect(closes).toEqual([1001, 1001]);
    expect(got.map((m) => JSON.parse(m) as Wire)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ e: 'serverShutdown' }),
        expect.objectContaining({ stream: '!serverShutdown', data: expect.objectContaining({ e: 'serverShutdown' }) }),
      ]),
    );
  });

  it('market-drop: a dropped final kline can be backfilled over REST', async () => {
    const seen: Wire[] = [];
    const cleanK = client.ws.candles('BTCUSDT', '5m', (k: Wire) => seen.push(k));
    try {
      await waitFor(
        async () => {
          ex.market.setPrice('BTCUSDT', '30001');
          return seen.length > 0;
        },
        5000,
        'kline stream',
      );
      ex.faults.add({ kind: 'market-drop', match: { stream: 'btcusdt@kline_5m' }, count: 1 });
      const closed = ex.market.closeCandle('BTCUSDT', '5m');
      ex.market.setPrice('BTCUSDT', '30002');
      await waitFor(() => seen.some((k) => k.startTime > closed.openTime), 5000, 'next candle');
      expect(seen.some((k) => k.isFinal)).toBe(false);
      const backfill = await client.candles({
        symbol: 'BTCUSDT',
        interval: '5m',
        startTime: closed.openTime,
        limit: 1,
      });
      expect(backfill[0]).toMatchObject({ openTime: closed.openTime, close: '30001.00000000' });
    } finally {
      cleanK();
    }
  });

  it('the admin HTTP endpoint drives the same faults and audit', async () => {
    const post = async (path: string, body: unknown) => (await adminCall(ex, path, body)).body;
    const get = async (path: string) => (await adminCall(ex, path)).body;
    const { id } = await post('/admin/faults', { kind: 'reset-after-execute', match: { clientOrderId: '^adm-1$' } });
    expect(typeof id).toBe('number');
    expect(((await get('/admin/faults')) as Wire[]).map((f) => f.id)).toContain(id);
    expect((await rejectionOf(limit('adm-1'))).code).toBe('ECONNRESET');
    const audit = await get('/admin/audit');
    expect(audit.clientIds.find((c: Wire) => c.clientOrderId === 'adm-1')).toMatchObject({ submitted: 1, executed: 1 });
    expect(audit.problems).toEqual([]);
    expect(await post('/admin/faults', { kind: 'nonsense' })).toMatchObject({
      error: expect.stringMatching(/unknown fault kind/),
    });
    await adminCall(ex, '/admin/faults', undefined, 'DELETE');
    expect(await get('/admin/faults')).toEqual([]);
    expect(await post('/admin/price', { symbol: 'BTCUSDT', price: '30003' })).toEqual({ price: '30003' });
  });

  it('audit: nothing doubled, nothing lost', () => {
    expect(ex.audit.check(ex.venue)).toEqual([]);
    expect(ex.audit.duplicates()).toEqual([]);
    const s = ex.audit.summary();
    expect(s.fills).toBeGreaterThan(0);
    expect(s.placementRequests).toBeGreaterThan(s.ordersCreated);
  });
});
