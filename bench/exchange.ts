/**
 * `npm run bench:exchange` — throughput of the paper exchange (a script, not a test).
 *
 * The exchange runs as its own process (as with `npm run exchange`), so the load generator does
 * not share its event loop. Figures:
 *   - venue: orders/s and candles/s of the pure venue (no I/O)
 *   - REST orders/s: MARKET orders over keep-alive HTTP, signed, 32 in flight (raw client), then
 *     the same through binance-api-node (what bots use)
 *   - stream messages/s: 8 WebSocket connections × 4 streams (trade, bookTicker, kline_1m and the
 *     real diff-depth stream `@depth@100ms`, whose U/u sequence is checked for gaps on every
 *     connection), fed by the admin burst generator; the exchange runs its default realistic book
 * Targets: ≥ 2,000 orders/s and ≥ 10,000 stream messages/s. Exit code 1 when a target is missed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import { DEFAULT_SYMBOLS, Venue } from '../venue';
import { clientFor } from '../tests/support/exchange-client';

const KEY = 'bench-key';
const SECRET = 'bench-secret';
const ORDER_TARGET = 2_000;
const STREAM_TARGET = 10_000;

function venueFigures(): { ordersPerSec: number; idleCandlesPerSec: number; busyCandlesPerSec: number } {
  const v = new Venue({ symbols: DEFAULT_SYMBOLS });
  v.addAccount('a', { USDT: '1000000000', BTC: '100000' }, 0);
  v.setLastPrice('BTCUSDT', '30000');
  const n = 20_000;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = v.placeOrder({
      accountId: 'a',
      symbol: 'BTCUSDT',
      side: i % 2 ? 'BUY' : 'SELL',
      type: 'MARKET',
      quantity: '0.001',
      newClientOrderId: `v${i}`,
      time: i,
    });
    if (!r.ok) throw new Error(r.msg);
  }
  const ordersPerSec = n / ((performance.now() - t0) / 1000);
  const candles = Array.from({ length: 1000 }, (_, i) => ({
    open: '30000',
    high: `${30010 + (i % 7)}`,
    low: `${29990 - (i % 5)}`,
    close: `${30000 + (i % 3)}`,
    volume: '12.5',
    openTime: i * 60_000,
    closeTime: i * 60_000 + 59_999,
  }));
  const m = 2_000_000;
  t0 = performance.now();
  for (let i = 0; i < m; i++) v.onCandle('BTCUSDT', candles[i % 1000] as (typeof candles)[number]);
  const idleCandlesPerSec = m / ((performance.now() - t0) / 1000);
  // A strategy holding a protective stop and a resting limit order far from the market.
  v.placeOrder({
    accountId: 'a',
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.001',
    price: '20000',
    newClientOrderId: 'resting',
    time: 0,
  });
  v.placeOrder({
    accountId: 'a',
    symbol: 'BTCUSDT',
    side: 'SELL',
    type: 'STOP_LOSS',
    quantity: '0.001',
    stopPrice: '20000',
    newClientOrderId: 'stop',
    time: 0,
  });
  const k = 500_000;
  t0 = performance.now();
  for (let i = 0; i < k; i++) v.onCandle('BTCUSDT', candles[i % 1000] as (typeof candles)[number]);
  const busyCandlesPerSec = k / ((performance.now() - t0) / 1000);
  return { ordersPerSec, idleCandlesPerSec, busyCandlesPerSec };
}

/** The admin token of the exchange under test (printed once at its start). */
let adminToken = '';

async function launch(): Promise<{ child: ChildProcess; httpBase: string }> {
  const tokenFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-exchange-')), 'admin-token');
  const child = spawn(process.execPath, ['--import', 'tsx', 'exchange/main.ts'], {
    env: {
      ...process.env,
      PAPER_PORT: '0',
      PAPER_STATE: '',
      PAPER_PRICES: 'manual',
      PAPER_RATE_LIMITS: 'off',
      PAPER_API_KEY: KEY,
      PAPER_API_SECRET: SECRET,
      PAPER_BALANCES: 'USDT=1000000000,BTC=100000',
      PAPER_ADMIN: 'on',
      PAPER_ADMIN_TOKEN_FILE: tokenFile,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /httpBase\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    const t = /admin token\s+([0-9a-f]{64})/.exec(out);
    if (m?.[1] && t?.[1]) {
      adminToken = t[1];
      return { child, httpBase: m[1] };
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`exchange did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * CPU seconds used so far by a process (Linux /proc; user + system). With other work on the
 * machine, throughput varies; orders per exchange-CPU-second is the exchange's own cost.
 */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

async function admin(httpBase: string, p: string, body: unknown): Promise<void> {
  const res = await fetch(`${httpBase}${p}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
}

/** Signed MARKET orders over keep-alive HTTP with `inFlight` concurrent requests for `ms`. */
async function rawOrders(httpBase: string, ms: number, inFlight: number): Promise<number> {
  const url = new URL(httpBase);
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  let seq = 0;
  let ok = 0;
  const deadline = Date.now() + ms;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const i = seq++;
      const query = `symbol=BTCUSDT&side=${i % 2 ? 'BUY' : 'SELL'}&type=MARKET&quantity=0.001&newClientOrderId=raw${i}&newOrderRespType=ACK&timestamp=${Date.now()}`;
      const signature = createHmac('sha256', SECRET).update(query).digest('hex');
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: `/api/v3/order?${query}&signature=${signature}`,
          agent,
          headers: { 'X-MBX-APIKEY': KEY, 'Content-Length': '0' },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) ok++;
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  agent.destroy();
  return ok / ((performance.now() - t0) / 1000);
}

async function libraryOrders(httpBase: string, ms: number, inFlight: number): Promise<number> {
  const port = Number(new URL(httpBase).port);
  const client = clientFor(
    { httpBase, wsBase: `ws://127.0.0.1:${port}/ws`, wsApi: `ws://127.0.0.1:${port}/ws-api/v3` } as never,
    KEY,
    SECRET,
  );
  let seq = 0;
  let ok = 0;
  const deadline = Date.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < deadline) {
        const i = seq++;
        await client.order({
          symbol: 'BTCUSDT',
          side: i % 2 ? 'BUY' : 'SELL',
          type: 'MARKET',
          quantity: '0.001',
          newClientOrderId: `lib${i}`,
          newOrderRespType: 'ACK',
        });
        ok++;
      }
    }),
  );
  return ok / ((performance.now() - t0) / 1000);
}

