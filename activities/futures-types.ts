/**
 * The binance-api-node USDⓈ-M methods the futures activities call, and the shapes of their
 * answers (raw JSON, decimal strings as Binance sends them). binance-api-node 0.13.10 routes
 * STOP_MARKET / TAKE_PROFIT_MARKET / ... to POST /fapi/v1/algoOrder (clientAlgoId), and
 * futuresGetOrder / futuresCancelOrder to the algo endpoint when a clientAlgoId is given.
 */
type Params = Record<string, string | number | boolean | undefined>;

export interface RawFuturesOrder {
  readonly orderId: number;
  readonly symbol: string;
  readonly status: string;
  readonly clientOrderId: string;
  readonly executedQty: string;
  readonly cumQuote: string;
  readonly avgPrice?: string;
  readonly type: string;
  readonly side: string;
  readonly reduceOnly?: boolean;
  readonly updateTime?: number;
  readonly time?: number;
  /** What a lineage scan reads to adopt an order (activities/futures-lineage.ts). */
  readonly origQty?: string;
  readonly price?: string;
  readonly stopPrice?: string;
  readonly timeInForce?: string;
  readonly closePosition?: boolean;
}

export interface RawFuturesAlgo {
  readonly algoId: number;
  readonly clientAlgoId: string;
  readonly symbol: string;
  readonly side: string;
  readonly algoStatus: string;
  /** The order the trigger placed in the matching engine ('' before). */
  readonly actualOrderId?: string | number;
  readonly executedQty?: string;
  readonly actualPrice?: string;
  readonly createTime?: number;
  readonly updateTime?: number;
  readonly orderType?: string;
  readonly quantity?: string;
  readonly triggerPrice?: string;
  readonly closePosition?: boolean;
  readonly reduceOnly?: boolean;
}

export interface RawFuturesTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly time: number;
  readonly maker: boolean;
  readonly realizedPnl?: string;
}

export interface RawPositionRisk {
  readonly symbol: string;
  readonly positionAmt: string;
  readonly entryPrice: string;
  readonly leverage: string;
  readonly marginType: string;
  readonly positionSide?: string;
}

export interface RawFuturesBalance {
  readonly asset: string;
  readonly balance: string;
  readonly availableBalance: string;
}

export interface RawFuturesExchangeInfo {
  readonly symbols: ReadonlyArray<{
    symbol: string;
    baseAsset: string;
    quoteAsset: string;
    filters: ReadonlyArray<Record<string, unknown> & { filterType: string }>;
  }>;
}

export interface FuturesRest {
  futuresExchangeInfo(): Promise<RawFuturesExchangeInfo>;
  futuresOrder(p: Params): Promise<RawFuturesOrder | RawFuturesAlgo>;
  futuresGetOrder(p: Params): Promise<RawFuturesOrder | RawFuturesAlgo>;
  futuresCancelOrder(p: Params): Promise<RawFuturesOrder | RawFuturesAlgo>;
  futuresOpenOrders(p: Params): Promise<RawFuturesOrder[] | RawFuturesAlgo[]>;
  futuresAllOrders(p: Params): Promise<RawFuturesOrder[]>;
  futuresUserTrades(p: Params): Promise<RawFuturesTrade[]>;
  futuresPositionRisk(p: Params): Promise<RawPositionRisk[]>;
  futuresAccountBalance(p?: Params): Promise<RawFuturesBalance[]>;
  futuresLeverage(p: Params): Promise<unknown>;
  futuresMarginType(p: Params): Promise<unknown>;
  futuresPositionMode(p?: Params): Promise<{ dualSidePosition?: unknown }>;
}
