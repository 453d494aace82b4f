/**
 * What the paper exchange takes (PaperExchangeOptions) and the handle it returns (PaperExchange):
 * its addresses, the in-process controls of the market, accounts, faults and audit. Types only;
 * server.ts builds it.
 */
import type { Dec } from '../core/decimal';
import type { CandleInterval } from '../core/market';
import type { BookModel, Venue, VenueSymbol } from '../venue';
import type { AccountEntry, AccountOptions } from './accounts';
import type { AdminAccess, AdminOptions } from './admin/guard';
import type { Audit } from './audit';
import type { DepthRecordingOptions } from './depth-recorder';
import type { Faults } from './faults';
import type { FuturesControl, FuturesOptions } from './futures/side';
import type { Kline } from './market/candles';
import type { Market } from './market/market';
import type { PriceSourceOptions } from './market/sources';
import type { RateLimitOptions } from './ratelimit';

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
