/**
 * The slice of binance-api-node we use, typed after what the library really returns (the raw
 * Binance JSON; its bundled typings are partial). Decimals stay strings.
 */
export interface RawFill {
  readonly price: string;
  readonly qty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly tradeId: number;
}

export interface RawOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly orderListId?: number;
  readonly clientOrderId: string;
  readonly transactTime?: number;
  readonly time?: number;
  readonly updateTime?: number;
  readonly price: string;
  readonly origQty: string;
  readonly executedQty: string;
  readonly cummulativeQuoteQty: string;
  readonly status: string;
  readonly type: string;
  readonly side: string;
  readonly timeInForce?: string;
  readonly stopPrice?: string;
  readonly origQuoteOrderQty?: string;
  readonly fills?: readonly RawFill[];
}

export interface RawCancel extends RawOrder {
  readonly origClientOrderId: string;
}

export interface RawOrderList {
  readonly orderListId: number;
  readonly listClientOrderId: string;
  readonly listOrderStatus: string;
  readonly transactionTime: number;
  readonly orders: ReadonlyArray<{ readonly symbol: string; readonly orderId: number; readonly clientOrderId: string }>;
  readonly orderReports?: readonly RawOrder[];
}

export interface RawTrade {
  readonly symbol: string;
  readonly id: number;
  readonly orderId: number;
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

export interface RawCandle {
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly quoteVolume: string;
}

export interface RawFilter {
  readonly filterType: string;
  readonly [key: string]: unknown;
}

export interface RawExchangeInfo {
  readonly serverTime: number;
  readonly symbols: ReadonlyArray<{
    readonly symbol: string;
    readonly status: string;
    readonly baseAsset: string;
    readonly quoteAsset: string;
    readonly filters: readonly RawFilter[];
  }>;
}

export interface RawAccount {
  readonly balances: ReadonlyArray<{ readonly asset: string; readonly free: string; readonly locked: string }>;
}

export interface RawBook {
  readonly lastUpdateId: number;
  readonly bids: ReadonlyArray<{ readonly price: string; readonly quantity: string }>;
  readonly asks: ReadonlyArray<{ readonly price: string; readonly quantity: string }>;
}

type Params = Record<string, string | number | boolean | undefined>;

/** The binance-api-node REST methods the activities call. */
export interface BinanceRest {
  time(): Promise<number>;
  exchangeInfo(p?: Params): Promise<RawExchangeInfo>;
  candles(p: Params): Promise<RawCandle[]>;
  book(p: Params): Promise<RawBook>;
  accountInfo(p?: Params): Promise<RawAccount>;
  order(p: Params): Promise<RawOrder>;
  orderTest(p: Params): Promise<unknown>;
  orderOco(p: Params): Promise<RawOrderList>;
  getOrder(p: Params): Promise<RawOrder>;
  cancelOrder(p: Params): Promise<RawCancel>;
  openOrders(p: Params): Promise<RawOrder[]>;
  allOrders(p: Params): Promise<RawOrder[]>;
  myTrades(p: Params): Promise<RawTrade[]>;
}
