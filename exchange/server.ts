/**
 * The paper exchange process: HTTP (REST + admin) and WebSocket (market streams, WS-API user data)
 * on one port bound to 127.0.0.1, around one in-process venue. See index.ts for the public API.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { type Dec, str } from '../core/decimal';
import type { CandleInterval } from '../core/market';
import { type BookModel, DEFAULT_SYMBOLS, Venue, type VenueEvent, type VenueSnapshot, type VenueSymbol } from '../core/venue';
import { type AccountEntry, type AccountOptions, AccountRegistry, DEFAULT_ACCOUNT } from './accounts';
import { handleAdmin } from './admin';
import { Audit, type AuditState } from './audit';
import { Faults } from './faults';
import { type Json, precisionOf, userEventJson } from './format';
import { apiKeyErrors, checkTiming, checkWindow, signedPayload, verifySignature } from './http/auth';
import { ApiError, Params } from './http/params';
import type { Kline } from './market/candles';
import { type CandleMode, Market } from './market/market';
import { mirrorSource } from './market/mirror';
import { DEFAULT_START_PRICES, type PriceSource, type PriceSourceOptions, loadReplay, randomWalkSource, replaySource } from './market/sources';
import { Persister, loadJson } from './persistence';
import { BINANCE_LIMITS, type RateLimitOptions, RateLimiter } from './ratelimit';
import { type Route, buildRoutes } from './rest';
import { MarketStreams } from './ws/market-streams';
import { UserStreams } from './ws/user-streams';

export interface PaperExchangeOptions {
  /** 0 (default) = a free port. The host is always 127.0.0.1. */
  readonly port?: number;
  /** Persist state here (atomic writes) and reload it on start. Omit for in-memory. */
  readonly stateFile?: string;
  /** Default: one account, key `paper-api-key` / secret `paper-api-secret`, 10,000 USDT. */
  readonly accounts?: readonly AccountOptions[];
  /** Default: BTCUSDT, ETHUSDT, BNBUSDT with Binance-like filters. */
  readonly symbols?: readonly VenueSymbol[];
  /** Default: { kind: 'random-walk', seed: 42, tickMs: 1000 }. */
  readonly prices?: PriceSourceOptions;
  /** Binance's backend timeout (10 s); the -1007 fault answers after it. Tests shorten it. */
  readonly backendTimeoutMs?: number;
  readonly fees?: { readonly maker?: Dec; readonly taker?: Dec };
  /** Synthetic book for taker orders (core/venue BookModel). Default: zero spread, unlimited depth. */
  readonly book?: Partial<BookModel>;
  /** Share of a price move's quantity our resting orders may take (partial fills); default unlimited. */
  readonly participation?: Dec | null;
  /** Binance's limits by default; `false` disables them (benchmarks). */
  readonly rateLimits?: Partial<RateLimitOptions> | false;
  /** Server clock (default Date.now). */
  readonly clock?: () => number;
  /** WebSocket heartbeat: ping every 20 s, drop without pong for 60 s (Binance's values). */
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  /** Closed candles kept per symbol and interval (REST klines). Default 1000. */
  readonly historyLimit?: number;
  /** Debounce of state saves. Default 200 ms. */
  readonly saveDebounceMs?: number;
  /** Log one line per request to stderr. */
  readonly log?: boolean;
}

/** In-process control of the market (manual prices, candles, replay). */
export interface MarketControl {
  /** Trade at `price` now: matches resting orders, emits trade/bookTicker/depth/kline updates. */
  setPrice(symbol: string, price: Dec, opts?: { qty?: Dec | null; time?: number }): void;
  /** Emit the forming kline of `interval` as closed (k.x = true) and open the next one. */
  closeCandle(symbol: string, interval: CandleInterval): Kline;
  price(symbol: string): Dec | null;
  /** Replay with `manual: true`: play the next candle; false when the file is done. */
  replayNext(): boolean;
  klines(symbol: string, interval: CandleInterval, opts?: { startTime?: number; endTime?: number; limit?: number }): Kline[];
  readonly raw: Market;
}

