/**
 * The matching engine: a new order against the synthetic book (MARKET, marketable LIMIT, FOK /
 * IOC, LIMIT_MAKER and stop checks, funds), and each price point against the resting orders
 * (stops trigger and trail, limit orders crossed by the price fill at their own price, shared by
 * participation). Pure; the hot paths compare prices as JS numbers where that is exact (numbers.ts).
 */
import { type Dec, Decimal, d, str } from '../core/decimal';
import type { OrderSide, OrderType } from '../core/orders';
import { type PlannedFill, planTaker } from './book';
import { EMPTY_EVENTS, newCtx } from './context';
import { Errors } from './errors';
import type { Execution } from './execution';
import type { Ledger } from './ledger';
import type { OrderLists } from './lists';
import { comparePrices, fastNumber } from './numbers';
import type { OrderIndex } from './order-index';
import { type OrderState, type SymbolState, type VenueSettings, isFinal, remainingOf, view } from './state';
import type { PlaceOrderRequest, PlaceResult, PricePoint, VenueError, VenueEvent, VenueResult } from './types';
import { type OrderSpec, hasLimitPrice, isStopType, validateOrder } from './validate';

// Local bindings of hot imported functions: a transpiled import is a property read per call.
const fastNum = fastNumber;
const comparePx = comparePrices;
const isStop = isStopType;
const hasLimit = hasLimitPrice;

export type Admitted =
  { ok: true; s: SymbolState; spec: OrderSpec; clientOrderId: string } | ({ ok: false } & VenueError);

export class Matching {
  constructor(
    private readonly symbols: ReadonlyMap<string, SymbolState>,
    private readonly ledger: Ledger,
    private readonly index: OrderIndex,
    private readonly exec: Execution,
    private readonly lists: OrderLists,
    private readonly settings: VenueSettings,
  ) {}

  /** Parameters, precision, filters, client id and market status: what every order must pass. */
  admit(req: PlaceOrderRequest): Admitted {
    const s = this.symbols.get(req.symbol);
    if (!s) return { ok: false, ...Errors.invalidSymbol() };
    if (!this.ledger.has(req.accountId)) return { ok: false, ...Errors.unknownAccount() };
    const v = validateOrder(req, s.spec, s.lastPrice);
    if (!v.ok) return v;
    const cid = this.index.clientIdOrMint(req.newClientOrderId, 'newClientOrderId');
    if (typeof cid !== 'string') return { ok: false, ...cid };
    if (s.spec.status !== 'TRADING') return { ok: false, ...Errors.marketClosed() };
    return { ok: true, s, spec: v.spec, clientOrderId: cid };
  }

