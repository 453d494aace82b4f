/**
 * Where the venue finds its orders, lists and fills: by id, by client id (the open one first, else
 * the latest that used it), per account and symbol, plus the id counters. Creating an order
 * registers it everywhere; `remove` takes a final order out of the open indexes. Pure.
 */
import { fastNumber } from './numbers';
import { CLIENT_ID_RANGE, CLIENT_ID_REGEX, Errors } from './errors';
import { type ListState, type OrderState, type SymbolState, accountKey as key, listView, view } from './state';
import type { FillView, OrderListView, OrderRef, OrderView, VenueError } from './types';
import { type OrderSpec, isStopType } from './validate';

const MAX_ID = Number.MAX_SAFE_INTEGER;

export interface ListRef {
  readonly orderListId?: number;
  readonly listClientOrderId?: string;
}

export class OrderIndex {
  readonly orders = new Map<number, OrderState>();
  readonly lists = new Map<number, ListState>();
  readonly fills: FillView[] = [];
  private readonly fillsByAccountSymbol = new Map<string, FillView[]>();
  private readonly ordersByAccountSymbol = new Map<string, number[]>();
  private readonly openByClientId = new Map<string, number>();
  private readonly lastByClientId = new Map<string, number>();
  private readonly openListByClientId = new Map<string, number>();
  private readonly lastListByClientId = new Map<string, number>();
  private readonly openCount = new Map<string, number>();
  /** fastNumber() of each open order's price and stop price, computed once (not persisted). */
  private readonly orderNums = new Map<number, { price: number; stop: number }>();
  nextOrderId = 1;
  nextListId = 1;
  nextExecutionId = 1;
  nextMintId = 1;

  order(orderId: number): OrderState | undefined {
    return this.orders.get(orderId);
  }

  list(orderListId: number): ListState | undefined {
    return this.lists.get(orderListId);
  }

  /** The order's price and stop price as JS numbers (numbers.ts), cached while it is open. */
  nums(o: OrderState): { price: number; stop: number } {
    let n = this.orderNums.get(o.orderId);
    if (!n) {
      n = { price: fastNumber(o.price), stop: fastNumber(o.stopPrice) };
      this.orderNums.set(o.orderId, n);
    }
    return n;
  }

  countOpen(accountId: string, symbol: string): number {
    return this.openCount.get(key(accountId, symbol)) ?? 0;
  }

  hasOpenClientId(accountId: string, clientOrderId: string): boolean {
    return this.openByClientId.has(key(accountId, clientOrderId));
  }

  hasOpenListClientId(accountId: string, listClientOrderId: string): boolean {
    return this.openListByClientId.has(key(accountId, listClientOrderId));
  }

  // ---------------------------------------------------------------------------------------------
  // Ids

  nextList(): number {
    return this.nextListId++;
  }

  nextExecution(): number {
    return this.nextExecutionId++;
  }

  /** The id as sent, checked like Binance (-1118 empty, -1100 illegal), or a minted one when omitted. */
  clientIdOrMint(id: string | undefined, param: string): string | VenueError {
    if (id === undefined) return this.mintClientId('web');
    if (id === '') return Errors.emptyClientId();
    if (!CLIENT_ID_REGEX.test(id)) return Errors.illegalChars(param, CLIENT_ID_RANGE);
    return id;
  }

