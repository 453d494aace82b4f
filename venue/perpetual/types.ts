/**
 * Public types of the simulated USDⓈ-M perpetual (linear, USDT-margined, one-way mode). JSON-safe,
 * decimal strings for money. Pure.
 */
import type { Dec } from '../../core/decimal';
import type { SymbolFilters } from '../../core/market';
import type { OrderSide } from '../../core/orders';
import type { BookModel } from '../types';

export type { PricePoint } from '../types';

export type MarginType = 'CROSSED' | 'ISOLATED';
/** One-way mode only: every position is BOTH. LONG / SHORT are hedge mode, which is refused (-4061). */
export type PositionSide = 'BOTH' | 'LONG' | 'SHORT';
export type RegularOrderType = 'LIMIT' | 'MARKET';
export const ALGO_ORDER_TYPES = [
  'STOP',
  'STOP_MARKET',
  'TAKE_PROFIT',
  'TAKE_PROFIT_MARKET',
  'TRAILING_STOP_MARKET',
] as const;
export type AlgoOrderType = (typeof ALGO_ORDER_TYPES)[number];
/** `LIQUIDATION` is the order the engine places when it closes a position at maintenance margin. */
export type PerpOrderType = RegularOrderType | 'LIQUIDATION';
export const PERP_TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'GTX'] as const;
export type PerpTimeInForce = (typeof PERP_TIME_IN_FORCE)[number];
export type PerpOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';
/** Binance's algo statuses (TRIGGERING is instantaneous here: NEW → TRIGGERED → FINISHED). */
export type AlgoStatus = 'NEW' | 'TRIGGERED' | 'FINISHED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';
export type WorkingType = 'CONTRACT_PRICE' | 'MARK_PRICE';
/** Execution types of ORDER_TRADE_UPDATE (`CALCULATED` = liquidation). */
export type PerpExecutionType = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'CALCULATED';

/** One row of Binance's notional and leverage brackets (GET /fapi/v1/leverageBracket). */
export interface LeverageBracket {
  readonly bracket: number;
  readonly initialLeverage: number;
  readonly notionalFloor: Dec;
  readonly notionalCap: Dec;
  readonly maintMarginRatio: Dec;
  /** Maintenance amount: maintenance margin = notional × ratio − cum (continuous across brackets). */
  readonly cum: Dec;
}

/** A perpetual contract: its filters, precisions, brackets and liquidation fee. */
export interface PerpSymbol {
  /** tickSize, LOT_SIZE, MARKET_LOT_SIZE, MIN_NOTIONAL (minNotional; maxNotional unused), MAX_NUM_ORDERS. */
  readonly filters: SymbolFilters;
  /** exchangeInfo `pricePrecision` / `quantityPrecision`: more decimals give -1111. */
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  /** MAX_NUM_ALGO_ORDERS: open conditional orders per symbol (-4045 beyond). */
  readonly maxNumAlgoOrders: number;
  /** PERCENT_PRICE: a LIMIT price must stay within mark × [down, up] (-4016 / -4024). */
  readonly percentPrice: { readonly up: Dec; readonly down: Dec };
  readonly brackets: readonly LeverageBracket[];
  /** Liquidation clearance fee rate on the liquidated notional (exchangeInfo `liquidationFee`). */
  readonly liquidationFee: Dec;
  readonly marginAsset: string;
  readonly status: 'TRADING' | 'SETTLING' | 'PENDING_TRADING';
}

export interface PerpConfig {
  readonly symbols: readonly PerpSymbol[];
  /** USDⓈ-M base tier: maker 0.0002, taker 0.0005. */
  readonly makerFee?: Dec;
  readonly takerFee?: Dec;
  /** The synthetic book taker orders meet (venue/book.ts). Default: zero spread, unlimited depth. */
  readonly book?: Partial<BookModel>;
  /** Funding period (default 8 h: 00:00, 08:00, 16:00 UTC). Funding times are multiples of it since the epoch. */
  readonly fundingIntervalMs?: number;
  /** Funding rate applied at each funding time until changed (default 0.0001 = 0.01 %). */
  readonly fundingRate?: Dec;
  /** Leverage of a symbol an account has not set (Binance: 20). */
  readonly defaultLeverage?: number;
  /** MARGIN_CALL when maintenance margin / margin balance reaches this ratio (default 0.8). */
  readonly marginCallRatio?: Dec;
  /** First orderId and algoId (the paper exchange starts them apart from spot's ids). Default 1. */
  readonly firstOrderId?: number;
  readonly firstAlgoId?: number;
  /**
   * Binance forgets CANCELED / EXPIRED orders without fills 3 days after creation, and every
   * order after 90 days: lookups then answer -2013. Times in ms.
   */
  readonly retention?: { readonly unfilledMs: number; readonly allMs: number };
}

