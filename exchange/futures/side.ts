/**
 * The paper exchange's USDⓈ-M futures side, on the same host and port as the spot side: the
 * /fapi REST routes (routes/futures/), the listenKey user stream and the futures market streams
 * under `/fstream`, around one in-process venue/perpetual engine — the backtester's perpetual.
 *
 * Prices: the contract trades at the paper market's price of the same symbol (every trade of the
 * market — random walk, replay, manual `setPrice` — is a price point of the perpetual too), and
 * its klines are the market's candles. The mark price is the contract price unless pinned
 * (`setMarkPrice`). Funding is settled on every price point and on a 1 s timer.
 */
import type { WebSocket } from 'ws';
import type { Dec } from '../../core/decimal';
import type { BookModel, PricePoint } from '../../venue';
import {
  DEFAULT_PERP_SYMBOLS,
  Perpetual,
  type PerpEvent,
  type PerpSnapshot,
  type PerpSymbol,
} from '../../venue/perpetual';
import type { Audit } from '../audit';
import type { Faults } from '../faults';
import type { Market } from '../market/market';
import type { Route } from '../routes/common';
import { addFuturesAccountRoutes } from '../routes/futures/account';
import { addFuturesAlgoRoutes } from '../routes/futures/algo';
import type { FuturesRouteDeps } from '../routes/futures/common';
import { addFuturesMarketRoutes } from '../routes/futures/market';
import { addFuturesOrderRoutes } from '../routes/futures/orders';
import { FuturesAudit } from './audit';
import { perpEventJson, perpPrecision } from './format';
import { FuturesUserStreams } from './user-streams';

/** Futures order ids and algo ids start far from the spot side's, so ids never collide (hide-order fault, logs). */
export const FUTURES_FIRST_ORDER_ID = 4_000_000_000;
export const FUTURES_FIRST_ALGO_ID = 5_000_000_000;

export interface FuturesOptions {
  /** Default: BTCUSDT, ETHUSDT, BNBUSDT perpetuals close to Binance's (those the market trades). */
  readonly symbols?: readonly PerpSymbol[];
  /** USDⓈ-M base tier: maker 0.0002, taker 0.0005. */
  readonly fees?: { readonly maker?: Dec; readonly taker?: Dec };
  /** Funding period (default 8 h); tests shorten it. */
  readonly fundingIntervalMs?: number;
  /** Funding rate at every funding time until changed (default 0.0001). */
  readonly fundingRate?: Dec;
  readonly defaultLeverage?: number;
}

export interface FuturesPersisted {
  readonly perp: PerpSnapshot;
}

export interface FuturesDeps {
  readonly options: FuturesOptions;
  readonly market: Market;
  readonly now: () => number;
  readonly venueNow: () => number;
  readonly faults: Faults;
  readonly audit: Audit;
  readonly book: { readonly venue: BookModel; readonly display: BookModel };
  readonly persisted: FuturesPersisted | undefined;
  readonly onChange: () => void;
}

/** In-process control of the futures side (`ex.futures`). */
export interface FuturesControl {
  readonly perp: Perpetual;
  readonly audit: FuturesAudit;
  /** `wsFutures` for binance-api-node: `ws://127.0.0.1:<port>/fstream`. */
  readonly wsFutures: string;
  /** Pin the mark price (null: it follows the contract price again). */
  setMarkPrice(symbol: string, price: Dec | null): void;
  setFundingRate(symbol: string, rate: Dec): void;
  /** Settle the funding due now (the 1 s timer does it too). */
  settle(): void;
  /** Deposit (negative: withdraw) to an account's futures wallet: an ACCOUNT_UPDATE. */
  deposit(accountId: string, asset: string, amount: Dec): void;
  /** Expire the account's listenKeys now (`listenKeyExpired`, sockets closed). */
  expireListenKeys(accountId: string): void;
  listening(accountId: string): boolean;
}

