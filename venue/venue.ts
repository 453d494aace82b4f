/**
 * The spot venue: accounts, order book of our own orders, matching against a price path, fees.
 * See index.ts for the model and the API. Pure: no I/O, no clock (time is an argument), no
 * randomness, exact decimals for every amount.
 */
import { type Dec, Decimal, d, str } from '../core/decimal';
import type { Candle } from '../core/market';
import type { OrderSide, OrderType } from '../core/orders';
import { CLIENT_ID_RANGE, CLIENT_ID_REGEX, Errors } from './errors';
import { comparePrices, fastNumber } from './numbers';
import { type PlannedFill, planTaker } from './book';
import { ocoLegLevel, ocoShape } from './oco';
import { type Balance, type ListState, type LockState, type OrderState, isFinal, listView, remainingOf, view } from './state';
import { candlePricePath } from './path';
import type {
  BalanceChange,
  BalanceReason,
  BalanceView,
  BookModel,
  CancelRequest,
  CancelResult,
  ExecutionType,
  FillView,
  OrderListView,
  OrderRef,
  OrderView,
  PlaceOcoRequest,
  PlaceOcoResult,
  PlaceOrderRequest,
  PlaceResult,
  PricePoint,
  VenueConfig,
  VenueError,
  VenueEvent,
  VenueResult,
  VenueSymbol,
} from './types';
import { type OrderSpec, hasLimitPrice, isStopType, validateOrder } from './validate';

interface SymbolState {
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

/** Everything needed to restore a venue: plain JSON. */
export interface VenueSnapshot {
  readonly version: 1;
  readonly nextOrderId: number;
  readonly nextListId: number;
  readonly nextLockId: number;
  readonly nextExecutionId: number;
  readonly nextMintId: number;
  readonly accounts: Record<string, Record<string, Balance>>;
  readonly orders: OrderState[];
  readonly lists: ListState[];
  readonly locks: LockState[];
  readonly fills: FillView[];
  readonly symbols: Record<string, { lastPrice: Dec | null; tradeSeq: number; bookSeq?: number }>;
  readonly house: Record<string, Dec>;
  readonly fees: Record<string, Dec>;
}

interface Ctx {
  time: number;
  events: VenueEvent[];
  fills: FillView[];
  pending: BalanceChange[];
}

const EMPTY_EVENTS: readonly VenueEvent[] = Object.freeze([]);

// Local bindings of hot imported functions: a transpiled import is a property read per call.
const fastNum = fastNumber;
const comparePx = comparePrices;
const isStop = isStopType;
const hasLimit = hasLimitPrice;
const pathOf = candlePricePath;
const MAX_ID = Number.MAX_SAFE_INTEGER;

const key = (accountId: string, id: string): string => `${accountId}\u0000${id}`;

export class Venue {
  private readonly symbolStates = new Map<string, SymbolState>();
  private readonly accounts = new Map<string, Map<string, Balance>>();
  private readonly orders = new Map<number, OrderState>();
  private readonly lists = new Map<number, ListState>();
  private readonly locks = new Map<number, LockState>();
  private readonly fills: FillView[] = [];
  private readonly fillsByAccountSymbol = new Map<string, FillView[]>();
  private readonly ordersByAccountSymbol = new Map<string, number[]>();
  private readonly openByClientId = new Map<string, number>();
  private readonly lastByClientId = new Map<string, number>();
  private readonly openListByClientId = new Map<string, number>();
  private readonly lastListByClientId = new Map<string, number>();
  private readonly openCount = new Map<string, number>();
  private readonly house = new Map<string, Dec>();
  private readonly feesCollected = new Map<string, Dec>();
  /** fastNum() of each open order's price and stop price, computed once (not persisted). */
  private readonly orderNums = new Map<number, { price: number; stop: number }>();
  private nextOrderId = 1;
  private nextListId = 1;
  private nextLockId = 1;
  private nextExecutionId = 1;
  private nextMintId = 1;
  private readonly makerFee: Dec;
  private readonly takerFee: Dec;
  private readonly book: BookModel;
  private readonly participation: Dec | null;
  private readonly commissionPrecision: number;

  constructor(config: VenueConfig, snapshot?: VenueSnapshot) {
    for (const spec of config.symbols) {
      this.symbolStates.set(spec.filters.symbol, { spec, lastPrice: null, lastNum: undefined, open: [], tradeSeq: 0, bookSeq: 0 });
    }
    this.makerFee = config.makerFee ?? '0.001';
    this.takerFee = config.takerFee ?? '0.001';
    this.book = { spreadTicks: 0, levels: 1, levelStepTicks: 1, levelQty: null, ...config.book };
    this.participation = config.participation ?? null;
    this.commissionPrecision = config.commissionPrecision ?? 8;
    if (snapshot) this.restore(snapshot);
  }

  // ---------------------------------------------------------------------------------------------
  // Symbols, prices, accounts

  symbols(): VenueSymbol[] {
    return [...this.symbolStates.values()].map((s) => s.spec);
  }

  symbol(name: string): VenueSymbol | undefined {
    return this.symbolStates.get(name)?.spec;
  }

  /** The symbol's trade counter: the id of its latest trade (0 before any). */
  tradeSeq(symbol: string): number {
    return this.symbolStates.get(symbol)?.tradeSeq ?? 0;
  }

  /**
   * Take the next trade id of the symbol for a trade outside the venue (a public trade of the
   * synthetic market on the paper exchange), so public and account trade ids never collide.
   * The backtester never calls it: its ids are unchanged.
   */
  nextTradeId(symbol: string): number {
    const s = this.symbolStates.get(symbol);
    if (!s) return 0;
    s.tradeSeq += 1;
    return s.tradeSeq;
  }

  /** Version of the symbol's synthetic book (+1 per price point and per fill): the `seq` of book.ts. */
  bookSeq(symbol: string): number {
    return this.symbolStates.get(symbol)?.bookSeq ?? 0;
  }

  /** The model of the synthetic book taker orders meet (book.ts). */
  bookModel(): BookModel {
    return this.book;
  }

  lastPrice(symbol: string): Dec | null {
    return this.symbolStates.get(symbol)?.lastPrice ?? null;
  }

  /** Set the price without matching (initial price, restore). */
  setLastPrice(symbol: string, price: Dec): void {
    const s = this.mustSymbol(symbol);
    s.lastPrice = price;
    s.lastNum = undefined;
  }

