/**
 * The paper exchange process: HTTP (REST + admin) and WebSocket (market streams, WS-API user data)
 * on one port bound to 127.0.0.1, around one in-process venue. See index.ts for the public API.
 */
import { type Dec, str } from '../core/decimal';
import type { CandleInterval } from '../core/market';
import {
  type BookModel,
  DEFAULT_SYMBOLS,
  Venue,
  type VenueEvent,
  type VenueSnapshot,
  type VenueSymbol,
} from '../venue';
import { type AccountEntry, type AccountOptions, AccountRegistry, DEFAULT_ACCOUNT } from './accounts';
import { type AdminAccess, type AdminOptions, checkAdminRequest, setUpAdmin } from './admin/guard';
import { handleAdmin } from './admin/routes';
import { Audit, type AuditState } from './audit';
import { Faults } from './faults';
import { precisionOf, userEventJson } from './format';
import { RequestPipeline } from './http/pipeline';
import type { Kline } from './market/candles';
import { type CandleMode, Market } from './market/market';
import { mirrorSource } from './market/mirror';
import {
  DEFAULT_START_PRICES,
  type PriceSource,
  type PriceSourceOptions,
  loadReplay,
  randomWalkSource,
  replaySource,
} from './market/sources';
import { Persister, loadJson } from './persistence';
import { BINANCE_LIMITS, type RateLimitOptions, RateLimiter } from './ratelimit';
import { type Route, buildRoutes } from './rest';
import { DepthRecorder, type DepthRecordingOptions } from './depth-recorder';
import { MarketStreams } from './ws/market-streams';
import { resolveBook } from './market/book-config';
import { UserStreams } from './ws/user-streams';
import { ApiMethods } from './ws/api-methods';
import { WsApi } from './ws/ws-api';
import { createTransport } from './transport';
import { type FuturesControl, type FuturesOptions, type FuturesPersisted, FuturesSide } from './futures/side';

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
  /**
   * The order book taker orders fill against and depth/bookTicker/diff streams show (venue
   * BookModel). Default REALISTIC_BOOK: a two-tick spread, 5000 levels a side of about 20,000
   * quote units each (market/book-config.ts). ZERO_SPREAD_BOOK: bid = ask = last, unlimited depth.
   */
  readonly book?: Partial<BookModel>;
  /** Pushes of the clocked streams: diff/partial depth 100 ms ('fast') and 1000 ms ('slow', also tickers). */
  readonly updateSpeedMs?: { readonly fast?: number; readonly slow?: number };
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
  /** Public trades kept per symbol (trades, historicalTrades, aggTrades); older ones are gone. Default 10,000. */
  readonly tapeSize?: number;
  /** Debounce of state saves. Default 200 ms. */
  readonly saveDebounceMs?: number;
  /** Log one line per request to stderr. */
  readonly log?: boolean;
  /**
   * The admin HTTP endpoints (admin/routes.ts): off by default. `{ enabled: true, tokenFile }`
   * turns them on behind a random token (`ex.admin.token`, written to tokenFile with mode 600).
   */
  readonly admin?: AdminOptions | boolean;
  /** Append depth snapshots to a file for backtests of book strategies (exchange/depth-recorder.ts). */
  readonly depthRecording?: DepthRecordingOptions;
  /** The USDⓈ-M futures side (/fapi, /fstream): contracts, fees, funding period and rate (futures/side.ts). */
  readonly futures?: FuturesOptions;
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
  klines(
    symbol: string,
    interval: CandleInterval,
    opts?: { startTime?: number; endTime?: number; limit?: number },
  ): Kline[];
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
  /** The futures side: `httpFutures` is `httpBase`, `wsFutures` is `futures.wsFutures`. */
  readonly futures: FuturesControl;
  readonly market: MarketControl;
  readonly faults: Faults;
  readonly audit: Audit;
  readonly accounts: AccountControl;
  /** Whether the admin endpoints are on, their token (null when off) and where it was written. */
  readonly admin: AdminAccess;
  readonly stats: () => { marketMessages: number; userEvents: number; httpRequests: number; connections: number };
  /** Whether a market stream (e.g. `btcusdt@kline_1m`) and an account's user stream have listeners now. */
  readonly listening: { market(stream: string): boolean; user(accountId: string): boolean };
  /** Write the state file now (no-op without stateFile). */
  save(): void;
  /** Append a depth snapshot of every symbol now (depthRecording); returns how many were written. */
  recordDepth(): number;
  close(): Promise<void>;
}

