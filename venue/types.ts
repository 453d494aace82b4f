/** Public types of the spot venue simulator. JSON-safe, decimal strings for money. Pure. */
import type { Dec } from '../core/decimal';
import type { SymbolFilters } from '../core/market';
import type { OrderSide, OrderType, TimeInForce } from '../core/orders';

export type VenueOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
export type ExecutionType = 'NEW' | 'CANCELED' | 'REJECTED' | 'TRADE' | 'EXPIRED';

/** A tradable symbol: its filters plus the few exchangeInfo facts the venue enforces. */
export interface VenueSymbol {
  readonly filters: SymbolFilters;
  /** Decimals allowed in quantities (Binance `baseAssetPrecision`); more gives -1111. */
  readonly baseAssetPrecision: number;
  /** Decimals allowed in prices and quote amounts (Binance `quotePrecision`); more gives -1111. */
  readonly quoteAssetPrecision: number;
  /** NOTIONAL filter flags: whether min/max notional also apply to MARKET orders. */
  readonly applyMinToMarket: boolean;
  readonly applyMaxToMarket: boolean;
  /** TRAILING_DELTA filter, in basis points. */
  readonly minTrailingDelta: number;
  readonly maxTrailingDelta: number;
  /** 'TRADING' accepts orders; anything else rejects new orders with -2010 "Market is closed.". */
  readonly status: 'TRADING' | 'HALT' | 'BREAK' | 'END_OF_DAY';
}

/**
 * The synthetic order book our orders trade against when they take liquidity (MARKET orders,
 * marketable LIMIT orders, triggered stops). Level i of the asks is at
 * `reference + (spreadTicks + i * levelStepTicks) * tickSize`, bids mirrored below, each holding
 * `levelQty` base units (or `levelNotional / price`, varied by `qtyJitter`: book.ts).
 * `levelQty: null` without a notional means unlimited depth at the first level.
 */
export interface BookModel {
  readonly spreadTicks: number;
  readonly levels: number;
  readonly levelStepTicks: number;
  readonly levelQty: Dec | null;
  /** Quote value of one level, e.g. '20000' (USDT): a level at price P holds 20000 / P base units. Wins over levelQty. */
  readonly levelNotional?: Dec | null;
  /** 0..1: each level's size varies by up to ± this share (a hash of its price; the best level also changes with every trade). Default 0 (flat). */
  readonly qtyJitter?: number;
}

export interface VenueConfig {
  readonly symbols: readonly VenueSymbol[];
  /** Commission rates, e.g. '0.001' = 0.1 %. Default '0.001' for both. */
  readonly makerFee?: Dec;
  readonly takerFee?: Dec;
  /** Default: zero spread, unlimited depth (every taker order fills at the reference price). */
  readonly book?: Partial<BookModel>;
  /**
   * Share of a price step's traded quantity our orders may take at that step, e.g. '0.5'. `null`
   * (default) ignores volume: every crossed order fills completely. With a share set, a point with
   * qty '0' fills nothing and a point with qty null is unlimited; partial fills appear on thin
   * candles.
   */
  readonly participation?: Dec | null;
  /** Commission decimals (Binance base/quoteCommissionPrecision); commissions round up to it. Default 8. */
  readonly commissionPrecision?: number;
}

/** What a caller asks for. Decimal strings exactly as received on the wire. */
export interface PlaceOrderRequest {
  readonly accountId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce?: TimeInForce;
  readonly quantity?: Dec;
  readonly quoteOrderQty?: Dec;
  readonly price?: Dec;
  readonly stopPrice?: Dec;
  /** Trailing delta in basis points (STOP_LOSS*, TAKE_PROFIT*). */
  readonly trailingDelta?: number;
  /** Omitted: the venue mints one. '' gives -1118 like Binance. */
  readonly newClientOrderId?: string;
  readonly time: number;
}

/** Order types an OCO leg may have (every type but MARKET and LIMIT). */
export const OCO_LEG_TYPES = [
  'LIMIT_MAKER',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
] as const satisfies readonly OrderType[];
export type OcoLegType = (typeof OCO_LEG_TYPES)[number];

export interface OcoLegRequest {
  readonly type: OcoLegType;
  readonly price?: Dec;
  readonly stopPrice?: Dec;
  readonly trailingDelta?: number;
  readonly timeInForce?: TimeInForce;
  readonly clientOrderId?: string;
}

export interface PlaceOcoRequest {
  readonly accountId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: Dec;
  readonly listClientOrderId?: string;
  readonly above: OcoLegRequest;
  readonly below: OcoLegRequest;
  /** Order of the legs in ids and reports: 'below-first' (orderList/oco) or 'stop-first' (deprecated order/oco). */
  readonly legOrder?: 'below-first' | 'stop-first';
  readonly time: number;
}

export interface OrderRef {
  readonly orderId?: number;
  readonly origClientOrderId?: string;
}

export interface CancelRequest extends OrderRef {
  readonly accountId: string;
  readonly symbol: string;
  /** Id of the cancel itself; becomes `clientOrderId` of the cancel report. */
  readonly newClientOrderId?: string;
  readonly cancelRestrictions?: 'ONLY_NEW' | 'ONLY_PARTIALLY_FILLED';
  readonly time: number;
}