export interface AccountControl {
  add(account: AccountOptions): AccountEntry;
  list(): AccountEntry[];
  /** Deposit (or withdraw with a negative amount): a balanceUpdate event on the user stream. */
  deposit(apiKey: string, asset: string, amount: Dec): void;
  accountId(apiKey: string): string;
}

export interface PaperExchange {
  readonly port: number;
  readonly httpBase: string;
  readonly wsBase: string;
  readonly wsApi: string;
  readonly venue: Venue;
  readonly market: MarketControl;
  readonly faults: Faults;
  readonly audit: Audit;
  readonly accounts: AccountControl;
  readonly stats: () => { marketMessages: number; userEvents: number; httpRequests: number; connections: number };
  /** Write the state file now (no-op without stateFile). */
  save(): void;
  close(): Promise<void>;
}

interface PersistedState {
  readonly version: 1;
  readonly savedAt: number;
  readonly accounts: AccountEntry[];
  readonly venue: VenueSnapshot;
  readonly candles: Kline[];
  readonly audit: AuditState;
}

/** Closed candles per series and audit entries per list kept in the state file. */
const PERSISTED_CANDLES = 500;
const PERSISTED_AUDIT = 20_000;
const CLIENT_ID_PARAMS = ['newClientOrderId', 'origClientOrderId', 'listClientOrderId', 'limitClientOrderId', 'stopClientOrderId', 'aboveClientOrderId', 'belowClientOrderId'];
const UNKNOWN_MSG = 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.';