  hasAccount(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  /** Create an account (idempotent) and deposit the given balances. */
  addAccount(accountId: string, balances: Readonly<Record<string, Dec>> = {}, time = 0): readonly VenueEvent[] {
    if (!this.accounts.has(accountId)) this.accounts.set(accountId, new Map());
    const events: VenueEvent[] = [];
    for (const [asset, amount] of Object.entries(balances)) {
      const r = this.deposit(accountId, asset, amount, time);
      if (r.ok) events.push(...r.events);
    }
    return events;
  }

  /** Deposit (positive) or withdraw (negative, from free) an amount: a Binance balanceUpdate. */
  deposit(accountId: string, asset: string, amount: Dec, time: number): VenueResult<{ events: readonly VenueEvent[] }> {
    const account = this.accounts.get(accountId);
    if (!account) return { ok: false, ...Errors.unknownAccount() };
    const delta = d(amount);
    const bal = account.get(asset) ?? { free: '0', locked: '0' };
    if (d(bal.free).plus(delta).isNegative()) return { ok: false, ...Errors.insufficientBalance() };
    const ctx = this.ctx(time);
    ctx.events.push({ kind: 'deposit', accountId, time, asset, delta: str(delta) });
    this.move(ctx, accountId, asset, delta, null, 'deposit', null, null);
    this.house.set(asset, str(d(this.house.get(asset) ?? '0').minus(delta)));
    this.flushBalances(ctx);
    return { ok: true, events: ctx.events };
  }

  balances(accountId: string): BalanceView[] {
    const account = this.accounts.get(accountId);
    if (!account) return [];
    return [...account.entries()].map(([asset, b]) => ({ asset, free: b.free, locked: b.locked }));
  }

  balance(accountId: string, asset: string): BalanceView {
    const b = this.accounts.get(accountId)?.get(asset);
    return { asset, free: b?.free ?? '0', locked: b?.locked ?? '0' };
  }

  /**
   * Conservation check: for each asset, accounts (free + locked) + house + fees. Deposits are
   * mirrored in the house, so every total stays 0 whatever happens.
   */
  totals(): Record<string, { accounts: Dec; house: Dec; fees: Dec; total: Dec }> {
    const out: Record<string, { accounts: Dec; house: Dec; fees: Dec; total: Dec }> = {};
    const assets = new Set<string>([...this.house.keys(), ...this.feesCollected.keys()]);
    for (const account of this.accounts.values()) for (const a of account.keys()) assets.add(a);
    for (const asset of assets) {
      let acc = new Decimal(0);
      for (const account of this.accounts.values()) {
        const b = account.get(asset);
        if (b) acc = acc.plus(b.free).plus(b.locked);
      }
      const house = d(this.house.get(asset) ?? '0');
      const fees = d(this.feesCollected.get(asset) ?? '0');
      out[asset] = { accounts: str(acc), house: str(house), fees: str(fees), total: str(acc.plus(house).plus(fees)) };
    }
    return out;
  }

  feesCollectedBy(asset: string): Dec {
    return this.feesCollected.get(asset) ?? '0';
  }

  hasOpenOrders(symbol?: string): boolean {
    if (symbol !== undefined) return (this.symbolStates.get(symbol)?.open.length ?? 0) > 0;
    for (const s of this.symbolStates.values()) if (s.open.length > 0) return true;
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Orders

  /** Validate like a real order (parameters, precision, filters, client id) without placing it. */
  testOrder(req: PlaceOrderRequest): VenueResult<Record<never, never>> {
    const pre = this.precheck(req);
    return pre.ok ? { ok: true } : pre;
  }

  placeOrder(req: PlaceOrderRequest): VenueResult<PlaceResult> {
    const pre = this.precheck(req);
    if (!pre.ok) return pre;
    const { s, spec, clientOrderId } = pre;
    const ctx = this.ctx(req.time);
    const accountId = req.accountId;
    const quote = s.spec.filters.quoteAsset;
    const base = s.spec.filters.baseAsset;

    if (this.openByClientId.has(key(accountId, clientOrderId))) return { ok: false, ...Errors.duplicate() };
    if (this.countOpen(accountId, s.spec.filters.symbol) + 1 > s.spec.filters.maxNumOrders) return { ok: false, ...Errors.filter('MAX_NUM_ORDERS') };

    // Matching-engine checks that reject without creating an order.
    if (isStop(spec.type) && spec.stopPrice !== null && spec.trailingDelta === null && s.lastPrice !== null) {
      if (this.stopConditionMet(spec.side, spec.type, spec.stopPrice, s.lastPrice)) return { ok: false, ...Errors.wouldTrigger() };
    }
    if (spec.type === 'LIMIT_MAKER' && spec.price !== null && this.wouldTake(s, spec.side, spec.price)) return { ok: false, ...Errors.wouldTake() };

    // Immediate execution plan (MARKET and marketable LIMIT) and funds.
    let plan: PlannedFill[] = [];
    let planComplete = false;
    let planQty = new Decimal(0);
    let planQuote = new Decimal(0);
    const executesNow = spec.type === 'MARKET' || spec.type === 'LIMIT';
    if (executesNow && s.lastPrice !== null) {
      const planned = planTaker(
        s.spec,
        this.book,
        spec.side,
        s.lastPrice,
        {
          qty: spec.quantity,
          quoteBudget: spec.quoteOrderQty,
          limit: spec.price,
          liquidity: null,
        },
        s.bookSeq,
      );
      plan = planned.fills;
      planComplete = planned.complete;
      for (const p of plan) {
        planQty = planQty.plus(p.qty);
        planQuote = planQuote.plus(d(p.price).times(p.qty));
      }
      if (spec.timeInForce === 'FOK' && spec.quantity !== null && planQty.lessThan(spec.quantity)) plan = [];
    }
    if (spec.type === 'MARKET' && spec.quoteOrderQty !== null && (s.lastPrice === null || planQty.isZero())) {
      return { ok: false, ...Errors.noLiquidity() };
    }

    let lockAsset: string | null = null;
    let lockAmount = new Decimal(0);
    const free = (asset: string) => d(this.balance(accountId, asset).free);
    if (spec.side === 'BUY') {
      if (spec.price !== null) {
        lockAsset = quote;
        lockAmount = d(spec.price).times(spec.quantity ?? '0');
      } else if (spec.type === 'MARKET' && free(quote).lessThan(planQuote)) {
        return { ok: false, ...Errors.insufficientBalance() };
      }
    } else if (spec.quantity !== null) {
      lockAsset = base;
      lockAmount = d(spec.quantity);
    } else if (free(base).lessThan(planQty)) {
      return { ok: false, ...Errors.insufficientBalance() };
    }
    if (lockAsset !== null && free(lockAsset).lessThan(lockAmount)) return { ok: false, ...Errors.insufficientBalance() };

    const order = this.createOrder(s, accountId, clientOrderId, spec, -1, req.time);
    if (lockAsset !== null && lockAmount.greaterThan(0)) {
      order.lockId = this.lock(ctx, accountId, lockAsset, lockAmount, [order.orderId], order.orderId);
    }
    this.emitOrder(ctx, order, 'NEW', null);

    if (executesNow) {
      // A quoteOrderQty order's quantity is what its budget buys.
      if (spec.quoteOrderQty !== null) order.origQty = str(planQty);
      plan.forEach((p, i) => this.fill(ctx, order, p.price, p.qty, false, planComplete && i === plan.length - 1));
      if (spec.type === 'MARKET') {
        if (order.status !== 'FILLED') this.finish(ctx, order, 'EXPIRED', 'EXPIRED', null, 'INSUFFICIENT_LIQUIDITY');
      } else if (order.status !== 'FILLED' && (spec.timeInForce === 'IOC' || spec.timeInForce === 'FOK')) {
        this.finish(ctx, order, 'EXPIRED', 'EXPIRED', null, spec.timeInForce === 'FOK' ? 'UNFILLED_FOK_ORDER_EXPIRED' : 'UNFILLED_IOC_QUANTITY_EXPIRED');
      }
    }
    return { ok: true, order: view(order), fills: ctx.fills, events: ctx.events };
  }

  /** Place an OCO order list: two legs, one above and one below the market; one executing expires the other. */
  placeOco(req: PlaceOcoRequest): VenueResult<PlaceOcoResult> {
    const s = this.symbolStates.get(req.symbol);
    if (!s) return { ok: false, ...Errors.invalidSymbol() };
    if (!this.accounts.has(req.accountId)) return { ok: false, ...Errors.unknownAccount() };
    const accountId = req.accountId;
    const shape = ocoShape(req.side, req.above.type, req.below.type);
    if (shape) return { ok: false, ...shape };

    const legSpecs: OrderSpec[] = [];
    for (const leg of [req.above, req.below]) {
      const r = validateOrder(
        {
          side: req.side,
          type: leg.type,
          quantity: req.quantity,
          ...(leg.price !== undefined ? { price: leg.price } : {}),
          ...(leg.stopPrice !== undefined ? { stopPrice: leg.stopPrice } : {}),
          ...(leg.trailingDelta !== undefined ? { trailingDelta: leg.trailingDelta } : {}),
          ...(leg.timeInForce !== undefined ? { timeInForce: leg.timeInForce } : {}),
        },
        s.spec,
        s.lastPrice,
      );
      if (!r.ok) return r;
      legSpecs.push(r.spec);
    }
    const [aboveSpec, belowSpec] = legSpecs as [OrderSpec, OrderSpec];

    const listCid = this.clientIdOrMint(req.listClientOrderId, 'listClientOrderId');
    if (typeof listCid !== 'string') return { ok: false, ...listCid };
    const aboveCid = this.clientIdOrMint(req.above.clientOrderId, 'aboveClientOrderId');
    if (typeof aboveCid !== 'string') return { ok: false, ...aboveCid };
    const belowCid = this.clientIdOrMint(req.below.clientOrderId, 'belowClientOrderId');
    if (typeof belowCid !== 'string') return { ok: false, ...belowCid };
    if (s.spec.status !== 'TRADING') return { ok: false, ...Errors.marketClosed() };
    if (this.openListByClientId.has(key(accountId, listCid))) return { ok: false, ...Errors.duplicate() };
    if (aboveCid === belowCid || this.openByClientId.has(key(accountId, aboveCid)) || this.openByClientId.has(key(accountId, belowCid))) {
      return { ok: false, ...Errors.duplicate() };
    }
    if (this.countOpen(accountId, req.symbol) + 2 > s.spec.filters.maxNumOrders) return { ok: false, ...Errors.filter('MAX_NUM_ORDERS') };

    // Prices must straddle the last price: above leg's trigger/limit above it, below leg's under it.
    if (s.lastPrice !== null) {
      const abovePrice = ocoLegLevel(aboveSpec);
      const belowPrice = ocoLegLevel(belowSpec);
      if ((abovePrice !== null && d(abovePrice).lessThanOrEqualTo(s.lastPrice)) || (belowPrice !== null && d(belowPrice).greaterThanOrEqualTo(s.lastPrice))) {
        return { ok: false, ...Errors.ocoPrices() };
      }
    }

    // One reservation for the whole list: the base quantity (SELL) or the dearest leg (BUY).
    const f = s.spec.filters;
    let lockAsset: string;
    let lockAmount: Decimal;
    if (req.side === 'SELL') {
      lockAsset = f.baseAsset;
      lockAmount = d(req.quantity);
    } else {
      lockAsset = f.quoteAsset;
      const levels = [aboveSpec, belowSpec].map((l) => d(l.price ?? l.stopPrice ?? s.lastPrice ?? '0'));
      lockAmount = Decimal.max(...levels).times(req.quantity);
    }
    if (d(this.balance(accountId, lockAsset).free).lessThan(lockAmount)) return { ok: false, ...Errors.insufficientBalance() };

    const ctx = this.ctx(req.time);
    const listId = this.nextListId++;
    const stopFirst = req.legOrder === 'stop-first';
    const aboveIsStop = isStop(aboveSpec.type) && aboveSpec.type.startsWith('STOP');
    const aboveFirst = stopFirst ? aboveIsStop : false;
    const firstSpec = aboveFirst ? aboveSpec : belowSpec;
    const secondSpec = aboveFirst ? belowSpec : aboveSpec;
    const firstCid = aboveFirst ? aboveCid : belowCid;
    const secondCid = aboveFirst ? belowCid : aboveCid;
    const first = this.createOrder(s, accountId, firstCid, firstSpec, listId, req.time);
    const second = this.createOrder(s, accountId, secondCid, secondSpec, listId, req.time);
    const lockId = this.lock(ctx, accountId, lockAsset, lockAmount, [first.orderId, second.orderId], first.orderId);
    first.lockId = lockId;
    second.lockId = lockId;
    const list: ListState = {
      orderListId: listId,
      listClientOrderId: listCid,
      symbol: req.symbol,
      accountId,
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      transactionTime: req.time,
      orderIds: [first.orderId, second.orderId],
    };
    this.lists.set(listId, list);
    this.openListByClientId.set(key(accountId, listCid), listId);
    this.lastListByClientId.set(key(accountId, listCid), listId);
    this.emitOrder(ctx, first, 'NEW', null);
    this.emitOrder(ctx, second, 'NEW', null);
    this.emitList(ctx, list);
    return { ok: true, list: listView(list), orders: [view(first), view(second)], fills: ctx.fills, events: ctx.events };
  }

  getOrder(accountId: string, symbol: string, ref: OrderRef): VenueResult<{ order: OrderView }> {
    const found = this.findOrder(accountId, symbol, ref, Errors.noSuchOrder());
    return found.ok ? { ok: true, order: view(found.order) } : found;
  }

  cancelOrder(req: CancelRequest): VenueResult<CancelResult> {
    if (!this.symbolStates.has(req.symbol)) return { ok: false, ...Errors.invalidSymbol() };
    const found = this.findOrder(req.accountId, req.symbol, req, Errors.unknownOrder());
    if (!found.ok) return found;
    const order = found.order;
    if (isFinal(order.status)) return { ok: false, ...Errors.unknownOrder() };
    if (req.cancelRestrictions === 'ONLY_NEW' && order.status !== 'NEW') return { ok: false, ...Errors.cancelRestricted() };
    if (req.cancelRestrictions === 'ONLY_PARTIALLY_FILLED' && order.status !== 'PARTIALLY_FILLED') return { ok: false, ...Errors.cancelRestricted() };
    const cancelCid = req.newClientOrderId ?? this.mintClientId('cancel');
    const ctx = this.ctx(req.time);
    if (order.orderListId >= 0) {
      const list = this.lists.get(order.orderListId);
      if (list) {
        const legs = this.cancelList(ctx, list, cancelCid);
        return { ok: true, order: view(order), cancelClientOrderId: cancelCid, list: listView(list), listOrders: legs, events: ctx.events };
      }
    }
    this.finish(ctx, order, 'CANCELED', 'CANCELED', cancelCid, null);
    return { ok: true, order: view(order), cancelClientOrderId: cancelCid, list: null, listOrders: [], events: ctx.events };
  }

  /** Cancel every open order of the account on the symbol (lists as whole lists). -2011 when there is none. */
  cancelOpenOrders(accountId: string, symbol: string, time: number): VenueResult<{ cancelled: CancelResult[]; events: readonly VenueEvent[] }> {
    const s = this.symbolStates.get(symbol);
    if (!s) return { ok: false, ...Errors.invalidSymbol() };
    const mine = s.open.filter((o) => o.accountId === accountId);
    if (mine.length === 0) return { ok: false, ...Errors.unknownOrder() };
    const cancelled: CancelResult[] = [];
    const events: VenueEvent[] = [];
    const seenLists = new Set<number>();
    for (const o of mine) {
      if (isFinal(o.status)) continue;
      if (o.orderListId >= 0) {
        if (seenLists.has(o.orderListId)) continue;
        seenLists.add(o.orderListId);
      }
      const r = this.cancelOrder({ accountId, symbol, orderId: o.orderId, time });
      if (r.ok) {
        cancelled.push(r);
        events.push(...r.events);
      }
    }
    return { ok: true, cancelled, events };
  }

  cancelOrderList(
    accountId: string,
    symbol: string,
    ref: { orderListId?: number; listClientOrderId?: string },
    newClientOrderId: string | undefined,
    time: number,
  ): VenueResult<{ list: OrderListView; orders: readonly OrderView[]; events: readonly VenueEvent[] }> {
    if (!this.symbolStates.has(symbol)) return { ok: false, ...Errors.invalidSymbol() };
    const found = this.findList(accountId, ref);
    if (!found || found.symbol !== symbol || found.listOrderStatus === 'ALL_DONE') return { ok: false, ...Errors.unknownOrder() };
    const ctx = this.ctx(time);
    const legs = this.cancelList(ctx, found, newClientOrderId ?? this.mintClientId('cancel'));
    return { ok: true, list: listView(found), orders: legs, events: ctx.events };
  }

  getOrderList(accountId: string, ref: { orderListId?: number; listClientOrderId?: string }): VenueResult<{ list: OrderListView }> {
    const found = this.findList(accountId, ref);
    return found ? { ok: true, list: listView(found) } : { ok: false, ...Errors.noSuchOrder() };
  }

  orderLists(accountId: string, opts: { openOnly?: boolean; fromId?: number; startTime?: number; endTime?: number; limit?: number } = {}): OrderListView[] {
    const out: OrderListView[] = [];
    for (const l of this.lists.values()) {
      if (l.accountId !== accountId) continue;
      if (opts.openOnly && l.listOrderStatus === 'ALL_DONE') continue;
      if (opts.fromId !== undefined && l.orderListId < opts.fromId) continue;
      if (opts.startTime !== undefined && l.transactionTime < opts.startTime) continue;
      if (opts.endTime !== undefined && l.transactionTime > opts.endTime) continue;
      out.push(listView(l));
    }
    return opts.limit !== undefined ? out.slice(-opts.limit) : out;
  }

  openOrders(accountId: string, symbol?: string): OrderView[] {
    const out: OrderView[] = [];
    const states = symbol !== undefined ? [this.symbolStates.get(symbol)].filter((s): s is SymbolState => !!s) : [...this.symbolStates.values()];
    for (const s of states) for (const o of s.open) if (o.accountId === accountId) out.push(view(o));
    return out;
  }

  allOrders(accountId: string, symbol: string, opts: { orderId?: number; startTime?: number; endTime?: number; limit?: number } = {}): OrderView[] {
    const ids = this.ordersByAccountSymbol.get(key(accountId, symbol)) ?? [];
    const limit = opts.limit ?? 500;
    const out: OrderView[] = [];
    for (const id of ids) {
      if (opts.orderId !== undefined && id < opts.orderId) continue;
      const o = this.orders.get(id);
      if (!o) continue;
      if (opts.startTime !== undefined && o.time < opts.startTime) continue;
      if (opts.endTime !== undefined && o.time > opts.endTime) continue;
      out.push(view(o));
    }
    // With orderId the oldest matching come first; otherwise the most recent `limit`.
    return opts.orderId !== undefined ? out.slice(0, limit) : out.slice(-limit);
  }

  trades(accountId: string, symbol: string, opts: { orderId?: number; startTime?: number; endTime?: number; fromId?: number; limit?: number } = {}): FillView[] {
    const all = this.fillsByAccountSymbol.get(key(accountId, symbol)) ?? [];
    const limit = opts.limit ?? 500;
    const out = all.filter(
      (f) =>
        (opts.orderId === undefined || f.orderId === opts.orderId) &&
        (opts.fromId === undefined || f.tradeId >= opts.fromId) &&
        (opts.startTime === undefined || f.time >= opts.startTime) &&
        (opts.endTime === undefined || f.time <= opts.endTime),
    );
    return opts.fromId !== undefined ? out.slice(0, limit) : out.slice(-limit);
  }

  /** Every fill of every account, in execution order (for audits). */
  allFills(): readonly FillView[] {
    return this.fills;
  }

  // ---------------------------------------------------------------------------------------------
  // Market moves

  /**
   * The market traded at `point.price`: trigger stops, fill resting orders crossed by the move.
   * With no open order on the symbol this only records the price.
   */
  onPrice(symbol: string, point: PricePoint): readonly VenueEvent[] {
    const s = this.symbolStates.get(symbol);
    if (!s) return EMPTY_EVENTS;
    s.bookSeq += 1;
    if (s.open.length === 0) {
      s.lastPrice = point.price;
      s.lastNum = undefined;
      return EMPTY_EVENTS;
    }
    return this.step(s, point);
  }

  /** Play one candle through its price path (see path.ts). Cheap when the symbol has no open order. */
  onCandle(symbol: string, candle: Pick<Candle, 'open' | 'high' | 'low' | 'close' | 'volume' | 'openTime' | 'closeTime'>): readonly VenueEvent[] {
    const s = this.symbolStates.get(symbol);
    if (!s) return EMPTY_EVENTS;
    if (s.open.length === 0) {
      s.lastPrice = candle.close;
      s.lastNum = undefined;
      s.bookSeq += 4; // the four points of the path
      return EMPTY_EVENTS;
    }
    const events: VenueEvent[] = [];
    // Quantities only matter with a participation share; without one they are not computed.
    for (const point of pathOf(candle, this.participation !== null)) {
      s.bookSeq += 1;
      const e = s.open.length === 0 ? (this.record(s, point.price), EMPTY_EVENTS) : this.step(s, point);
      for (const ev of e) events.push(ev);
    }
    return events;
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence

  snapshot(): VenueSnapshot {
    const accounts: Record<string, Record<string, Balance>> = {};
    for (const [id, bal] of this.accounts) {
      accounts[id] = {};
      for (const [asset, b] of bal) accounts[id][asset] = { ...b };
    }
    const symbols: Record<string, { lastPrice: Dec | null; tradeSeq: number; bookSeq?: number }> = {};
    for (const [name, s] of this.symbolStates) symbols[name] = { lastPrice: s.lastPrice, tradeSeq: s.tradeSeq, bookSeq: s.bookSeq };
    return {
      version: 1,
      nextOrderId: this.nextOrderId,
      nextListId: this.nextListId,
      nextLockId: this.nextLockId,
      nextExecutionId: this.nextExecutionId,
      nextMintId: this.nextMintId,
      accounts,
      orders: [...this.orders.values()].map((o) => ({ ...o })),
      lists: [...this.lists.values()].map((l) => ({ ...l, orderIds: [...l.orderIds] })),
      locks: [...this.locks.values()].map((l) => ({ ...l, holders: [...l.holders] })),
      fills: [...this.fills],
      symbols,
      house: Object.fromEntries(this.house),
      fees: Object.fromEntries(this.feesCollected),
    };
  }

  private restore(snap: VenueSnapshot): void {
    this.nextOrderId = snap.nextOrderId;
    this.nextListId = snap.nextListId;
    this.nextLockId = snap.nextLockId;
    this.nextExecutionId = snap.nextExecutionId;
    this.nextMintId = snap.nextMintId;
    for (const [id, bal] of Object.entries(snap.accounts)) {
      this.accounts.set(id, new Map(Object.entries(bal).map(([a, b]) => [a, { ...b }])));
    }
    for (const [name, st] of Object.entries(snap.symbols)) {
      const s = this.symbolStates.get(name);
      if (s) {
        s.lastPrice = st.lastPrice;
        s.tradeSeq = st.tradeSeq;
        s.bookSeq = st.bookSeq ?? 0;
      }
    }
    for (const o of snap.orders) {
      const order: OrderState = { ...o };
      this.orders.set(order.orderId, order);
      const k = key(order.accountId, order.symbol);
      const list = this.ordersByAccountSymbol.get(k) ?? [];
      list.push(order.orderId);
      this.ordersByAccountSymbol.set(k, list);
      this.lastByClientId.set(key(order.accountId, order.clientOrderId), order.orderId);
      if (!isFinal(order.status)) {
        const s = this.symbolStates.get(order.symbol);
        if (s) s.open.push(order);
        this.openByClientId.set(key(order.accountId, order.clientOrderId), order.orderId);
        this.openCount.set(k, (this.openCount.get(k) ?? 0) + 1);
      }
    }
    for (const l of snap.lists) {
      this.lists.set(l.orderListId, { ...l, orderIds: [...l.orderIds] });
      this.lastListByClientId.set(key(l.accountId, l.listClientOrderId), l.orderListId);
      if (l.listOrderStatus !== 'ALL_DONE') this.openListByClientId.set(key(l.accountId, l.listClientOrderId), l.orderListId);
    }
    for (const l of snap.locks) this.locks.set(l.id, { ...l, holders: [...l.holders] });
    for (const f of snap.fills) this.indexFill(f);
    for (const [a, v] of Object.entries(snap.house)) this.house.set(a, v);
    for (const [a, v] of Object.entries(snap.fees)) this.feesCollected.set(a, v);
  }

  // ---------------------------------------------------------------------------------------------
  // Internals: validation and ids

  private precheck(req: PlaceOrderRequest): ({ ok: true; s: SymbolState; spec: OrderSpec; clientOrderId: string }) | ({ ok: false } & VenueError) {
    const s = this.symbolStates.get(req.symbol);
    if (!s) return { ok: false, ...Errors.invalidSymbol() };
    if (!this.accounts.has(req.accountId)) return { ok: false, ...Errors.unknownAccount() };
    const v = validateOrder(req, s.spec, s.lastPrice);
    if (!v.ok) return v;
    const cid = this.clientIdOrMint(req.newClientOrderId, 'newClientOrderId');
    if (typeof cid !== 'string') return { ok: false, ...cid };
    if (s.spec.status !== 'TRADING') return { ok: false, ...Errors.marketClosed() };
    return { ok: true, s, spec: v.spec, clientOrderId: cid };
  }

  private clientIdOrMint(id: string | undefined, param: string): string | VenueError {
    if (id === undefined) return this.mintClientId('web');
    if (id === '') return Errors.emptyClientId();
    if (!CLIENT_ID_REGEX.test(id)) return Errors.illegalChars(param, CLIENT_ID_RANGE);
    return id;
  }

  /** Deterministic ids for orders sent without one (Binance mints random 22-character ids). */
  private mintClientId(prefix: string): string {
    return `${prefix}_${(this.nextMintId++).toString(36)}`;
  }

  private mustSymbol(symbol: string): SymbolState {
    const s = this.symbolStates.get(symbol);
    if (!s) throw new Error(`unknown symbol ${symbol}`);
    return s;
  }

  private countOpen(accountId: string, symbol: string): number {
    return this.openCount.get(key(accountId, symbol)) ?? 0;
  }

  private findOrder(accountId: string, symbol: string, ref: OrderRef, notFound: VenueError): { ok: true; order: OrderState } | ({ ok: false } & VenueError) {
    if (ref.orderId === undefined && ref.origClientOrderId === undefined) return { ok: false, ...Errors.eitherParam('origClientOrderId', 'orderId') };
    if (ref.origClientOrderId === '') return { ok: false, ...Errors.emptyOrigClientId() };
    let order: OrderState | undefined;
    if (ref.orderId !== undefined) {
      order = this.orders.get(ref.orderId);
      if (!order || order.accountId !== accountId || order.symbol !== symbol) return { ok: false, ...notFound };
      if (ref.origClientOrderId !== undefined && ref.origClientOrderId !== order.clientOrderId) return { ok: false, ...Errors.clientIdMismatch() };
      return { ok: true, order };
    }
    const k = key(accountId, ref.origClientOrderId as string);
    // An open order with the id wins; otherwise the latest order that used it.
    const id = this.openByClientId.get(k) ?? this.lastByClientId.get(k);
    order = id !== undefined ? this.orders.get(id) : undefined;
    if (!order || order.symbol !== symbol) return { ok: false, ...notFound };
    return { ok: true, order };
  }

  private findList(accountId: string, ref: { orderListId?: number; listClientOrderId?: string }): ListState | undefined {
    if (ref.orderListId !== undefined) {
      const l = this.lists.get(ref.orderListId);
      return l && l.accountId === accountId ? l : undefined;
    }
    if (ref.listClientOrderId === undefined) return undefined;
    const k = key(accountId, ref.listClientOrderId);
    const id = this.openListByClientId.get(k) ?? this.lastListByClientId.get(k);
    return id !== undefined ? this.lists.get(id) : undefined;
  }

  private createOrder(s: SymbolState, accountId: string, clientOrderId: string, spec: OrderSpec, orderListId: number, time: number): OrderState {
    if (this.nextOrderId >= MAX_ID) throw new Error('order ids exhausted');
    const stop = isStop(spec.type);
    const order: OrderState = {
      symbol: s.spec.filters.symbol,
      orderId: this.nextOrderId++,
      orderListId,
      clientOrderId,
      accountId,
      side: spec.side,
      type: spec.type,
      timeInForce: spec.timeInForce,
      price: spec.price ?? '0',
      origQty: spec.quantity ?? '0',
      stopPrice: spec.stopPrice ?? '0',
      trailingDelta: spec.trailingDelta,
      origQuoteOrderQty: spec.quoteOrderQty ?? '0',
      executedQty: '0',
      cummulativeQuoteQty: '0',
      status: 'NEW',
      time,
      updateTime: time,
      workingTime: stop ? -1 : time,
      isWorking: !stop,
      expiryReason: null,
      triggered: false,
      trailActive: false,
      trailExtreme: null,
      lockId: null,
    };
    // A trailing stop without a stop price tracks from the current price at once.
    if (stop && spec.trailingDelta !== null && spec.stopPrice === null) {
      order.trailActive = s.lastPrice !== null;
      order.trailExtreme = s.lastPrice;
    }
    this.orders.set(order.orderId, order);
    const k = key(accountId, order.symbol);
    const ids = this.ordersByAccountSymbol.get(k) ?? [];
    ids.push(order.orderId);
    this.ordersByAccountSymbol.set(k, ids);
    this.openByClientId.set(key(accountId, clientOrderId), order.orderId);
    this.lastByClientId.set(key(accountId, clientOrderId), order.orderId);
    this.openCount.set(k, (this.openCount.get(k) ?? 0) + 1);
    s.open.push(order);
    return order;
  }

  // ---------------------------------------------------------------------------------------------
  // Internals: prices

  private record(s: SymbolState, price: Dec): void {
    s.lastPrice = price;
    s.lastNum = undefined;
  }

  private lastNum(s: SymbolState): number {
    if (s.lastNum === undefined) s.lastNum = s.lastPrice === null ? Number.NaN : fastNum(s.lastPrice);
    return s.lastNum;
  }

  private nums(o: OrderState): { price: number; stop: number } {
    let n = this.orderNums.get(o.orderId);
    if (!n) {
      n = { price: fastNum(o.price), stop: fastNum(o.stopPrice) };
      this.orderNums.set(o.orderId, n);
    }
    return n;
  }

  /** STOP_LOSS SELL / TAKE_PROFIT BUY trigger when the price falls to the stop; the others when it rises to it. */
  private triggersDown(side: OrderSide, type: OrderType): boolean {
    const stopLoss = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
    return stopLoss ? side === 'SELL' : side === 'BUY';
  }

  private stopConditionMet(side: OrderSide, type: OrderType, stopPrice: Dec, price: Dec): boolean {
    const c = comparePx(price, fastNum(price), stopPrice, fastNum(stopPrice));
    return this.triggersDown(side, type) ? c <= 0 : c >= 0;
  }

  /** Best opposite price of the synthetic book around `reference`. */
  private bestOpposite(s: SymbolState, side: OrderSide, reference: Dec): Decimal {
    const offset = d(s.spec.filters.tickSize).times(this.book.spreadTicks);
    return side === 'BUY' ? d(reference).plus(offset) : d(reference).minus(offset);
  }

  private wouldTake(s: SymbolState, side: OrderSide, price: Dec): boolean {
    if (s.lastPrice === null) return false;
    const best = this.bestOpposite(s, side, s.lastPrice);
    return side === 'BUY' ? d(price).greaterThanOrEqualTo(best) : d(price).lessThanOrEqualTo(best);
  }

  /** One price point with open orders on the symbol: triggers first, then resting limit orders. */
  private step(s: SymbolState, point: PricePoint): readonly VenueEvent[] {
    const ctx = this.ctx(point.time);
    s.lastPrice = point.price;
    s.lastNum = undefined;
    const p = point.price;
    const pn = this.lastNum(s);
    let liquidity: Decimal | null = this.participation !== null && point.qty !== null ? d(point.qty).times(this.participation) : null;

    // 1. Stops: activate trailing, trigger, execute at the trigger level (sweep) or the new price (jump).
    const triggered: Array<{ order: OrderState; reference: Dec }> = [];
    for (const o of s.open) {
      if (o.triggered || !isStop(o.type) || isFinal(o.status)) continue;
      const reference = this.checkTrigger(s, o, p, pn, point.sweep);
      if (reference !== null) triggered.push({ order: o, reference });
    }
    for (const { order, reference } of triggered) {
      if (isFinal(order.status)) continue; // its OCO sibling triggered first
      order.triggered = true;
      order.isWorking = true;
      order.workingTime = point.time;
      this.resolveList(ctx, order);
      const limit = hasLimit(order.type) ? order.price : null;
      let plan = planTaker(s.spec, this.book, order.side, reference, { qty: remainingOf(order), quoteBudget: null, limit, liquidity }, s.bookSeq).fills;
      if (order.side === 'BUY') plan = this.affordable(order, plan);
      if (order.timeInForce === 'FOK' && sumQty(plan).lessThan(remainingOf(order))) plan = [];
      for (const f of plan) {
        this.fill(ctx, order, f.price, f.qty, false);
        if (liquidity !== null) liquidity = liquidity.minus(f.qty);
      }
      if (order.status !== 'FILLED') {
        if (limit === null) this.finish(ctx, order, 'EXPIRED', 'EXPIRED', null, 'INSUFFICIENT_LIQUIDITY');
        else if (order.timeInForce === 'IOC' || order.timeInForce === 'FOK') {
          this.finish(ctx, order, 'EXPIRED', 'EXPIRED', null, order.timeInForce === 'FOK' ? 'UNFILLED_FOK_ORDER_EXPIRED' : 'UNFILLED_IOC_QUANTITY_EXPIRED');
        }
      }
    }

    // 2. Resting limit orders crossed by the price fill at their own price (maker).
    let crossed: OrderState[] | null = null;
    for (const o of s.open) {
      if (!o.isWorking || !hasLimit(o.type) || isFinal(o.status)) continue;
      const c = comparePx(p, pn, o.price, this.nums(o).price);
      if (o.side === 'BUY' ? c <= 0 : c >= 0) (crossed ??= []).push(o);
    }
    if (crossed !== null) {
      if (liquidity !== null && crossed.length > 1) crossed.sort(byPriority);
      for (const o of crossed) {
        if (liquidity !== null && liquidity.lessThanOrEqualTo(0)) break;
        if (isFinal(o.status)) continue;
        let qty = d(remainingOf(o));
        if (liquidity !== null) qty = Decimal.min(qty, liquidity);
        if (qty.lessThanOrEqualTo(0)) continue;
        this.fill(ctx, o, o.price, str(qty), true);
        this.resolveList(ctx, o);
        if (liquidity !== null) liquidity = liquidity.minus(qty);
      }
    }
    return ctx.events.length === 0 ? EMPTY_EVENTS : ctx.events;
  }

  /** The execution reference price if `o` triggers at this point, else null (updates trailing state). */
  private checkTrigger(s: SymbolState, o: OrderState, p: Dec, pn: number, sweep: boolean): Dec | null {
    const down = this.triggersDown(o.side, o.type);
    if (o.trailingDelta === null) {
      const c = comparePx(p, pn, o.stopPrice, this.nums(o).stop);
      if (down ? c > 0 : c < 0) return null;
      return sweep ? o.stopPrice : p;
    }
    // Trailing: SELL orders trigger on a fall of delta from the highest price since tracking
    // started, BUY orders on a rise from the lowest (Binance trailing-stop FAQ).
    if (!o.trailActive) {
      if (o.stopPrice === '0') {
        o.trailActive = true;
        o.trailExtreme = p;
        return null;
      }
      const c = comparePx(p, pn, o.stopPrice, fastNum(o.stopPrice));
      if (down ? c > 0 : c < 0) return null;
      o.trailActive = true;
      o.trailExtreme = sweep ? o.stopPrice : p;
    }
    const extreme = o.trailExtreme as Dec;
    const ce = comparePx(p, pn, extreme, fastNum(extreme));
    if (o.side === 'SELL' ? ce >= 0 : ce <= 0) {
      o.trailExtreme = p;
      return null;
    }
    const ratio = d(o.trailingDelta).dividedBy(10_000);
    const tick = s.spec.filters.tickSize;
    if (o.side === 'SELL') {
      const threshold = d(extreme).times(d(1).minus(ratio));
      if (d(p).greaterThan(threshold)) return null;
      if (!sweep) return p;
      const level = threshold.dividedBy(tick).floor().times(tick);
      return str(Decimal.max(level, p));
    }
    const threshold = d(extreme).times(d(1).plus(ratio));
    if (d(p).lessThan(threshold)) return null;
    if (!sweep) return p;
    const level = threshold.dividedBy(tick).ceil().times(tick);
    return str(Decimal.min(level, p));
  }

  /**
   * A triggered BUY only gets what its reservation plus the free balance pay for: a stop-market
   * reserves nothing (or, in an OCO, the stop price), and a gap can make it dearer.
   */
  private affordable(order: OrderState, plan: PlannedFill[]): PlannedFill[] {
    const quote = this.mustSymbol(order.symbol).spec.filters.quoteAsset;
    const lock = order.lockId !== null ? this.locks.get(order.lockId) : undefined;
    let budget = d(this.balance(order.accountId, quote).free).plus(lock && lock.asset === quote ? lock.amount : '0');
    const out: PlannedFill[] = [];
    for (const f of plan) {
      const cost = d(f.price).times(f.qty);
      if (cost.lessThanOrEqualTo(budget)) {
        out.push(f);
        budget = budget.minus(cost);
      } else break;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Internals: execution and balances

  private ctx(time: number): Ctx {
    return { time, events: [], fills: [], pending: [] };
  }

  /** Execute `qty` at `price`. `lastOfQuoteOrder` marks the fill that completes a quoteOrderQty order. */
  private fill(ctx: Ctx, order: OrderState, price: Dec, qty: Dec, isMaker: boolean, lastOfQuoteOrder = false): void {
    const s = this.mustSymbol(order.symbol);
    const { baseAsset: base, quoteAsset: quote } = s.spec.filters;
    const q = d(qty);
    const quoteQty = d(price).times(q);
    const rate = isMaker ? this.makerFee : this.takerFee;
    s.tradeSeq += 1;
    s.bookSeq += 1;
    const tradeId = s.tradeSeq;
    const orderId = order.orderId;
    let commission: Decimal;
    let commissionAsset: string;
    if (order.side === 'BUY') {
      commission = q.times(rate).toDecimalPlaces(this.commissionPrecision, Decimal.ROUND_UP);
      commissionAsset = base;
      this.pay(ctx, order, quote, quoteQty, tradeId);
      this.move(ctx, order.accountId, base, q, null, 'trade', orderId, tradeId);
      if (commission.greaterThan(0)) this.move(ctx, order.accountId, base, commission.negated(), null, 'fee', orderId, tradeId);
      this.houseMove(base, q.negated());
      this.houseMove(quote, quoteQty);
    } else {
      commission = quoteQty.times(rate).toDecimalPlaces(this.commissionPrecision, Decimal.ROUND_UP);
      commissionAsset = quote;
      this.pay(ctx, order, base, q, tradeId);
      this.move(ctx, order.accountId, quote, quoteQty, null, 'trade', orderId, tradeId);
      if (commission.greaterThan(0)) this.move(ctx, order.accountId, quote, commission.negated(), null, 'fee', orderId, tradeId);
      this.houseMove(base, q);
      this.houseMove(quote, quoteQty.negated());
    }
    if (commission.greaterThan(0)) this.feesCollected.set(commissionAsset, str(d(this.feesCollected.get(commissionAsset) ?? '0').plus(commission)));

    order.executedQty = str(d(order.executedQty).plus(q));
    order.cummulativeQuoteQty = str(d(order.cummulativeQuoteQty).plus(quoteQty));
    order.updateTime = ctx.time;
    const done = order.origQuoteOrderQty !== '0' ? lastOfQuoteOrder : d(order.executedQty).greaterThanOrEqualTo(order.origQty);
    order.status = done ? 'FILLED' : 'PARTIALLY_FILLED';
    const fill: FillView = {
      accountId: order.accountId,
      symbol: order.symbol,
      orderId,
      orderListId: order.orderListId,
      clientOrderId: order.clientOrderId,
      tradeId,
      side: order.side,
      price: str(price),
      qty: str(q),
      quoteQty: str(quoteQty),
      commission: str(commission),
      commissionAsset,
      isMaker,
      time: ctx.time,
    };
    this.indexFill(fill);
    ctx.fills.push(fill);
    // Funds are released before the report so its account update shows the final balances.
    if (done) this.closeOrder(ctx, order);
    this.emitOrder(ctx, order, 'TRADE', fill);
    if (done && order.orderListId >= 0) this.maybeEndList(ctx, order.orderListId);
  }

  /** Pay for a fill from the order's reservation first, then from the free balance. */
  private pay(ctx: Ctx, order: OrderState, asset: string, amount: Decimal, tradeId: number): void {
    const lock = order.lockId !== null ? this.locks.get(order.lockId) : undefined;
    if (lock && lock.asset === asset) {
      const fromLock = Decimal.min(amount, lock.amount);
      lock.amount = str(d(lock.amount).minus(fromLock));
      this.move(ctx, order.accountId, asset, null, fromLock.negated(), 'trade', order.orderId, tradeId);
      const rest = amount.minus(fromLock);
      if (rest.greaterThan(0)) this.move(ctx, order.accountId, asset, rest.negated(), null, 'trade', order.orderId, tradeId);
    } else {
      this.move(ctx, order.accountId, asset, amount.negated(), null, 'trade', order.orderId, tradeId);
    }
  }

  private lock(ctx: Ctx, accountId: string, asset: string, amount: Decimal, holders: number[], orderId: number): number {
    const id = this.nextLockId++;
    this.locks.set(id, { id, accountId, asset, amount: str(amount), holders });
    this.move(ctx, accountId, asset, amount.negated(), amount, 'lock', orderId, null);
    return id;
  }

  /** Release what is left of the order's reservation once no order holding it is open. */
  private releaseLock(ctx: Ctx, order: OrderState): void {
    if (order.lockId === null) return;
    const lock = this.locks.get(order.lockId);
    if (!lock) return;
    const stillHeld = lock.holders.some((id) => id !== order.orderId && !isFinal(this.orders.get(id)?.status ?? 'FILLED'));
    if (stillHeld) return;
    const amount = d(lock.amount);
    if (amount.greaterThan(0)) this.move(ctx, lock.accountId, lock.asset, amount, amount.negated(), 'unlock', order.orderId, null);
    this.locks.delete(lock.id);
  }

  private move(ctx: Ctx, accountId: string, asset: string, freeDelta: Decimal | null, lockedDelta: Decimal | null, reason: BalanceReason, orderId: number | null, tradeId: number | null): void {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`unknown account ${accountId}`);
    const bal = account.get(asset) ?? { free: '0', locked: '0' };
    const free = freeDelta ? d(bal.free).plus(freeDelta) : null;
    const locked = lockedDelta ? d(bal.locked).plus(lockedDelta) : null;
    // A negative balance would be a matching bug: fail loudly rather than invent money.
    if ((free && free.isNegative()) || (locked && locked.isNegative())) {
      throw new Error(`balance of ${accountId} ${asset} would go negative (${reason}, order ${orderId})`);
    }
    account.set(asset, { free: free ? str(free) : bal.free, locked: locked ? str(locked) : bal.locked });
    ctx.pending.push({
      accountId,
      asset,
      freeDelta: freeDelta ? str(freeDelta) : '0',
      lockedDelta: lockedDelta ? str(lockedDelta) : '0',
      reason,
      orderId,
      tradeId,
      time: ctx.time,
    });
  }

  private houseMove(asset: string, delta: Decimal): void {
    this.house.set(asset, str(d(this.house.get(asset) ?? '0').plus(delta)));
  }

  private indexFill(fill: FillView): void {
    this.fills.push(fill);
    const k = key(fill.accountId, fill.symbol);
    const list = this.fillsByAccountSymbol.get(k);
    if (list) list.push(fill);
    else this.fillsByAccountSymbol.set(k, [fill]);
  }

  /** Remove from the open set and indexes, release funds. Status must already be final. */
  private closeOrder(ctx: Ctx, order: OrderState): void {
    const s = this.mustSymbol(order.symbol);
    const i = s.open.indexOf(order);
    if (i >= 0) s.open.splice(i, 1);
    this.orderNums.delete(order.orderId);
    order.isWorking = false;
    const k = key(order.accountId, order.clientOrderId);
    if (this.openByClientId.get(k) === order.orderId) this.openByClientId.delete(k);
    const ck = key(order.accountId, order.symbol);
    this.openCount.set(ck, Math.max(0, (this.openCount.get(ck) ?? 1) - 1));
    this.releaseLock(ctx, order);
  }

  private finish(ctx: Ctx, order: OrderState, status: 'CANCELED' | 'EXPIRED', exec: ExecutionType, cancelCid: string | null, expiryReason: string | null): void {
    if (isFinal(order.status)) return;
    order.status = status;
    order.updateTime = ctx.time;
    order.expiryReason = expiryReason;
    this.closeOrder(ctx, order);
    this.emitOrder(ctx, order, exec, null, cancelCid);
    if (order.orderListId >= 0) this.maybeEndList(ctx, order.orderListId);
  }

  /** An OCO leg executed or triggered: the other leg expires and the list is done. */
  private resolveList(ctx: Ctx, order: OrderState): void {
    if (order.orderListId < 0) return;
    const list = this.lists.get(order.orderListId);
    if (!list || list.listOrderStatus === 'ALL_DONE') return;
    for (const id of list.orderIds) {
      if (id === order.orderId) continue;
      const sibling = this.orders.get(id);
      if (sibling && !isFinal(sibling.status)) this.finish(ctx, sibling, 'EXPIRED', 'EXPIRED', null, 'OCO_TRIGGER');
    }
  }

  private cancelList(ctx: Ctx, list: ListState, cancelCid: string): OrderView[] {
    const legs: OrderView[] = [];
    for (const id of list.orderIds) {
      const o = this.orders.get(id);
      if (!o) continue;
      if (!isFinal(o.status)) this.finish(ctx, o, 'CANCELED', 'CANCELED', cancelCid, null);
      legs.push(view(o));
    }
    this.maybeEndList(ctx, list.orderListId);
    return legs;
  }

  private maybeEndList(ctx: Ctx, listId: number): void {
    const list = this.lists.get(listId);
    if (!list || list.listOrderStatus === 'ALL_DONE') return;
    // The list is done (and its id reusable) once every leg is final.
    if (!list.orderIds.every((id) => isFinal(this.orders.get(id)?.status ?? 'FILLED'))) return;
    list.listStatusType = 'ALL_DONE';
    list.listOrderStatus = 'ALL_DONE';
    list.transactionTime = ctx.time;
    this.openListByClientId.delete(key(list.accountId, list.listClientOrderId));
    this.emitList(ctx, list);
  }

  private emitOrder(ctx: Ctx, order: OrderState, executionType: ExecutionType, fill: FillView | null, cancelCid: string | null = null): void {
    ctx.events.push({
      kind: 'order',
      accountId: order.accountId,
      time: ctx.time,
      executionType,
      executionId: this.nextExecutionId++,
      order: view(order),
      fill,
      cancelClientOrderId: cancelCid,
      rejectReason: 'NONE',
    });
    this.flushBalances(ctx);
  }

  private emitList(ctx: Ctx, list: ListState): void {
    ctx.events.push({
      kind: 'list',
      accountId: list.accountId,
      time: ctx.time,
      list: listView(list),
      orders: list.orderIds.map((id) => this.orders.get(id)).filter((o): o is OrderState => !!o).map(view),
    });
  }

  /** One account event per account with pending balance changes, listing the changed assets. */
  private flushBalances(ctx: Ctx): void {
    if (ctx.pending.length === 0) return;
    const byAccount = new Map<string, BalanceChange[]>();
    for (const c of ctx.pending) {
      const list = byAccount.get(c.accountId);
      if (list) list.push(c);
      else byAccount.set(c.accountId, [c]);
    }
    ctx.pending = [];
    for (const [accountId, changes] of byAccount) {
      const assets = [...new Set(changes.map((c) => c.asset))];
      ctx.events.push({ kind: 'account', accountId, time: ctx.time, balances: assets.map((a) => this.balance(accountId, a)), changes });
    }
  }
}

// -------------------------------------------------------------------------------------------------

function sumQty(plan: readonly PlannedFill[]): Decimal {
  return plan.reduce((acc, f) => acc.plus(f.qty), new Decimal(0));
}

/** Price priority (best bid / best ask first), then time (order id). */
function byPriority(a: OrderState, b: OrderState): number {
  const c = comparePx(a.price, fastNum(a.price), b.price, fastNum(b.price));
  if (c !== 0) return a.side === 'BUY' ? -c : c;
  return a.orderId - b.orderId;
}
