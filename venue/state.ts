/** Internal state records of the venue (JSON-safe: snapshots store them as they are) and their public views. Pure. */
import { type Dec, d, str } from '../core/decimal';
import type { OrderSide, OrderType, TimeInForce } from '../core/orders';
import type { BookModel, OrderListView, OrderView, VenueOrderStatus, VenueSymbol } from './types';

/** One symbol's market: its spec, the last traded price and the non-final orders resting on it. */
export interface SymbolState {
  spec: VenueSymbol;
  lastPrice: Dec | null;
  /** fastNumber(lastPrice), computed lazily (undefined = stale). */
  lastNum: number | undefined;
  /** Non-final orders of every account, in placement order. */
  open: OrderState[];
  tradeSeq: number;
  /**
   * Version of the synthetic book: +1 at every price point and every fill. The size of the best
   * level depends on it (book.ts), so the paper exchange and a backtest fed the same points see
   * the same book.
   */
  bookSeq: number;
}

/** The venue's settings once defaults are applied (VenueConfig without the symbols). */
export interface VenueSettings {
  readonly makerFee: Dec;
  readonly takerFee: Dec;
  readonly book: BookModel;
  readonly participation: Dec | null;
  readonly commissionPrecision: number;
}

/** Key of a per-account index (client ids, account × symbol). */
export const accountKey = (accountId: string, id: string): string => `${accountId}\u0000${id}`;

/** Internal, JSON-safe order record (the snapshot stores these as they are). */
export interface OrderState {
  symbol: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  accountId: string;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce | null;
  price: Dec;
  origQty: Dec;
  stopPrice: Dec;
  trailingDelta: number | null;
  origQuoteOrderQty: Dec;
  executedQty: Dec;
  cummulativeQuoteQty: Dec;
  status: VenueOrderStatus;
  time: number;
  updateTime: number;
  workingTime: number;
  isWorking: boolean;
  expiryReason: string | null;
  /** Stop orders: triggered (now a market or limit order). */
  triggered: boolean;
  /** Trailing stops: tracking started, and the best price seen since. */
  trailActive: boolean;
  trailExtreme: Dec | null;
  /** The funds reserved for this order (shared by the legs of an order list). */
  lockId: number | null;
}

export interface LockState {
  id: number;
  accountId: string;
  asset: string;
  amount: Dec;
  holders: number[];
}

export interface ListState {
  orderListId: number;
  listClientOrderId: string;
  symbol: string;
  accountId: string;
  listStatusType: 'EXEC_STARTED' | 'ALL_DONE';
  listOrderStatus: 'EXECUTING' | 'ALL_DONE';
  transactionTime: number;
  orderIds: number[];
}

export interface Balance {
  free: Dec;
  locked: Dec;
}

export function isFinal(status: VenueOrderStatus): boolean {
  return status === 'FILLED' || status === 'CANCELED' || status === 'EXPIRED' || status === 'REJECTED';
}

export function remainingOf(o: OrderState): Dec {
  return str(d(o.origQty).minus(o.executedQty));
}

export function view(o: OrderState): OrderView {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    accountId: o.accountId,
    price: o.price,
    origQty: o.origQty,
    executedQty: o.executedQty,
    cummulativeQuoteQty: o.cummulativeQuoteQty,
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: o.stopPrice,
    trailingDelta: o.trailingDelta,
    origQuoteOrderQty: o.origQuoteOrderQty,
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.isWorking,
    workingTime: o.workingTime,
    expiryReason: o.expiryReason,
  };
}

export function listView(l: ListState): OrderListView {
  return {
    orderListId: l.orderListId,
    contingencyType: 'OCO',
    listStatusType: l.listStatusType,
    listOrderStatus: l.listOrderStatus,
    listClientOrderId: l.listClientOrderId,
    transactionTime: l.transactionTime,
    symbol: l.symbol,
    accountId: l.accountId,
    orderIds: [...l.orderIds],
  };
}
