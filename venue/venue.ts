/**
 * The spot venue: a small facade over its parts. See index.ts for the model and the API.
 *
 * - ledger.ts: balances, reservations, the house and fees (money only);
 * - order-index.ts: orders, lists and fills by id, client id, account and symbol; id counters;
 * - matching.ts: new orders against the synthetic book, price points against resting orders;
 * - execution.ts: fills, final statuses, list ends and the events reporting them;
 * - lists.ts: OCO placement, sibling expiry, list cancels;
 * - snapshot.ts: persistence as plain JSON.
 *
 * Pure: no I/O, no clock (time is an argument), no randomness, exact decimals for every amount.
 */
import type { Dec } from '../core/decimal';
import type { Candle } from '../core/market';
import { EMPTY_EVENTS, newCtx } from './context';
import { Errors } from './errors';
import { Execution } from './execution';
import { Ledger } from './ledger';
import { OrderLists } from './lists';
import { Matching } from './matching';
import { type ListRef, OrderIndex } from './order-index';
import { candlePricePath } from './path';
import { type VenueSnapshot, restoreSnapshot, takeSnapshot } from './snapshot';
import { type SymbolState, type VenueSettings, isFinal, listView, view } from './state';
import type {
  BalanceView,
  BookModel,
  CancelRequest,
  CancelResult,
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
  VenueEvent,
  VenueResult,
  VenueSymbol,
} from './types';

export type { VenueSnapshot } from './snapshot';

const pathOf = candlePricePath;

export class Venue {
  private readonly symbolStates = new Map<string, SymbolState>();
  private readonly ledger = new Ledger();
  private readonly index = new OrderIndex();
  private readonly settings: VenueSettings;
  private readonly exec: Execution;
  private readonly lists: OrderLists;
  private readonly matching: Matching;

  constructor(config: VenueConfig, snapshot?: VenueSnapshot) {
    for (const spec of config.symbols) {
      this.symbolStates.set(spec.filters.symbol, {
        spec,
        lastPrice: null,
        lastNum: undefined,
        open: [],
        tradeSeq: 0,
        bookSeq: 0,
      });
    }
    this.settings = {
      makerFee: config.makerFee ?? '0.001',
      takerFee: config.takerFee ?? '0.001',
      book: { spreadTicks: 0, levels: 1, levelStepTicks: 1, levelQty: null, ...config.book },
      participation: config.participation ?? null,
      commissionPrecision: config.commissionPrecision ?? 8,
    };
    this.exec = new Execution(this.symbolStates, this.ledger, this.index, this.settings);
    this.lists = new OrderLists(this.symbolStates, this.ledger, this.index, this.exec);
    this.matching = new Matching(this.symbolStates, this.ledger, this.index, this.exec, this.lists, this.settings);
    if (snapshot) restoreSnapshot(snapshot, this.symbolStates, this.ledger, this.index);
  }