export interface PerpOrderRequest {
  readonly accountId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: RegularOrderType;
  readonly timeInForce?: PerpTimeInForce;
  readonly quantity: Dec;
  readonly price?: Dec;
  readonly reduceOnly?: boolean;
  readonly positionSide?: PositionSide;
  /** Omitted: the engine mints one. Unique among the account's OPEN orders only (-4116). */
  readonly newClientOrderId?: string;
  readonly time: number;
}

export interface PerpAlgoRequest {
  readonly accountId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: AlgoOrderType;
  /** Omitted only with closePosition. */
  readonly quantity?: Dec;
  /** Limit price of STOP / TAKE_PROFIT once triggered. */
  readonly price?: Dec;
  /** Required except for TRAILING_STOP_MARKET. */
  readonly triggerPrice?: Dec;
  readonly timeInForce?: PerpTimeInForce;
  readonly reduceOnly?: boolean;
  readonly closePosition?: boolean;
  readonly positionSide?: PositionSide;
  readonly workingType?: WorkingType;
  readonly priceProtect?: boolean;
  /** TRAILING_STOP_MARKET: tracking starts once the price reaches it (default: at once). */
  readonly activatePrice?: Dec;
  /** TRAILING_STOP_MARKET: callback in percent, 0.1 … 10. */
  readonly callbackRate?: Dec;
  /** Unique among the account's OPEN algo orders (-4116). */
  readonly clientAlgoId?: string;
  readonly time: number;
}

export interface OrderRef {
  readonly orderId?: number;
  readonly origClientOrderId?: string;
}

export interface AlgoRef {
  readonly algoId?: number;
  readonly clientAlgoId?: string;
}

/** An order as GET /fapi/v1/order reports it (unpadded decimals). */
export interface PerpOrderView {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly type: PerpOrderType;
  /** The type asked for: the algo type for an order an algo order placed when triggered. */
  readonly origType: PerpOrderType | AlgoOrderType;
  readonly timeInForce: PerpTimeInForce;
  readonly price: Dec;
  readonly avgPrice: Dec;
  readonly origQty: Dec;
  readonly executedQty: Dec;
  readonly cumQuote: Dec;
  readonly status: PerpOrderStatus;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly stopPrice: Dec;
  readonly workingType: WorkingType;
  readonly priceProtect: boolean;
  readonly activatePrice: Dec | null;
  readonly priceRate: Dec | null;
  readonly time: number;
  readonly updateTime: number;
  /** The algo order that placed it, when triggered from one. */
  readonly algoId: number | null;
  readonly expiryReason: string | null;
}

/** One execution of one of our orders (GET /fapi/v1/userTrades). `tradeId` is unique per symbol. */
export interface PerpFillView {
  readonly accountId: string;
  readonly symbol: string;
  readonly tradeId: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly price: Dec;
  readonly qty: Dec;
  readonly quoteQty: Dec;
  readonly commission: Dec;
  readonly commissionAsset: string;
  /** PnL this fill realised on the position it reduced (fees not included). */
  readonly realizedPnl: Dec;
  readonly isMaker: boolean;
  readonly time: number;
}

export interface AlgoView {
  readonly algoId: number;
  readonly clientAlgoId: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly type: AlgoOrderType;
  readonly timeInForce: PerpTimeInForce;
  /** '0' with closePosition (the whole position at trigger time). */
  readonly quantity: Dec;
  readonly price: Dec;
  readonly triggerPrice: Dec;
  readonly workingType: WorkingType;
  readonly priceProtect: boolean;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly activatePrice: Dec | null;
  readonly callbackRate: Dec | null;
  readonly status: AlgoStatus;
  readonly createTime: number;
  readonly updateTime: number;
  /** 0 until triggered. */
  readonly triggerTime: number;
  /** The order placed in the matching engine when it triggered (null before). */
  readonly actualOrderId: number | null;
  readonly actualPrice: Dec;
  readonly executedQty: Dec;
  readonly rejectReason: string | null;
}

export interface PositionView {
  readonly symbol: string;
  /** Signed: negative for a short. */
  readonly positionAmt: Dec;
  readonly entryPrice: Dec;
  /** Entry price moved by the fees paid opening it: the price at which closing breaks even. */
  readonly breakEvenPrice: Dec;
  readonly markPrice: Dec;
  readonly unRealizedProfit: Dec;
  /** '0' when the position cannot be liquidated (or there is none). */
  readonly liquidationPrice: Dec;
  readonly leverage: number;
  readonly maxNotionalValue: Dec;
  readonly marginType: MarginType;
  /** Isolated: wallet + unrealised PnL; '0' in cross. */
  readonly isolatedMargin: Dec;
  readonly isolatedWallet: Dec;
  /** Signed notional at the mark price. */
  readonly notional: Dec;
  readonly initialMargin: Dec;
  readonly maintMargin: Dec;
  readonly openOrderInitialMargin: Dec;
  readonly accumulatedRealized: Dec;
  readonly positionSide: 'BOTH';
  readonly updateTime: number;
}