interface PersistedState {
  readonly version: 1;
  readonly savedAt: number;
  readonly accounts: AccountEntry[];
  readonly venue: VenueSnapshot;
  readonly candles: Kline[];
  readonly audit: AuditState;
  readonly futures?: FuturesPersisted;
}

/** Closed candles per series and audit entries per list kept in the state file. */
const PERSISTED_CANDLES = 500;
const PERSISTED_AUDIT = 20_000;

export async function startPaperExchange(opts: PaperExchangeOptions = {}): Promise<PaperExchange> {
  const now = opts.clock ?? Date.now;
  const symbols = opts.symbols ?? DEFAULT_SYMBOLS;
  const fees = { maker: opts.fees?.maker ?? '0.001', taker: opts.fees?.taker ?? '0.001' };
  const backendTimeoutMs = opts.backendTimeoutMs ?? 10_000;
  const historyLimit = opts.historyLimit ?? 1000;
  const priceOpts: PriceSourceOptions = opts.prices ?? { kind: 'random-walk', seed: 42, tickMs: 1000 };
  const persisted = opts.stateFile ? loadJson<PersistedState>(opts.stateFile) : undefined;
  const adminAccess = setUpAdmin(opts.admin);
  let port = 0;

  const book = resolveBook(opts.book);
  const venue = new Venue(
    {
      symbols,
      makerFee: fees.maker,
      takerFee: fees.taker,
      book: book.venue,
      participation: opts.participation ?? null,
    },
    persisted?.venue,
  );
  const audit = new Audit();
  if (persisted) audit.importState(persisted.audit);
  const faults = new Faults(now);
  const registry = new AccountRegistry();
  const limits: RateLimitOptions =
    opts.rateLimits === false
      ? {
          ...BINANCE_LIMITS,
          requestWeightPerMinute: Number.MAX_SAFE_INTEGER,
          ordersPer10s: Number.MAX_SAFE_INTEGER,
          ordersPerDay: Number.MAX_SAFE_INTEGER,
        }
      : { ...BINANCE_LIMITS, ...opts.rateLimits };
  const limiter = new RateLimiter(limits, now);
  const precisionFor = (symbol: string) => precisionOf(venue.symbol(symbol));

  let persister: Persister | undefined;
  const stats = { httpRequests: 0 };

  // --- streams ---------------------------------------------------------------------------------
  const marketStreams = new MarketStreams(faults, opts.log ? (m) => console.error(`[paper-exchange] ${m}`) : undefined);
  const userStreams = new UserStreams(registry, now, faults);

  const dispatch = (events: readonly VenueEvent[]): void => {
    if (events.length === 0) return;
    audit.onEvents(events);
    let filled: Set<string> | undefined;
    for (const e of events) {
      // Our fills are public trades, and they change the top of the book.
      if (e.kind === 'order' && e.fill) {
        market.recordFill(e.fill);
        (filled ??= new Set()).add(e.fill.symbol);
      }
      // Building the payload costs more than matching: only when someone listens.
      if (!userStreams.hasSubscriber(e.accountId)) continue;
      const json = userEventJson(e, precisionFor);
      if (json) userStreams.deliver(e.accountId, json);
    }
    if (filled) for (const symbol of filled) market.bookChanged(symbol, now());
    persister?.markDirty();
  };

  const mode: CandleMode = priceOpts.kind === 'manual' ? 'manual' : priceOpts.kind === 'replay' ? 'data' : 'clock';
  const market = new Market({
    venue,
    now,
    sink: marketStreams,
    onVenueEvents: dispatch,
    mode,
    historyLimit,
    ...(opts.tapeSize !== undefined ? { tapeSize: opts.tapeSize } : {}),
    book: book.display,
  });
  const fastTimer = setInterval(() => market.tick('fast', now()), opts.updateSpeedMs?.fast ?? 100);
  const slowTimer = setInterval(() => market.tick('slow', now()), opts.updateSpeedMs?.slow ?? 1000);
  fastTimer.unref();
  slowTimer.unref();
  if (persisted) market.importCandles(persisted.candles);
  /**
   * Time of venue operations (order, fill and event times). Replaying a file, it is the replayed
   * data's clock — orders placed after a candle closes happen at its close, as in the backtester —
   * while server time, signatures and rate limits stay on the wall clock.
   */
  const venueNow = (): number => (mode === 'data' ? (market.dataTime() ?? now()) : now());
  const futures = new FuturesSide({
    options: opts.futures ?? {},
    market,
    now,
    venueNow,
    faults,
    audit,
    book,
    persisted: persisted?.futures,
    onChange: () => persister?.markDirty(),
  });
  market.tradeListener = (symbol, point) => futures.onTrade(symbol, point);
  const recorder = opts.depthRecording
    ? new DepthRecorder(
        opts.depthRecording,
        opts.depthRecording.symbols ?? symbols.map((s) => s.filters.symbol),
        (symbol, limit) => market.depth(symbol, limit),
        venueNow,
      )
    : null;
  recorder?.start();

  // Accounts: persisted ones first (their balances live in the venue), then new ones from options.
  for (const a of persisted?.accounts ?? []) {
    registry.add(a);
    futures.addAccount(a.name, {});
  }
  const addAccount = (a: AccountOptions): AccountEntry => {
    const existing = registry.get(a.apiKey);
    if (existing) return existing;
    const entry: AccountEntry = { name: a.name ?? registry.nextName(), apiKey: a.apiKey, apiSecret: a.apiSecret };
    registry.add(entry);
    dispatch(venue.addAccount(entry.name, a.balances ?? {}, venueNow()));
    futures.addAccount(entry.name, a.futuresBalances ?? {});
    return entry;
  };
  for (const a of opts.accounts ?? (persisted ? [] : [DEFAULT_ACCOUNT])) addAccount(a);

  // Initial prices.
  const startPrices =
    priceOpts.kind === 'random-walk' || priceOpts.kind === 'manual'
      ? { ...DEFAULT_START_PRICES, ...priceOpts.startPrices }
      : DEFAULT_START_PRICES;
  if (priceOpts.kind !== 'replay') {
    for (const s of symbols) {
      const name = s.filters.symbol;
      const start = startPrices[name];
      if (venue.lastPrice(name) === null && start !== undefined) venue.setLastPrice(name, start);
      if (start !== undefined) futures.setStartPrice(name, start);
    }
  }

  let source: PriceSource;
  switch (priceOpts.kind) {
    case 'random-walk': {
      const steps = new Map(
        symbols.map((s) => [s.filters.symbol, { tick: s.filters.tickSize, step: s.filters.stepSize }]),
      );
      source = randomWalkSource(market, {
        seed: priceOpts.seed ?? 42,
        tickMs: priceOpts.tickMs ?? 1000,
        volatility: priceOpts.volatility ?? 0.0005,
        history: priceOpts.history ?? 500,
        now,
        isFrozen: () => faults.isFrozen(),
        steps,
      });
      break;
    }
    case 'replay': {
      const symbol = priceOpts.symbol ?? symbols[0]?.filters.symbol ?? 'BTCUSDT';
      const candles = loadReplay(priceOpts.file, symbol, priceOpts.interval);
      const interval = priceOpts.interval ?? candles[0]?.interval ?? '1m';
      source = replaySource(market, {
        candles,
        symbol,
        interval,
        candleMs: priceOpts.candleMs ?? 1000,
        manual: priceOpts.manual ?? false,
        loop: priceOpts.loop ?? false,
        isFrozen: () => faults.isFrozen(),
      });
      break;
    }
    case 'mirror':
      source = mirrorSource(market, {
        symbols: priceOpts.symbols ?? symbols.map((s) => s.filters.symbol),
        isFrozen: () => faults.isFrozen(),
      });
      break;
    default:
      source = { start() {}, stop() {} };
  }

  // --- HTTP ------------------------------------------------------------------------------------
  const routes: Map<string, Route> = buildRoutes({
    venue,
    market,
    now,
    isHidden: (id) => faults.isHidden(id),
    limits,
    fees,
  });
  for (const [key, route] of futures.routes()) routes.set(key, route);
  const pipeline = new RequestPipeline({
    routes,
    registry,
    limiter,
    limits,
    faults,
    audit,
    now,
    venueNow,
    dispatch,
    backendTimeoutMs,
    log: opts.log ?? false,
    admin: async (req, path, query, body) => {
      const method = req.method ?? 'GET';
      const verdict = checkAdminRequest(adminAccess, port, method, req.headers, body);
      if (!verdict.ok) return { status: verdict.status, body: { error: verdict.error } };
      return handleAdmin(api, path, method, query, body);
    },
  });

  const apiMethods = new ApiMethods({
    routes,
    accounts: registry,
    limiter,
    limits,
    audit,
    now,
    venueNow,
    dispatch,
    ...(opts.log ? { log: (m: string) => console.error(`[paper-exchange] ${m}`) } : {}),
  });
  const wsApi = new WsApi(
    userStreams,
    apiMethods,
    now,
    opts.log ? (m) => console.error(`[paper-exchange] ${m}`) : undefined,
  );
  const transport = createTransport({
    pipeline,
    marketStreams,
    wsApi,
    now,
    pingIntervalMs: opts.pingIntervalMs ?? 20_000,
    pongTimeoutMs: opts.pongTimeoutMs ?? 60_000,
    log: opts.log ?? false,
    onRequest: () => stats.httpRequests++,
    futures,
  });

  faults.hooks = {
    cut: (which) =>
      which === 'market'
        ? marketStreams.cutAll()
        : which === 'user'
          ? wsApi.cutAll() + futures.streams.cutAll()
          : marketStreams.cutAll() + wsApi.cutAll() + futures.streams.cutAll(),
    shutdown: () => {
      const n = marketStreams.connectionCount() + wsApi.connectionCount();
      marketStreams.shutdownAll(now());
      wsApi.shutdownAll(now());
      return n;
    },
    onFreeze: () => {
      marketStreams.paused = true;
      userStreams.paused = true;
      wsApi.paused = true;
      futures.streams.paused = true;
    },
    onThaw: () => {
      marketStreams.resume();
      userStreams.resume();
      wsApi.resume();
      futures.streams.resume();
    },
  };

  port = await transport.listen(opts.port ?? 0);

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
      const rest: Omit<PersistedState, 'candles'> = {
        version: 1,
        savedAt: now(),
        accounts: registry.list(),
        venue: venue.snapshot(),
        audit: audit.exportState(PERSISTED_AUDIT),
        futures: futures.snapshot(),
      };
      return `${JSON.stringify(rest).slice(0, -1)},"candles":${candlesText(force)}}`;
    };
    persister = new Persister(opts.stateFile, stateText, opts.saveDebounceMs ?? 200);
    persister.markDirty();
  }
  source.start();

  let closed = false;
  const api: PaperExchange = {
    port,
    admin: adminAccess,
    httpBase: `http://127.0.0.1:${port}`,
    wsBase: `ws://127.0.0.1:${port}/ws`,
    wsApi: `ws://127.0.0.1:${port}/ws-api/v3`,
    venue,
    futures: futures.control(port),
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
    listening: {
      market: (stream) => marketStreams.hasSubscribers(stream),
      user: (accountId) => userStreams.subscriberCount(accountId) > 0,
    },
    stats: () => ({
      marketMessages: marketStreams.messagesSent,
      userEvents: userStreams.eventsSent,
      httpRequests: stats.httpRequests,
      connections: transport.connections(),
    }),
    recordDepth: () => recorder?.recordNow() ?? 0,
    save: () => {
      persister?.markDirty();
      persister?.flush(true);
    },
    async close() {
      if (closed) return;
      closed = true;
      source.stop();
      recorder?.stop();
      clearInterval(fastTimer);
      clearInterval(slowTimer);
      futures.close();
      faults.clear();
      persister?.markDirty();
      persister?.flush(true);
      pipeline.close();
      await transport.close();
    },
  };
  return api;
}
