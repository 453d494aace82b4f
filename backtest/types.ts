/**
 * The backtester's vocabulary: what a run takes (BacktestOptions) and what it gives back
 * (BacktestResult with its orders, fills and trades), shared by the spot run (engine.ts), the
 * futures run (futures-run.ts), the reports and the optimiser. Types and constants only.
 */
import type { Dec } from '../core/decimal';
import { type BotState, type ReconcileTiming, type StopPolicy, DEFAULT_RECONCILE_TIMING } from '../core/kernel';
import type { Candle, CandleInterval, SymbolFilters } from '../core/market';
import type { Fill, OrderRequest } from '../core/orders';
import type { RiskConfig } from '../core/risk/guard';
import type { AnyStrategy, Json } from '../core/strategy';
import type { BacktestMetrics } from './metrics';

export const BACKTEST_ACCOUNT = 'backtest';

/**
 * Reconciliation in a backtest only refreshes the balances the strategy sees (the simulated
 * stream never loses an event), so the "stale stream" mode, which polls every 15 s when no event
 * came for 3 minutes, is switched off: with hourly candles it would poll 200 times per candle.
 */
export const BACKTEST_RECONCILE_TIMING: ReconcileTiming = {
  ...DEFAULT_RECONCILE_TIMING,
  staleAfterMs: Number.MAX_SAFE_INTEGER,
};

export interface BacktestOptions {
  readonly strategy: AnyStrategy;
  /** Strategy params, validated (and defaulted) with the strategy's schema here. */
  readonly params: unknown;
  readonly candles: readonly Candle[];
  /** Default: the candles' symbol and interval. */
  readonly symbol?: string;
  readonly interval?: CandleInterval;
  /** Exchange filters of the symbol; default: the venue's default for it, else derived from the candles. */
  readonly filters?: SymbolFilters;
  /** Starting balances of the account; default 10,000 of the quote asset. */
  readonly balances?: Readonly<Record<string, Dec>>;
  readonly makerFee?: Dec;
  readonly takerFee?: Dec;
  /** Share of each price point's volume our resting orders may take (partial fills); null: all. */
  readonly participation?: Dec | null;
  /** Synthetic order book for taker orders (spread, depth), see core/venue/types.ts BookModel. */
  readonly book?: {
    readonly spreadTicks?: number;
    readonly levels?: number;
    readonly levelStepTicks?: number;
    readonly levelQty?: Dec | null;
  };
  readonly risk?: RiskConfig;
  readonly onStop?: StopPolicy;
  readonly name?: string;
  readonly timing?: ReconcileTiming;
  /** Called every `progressEvery` candles with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly progressEvery?: number;
  /** Equity points kept in the result (downsampled); default 2,000. */
  readonly equityPoints?: number;
}

/** One execution as the report shows it: the exchange's fill with the order's tag and purpose. */
export interface BacktestFill extends Omit<Fill, 'tradeId'> {
  readonly clientOrderId: string;
  readonly tag: string;
  readonly purpose: 'entry' | 'exit';
  readonly side: 'BUY' | 'SELL';
}

/** One sell order that filled (in part or whole): what it closed and what that earned. */
export interface BacktestTrade {
  readonly clientOrderId: string;
  readonly tag: string;
  readonly reason: string;
  readonly openedAt: number | null;
  readonly closedAt: number;
  readonly qty: Dec;
  /** Average cost (fees included) of what was sold, and the average sale price. */
  readonly entryPrice: Dec;
  readonly exitPrice: Dec;
  /** Realised PnL, net of fees. */
  readonly pnl: Dec;
}

export interface BacktestOrder {
  readonly clientOrderId: string;
  readonly tag: string;
  readonly purpose: 'entry' | 'exit';
  readonly reason: string;
  readonly time: number;
  readonly request: OrderRequest;
  readonly listClientOrderId?: string;
  /** For a sell: the cost per unit of the lot it closes, when the strategy names it (grid cells). */
  readonly entryPrice?: Dec;
  /** Final status, or the last known one when the run ended. */
  status: string;
  rejectReason?: string;
}

export interface BacktestResult {
  readonly strategy: string;
  readonly params: Json;
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly from: number;
  readonly to: number;
  readonly candles: number;
  readonly filters: SymbolFilters;
  readonly initialBalances: Readonly<Record<string, Dec>>;
  readonly finalBalances: Readonly<Record<string, { free: Dec; locked: Dec }>>;
  readonly botStatus: BotState['status'];
  readonly stopReason: string | null;
  readonly position: { readonly qty: Dec; readonly avgEntryPrice: Dec };
  readonly realizedPnl: Dec;
  readonly unrealizedPnl: Dec;
  readonly fees: Readonly<Record<string, Dec>>;
  readonly metrics: BacktestMetrics;
  readonly orders: readonly BacktestOrder[];
  readonly fills: readonly BacktestFill[];
  readonly trades: readonly BacktestTrade[];
  readonly roundTrips: { readonly count: number; readonly wins: number };
  readonly notifications: readonly { readonly time: number; readonly level: string; readonly message: string }[];
}

export class BacktestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestError';
  }
}