export interface AccountView {
  readonly accountId: string;
  readonly asset: string;
  /** Deposits − withdrawals + realised PnL − fees ± funding (isolated wallets included). */
  readonly walletBalance: Dec;
  readonly crossWalletBalance: Dec;
  readonly crossUnPnl: Dec;
  readonly unrealizedProfit: Dec;
  readonly marginBalance: Dec;
  readonly positionInitialMargin: Dec;
  readonly openOrderInitialMargin: Dec;
  readonly maintMargin: Dec;
  /** What a new order can use: cross wallet + cross unrealised PnL − margins in use. */
  readonly availableBalance: Dec;
  readonly maxWithdrawAmount: Dec;
  readonly updateTime: number;
}

export type IncomeType = 'TRANSFER' | 'REALIZED_PNL' | 'FUNDING_FEE' | 'COMMISSION' | 'INSURANCE_CLEAR';

/** One wallet change (GET /fapi/v1/income): the audit sums them to the wallet. */
export interface IncomeRecord {
  readonly tranId: number;
  readonly accountId: string;
  readonly symbol: string;
  readonly incomeType: IncomeType;
  readonly income: Dec;
  readonly asset: string;
  readonly info: string;
  readonly time: number;
  readonly tradeId: number | null;
}

export interface SymbolMarketView {
  readonly symbol: string;
  readonly lastPrice: Dec | null;
  readonly markPrice: Dec | null;
  readonly markPinned: boolean;
  readonly fundingRate: Dec;
  readonly nextFundingTime: number;
}

export interface FundingView {
  readonly symbol: string;
  readonly fundingRate: Dec;
  readonly fundingTime: number;
  readonly markPrice: Dec;
}

export type AccountUpdateReason =
  'DEPOSIT' | 'WITHDRAW' | 'ORDER' | 'FUNDING_FEE' | 'MARGIN_TYPE_CHANGE' | 'INSURANCE_CLEAR';

export interface PositionUpdate {
  readonly symbol: string;
  readonly positionAmount: Dec;
  readonly entryPrice: Dec;
  readonly breakEvenPrice: Dec;
  readonly accumulatedRealized: Dec;
  readonly unrealizedPnL: Dec;
  readonly marginType: MarginType;
  readonly isolatedWallet: Dec;
}

export interface MarginCallPosition {
  readonly symbol: string;
  readonly positionAmount: Dec;
  readonly marginType: MarginType;
  readonly isolatedWallet: Dec;
  readonly markPrice: Dec;
  readonly unrealizedPnL: Dec;
  readonly maintenanceMarginRequired: Dec;
}

export type PerpEvent =
  | {
      readonly kind: 'order';
      readonly accountId: string;
      readonly time: number;
      readonly executionType: PerpExecutionType;
      readonly order: PerpOrderView;
      readonly fill: PerpFillView | null;
    }
  | { readonly kind: 'algo'; readonly accountId: string; readonly time: number; readonly algo: AlgoView }
  | {
      readonly kind: 'triggerReject';
      readonly accountId: string;
      readonly time: number;
      readonly algo: AlgoView;
      readonly reason: string;
    }
  | {
      readonly kind: 'account';
      readonly accountId: string;
      readonly time: number;
      readonly reason: AccountUpdateReason;
      readonly balances: readonly {
        readonly asset: string;
        readonly walletBalance: Dec;
        readonly crossWalletBalance: Dec;
        readonly balanceChange: Dec;
      }[];
      readonly positions: readonly PositionUpdate[];
      /** The wallet changes behind this update (audit). */
      readonly incomes: readonly IncomeRecord[];
    }
  | {
      readonly kind: 'marginCall';
      readonly accountId: string;
      readonly time: number;
      readonly crossWalletBalance: Dec;
      readonly positions: readonly MarginCallPosition[];
    }
  | {
      readonly kind: 'config';
      readonly accountId: string;
      readonly time: number;
      readonly symbol: string;
      readonly leverage: number;
    };

export interface PerpError {
  readonly code: number;
  readonly msg: string;
}

export type PerpResult<T> = ({ readonly ok: true } & T) | ({ readonly ok: false } & PerpError);

export interface PlaceOrderResult {
  readonly order: PerpOrderView;
  readonly fills: readonly PerpFillView[];
  readonly events: readonly PerpEvent[];
}

export interface PlaceAlgoResult {
  readonly algo: AlgoView;
  readonly events: readonly PerpEvent[];
}

export type { BookModel };
