/** The shapes the dashboard reads from the control API (see api/views.ts; amounts are decimal strings). */
export interface Decision {
  readonly time: number;
  readonly source: 'strategy' | 'order';
  readonly action: string;
  readonly reason: string;
}

export interface BotRow {
  readonly name: string;
  readonly workflowStatus: string;
  readonly status: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly interval: string | null;
  readonly account: string | null;
  readonly position: { readonly qty: string; readonly avgEntryPrice: string } | null;
  readonly realizedPnl: string | null;
  readonly unrealizedPnl: string | null;
  readonly lastPrice: string | null;
  readonly openOrders: number | null;
  readonly lastEventTime: number | null;
  readonly lastDecision: Decision | null;
  readonly stopReason: string | null;
  readonly error?: string;
}

export interface Order {
  readonly clientOrderId: string;
  readonly tag: string;
  readonly purpose: 'entry' | 'exit';
  readonly reason?: string;
  readonly status: string;
  readonly request: {
    readonly symbol: string;
    readonly side: string;
    readonly type: string;
    readonly quantity?: string;
    readonly quoteOrderQty?: string;
    readonly price?: string;
    readonly stopPrice?: string;
  };
  readonly executedQty: string;
  readonly cumulativeQuoteQty: string;
  readonly rejectReason?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Fill {
  readonly time: number;
  readonly tag: string;
  readonly purpose: 'entry' | 'exit';
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly reason?: string;
}

export interface BotDetail {
  readonly name: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly interval: string;
  readonly account: string;
  readonly status: string;
  readonly workflowStatus: string;
  readonly position: { readonly qty: string; readonly avgEntryPrice: string; readonly realizedPnl: string };
  readonly realizedPnl: string;
  readonly unrealizedPnl: string | null;
  readonly lastPrice: string | null;
  readonly openOrders: readonly Order[];
  readonly params: Record<string, unknown>;
  readonly stats: {
    readonly ordersPlaced: number;
    readonly ordersRejected: number;
    readonly fills: number;
    readonly roundTrips: number;
    readonly wins: number;
  };
  readonly notifications: readonly { readonly time: number; readonly level: string; readonly message: string }[];
  readonly stopReason: string | null;
  readonly lastDecision: Decision | null;
  readonly lastEventTime: number | null;
}

export interface Trades {
  readonly orders: readonly Order[];
  readonly fills: readonly Fill[];
  readonly decisions: readonly Decision[];
  readonly pnl: readonly { readonly time: number; readonly realized: string; readonly total: string }[];
}

export interface Candles {
  readonly symbol: string;
  readonly interval: string;
  readonly candles: readonly {
    readonly time: number;
    readonly open: string;
    readonly high: string;
    readonly low: string;
    readonly close: string;
  }[];
  readonly markers: readonly {
    readonly time: number;
    readonly side: 'BUY' | 'SELL';
    readonly purpose: 'entry' | 'exit';
    readonly price: string;
    readonly qty: string;
    readonly tag: string;
  }[];
}

export interface JsonSchema {
  readonly type?: string | string[];
  readonly properties?: Record<string, JsonSchema>;
  readonly required?: string[];
  readonly default?: unknown;
  readonly enum?: unknown[];
  readonly items?: JsonSchema;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly pattern?: string;
  readonly anyOf?: JsonSchema[];
}

export interface StrategyInfo {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly params: JsonSchema;
  readonly runNow: boolean;
}