async function streamMessages(
  httpBase: string,
  ms: number,
): Promise<{ perSec: number; connections: number; diffs: number; diffLevels: number; gaps: number }> {
  const port = Number(new URL(httpBase).port);
  const streams = ['btcusdt@trade', 'btcusdt@bookTicker', 'btcusdt@kline_1m', 'btcusdt@depth@100ms'];
  const sockets: WebSocket[] = [];
  let received = 0;
  let diffs = 0;
  let diffLevels = 0;
  let gaps = 0;
  for (let i = 0; i < 8; i++) {
    const url =
      i % 2 === 0
        ? `ws://127.0.0.1:${port}/ws/${streams.join('/')}`
        : `ws://127.0.0.1:${port}/stream?streams=${streams.join('/')}`;
    const ws = new WebSocket(url);
    let lastU = -1;
    ws.on('message', (m: Buffer) => {
      received++;
      // The diff stream: contiguous update ids from one event to the next on each connection.
      if (m.includes('"depthUpdate"')) {
        const raw = JSON.parse(m.toString()) as {
          data?: { U: number; u: number; b: unknown[]; a: unknown[] };
          U?: number;
        };
        const e = (raw.data ?? raw) as { U: number; u: number; b: unknown[]; a: unknown[] };
        if (lastU >= 0 && e.U !== lastU + 1) gaps++;
        lastU = e.u;
        diffs++;
        diffLevels += e.b.length + e.a.length;
      }
    });
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    sockets.push(ws);
  }
  const t0 = performance.now();
  const deadline = Date.now() + ms;
  const start = received;
  while (Date.now() < deadline)
    await admin(httpBase, '/admin/burst', { symbol: 'BTCUSDT', count: 2000, price: '30000' });
  // Let the last burst drain.
  let last = -1;
  while (last !== received) {
    last = received;
    await new Promise((r) => setTimeout(r, 100));
  }
  const perSec = (received - start) / ((performance.now() - t0) / 1000);
  for (const s of sockets) s.close();
  return { perSec, connections: sockets.length, diffs, diffLevels, gaps };
}

async function main(): Promise<void> {
  const { child, httpBase } = await launch();
  try {
    await admin(httpBase, '/admin/price', { symbol: 'BTCUSDT', price: '30000' });
    await rawOrders(httpBase, 500, 32); // warm-up
    const cpu0 = cpuSeconds(child.pid);
    const t0 = performance.now();
    const raw = await rawOrders(httpBase, 4000, 32);
    const cpu1 = cpuSeconds(child.pid);
    const cpuShare = cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / ((performance.now() - t0) / 1000) : null;
    const perCpuSecond =
      cpu0 !== null && cpu1 !== null && cpu1 > cpu0 ? (raw * ((performance.now() - t0) / 1000)) / (cpu1 - cpu0) : null;
    console.log(`REST, raw keep-alive client, 32 in flight: ${Math.round(raw).toLocaleString('en')} orders/s`);
    if (perCpuSecond !== null && cpuShare !== null) {
      console.log(
        `  exchange process: ${Math.round(perCpuSecond).toLocaleString('en')} orders per CPU-second (it got ${(cpuShare * 100).toFixed(0)} % of a core; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`,
      );
    }
    const lib = await libraryOrders(httpBase, 3000, 32);
    console.log(`REST, binance-api-node, 32 in flight:     ${Math.round(lib).toLocaleString('en')} orders/s`);
    const s = await streamMessages(httpBase, 3000);
    console.log(
      `streams: ${Math.round(s.perSec).toLocaleString('en')} messages/s to ${s.connections} connections × ${4} streams (trade, bookTicker, kline_1m, depth@100ms)`,
    );
    console.log(
      `  diff-depth: ${s.diffs.toLocaleString('en')} events, ${s.diffLevels.toLocaleString('en')} level changes, ${s.gaps} gaps in U/u`,
    );
    const orderOk = raw >= ORDER_TARGET;
    const streamOk = s.perSec >= STREAM_TARGET && s.diffs > 0 && s.gaps === 0;
    console.log(
      `targets: orders ${orderOk ? 'PASS' : 'FAIL'} (≥ ${ORDER_TARGET.toLocaleString('en')}/s), stream messages ${streamOk ? 'PASS' : 'FAIL'} (≥ ${STREAM_TARGET.toLocaleString('en')}/s with a gap-free diff stream)`,
    );
    process.exitCode = orderOk && streamOk ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
  }
  // Last, so its garbage does not slow the load generator above.
  const v = venueFigures();
  console.log(
    `venue (in process, no I/O): ${Math.round(v.ordersPerSec).toLocaleString('en')} MARKET orders/s; onCandle ${Math.round(v.idleCandlesPerSec).toLocaleString('en')} candles/s with no open order, ${Math.round(v.busyCandlesPerSec).toLocaleString('en')} candles/s with a resting limit and a stop`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
