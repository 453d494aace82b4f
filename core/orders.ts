/**
 * Orders as the bot sees them: requests, exchange snapshots, fills, and the forward-only status
 * lattice that makes reconciliation safe (a late or duplicated report can never move an order
 * backwards or lower its filled quantity). Pure.
 */
import { type Dec, gt, isDecimalString, max } from './decimal';

export const ORDER_SIDES = ['BUY', 'SELL'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

/** Spot types, then STOP_MARKET: USDⓈ-M futures only (the protective stop, core/futures/protection.ts). */
export const ORDER_TYPES = [
  'MARKET',
  'LIMIT',
  'LIMIT_MAKER',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'STOP_MARKET',
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK'] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

/**
 * Exchange order statuses (Binance enums) plus two of our own, never sent by an exchange:
 * - SUBMITTING: recorded, its placement in flight;
 * - UNKNOWN: the placement ended without proof either way (e.g. a lookup refused after a send whose
 *   answer was lost): the order may be live. Reconciliation keeps looking it up by client id until
 *   the exchange shows it, or proves it absent after the resend deadline (then REJECTED).
 */
export const ORDER_STATUSES = [
  'SUBMITTING',
  'UNKNOWN',
  'PENDING_NEW',
  'NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type FinalOrderStatus = Extract<
  OrderStatus,
  'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED' | 'EXPIRED_IN_MATCH'
>;

/** Position of each status in the forward-only lattice. Final statuses share the top rank. */
export function statusRank(status: OrderStatus): number {
  switch (status) {
    case 'SUBMITTING':
      return 0;
    case 'UNKNOWN':
      return 1;
    case 'PENDING_NEW':
      return 2;
    case 'NEW':
      return 3;
    case 'PARTIALLY_FILLED':
      return 4;
    case 'FILLED':
    case 'CANCELED':
    case 'REJECTED':
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return FINAL_RANK;
    default: {
      const unknown: never = status;
      throw new Error(`unknown order status ${String(unknown)}`);
    }
  }
}

const FINAL_RANK = 5;

export function isFinalStatus(status: OrderStatus): status is FinalOrderStatus {
  return statusRank(status) === FINAL_RANK;
}

/** Ours, not the exchange's: SUBMITTING and UNKNOWN orders await proof of what the exchange did. */
export function awaitsProof(status: OrderStatus): boolean {
  return status === 'SUBMITTING' || status === 'UNKNOWN';
}

/** What a strategy asks the exchange for. Decimal strings only. */
export interface OrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity?: Dec;
  /** MARKET only: spend (BUY) or receive (SELL) this much quote asset. */
  readonly quoteOrderQty?: Dec;
  readonly price?: Dec;
  readonly stopPrice?: Dec;
  /** Trailing stop in basis points (Binance `trailingDelta`), for STOP_LOSS* / TAKE_PROFIT* types. */
  readonly trailingDelta?: number;
  readonly timeInForce?: TimeInForce;
  /** Futures: the order may only shrink the position (every exit of a futures bot). */
  readonly reduceOnly?: boolean;
  /** Futures STOP_MARKET: close the whole position when triggered (no quantity). */
  readonly closePosition?: boolean;
}

/** One leg of an OCO order list. */
export interface OcoLeg {
  readonly type: Extract<
    OrderType,
    'LIMIT_MAKER' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT'
  >;
  readonly price?: Dec;
  readonly stopPrice?: Dec;
  readonly trailingDelta?: number;
  readonly timeInForce?: TimeInForce;
}

/** An OCO order list: two orders on the same side, one above and one below the market. */
export interface OcoRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: Dec;
  readonly above: OcoLeg;
  readonly below: OcoLeg;
}

/** One execution (trade) of an order. `tradeId` is unique per symbol: fills are deduplicated by it. */
export interface Fill {
  readonly tradeId: number;
  readonly price: Dec;
  readonly qty: Dec;
  readonly quoteQty: Dec;
  readonly commission: Dec;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isMaker: boolean;
}

/** The exchange's view of one order at one moment (from a REST answer or a stream event). */
export interface OrderSnapshot {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly exchangeOrderId?: number;
  readonly status: Exclude<OrderStatus, 'SUBMITTING' | 'UNKNOWN'>;
  readonly executedQty: Dec;
  readonly cumulativeQuoteQty: Dec;
  /** Time of this report on the exchange's clock. */
  readonly updateTime: number;
  /** Fills carried by this report (a stream TRADE event has one; a reconciliation may carry many). */
  readonly fills?: readonly Fill[];
  /** Present when the exchange rejected or expired the order. */
  readonly reason?: string;
}

/** An order owned by a bot. */
export interface OrderRecord {
  readonly clientOrderId: string;
  /** The strategy's own name for the order ("entry", "tp-1", "grid-3-buy"); several orders may share a tag over time. */
  readonly tag: string;
  readonly request: OrderRequest;
  /** Entry orders are refused while the bot is paused; exits always go through. */
  readonly purpose: 'entry' | 'exit';
  /** Why the strategy placed it, with the figures behind the decision. */
  readonly reason?: string;
  readonly facts?: Readonly<Record<string, string | number | boolean>>;
  /** Set for the legs of an OCO order list. */
  readonly listClientOrderId?: string;
  readonly status: OrderStatus;
  readonly exchangeOrderId?: number;
  readonly executedQty: Dec;
  readonly cumulativeQuoteQty: Dec;
  readonly fills: readonly Fill[];
  readonly cancelRequested: boolean;
  readonly rejectReason?: string;
  /** UNKNOWN orders: when the placement gave up, and why (the resend deadline counts from then). */
  readonly unknownSince?: number;
  readonly unknownReason?: string;
  /** The exchange did not know the order when we looked (it had been confirmed before): reported, not waited for. */
  readonly missingSince?: number;
  /** Placed by a discarded branch of the bot's history (a Temporal reset) and found on the exchange. */
  readonly adopted?: boolean;
  /** A discarded branch's order the current branch asked for again: taken as its decision, not sent again (core/adopted-exits.ts). */
  readonly bound?: boolean;
  /** Its id turned out to be taken by another owner's order: reports under the id are not about this order. */
  readonly collision?: boolean;
  /** Final orders whose fills did not add up to executedQty: how many times they were re-polled. */
  readonly fillPolls?: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface MergeResult {
  readonly order: OrderRecord;
  /** Fills not seen before (deduplicated by tradeId). */
  readonly newFills: readonly Fill[];
  /** True when anything the strategy cares about changed. */
  readonly changed: boolean;
}

/**
 * Merge an exchange report into our record, monotonically: status only moves forward, executed
 * quantity never decreases, fills are deduplicated by trade id. Reports may arrive late,
 * duplicated or out of order (stream + polling + several workers); the result is the same.
 */
export function mergeSnapshot(order: OrderRecord, snapshot: OrderSnapshot): MergeResult {
  const known = new Set(order.fills.map((f) => f.tradeId));
  const newFills: Fill[] = [];
  for (const fill of snapshot.fills ?? []) {
    if (!known.has(fill.tradeId)) {
      known.add(fill.tradeId);
      newFills.push(fill);
    }
  }
  const currentRank = statusRank(order.status);
  const incomingRank = statusRank(snapshot.status);
  // A final status is never replaced: two different final reports cannot both be true, and the
  // first one we accepted came from the exchange too.
  const status = incomingRank > currentRank ? snapshot.status : order.status;
  const executedQty = max(order.executedQty, snapshot.executedQty);
  const cumulativeQuoteQty = max(order.cumulativeQuoteQty, snapshot.cumulativeQuoteQty);
  const exchangeOrderId = order.exchangeOrderId ?? snapshot.exchangeOrderId;
  const rejectReason =
    order.rejectReason ?? (status === 'REJECTED' || status === 'EXPIRED' ? snapshot.reason : undefined);
  const changed =
    newFills.length > 0 ||
    status !== order.status ||
    gt(executedQty, order.executedQty) ||
    exchangeOrderId !== order.exchangeOrderId;
  if (!changed && cumulativeQuoteQty === order.cumulativeQuoteQty) return { order, newFills, changed: false };
  const next: OrderRecord = {
    ...order,
    status,
    executedQty,
    cumulativeQuoteQty,
    ...(exchangeOrderId !== undefined ? { exchangeOrderId } : {}),
    ...(rejectReason !== undefined ? { rejectReason } : {}),
    fills: newFills.length > 0 ? [...order.fills, ...newFills] : order.fills,
    updatedAt: Math.max(order.updatedAt, snapshot.updateTime),
  };
  return { order: next, newFills, changed };
}

/** Spot client order ids: Binance accepts ^[a-zA-Z0-9-_]{1,36}$; we stay within 32 to be safe on futures too. */
export const CLIENT_ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export function isValidDecimalOrUndefined(value: unknown): boolean {
  return value === undefined || isDecimalString(value);
}