  // ---------------------------------------------------------------------------------------------
  // Symbols and prices

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
    return this.settings.book;
  }

  lastPrice(symbol: string): Dec | null {
    return this.symbolStates.get(symbol)?.lastPrice ?? null;
  }

  /** Set the price without matching (initial price, restore). */
  setLastPrice(symbol: string, price: Dec): void {
    const s = this.exec.symbolOf(symbol);
    s.lastPrice = price;
    s.lastNum = undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Accounts and balances (ledger.ts)

  hasAccount(accountId: string): boolean {
    return this.ledger.has(accountId);
  }

  accountIds(): string[] {
    return this.ledger.ids();
  }

  /** Create an account (idempotent) and deposit the given balances. */
  addAccount(accountId: string, balances: Readonly<Record<string, Dec>> = {}, time = 0): readonly VenueEvent[] {
    this.ledger.open(accountId);
    const events: VenueEvent[] = [];
    for (const [asset, amount] of Object.entries(balances)) {
      const r = this.ledger.deposit(accountId, asset, amount, time);
      if (r.ok) events.push(...r.events);
    }
    return events;
  }

  /** Deposit (positive) or withdraw (negative, from free) an amount: a Binance balanceUpdate. */
  deposit(accountId: string, asset: string, amount: Dec, time: number): VenueResult<{ events: readonly VenueEvent[] }> {
    return this.ledger.deposit(accountId, asset, amount, time);
  }

  balances(accountId: string): BalanceView[] {
    return this.ledger.balances(accountId);
  }

  balance(accountId: string, asset: string): BalanceView {
    return this.ledger.balance(accountId, asset);
  }

  /** Conservation check: for each asset, accounts + house + fees, always 0. */
  totals(): Record<string, { accounts: Dec; house: Dec; fees: Dec; total: Dec }> {
    return this.ledger.totals();
  }

  feesCollectedBy(asset: string): Dec {
    return this.ledger.feesCollectedBy(asset);
  }

  hasOpenOrders(symbol?: string): boolean {
    if (symbol !== undefined) return (this.symbolStates.get(symbol)?.open.length ?? 0) > 0;
    for (const s of this.symbolStates.values()) if (s.open.length > 0) return true;
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Orders (matching.ts, lists.ts)

  /** Validate like a real order (parameters, precision, filters, client id) without placing it. */
  testOrder(req: PlaceOrderRequest): VenueResult<Record<never, never>> {
    const pre = this.matching.admit(req);
    return pre.ok ? { ok: true } : pre;
  }

  placeOrder(req: PlaceOrderRequest): VenueResult<PlaceResult> {
    const pre = this.matching.admit(req);
    return pre.ok ? this.matching.place(req, pre) : pre;
  }

  /** Place an OCO order list: two legs, one above and one below the market; one executing expires the other. */
  placeOco(req: PlaceOcoRequest): VenueResult<PlaceOcoResult> {
    return this.lists.place(req);
  }

  getOrder(accountId: string, symbol: string, ref: OrderRef): VenueResult<{ order: OrderView }> {
    const found = this.index.findOrder(accountId, symbol, ref, Errors.noSuchOrder());
    return found.ok ? { ok: true, order: view(found.order) } : found;
  }

  cancelOrder(req: CancelRequest): VenueResult<CancelResult> {
    if (!this.symbolStates.has(req.symbol)) return { ok: false, ...Errors.invalidSymbol() };
    const found = this.index.findOrder(req.accountId, req.symbol, req, Errors.unknownOrder());
    if (!found.ok) return found;
    const order = found.order;
    if (isFinal(order.status)) return { ok: false, ...Errors.unknownOrder() };
    if (req.cancelRestrictions === 'ONLY_NEW' && order.status !== 'NEW')
      return { ok: false, ...Errors.cancelRestricted() };
    if (req.cancelRestrictions === 'ONLY_PARTIALLY_FILLED' && order.status !== 'PARTIALLY_FILLED')
      return { ok: false, ...Errors.cancelRestricted() };
    const cancelCid = req.newClientOrderId ?? this.index.mintClientId('cancel');
    const ctx = newCtx(req.time);
    if (order.orderListId >= 0) {
      const list = this.index.list(order.orderListId);
      if (list) {
        const legs = this.lists.cancel(ctx, list, cancelCid);
        return {
          ok: true,
          order: view(order),
          cancelClientOrderId: cancelCid,
          list: listView(list),
          listOrders: legs,
          events: ctx.events,
        };
      }
    }
    this.exec.finish(ctx, order, 'CANCELED', 'CANCELED', cancelCid, null);
    return {
      ok: true,
      order: view(order),
      cancelClientOrderId: cancelCid,
      list: null,
      listOrders: [],
      events: ctx.events,
    };
  }

  /** Cancel every open order of the account on the symbol (lists as whole lists). -2011 when there is none. */
  cancelOpenOrders(
    accountId: string,
    symbol: string,
    time: number,
  ): VenueResult<{ cancelled: CancelResult[]; events: readonly VenueEvent[] }> {
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
    ref: ListRef,
    newClientOrderId: string | undefined,
    time: number,
  ): VenueResult<{ list: OrderListView; orders: readonly OrderView[]; events: readonly VenueEvent[] }> {
    if (!this.symbolStates.has(symbol)) return { ok: false, ...Errors.invalidSymbol() };
    const found = this.index.findList(accountId, ref);
    if (!found || found.symbol !== symbol || found.listOrderStatus === 'ALL_DONE')
      return { ok: false, ...Errors.unknownOrder() };
    const ctx = newCtx(time);
    const legs = this.lists.cancel(ctx, found, newClientOrderId ?? this.index.mintClientId('cancel'));
    return { ok: true, list: listView(found), orders: legs, events: ctx.events };
  }

  getOrderList(accountId: string, ref: ListRef): VenueResult<{ list: OrderListView }> {
    const found = this.index.findList(accountId, ref);
    return found ? { ok: true, list: listView(found) } : { ok: false, ...Errors.noSuchOrder() };
  }

  orderLists(
    accountId: string,
    opts: { openOnly?: boolean; fromId?: number; startTime?: number; endTime?: number; limit?: number } = {},
  ): OrderListView[] {
    return this.index.orderLists(accountId, opts);
  }

  openOrders(accountId: string, symbol?: string): OrderView[] {
    const out: OrderView[] = [];
    const states =
      symbol !== undefined
        ? [this.symbolStates.get(symbol)].filter((s): s is SymbolState => !!s)
        : [...this.symbolStates.values()];
    for (const s of states) for (const o of s.open) if (o.accountId === accountId) out.push(view(o));
    return out;
  }

  allOrders(
    accountId: string,
    symbol: string,
    opts: { orderId?: number; startTime?: number; endTime?: number; limit?: number } = {},
  ): OrderView[] {
    return this.index.allOrders(accountId, symbol, opts);
  }

  trades(
    accountId: string,
    symbol: string,
    opts: { orderId?: number; startTime?: number; endTime?: number; fromId?: number; limit?: number } = {},
  ): FillView[] {
    return this.index.trades(accountId, symbol, opts);
  }

  /** Every fill of every account, in execution order (for audits). */
  allFills(): readonly FillView[] {
    return this.index.fills;
  }

  // ---------------------------------------------------------------------------------------------
  // Market moves (matching.ts)

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
    return this.matching.step(s, point);
  }

  /** Play one candle through its price path (see path.ts). Cheap when the symbol has no open order. */
  onCandle(
    symbol: string,
    candle: Pick<Candle, 'open' | 'high' | 'low' | 'close' | 'volume' | 'openTime' | 'closeTime'>,
  ): readonly VenueEvent[] {
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
    for (const point of pathOf(candle, this.settings.participation !== null)) {
      s.bookSeq += 1;
      let e: readonly VenueEvent[] = EMPTY_EVENTS;
      if (s.open.length === 0) {
        s.lastPrice = point.price;
        s.lastNum = undefined;
      } else e = this.matching.step(s, point);
      for (const ev of e) events.push(ev);
    }
    return events;
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence (snapshot.ts)

  snapshot(): VenueSnapshot {
    return takeSnapshot(this.symbolStates, this.ledger, this.index);
  }
}