  /** Place an admitted order: reserve funds, execute what takes liquidity now, rest the rest. */
  place(req: PlaceOrderRequest, admitted: Extract<Admitted, { ok: true }>): VenueResult<PlaceResult> {
    const { s, spec, clientOrderId } = admitted;
    const ctx = newCtx(req.time);
    const accountId = req.accountId;
    const quote = s.spec.filters.quoteAsset;
    const base = s.spec.filters.baseAsset;
    const book = this.settings.book;

    if (this.index.hasOpenClientId(accountId, clientOrderId)) return { ok: false, ...Errors.duplicate() };
    if (this.index.countOpen(accountId, s.spec.filters.symbol) + 1 > s.spec.filters.maxNumOrders)
      return { ok: false, ...Errors.filter('MAX_NUM_ORDERS') };

    // Matching-engine checks that reject without creating an order.
    if (isStop(spec.type) && spec.stopPrice !== null && spec.trailingDelta === null && s.lastPrice !== null) {
      if (stopConditionMet(spec.side, spec.type, spec.stopPrice, s.lastPrice))
        return { ok: false, ...Errors.wouldTrigger() };
    }
    if (spec.type === 'LIMIT_MAKER' && spec.price !== null && this.wouldTake(s, spec.side, spec.price))
      return { ok: false, ...Errors.wouldTake() };

    // Immediate execution plan (MARKET and marketable LIMIT) and funds.
    let plan: PlannedFill[] = [];
    let planComplete = false;
    let planQty = new Decimal(0);
    let planQuote = new Decimal(0);
    const executesNow = spec.type === 'MARKET' || spec.type === 'LIMIT';
    if (executesNow && s.lastPrice !== null) {
      const planned = planTaker(
        s.spec,
        book,
        spec.side,
        s.lastPrice,
        { qty: spec.quantity, quoteBudget: spec.quoteOrderQty, limit: spec.price, liquidity: null },
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
    const free = (asset: string) => this.ledger.free(accountId, asset);
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
    if (lockAsset !== null && free(lockAsset).lessThan(lockAmount))
      return { ok: false, ...Errors.insufficientBalance() };

    const order = this.index.create(s, accountId, clientOrderId, spec, -1, req.time);
    if (lockAsset !== null && lockAmount.greaterThan(0)) {
      order.lockId = this.ledger.lock(ctx, accountId, lockAsset, lockAmount, [order.orderId], order.orderId);
    }
    const exec = this.exec;
    exec.emitOrder(ctx, order, 'NEW', null);

    if (executesNow) {
      // A quoteOrderQty order's quantity is what its budget buys.
      if (spec.quoteOrderQty !== null) order.origQty = str(planQty);
      plan.forEach((p, i) => exec.fill(ctx, order, p.price, p.qty, false, planComplete && i === plan.length - 1));
      if (spec.type === 'MARKET') {
        if (order.status !== 'FILLED') exec.finish(ctx, order, 'EXPIRED', 'EXPIRED', null, 'INSUFFICIENT_LIQUIDITY');
      } else if (order.status !== 'FILLED' && (spec.timeInForce === 'IOC' || spec.timeInForce === 'FOK')) {
        exec.finish(
          ctx,
          order,
          'EXPIRED',
          'EXPIRED',
          null,
          spec.timeInForce === 'FOK' ? 'UNFILLED_FOK_ORDER_EXPIRED' : 'UNFILLED_IOC_QUANTITY_EXPIRED',
        );
      }
    }
    return { ok: true, order: view(order), fills: ctx.fills, events: ctx.events };
  }

  /** One price point with open orders on the symbol: triggers first, then resting limit orders. */
  step(s: SymbolState, point: PricePoint): readonly VenueEvent[] {
    const ctx = newCtx(point.time);
    const exec = this.exec;
    const index = this.index;
    s.lastPrice = point.price;
    s.lastNum = undefined;
    const p = point.price;
    const pn = lastNum(s);
    const participation = this.settings.participation;
    let liquidity: Decimal | null =
      participation !== null && point.qty !== null ? d(point.qty).times(participation) : null;

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
      this.lists.expireSiblings(ctx, order);
      const limit = hasLimit(order.type) ? order.price : null;
      let plan = planTaker(
        s.spec,
        this.settings.book,
        order.side,
        reference,
        { qty: remainingOf(order), quoteBudget: null, limit, liquidity },
        s.bookSeq,
      ).fills;
      if (order.side === 'BUY') plan = this.affordable(order, plan);
      if (order.timeInForce === 'FOK' && sumQty(plan).lessThan(remainingOf(order))) plan = [];
      for (const f of plan) {
        exec.fill(ctx, order, f.price, f.qty, false);
        if (liquidity !== null) liquidity = liquidity.minus(f.qty);
      }
      if (order.status !== 'FILLED') {
        if (limit === null) exec.finish(ctx, order, 'EXPIRED', 'EXPIRED', null, 'INSUFFICIENT_LIQUIDITY');
        else if (order.timeInForce === 'IOC' || order.timeInForce === 'FOK') {
          exec.finish(
            ctx,
            order,
            'EXPIRED',
            'EXPIRED',
            null,
            order.timeInForce === 'FOK' ? 'UNFILLED_FOK_ORDER_EXPIRED' : 'UNFILLED_IOC_QUANTITY_EXPIRED',
          );
        }
      }
    }

    // 2. Resting limit orders crossed by the price fill at their own price (maker).
    let crossed: OrderState[] | null = null;
    for (const o of s.open) {
      if (!o.isWorking || !hasLimit(o.type) || isFinal(o.status)) continue;
      const c = comparePx(p, pn, o.price, index.nums(o).price);
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
        exec.fill(ctx, o, o.price, str(qty), true);
        this.lists.expireSiblings(ctx, o);
        if (liquidity !== null) liquidity = liquidity.minus(qty);
      }
    }
    return ctx.events.length === 0 ? EMPTY_EVENTS : ctx.events;
  }

  /** The execution reference price if `o` triggers at this point, else null (updates trailing state). */
  private checkTrigger(s: SymbolState, o: OrderState, p: Dec, pn: number, sweep: boolean): Dec | null {
    const down = triggersDown(o.side, o.type);
    if (o.trailingDelta === null) {
      const c = comparePx(p, pn, o.stopPrice, this.index.nums(o).stop);
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
    const quote = this.exec.symbolOf(order.symbol).spec.filters.quoteAsset;
    const lock = this.ledger.lockOf(order.lockId);
    let budget = this.ledger.free(order.accountId, quote).plus(lock && lock.asset === quote ? lock.amount : '0');
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

  /** Would a LIMIT_MAKER at `price` take liquidity from the synthetic book around the last price? */
  private wouldTake(s: SymbolState, side: OrderSide, price: Dec): boolean {
    if (s.lastPrice === null) return false;
    const offset = d(s.spec.filters.tickSize).times(this.settings.book.spreadTicks);
    const best = side === 'BUY' ? d(s.lastPrice).plus(offset) : d(s.lastPrice).minus(offset);
    return side === 'BUY' ? d(price).greaterThanOrEqualTo(best) : d(price).lessThanOrEqualTo(best);
  }
}

function lastNum(s: SymbolState): number {
  if (s.lastNum === undefined) s.lastNum = s.lastPrice === null ? Number.NaN : fastNum(s.lastPrice);
  return s.lastNum;
}

/** STOP_LOSS SELL / TAKE_PROFIT BUY trigger when the price falls to the stop; the others when it rises to it. */
function triggersDown(side: OrderSide, type: OrderType): boolean {
  const stopLoss = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
  return stopLoss ? side === 'SELL' : side === 'BUY';
}

function stopConditionMet(side: OrderSide, type: OrderType, stopPrice: Dec, price: Dec): boolean {
  const c = comparePx(price, fastNum(price), stopPrice, fastNum(stopPrice));
  return triggersDown(side, type) ? c <= 0 : c >= 0;
}

function sumQty(plan: readonly PlannedFill[]): Decimal {
  return plan.reduce((acc, f) => acc.plus(f.qty), new Decimal(0));
}

/** Price priority (best bid / best ask first), then time (order id). */
function byPriority(a: OrderState, b: OrderState): number {
  const c = comparePx(a.price, fastNum(a.price), b.price, fastNum(b.price));
  if (c !== 0) return a.side === 'BUY' ? -c : c;
  return a.orderId - b.orderId;
}
