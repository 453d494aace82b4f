/**
 * Internal records of the simulated perpetual (JSON-safe: snapshots store them as they are), the
 * settings once defaults are applied, and the views handed out. Pure.
 */
import { type Dec, d, str } from '../../core/decimal';
import type { OrderSide } from '../../core/orders';
import type { BookModel, VenueSymbol } from '../types';
import type {
  AlgoOrderType,
  AlgoStatus,
  AlgoView,
  FundingView,
  IncomeRecord,
  MarginType,
  PerpOrderStatus,
  PerpOrderType,
  PerpOrderView,
  PerpFillView,
  PerpSymbol,
  PerpTimeInForce,
  WorkingType,
} from './types';

export interface PerpSettings {
  readonly makerFee: Dec;
  readonly takerFee: Dec;
  readonly book: BookModel;
  readonly fundingIntervalMs: number;
  readonly fundingRate: Dec;
  readonly defaultLeverage: number;
  readonly marginCallRatio: Dec;
  readonly retention: { readonly unfilledMs: number; readonly allMs: number };
}

export interface PositionRec {
  /** Signed quantity: > 0 long, < 0 short, '0' flat. */
  amount: Dec;
  entryPrice: Dec;
  /** Margin held by an isolated position (part of the wallet balance); '0' in cross. */
  isolatedWallet: Dec;
  accumulatedRealized: Dec;
  updateTime: number;
}

export interface SymbolSettingsRec {
  leverage: number;
  marginType: MarginType;
}

export interface AccountRec {
  readonly id: string;
  /** Wallet balance per margin asset (USDT). */
  wallet: Record<string, Dec>;
  settings: Record<string, SymbolSettingsRec>;
  positions: Record<string, PositionRec>;
  /** Margin-call latches: 'cross' or a symbol (isolated), set while the ratio is above the threshold. */
  marginCalled: Record<string, boolean>;
  updateTime: number;
}

export interface OrderRec {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  accountId: string;
  side: OrderSide;
  type: PerpOrderType;
  origType: PerpOrderType | AlgoOrderType;
  timeInForce: PerpTimeInForce;
  price: Dec;
  origQty: Dec;
  executedQty: Dec;
  cumQuote: Dec;
  status: PerpOrderStatus;
  reduceOnly: boolean;
  closePosition: boolean;
  stopPrice: Dec;
  workingType: WorkingType;
  priceProtect: boolean;
  activatePrice: Dec | null;
  priceRate: Dec | null;
  time: number;
  updateTime: number;
  algoId: number | null;
  expiryReason: string | null;
}

export interface AlgoRec {
  algoId: number;
  clientAlgoId: string;
  accountId: string;
  symbol: string;
  side: OrderSide;
  type: AlgoOrderType;
  timeInForce: PerpTimeInForce;
  quantity: Dec;
  price: Dec;
  triggerPrice: Dec;
  workingType: WorkingType;
  priceProtect: boolean;
  reduceOnly: boolean;
  closePosition: boolean;
  activatePrice: Dec | null;
  callbackRate: Dec | null;
  status: AlgoStatus;
  createTime: number;
  updateTime: number;
  triggerTime: number;
  actualOrderId: number | null;
  rejectReason: string | null;
  /** Trailing stops: tracking started, and the best price seen since (highest for SELL, lowest for BUY). */
  trailActive: boolean;
  trailExtreme: Dec | null;
}

export interface SymbolRec {
  readonly spec: PerpSymbol;
  /** The same contract as a spot-shaped symbol, for the synthetic book (venue/book.ts). */
  readonly book: VenueSymbol;
  lastPrice: Dec | null;
  markPrice: Dec | null;
  /** Set by setMarkPrice: the mark stays until unpinned instead of following the last price. */
  markPinned: boolean;
  fundingRate: Dec;
  nextFundingTime: number;
  /** Open regular orders of every account, in placement order. */
  open: OrderRec[];
  /** Open (NEW) algo orders of every account, in placement order. */
  algos: AlgoRec[];
  /** Accounts with a non-zero position on the symbol. */
  holders: string[];
  tradeSeq: number;
  bookSeq: number;
  funding: FundingView[];
}

/** Everything the engine's modules share: one object, plain JSON records inside (snapshot.ts). */
export interface PerpCore {
  readonly settings: PerpSettings;
  readonly symbols: Map<string, SymbolRec>;
  readonly accounts: Map<string, AccountRec>;
  /** Every order by id (Map order = id order). */
  readonly orders: Map<number, OrderRec>;
  /** Latest order id per account and client id (`account\u0000cid`). */
  readonly byClientId: Map<string, number>;
  readonly algos: Map<number, AlgoRec>;
  readonly algoByClientId: Map<string, number>;
  readonly fills: PerpFillView[];
  readonly incomes: IncomeRecord[];
  readonly counters: { orderId: number; algoId: number; tranId: number; mint: number };
}

export const clientKey = (accountId: string, cid: string): string => `${accountId}\u0000${cid}`;

export const FINAL_ORDER: ReadonlySet<PerpOrderStatus> = new Set(['FILLED', 'CANCELED', 'EXPIRED']);
export const isFinal = (s: PerpOrderStatus): boolean => FINAL_ORDER.has(s);
export const isAlgoOpen = (a: AlgoRec): boolean => a.status === 'NEW';

export function orderView(o: OrderRec): PerpOrderView {
  const avgPrice = o.executedQty === '0' ? '0' : avg(o.cumQuote, o.executedQty);
  return { ...o, positionSide: 'BOTH', avgPrice };
}

export function algoView(a: AlgoRec, child: OrderRec | undefined): AlgoView {
  const { trailActive: _a, trailExtreme: _e, ...rest } = a;
  return {
    ...rest,
    positionSide: 'BOTH',
    actualPrice: child && child.executedQty !== '0' ? avg(child.cumQuote, child.executedQty) : '0',
    executedQty: child?.executedQty ?? '0',
  };
}

/** Average price, 8 decimals at most (display only: money is computed from cumQuote and executedQty). */
function avg(quote: Dec, qty: Dec): Dec {
  return d(qty).isZero() ? '0' : str(d(quote).dividedBy(qty).toDecimalPlaces(8));
}

export type { FundingView, IncomeRecord, PerpFillView };