/** An order as Binance reports it (GET /api/v3/order field names, unpadded decimals). */
export interface OrderView {
  readonly symbol: string;
  readonly orderId: number;
  readonly orderListId: number;
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly price: Dec;
  readonly origQty: Dec;
  readonly executedQty: Dec;
  readonly cummulativeQuoteQty: Dec;
  readonly status: VenueOrderStatus;
  /** null for MARKET, LIMIT_MAKER and stop-market orders (rendered as "GTC" on the wire like Binance). */
  readonly timeInForce: TimeInForce | null;
  readonly type: OrderType;
  readonly side: OrderSide;
  readonly stopPrice: Dec;
  readonly trailingDelta: number | null;
  readonly origQuoteOrderQty: Dec;
  readonly time: number;
  readonly updateTime: number;
  readonly isWorking: boolean;
  /** -1 until the order works (untriggered stops). */
  readonly workingTime: number;
  readonly expiryReason: string | null;
}

/** One execution of one of our orders. `tradeId` is unique per symbol. */
export interface FillView {
  readonly accountId: string;
  readonly symbol: string;
  readonly orderId: number;
  readonly orderListId: number;
  readonly clientOrderId: string;
  readonly tradeId: number;
  readonly side: OrderSide;
  readonly price: Dec;
  readonly qty: Dec;
  readonly quoteQty: Dec;
  readonly commission: Dec;
  readonly commissionAsset: string;
  readonly isMaker: boolean;
  readonly time: number;
}

export interface BalanceView {
  readonly asset: string;
  readonly free: Dec;
  readonly locked: Dec;
}

export type BalanceReason = 'deposit' | 'lock' | 'unlock' | 'trade' | 'fee';

/** One movement of one asset of one account: the audit trail of every balance. */
export interface BalanceChange {
  readonly accountId: string;
  readonly asset: string;
  readonly freeDelta: Dec;
  readonly lockedDelta: Dec;
  readonly reason: BalanceReason;
  readonly orderId: number | null;
  readonly tradeId: number | null;
  readonly time: number;
}

export interface OrderListView {
  readonly orderListId: number;
  readonly contingencyType: 'OCO';
  readonly listStatusType: 'EXEC_STARTED' | 'ALL_DONE';
  readonly listOrderStatus: 'EXECUTING' | 'ALL_DONE';
  readonly listClientOrderId: string;
  readonly transactionTime: number;
  readonly symbol: string;
  readonly accountId: string;
  readonly orderIds: readonly number[];
}

/**
 * What happened, in order, for the user data stream and the audit. The paper exchange maps
 * `order` to executionReport, `account` to outboundAccountPosition, `deposit` to balanceUpdate and
 * `list` to listStatus. A backtester may ignore them.
 */
export type VenueEvent =
  | {
      readonly kind: 'order';
      readonly accountId: string;
      readonly time: number;
      readonly executionType: ExecutionType;
      /** Binance execution id `I`: increases with every report. */
      readonly executionId: number;
      /** The order after this execution. */
      readonly order: OrderView;
      /** Set for TRADE. */
      readonly fill: FillView | null;
      /** clientOrderId of the cancel request (executionReport `c` on cancels; `C` is then the order's). */
      readonly cancelClientOrderId: string | null;
      readonly rejectReason: string;
    }
  | {
      readonly kind: 'account';
      readonly accountId: string;
      readonly time: number;
      /** The changed assets with their balances after the change. */
      readonly balances: readonly BalanceView[];
      readonly changes: readonly BalanceChange[];
    }
  | {
      readonly kind: 'deposit';
      readonly accountId: string;
      readonly time: number;
      readonly asset: string;
      readonly delta: Dec;
    }
  | {
      readonly kind: 'list';
      readonly accountId: string;
      readonly time: number;
      readonly list: OrderListView;
      readonly orders: readonly OrderView[];
    };

export interface VenueError {
  readonly code: number;
  readonly msg: string;
}

export type VenueResult<T> = ({ readonly ok: true } & T) | ({ readonly ok: false } & VenueError);

export interface PlaceResult {
  readonly order: OrderView;
  /** Fills of the immediate execution, in order. */
  readonly fills: readonly FillView[];
  readonly events: readonly VenueEvent[];
}

export interface PlaceOcoResult {
  readonly list: OrderListView;
  readonly orders: readonly OrderView[];
  readonly fills: readonly FillView[];
  readonly events: readonly VenueEvent[];
}

export interface CancelResult {
  /** The cancelled order (for a list leg: the leg that was asked for). */
  readonly order: OrderView;
  readonly cancelClientOrderId: string;
  readonly list: OrderListView | null;
  readonly listOrders: readonly OrderView[];
  readonly events: readonly VenueEvent[];
}

/** One point of a price path: the market traded at `price` at `time`. */
export interface PricePoint {
  readonly price: Dec;
  readonly time: number;
  /** Base quantity traded on the way to this point (liquidity for our resting orders); null = unknown/unlimited. */
  readonly qty: Dec | null;
  /**
   * True when the market moved continuously from the previous point (inside a candle): a stop
   * crossed on the way triggers at its stop price. False for a jump (new candle open, a live tick):
   * triggered stops execute at this point's price, as after a gap.
   */
  readonly sweep: boolean;
}