  /** Deterministic ids for orders sent without one (Binance mints random 22-character ids). */
  mintClientId(prefix: string): string {
    return `${prefix}_${(this.nextMintId++).toString(36)}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Registering and closing

  /** A new open order from a validated spec, registered in every index and in the symbol's open set. */
  create(
    s: SymbolState,
    accountId: string,
    clientOrderId: string,
    spec: OrderSpec,
    orderListId: number,
    time: number,
  ): OrderState {
    if (this.nextOrderId >= MAX_ID) throw new Error('order ids exhausted');
    const stop = isStopType(spec.type);
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
    this.add(order, s);
    return order;
  }

  /** Register an order (a new one, or one restored from a snapshot: open only if not final). */
  add(order: OrderState, s: SymbolState | undefined, open = true): void {
    this.orders.set(order.orderId, order);
    const k = key(order.accountId, order.symbol);
    const ids = this.ordersByAccountSymbol.get(k) ?? [];
    ids.push(order.orderId);
    this.ordersByAccountSymbol.set(k, ids);
    if (open) this.openByClientId.set(key(order.accountId, order.clientOrderId), order.orderId);
    this.lastByClientId.set(key(order.accountId, order.clientOrderId), order.orderId);
    if (!open) return;
    this.openCount.set(k, (this.openCount.get(k) ?? 0) + 1);
    s?.open.push(order);
  }

  /** Take a final order out of the symbol's open set and the open indexes. */
  remove(order: OrderState, s: SymbolState): void {
    const i = s.open.indexOf(order);
    if (i >= 0) s.open.splice(i, 1);
    this.orderNums.delete(order.orderId);
    const k = key(order.accountId, order.clientOrderId);
    if (this.openByClientId.get(k) === order.orderId) this.openByClientId.delete(k);
    const ck = key(order.accountId, order.symbol);
    this.openCount.set(ck, Math.max(0, (this.openCount.get(ck) ?? 1) - 1));
  }

  addList(list: ListState): void {
    this.lists.set(list.orderListId, list);
    if (list.listOrderStatus !== 'ALL_DONE')
      this.openListByClientId.set(key(list.accountId, list.listClientOrderId), list.orderListId);
    this.lastListByClientId.set(key(list.accountId, list.listClientOrderId), list.orderListId);
  }

  /** The list is done: its client id may be used again. */
  endList(list: ListState): void {
    this.openListByClientId.delete(key(list.accountId, list.listClientOrderId));
  }

  indexFill(fill: FillView): void {
    this.fills.push(fill);
    const k = key(fill.accountId, fill.symbol);
    const list = this.fillsByAccountSymbol.get(k);
    if (list) list.push(fill);
    else this.fillsByAccountSymbol.set(k, [fill]);
  }

  // ---------------------------------------------------------------------------------------------
  // Lookups

  findOrder(
    accountId: string,
    symbol: string,
    ref: OrderRef,
    notFound: VenueError,
  ): { ok: true; order: OrderState } | ({ ok: false } & VenueError) {
    if (ref.orderId === undefined && ref.origClientOrderId === undefined)
      return { ok: false, ...Errors.eitherParam('origClientOrderId', 'orderId') };
    if (ref.origClientOrderId === '') return { ok: false, ...Errors.emptyOrigClientId() };
    let order: OrderState | undefined;
    if (ref.orderId !== undefined) {
      order = this.orders.get(ref.orderId);
      if (!order || order.accountId !== accountId || order.symbol !== symbol) return { ok: false, ...notFound };
      if (ref.origClientOrderId !== undefined && ref.origClientOrderId !== order.clientOrderId)
        return { ok: false, ...Errors.clientIdMismatch() };
      return { ok: true, order };
    }
    const k = key(accountId, ref.origClientOrderId as string);
    // An open order with the id wins; otherwise the latest order that used it.
    const id = this.openByClientId.get(k) ?? this.lastByClientId.get(k);
    order = id !== undefined ? this.orders.get(id) : undefined;
    if (!order || order.symbol !== symbol) return { ok: false, ...notFound };
    return { ok: true, order };
  }

  findList(accountId: string, ref: ListRef): ListState | undefined {
    if (ref.orderListId !== undefined) {
      const l = this.lists.get(ref.orderListId);
      return l && l.accountId === accountId ? l : undefined;
    }
    if (ref.listClientOrderId === undefined) return undefined;
    const k = key(accountId, ref.listClientOrderId);
    const id = this.openListByClientId.get(k) ?? this.lastListByClientId.get(k);
    return id !== undefined ? this.lists.get(id) : undefined;
  }

  orderLists(
    accountId: string,
    opts: { openOnly?: boolean; fromId?: number; startTime?: number; endTime?: number; limit?: number } = {},
  ): OrderListView[] {
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

  allOrders(
    accountId: string,
    symbol: string,
    opts: { orderId?: number; startTime?: number; endTime?: number; limit?: number } = {},
  ): OrderView[] {
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

  trades(
    accountId: string,
    symbol: string,
    opts: { orderId?: number; startTime?: number; endTime?: number; fromId?: number; limit?: number } = {},
  ): FillView[] {
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
}
