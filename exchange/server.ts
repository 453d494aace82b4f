/**
 * The paper exchange process: HTTP (REST + admin) and WebSocket (market streams, WS-API user data)
 * on one port bound to 127.0.0.1, around one in-process venue. See index.ts for the public API.
 */
import { str } from '../core/decimal';
import { DEFAULT_SYMBOLS, Venue, type VenueEvent } from '../venue';
import { type AccountEntry, type AccountOptions, AccountRegistry, DEFAULT_ACCOUNT } from './accounts';
import { checkAdminRequest, setUpAdmin } from './admin/guard';
import { handleAdmin } from './admin/routes';
import { Audit } from './audit';
import { Faults } from './faults';
import { precisionOf, userEventJson } from './format';
import { RequestPipeline } from './http/pipeline';
import { type CandleMode, Market } from './market/market';
import type { PriceSourceOptions } from './market/sources';
import { priceSourceFor, setStartPrices } from './market/start-source';
import { Persister } from './persistence';
import { BINANCE_LIMITS, type RateLimitOptions, RateLimiter } from './ratelimit';
import { type Route, buildRoutes } from './rest';
import { DepthRecorder } from './depth-recorder';
import { MarketStreams } from './ws/market-streams';
import { resolveBook } from './market/book-config';
import { UserStreams } from './ws/user-streams';
import { ApiMethods } from './ws/api-methods';
import { WsApi } from './ws/ws-api';
import { createTransport } from './transport';
import { FuturesSide } from './futures/side';
import type { PaperExchange, PaperExchangeOptions } from './server-types';
import { loadState, stateFileText } from './state-file';

export type { AccountControl, MarketControl, PaperExchange, PaperExchangeOptions } from './server-types';

export async function startPaperExchange(opts: PaperExchangeOptions = {}): Promise<PaperExchange> {
  const now = opts.clock ?? Date.now;
  const symbols = opts.symbols ?? DEFAULT_SYMBOLS;
  const fees = { maker: opts.fees?.maker ?? '0.001', taker: opts.fees?.taker ?? '0.001' };
  const backendTimeoutMs = opts.backendTimeoutMs ?? 10_000;
  const historyLimit = opts.historyLimit ?? 1000;
  const priceOpts: PriceSourceOptions = opts.prices ?? { kind: 'random-walk', seed: 42, tickMs: 1000 };
  const persisted = loadState(opts.stateFile);
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
          futuresRequestWeightPerMinute: Number.MAX_SAFE_INTEGER,
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
    ...(priceOpts.kind === 'manual' && priceOpts.leadMs !== undefined ? { manualLeadMs: priceOpts.leadMs } : {}),
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

  setStartPrices(
    priceOpts,
    symbols,
    (name, price) => {
      if (venue.lastPrice(name) === null) venue.setLastPrice(name, price);
    },
    (name, price) => futures.setStartPrice(name, price),
  );
  const source = priceSourceFor(priceOpts, market, symbols, () => faults.isFrozen(), now);

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
    const stateText = stateFileText({
      now,
      accounts: () => registry.list(),
      venue: () => venue.snapshot(),
      candles: (limit) => market.exportCandles(limit),
      audit: (limit) => audit.exportState(limit),
      futures: () => futures.snapshot(),
    });
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