export class FuturesSide {
  readonly perp: Perpetual;
  readonly streams: FuturesUserStreams;
  readonly audit: FuturesAudit;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly d: FuturesDeps) {
    const o = d.options;
    const symbols = (o.symbols ?? DEFAULT_PERP_SYMBOLS).filter(
      (s) => d.market.has(s.filters.symbol) || o.symbols !== undefined,
    );
    this.perp = new Perpetual(
      {
        symbols,
        ...(o.fees?.maker !== undefined ? { makerFee: o.fees.maker } : {}),
        ...(o.fees?.taker !== undefined ? { takerFee: o.fees.taker } : {}),
        book: d.book.venue,
        ...(o.fundingIntervalMs !== undefined ? { fundingIntervalMs: o.fundingIntervalMs } : {}),
        ...(o.fundingRate !== undefined ? { fundingRate: o.fundingRate } : {}),
        ...(o.defaultLeverage !== undefined ? { defaultLeverage: o.defaultLeverage } : {}),
        firstOrderId: FUTURES_FIRST_ORDER_ID,
        firstAlgoId: FUTURES_FIRST_ALGO_ID,
      },
      d.persisted?.perp,
    );
    this.streams = new FuturesUserStreams(d.now, d.faults);
    this.audit = new FuturesAudit(d.audit);
    if (d.persisted) this.audit.seed(this.perp.allIncomes());
    // Start the funding clocks (a restored state also settles the fundings it slept through).
    const t = this.clock();
    if (t !== null) this.audit.onEvents(this.perp.advance(t));
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  /** Send events to the audit and the account's listenKey streams. */
  readonly dispatch = (events: readonly PerpEvent[]): void => {
    if (events.length === 0) return;
    this.audit.onEvents(events);
    const t = this.d.now();
    const precision = (s: string) => perpPrecision(this.perp.symbol(s));
    for (const e of events)
      if (this.streams.hasSubscriber(e.accountId)) this.streams.deliver(e.accountId, perpEventJson(e, precision, t));
    this.d.onChange();
  };

  /** A trade of the paper market: a price point of the contract with the same symbol. */
  onTrade(symbol: string, point: PricePoint): void {
    if (!this.perp.symbol(symbol)) return;
    this.dispatch(this.perp.onPrice(symbol, point));
  }

  /** Initial price without matching. */
  setStartPrice(symbol: string, price: Dec): void {
    if (this.perp.symbol(symbol) && this.perp.lastPrice(symbol) === null) this.perp.setLastPrice(symbol, price);
  }

  /** A new API account: its futures wallet (idempotent: an account restored from the state file keeps its own). */
  addAccount(accountId: string, balances: Readonly<Record<string, Dec>>): void {
    if (this.perp.hasAccount(accountId)) return;
    this.dispatch(this.perp.addAccount(accountId, balances, this.d.venueNow()));
  }

  /** The funding clock: the replayed data's time in replay mode (null before its first trade), else the venue clock. */
  private clock(): number | null {
    return this.d.market.mode === 'data' ? this.d.market.dataTime() : this.d.venueNow();
  }

  tick(): void {
    try {
      const t = this.clock();
      if (t !== null) this.dispatch(this.perp.advance(t));
      this.streams.expire();
    } catch (e) {
      console.error('paper exchange: futures tick failed', e);
    }
  }

  routes(): Map<string, Route> {
    const routes = new Map<string, Route>();
    const deps: FuturesRouteDeps = {
      perp: this.perp,
      market: this.d.market,
      now: this.d.now,
      emit: this.dispatch,
      isHidden: (id) => this.d.faults.isHidden(id),
      streams: this.streams,
      displayBook: this.d.book.display,
      fees: { maker: this.perp.settings().makerFee, taker: this.perp.settings().takerFee },
    };
    const add = (r: Route) => routes.set(`${r.method} ${r.path}`, r);
    addFuturesMarketRoutes(add, deps);
    addFuturesOrderRoutes(add, deps);
    addFuturesAlgoRoutes(add, deps);
    addFuturesAccountRoutes(add, deps);
    return routes;
  }

  /**
   * A WebSocket under `/fstream/`: `[private/|public/|market/][ws/]<listenKey>` is the user
   * stream, `…/<stream>[/<stream>…]` (names with '@' or '!') the market streams. Null: refuse.
   */
  upgradeTarget(rest: string): { kind: 'user'; key: string } | { kind: 'market'; streams: string[] } | null {
    const parts = rest.split('/').filter(Boolean);
    while (parts.length > 0 && ['private', 'public', 'market', 'ws'].includes(parts[0] as string)) parts.shift();
    if (parts.length === 0) return null;
    if (parts.every((p) => p.includes('@') || p.startsWith('!'))) return { kind: 'market', streams: parts };
    if (parts.length === 1 && this.streams.isValid(parts[0] as string))
      return { kind: 'user', key: parts[0] as string };
    return null;
  }

  attachUser(ws: WebSocket, key: string): void {
    this.streams.attach(ws, key);
  }

  snapshot(): FuturesPersisted {
    return { perp: this.perp.snapshot() };
  }

  control(port: number): FuturesControl {
    const now = this.d.venueNow;
    return {
      perp: this.perp,
      audit: this.audit,
      wsFutures: `ws://127.0.0.1:${port}/fstream`,
      setMarkPrice: (symbol, price) => this.dispatch(this.perp.setMarkPrice(symbol, price, now())),
      setFundingRate: (symbol, rate) => this.perp.setFundingRate(symbol, rate),
      settle: () => this.tick(),
      deposit: (accountId, asset, amount) => {
        const r = this.perp.deposit(accountId, asset, amount, now());
        if (!r.ok) throw new Error(r.msg);
        this.dispatch(r.events);
      },
      expireListenKeys: (accountId) => this.streams.expireNow(accountId),
      listening: (accountId) => this.streams.hasSubscriber(accountId),
    };
  }

  close(): void {
    clearInterval(this.timer);
  }
}