export async function startPaperExchange(opts: PaperExchangeOptions = {}): Promise<PaperExchange> {
  const now = opts.clock ?? Date.now;
  const symbols = opts.symbols ?? DEFAULT_SYMBOLS;
  const fees = { maker: opts.fees?.maker ?? '0.001', taker: opts.fees?.taker ?? '0.001' };
  const backendTimeoutMs = opts.backendTimeoutMs ?? 10_000;
  const historyLimit = opts.historyLimit ?? 1000;
  const priceOpts: PriceSourceOptions = opts.prices ?? { kind: 'random-walk', seed: 42, tickMs: 1000 };
  const persisted = opts.stateFile ? loadJson<PersistedState>(opts.stateFile) : undefined;

  const venue = new Venue({ symbols, makerFee: fees.maker, takerFee: fees.taker, ...(opts.book ? { book: opts.book } : {}), participation: opts.participation ?? null }, persisted?.venue);
  const audit = new Audit();
  if (persisted) audit.importState(persisted.audit);
  const faults = new Faults(now);
  const registry = new AccountRegistry();
  const limits: RateLimitOptions = opts.rateLimits === false ? { ...BINANCE_LIMITS, requestWeightPerMinute: Number.MAX_SAFE_INTEGER, ordersPer10s: Number.MAX_SAFE_INTEGER, ordersPerDay: Number.MAX_SAFE_INTEGER } : { ...BINANCE_LIMITS, ...opts.rateLimits };
  const limiter = new RateLimiter(limits, now);
  const precisionFor = (symbol: string) => precisionOf(venue.symbol(symbol));

  let persister: Persister | undefined;
  const stats = { httpRequests: 0 };

  // --- streams ---------------------------------------------------------------------------------
  const marketStreams = new MarketStreams(faults);
  const userStreams = new UserStreams(registry, now, faults);

  const dispatch = (events: readonly VenueEvent[]): void => {
    if (events.length === 0) return;
    audit.onEvents(events);
    for (const e of events) {
      // Building the payload costs more than matching: only when someone listens.
      if (!userStreams.hasSubscriber(e.accountId)) continue;
      const json = userEventJson(e, precisionFor);
      if (json) userStreams.deliver(e.accountId, json);
    }
    persister?.markDirty();
  };

  const mode: CandleMode = priceOpts.kind === 'manual' ? 'manual' : priceOpts.kind === 'replay' ? 'data' : 'clock';
  const displayLevelQty = opts.book?.levelQty ?? '10';
  const market = new Market({
    venue,
    now,
    sink: marketStreams,
    onVenueEvents: dispatch,
    mode,
    historyLimit,
    book: { spreadTicks: opts.book?.spreadTicks ?? 0, levels: opts.book?.levels ?? 20, levelStepTicks: opts.book?.levelStepTicks ?? 1, levelQty: displayLevelQty },
  });
  if (persisted) market.importCandles(persisted.candles);
  /**
   * Time of venue operations (order, fill and event times). Replaying a file, it is the replayed
   * data's clock — orders placed after a candle closes happen at its close, as in the backtester —
   * while server time, signatures and rate limits stay on the wall clock.
   */
  const venueNow = (): number => (mode === 'data' ? (market.dataTime() ?? now()) : now());

  // Accounts: persisted ones first (their balances live in the venue), then new ones from options.
  for (const a of persisted?.accounts ?? []) registry.add(a);
  const addAccount = (a: AccountOptions): AccountEntry => {
    const existing = registry.get(a.apiKey);
    if (existing) return existing;
    const entry: AccountEntry = { name: a.name ?? registry.nextName(), apiKey: a.apiKey, apiSecret: a.apiSecret };
    registry.add(entry);
    dispatch(venue.addAccount(entry.name, a.balances ?? {}, venueNow()));
    return entry;
  };
  for (const a of opts.accounts ?? (persisted ? [] : [DEFAULT_ACCOUNT])) addAccount(a);

  // Initial prices.
  const startPrices = priceOpts.kind === 'random-walk' || priceOpts.kind === 'manual' ? { ...DEFAULT_START_PRICES, ...priceOpts.startPrices } : DEFAULT_START_PRICES;
  if (priceOpts.kind !== 'replay') {
    for (const s of symbols) {
      const name = s.filters.symbol;
      const start = startPrices[name];
      if (venue.lastPrice(name) === null && start !== undefined) venue.setLastPrice(name, start);
    }
  }

  let source: PriceSource;
  switch (priceOpts.kind) {
    case 'random-walk': {
      const steps = new Map(symbols.map((s) => [s.filters.symbol, { tick: s.filters.tickSize, step: s.filters.stepSize }]));
      source = randomWalkSource(market, { seed: priceOpts.seed ?? 42, tickMs: priceOpts.tickMs ?? 1000, volatility: priceOpts.volatility ?? 0.0005, history: priceOpts.history ?? 500, now, isFrozen: () => faults.isFrozen(), steps });
      break;
    }
    case 'replay': {
      const symbol = priceOpts.symbol ?? symbols[0]?.filters.symbol ?? 'BTCUSDT';
      const candles = loadReplay(priceOpts.file, symbol, priceOpts.interval);
      const interval = priceOpts.interval ?? candles[0]?.interval ?? '1m';
      source = replaySource(market, { candles, symbol, interval, candleMs: priceOpts.candleMs ?? 1000, manual: priceOpts.manual ?? false, loop: priceOpts.loop ?? false, isFrozen: () => faults.isFrozen() });
      break;
    }
    case 'mirror':
      source = mirrorSource(market, { symbols: priceOpts.symbols ?? symbols.map((s) => s.filters.symbol), isFrozen: () => faults.isFrozen() });
      break;
    default:
      source = { start() {}, stop() {} };
  }

  // --- HTTP ------------------------------------------------------------------------------------
  const routes: Map<string, Route> = buildRoutes({ venue, market, now, isHidden: (id) => faults.isHidden(id), limits, fees });
  const heldSockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const sleep = (ms: number) => new Promise<void>((resolve) => later(ms, resolve));

  const server = http.createServer((req, res) => {
    stats.httpRequests++;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      handle(req, res, body).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'Content-Type': 'application/json;charset=UTF-8' });
          res.end(JSON.stringify({ code: -1000, msg: 'An unknown error occurred while processing the request.' }));
        }
        if (opts.log) console.error('paper exchange internal error', e);
      });
    });
  });
  server.keepAliveTimeout = 65_000;

  const writeJson = (res: http.ServerResponse, ip: string, status: number, body: Json | string, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.headersSent) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' && body.startsWith('<') ? 'text/html' : 'application/json;charset=UTF-8',
      'X-MBX-USED-WEIGHT-1M': String(limiter.usedWeight(ip)),
      ...headers,
    });
    res.end(text);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    const query = qi < 0 ? '' : url.slice(qi + 1);
    const ip = req.socket.remoteAddress ?? 'unknown';
    if (path.startsWith('/admin/')) {
      const r = await handleAdmin(api, path, req.method ?? 'GET', query, body);
      writeJson(res, ip, r.status, r.body);
      return;
    }
    if (faults.isFrozen()) await faults.whenThawed();
    const endpoint = `${req.method ?? 'GET'} ${path}`;
    const route = routes.get(endpoint);
    if (!route) {
      writeJson(res, ip, 404, { code: -1000, msg: `Unknown endpoint ${endpoint}.` });
      return;
    }
    let accountId: string | undefined;
    let clientIds: string[] = [];
    let symbol: string | undefined;
    const auditable = route.signed;
    const record = (outcome: string, httpStatus: number, code: number | null, executed: boolean) => {
      if (auditable) audit.recordRequest({ time: now(), endpoint, accountId: accountId ?? null, symbol: symbol ?? null, clientIds, outcome, httpStatus, code, executed });
      if (opts.log) console.error(`[paper-exchange] ${endpoint} ${clientIds.join(',')} → ${outcome} ${httpStatus}${code !== null ? ` ${code}` : ''}`);
    };
    try {
      const params = Params.parse(query, body);
      clientIds = CLIENT_ID_PARAMS.map((p) => params.values.get(p)).filter((v): v is string => v !== undefined && v !== '');
      symbol = params.values.get('symbol');
      const verdict = limiter.request(ip, route.weight(params));
      if (!verdict.ok) throw new ApiError(verdict.code, verdict.msg, verdict.status, { 'Retry-After': String(verdict.retryAfterSec) });
      const limited = faults.planHttp(endpoint, clientIds, symbol, undefined, 'pre-auth').disposition;
      if (limited) {
        const status = limited.rule.status === 418 ? 418 : 429;
        const msg =
          status === 418
            ? `Way too much request weight used; IP banned until ${now() + (limited.rule.retryAfterSec ?? 60) * 1000}. Please use WebSocket Streams for live updates to avoid bans.`
            : `Too much request weight used; current limit is ${limits.requestWeightPerMinute} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`;
        throw new ApiError(-1003, msg, status, { 'Retry-After': String(limited.rule.retryAfterSec ?? 1) });
      }
      let timing: { timestamp: number; recvWindow: number } | undefined;
      if (route.signed) {
        const key = req.headers['x-mbx-apikey'];
        const keyErrors = apiKeyErrors();
        if (typeof key !== 'string' || key === '') throw keyErrors.missing();
        const entry = registry.get(key);
        if (!entry) throw keyErrors.invalid();
        accountId = entry.name;
        const { payload, signature } = signedPayload(query, body);
        verifySignature(entry.apiSecret, payload, signature);
        timing = checkTiming(params, now());
      }

      const plan = faults.planHttp(endpoint, clientIds, symbol, accountId);
      const d = plan.disposition;
      if (d?.rule.kind === 'reset-before-execute') {
        record('reset-before-execute', 0, null, false);
        req.socket.destroy();
        return;
      }
      if (d?.rule.kind === 'fail-before-executing') {
        const status = d.rule.status ?? 502;
        record('fail-before-executing', status, d.rule.body === 'json' ? (d.rule.code ?? -1001) : null, false);
        if (d.rule.body === 'json') writeJson(res, ip, status, { code: d.rule.code ?? -1001, msg: 'Internal error; unable to process your request. Please try again.' });
        else writeJson(res, ip, status, `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center></body></html>`);
        return;
      }
      if (plan.delay && plan.delay.rule.phase !== 'after') {
        await sleep(plan.delay.rule.ms ?? 1000);
        // Binance re-checks the window before the matching engine: a late request is refused.
        if (timing) checkWindow(timing.timestamp, timing.recvWindow, now());
      }
      const orderHeaders: Record<string, string> = {};
      if (route.placesOrders && accountId !== undefined) {
        const o = limiter.order(accountId);
        if (!o.ok) throw new ApiError(-1015, o.msg, 429, { 'Retry-After': String(o.retryAfterSec) });
        orderHeaders['X-MBX-ORDER-COUNT-10S'] = String(o.count10s);
        orderHeaders['X-MBX-ORDER-COUNT-1D'] = String(o.count1d);
      }

      const settle = (r: { events?: readonly VenueEvent[]; createdOrderIds?: readonly number[] }) => {
        if (r.events) dispatch(r.events);
        if (plan.hide && r.createdOrderIds) for (const id of r.createdOrderIds) faults.hideOrder(id, plan.hide.rule.ms ?? 2000);
      };
      const execute = () => {
        let result;
        try {
          result = route.handler({ params, accountId, time: venueNow() });
        } catch (e) {
          // A partly failed cancel-replace still changed state: its events go out.
          if (e instanceof ApiError) settle(e as ApiError & { events?: readonly VenueEvent[]; createdOrderIds?: readonly number[] });
          throw e;
        }
        settle(result);
        return result;
      };

      if (d?.rule.kind === 'unknown-while-executing') {
        const delay = d.rule.executeDelayMs ?? 0;
        const run = () => {
          try {
            const r = execute();
            record('unknown-while-executing', d.rule.status ?? 503, -1007, r.executed ?? false);
          } catch (e) {
            record('unknown-while-executing', d.rule.status ?? 503, e instanceof ApiError ? e.code : -1000, false);
          }
        };
        if (delay > 0) later(delay, run);
        else run();
        later(d.rule.afterMs ?? backendTimeoutMs, () => writeJson(res, ip, d.rule.status ?? 503, { code: -1007, msg: UNKNOWN_MSG }));
        return;
      }

      let result;
      let failure: ApiError | undefined;
      try {
        result = execute();
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        failure = e;
      }
      if (d?.rule.kind === 'lose-response') {
        record('lose-response', 0, failure?.code ?? null, result?.executed ?? false);
        heldSockets.add(req.socket);
        req.socket.once('close', () => heldSockets.delete(req.socket));
        if (d.rule.afterMs !== undefined) later(d.rule.afterMs, () => req.socket.destroy());
        return;
      }
      if (d?.rule.kind === 'reset-after-execute') {
        record('reset-after-execute', 0, failure?.code ?? null, result?.executed ?? false);
        req.socket.destroy();
        return;
      }
      if (plan.delay && plan.delay.rule.phase === 'after') await sleep(plan.delay.rule.ms ?? 1000);
      if (failure) throw failure;
      record('ok', 200, null, result?.executed ?? false);
      writeJson(res, ip, 200, (result as { body: Json }).body, orderHeaders);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      record(e.status === 429 || e.status === 418 ? 'rate-limit' : 'rejected', e.status, e.code, false);
      writeJson(res, ip, e.status, e.data !== undefined ? { code: e.code, msg: e.message, data: e.data as Json } : { code: e.code, msg: e.message }, { ...e.headers });
    }
  }

  // --- WebSocket -------------------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true });
  const alive = new Map<WebSocket, number>();
  server.on('upgrade', (req, socket, head) => {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? '' : url.slice(qi + 1));
    const accept = (attach: (ws: WebSocket) => void) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        alive.set(ws, now());
        ws.on('pong', () => alive.set(ws, now()));
        ws.on('close', () => alive.delete(ws));
        ws.on('error', () => ws.terminate());
        attach(ws);
      });
    if (path === '/ws-api/v3') accept((ws) => userStreams.attach(ws));
    else if (path === '/ws' || path.startsWith('/ws/')) accept((ws) => marketStreams.attach(ws, path.slice(4).split('/').filter(Boolean), false));
    else if (path === '/stream') accept((ws) => marketStreams.attach(ws, (query.get('streams') ?? '').split('/').filter(Boolean), true));
    else socket.destroy();
  });
  const pingIntervalMs = opts.pingIntervalMs ?? 20_000;
  const pongTimeoutMs = opts.pongTimeoutMs ?? 60_000;
  const heartbeat = setInterval(() => {
    const t = now();
    for (const [ws, last] of alive) {
      if (t - last > pongTimeoutMs) ws.terminate();
      else if (ws.readyState === WebSocket.OPEN) ws.ping();
    }
  }, pingIntervalMs);
  heartbeat.unref();

  faults.hooks = {
    cut: (which) => (which === 'market' ? marketStreams.cutAll() : which === 'user' ? userStreams.cutAll() : marketStreams.cutAll() + userStreams.cutAll()),
    onFreeze: () => {
      marketStreams.paused = true;
      userStreams.paused = true;
    },
    onThaw: () => {
      marketStreams.resume();
      userStreams.resume();
    },
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  if (opts.stateFile) {
    // Candles change on every tick but matter little after a restart: their JSON is rebuilt at
    // most once a minute, while orders and balances are saved within `saveDebounceMs` of a change.
    let candlesJson = '';
    let candlesAt = Number.NEGATIVE_INFINITY;
    const candlesText = (force: boolean) => {
      if (force || now() - candlesAt > 60_000) {
        candlesJson = JSON.stringify(market.exportCandles(PERSISTED_CANDLES));
        candlesAt = now();
      }
      return candlesJson;
    };
    const stateText = (force: boolean) => {
      const rest: Omit<PersistedState, 'candles'> = { version: 1, savedAt: now(), accounts: registry.list(), venue: venue.snapshot(), audit: audit.exportState(PERSISTED_AUDIT) };
      return `${JSON.stringify(rest).slice(0, -1)},"candles":${candlesText(force)}}`;
    };
    persister = new Persister(opts.stateFile, stateText, opts.saveDebounceMs ?? 200);
    persister.markDirty();
  }
  source.start();

  let closed = false;
  const api: PaperExchange = {
    port,
    httpBase: `http://127.0.0.1:${port}`,
    wsBase: `ws://127.0.0.1:${port}/ws`,
    wsApi: `ws://127.0.0.1:${port}/ws-api/v3`,
    venue,
    faults,
    audit,
    market: {
      setPrice(symbol, price, o = {}) {
        market.trade(symbol, str(price), o.qty ?? null, o.time ?? now(), { sweep: false });
      },
      closeCandle: (symbol, interval) => market.closeCandle(symbol, interval),
      price: (symbol) => market.price(symbol),
      replayNext: () => source.next?.() ?? false,
      klines: (symbol, interval, o = {}) => market.klines(symbol, interval, { limit: 1000, ...o }),
      raw: market,
    },
    accounts: {
      add: addAccount,
      list: () => registry.list(),
      deposit(apiKey, asset, amount) {
        const entry = registry.get(apiKey);
        if (!entry) throw new Error(`unknown API key ${apiKey}`);
        const r = venue.deposit(entry.name, asset, amount, venueNow());
        if (!r.ok) throw new Error(r.msg);
        dispatch(r.events);
      },
      accountId(apiKey) {
        const entry = registry.get(apiKey);
        if (!entry) throw new Error(`unknown API key ${apiKey}`);
        return entry.name;
      },
    },
    stats: () => ({ marketMessages: marketStreams.messagesSent, userEvents: userStreams.eventsSent, httpRequests: stats.httpRequests, connections: alive.size }),
    save: () => {
      persister?.markDirty();
      persister?.flush(true);
    },
    async close() {
      if (closed) return;
      closed = true;
      source.stop();
      clearInterval(heartbeat);
      for (const t of timers) clearTimeout(t);
      faults.clear();
      persister?.markDirty();
      persister?.flush(true);
      for (const s of heldSockets) s.destroy();
      for (const ws of alive.keys()) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
