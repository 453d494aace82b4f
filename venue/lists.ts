/**
 * OCO order lists: placing one (leg rules in oco.ts, prices straddling the market, one
 * reservation for both legs), expiring the other leg when one executes or triggers, and
 * cancelling a whole list. Pure.
 */
import { Decimal, d } from '../core/decimal';
import { newCtx, type Ctx } from './context';
import { Errors } from './errors';
import type { Execution } from './execution';
import type { Ledger } from './ledger';
import { ocoLegLevel, ocoShape } from './oco';
import type { OrderIndex } from './order-index';
import { type ListState, type OrderState, type SymbolState, isFinal, listView, view } from './state';
import type { OrderView, PlaceOcoRequest, PlaceOcoResult, VenueResult } from './types';
import { type OrderSpec, isStopType, validateOrder } from './validate';
import { stripUndefined } from '../core/json';

export class OrderLists {
  constructor(
    private readonly symbols: ReadonlyMap<string, SymbolState>,
    private readonly ledger: Ledger,
    private readonly index: OrderIndex,
    private readonly exec: Execution,
  ) {}

  /** Place an OCO order list: two legs, one above and one below the market; one executing expires the other. */
  place(req: PlaceOcoRequest): VenueResult<PlaceOcoResult> {
    const s = this.symbols.get(req.symbol);
    if (!s) return { ok: false, ...Errors.invalidSymbol() };
    if (!this.ledger.has(req.accountId)) return { ok: false, ...Errors.unknownAccount() };
    const accountId = req.accountId;
    const index = this.index;
    const shape = ocoShape(req.side, req.above.type, req.below.type);
    if (shape) return { ok: false, ...shape };

    const legSpecs: OrderSpec[] = [];
    for (const leg of [req.above, req.below]) {
      const params = stripUndefined({
        side: req.side,
        type: leg.type,
        quantity: req.quantity,
        price: leg.price,
        stopPrice: leg.stopPrice,
        trailingDelta: leg.trailingDelta,
        timeInForce: leg.timeInForce,
      });
      const r = validateOrder(params, s.spec, s.lastPrice);
      if (!r.ok) return r;
      legSpecs.push(r.spec);
    }
    const [aboveSpec, belowSpec] = legSpecs as [OrderSpec, OrderSpec];

    const listCid = index.clientIdOrMint(req.listClientOrderId, 'listClientOrderId');
    if (typeof listCid !== 'string') return { ok: false, ...listCid };
    const aboveCid = index.clientIdOrMint(req.above.clientOrderId, 'aboveClientOrderId');
    if (typeof aboveCid !== 'string') return { ok: false, ...aboveCid };
    const belowCid = index.clientIdOrMint(req.below.clientOrderId, 'belowClientOrderId');
    if (typeof belowCid !== 'string') return { ok: false, ...belowCid };
    if (s.spec.status !== 'TRADING') return { ok: false, ...Errors.marketClosed() };
    if (index.hasOpenListClientId(accountId, listCid)) return { ok: false, ...Errors.duplicate() };
    if (
      aboveCid === belowCid ||
      index.hasOpenClientId(accountId, aboveCid) ||
      index.hasOpenClientId(accountId, belowCid)
    ) {
      return { ok: false, ...Errors.duplicate() };
    }
    if (index.countOpen(accountId, req.symbol) + 2 > s.spec.filters.maxNumOrders)
      return { ok: false, ...Errors.filter('MAX_NUM_ORDERS') };

    // Prices must straddle the last price: above leg's trigger/limit above it, below leg's under it.
    if (s.lastPrice !== null) {
      const abovePrice = ocoLegLevel(aboveSpec);
      const belowPrice = ocoLegLevel(belowSpec);
      if (
        (abovePrice !== null && d(abovePrice).lessThanOrEqualTo(s.lastPrice)) ||
        (belowPrice !== null && d(belowPrice).greaterThanOrEqualTo(s.lastPrice))
      ) {
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
    if (this.ledger.free(accountId, lockAsset).lessThan(lockAmount))
      return { ok: false, ...Errors.insufficientBalance() };

    const ctx = newCtx(req.time);
    const listId = index.nextList();
    const stopFirst = req.legOrder === 'stop-first';
    const aboveIsStop = isStopType(aboveSpec.type) && aboveSpec.type.startsWith('STOP');
    const aboveFirst = stopFirst ? aboveIsStop : false;
    const firstSpec = aboveFirst ? aboveSpec : belowSpec;
    const secondSpec = aboveFirst ? belowSpec : aboveSpec;
    const firstCid = aboveFirst ? aboveCid : belowCid;
    const secondCid = aboveFirst ? belowCid : aboveCid;
    const first = index.create(s, accountId, firstCid, firstSpec, listId, req.time);
    const second = index.create(s, accountId, secondCid, secondSpec, listId, req.time);
    const lockId = this.ledger.lock(
      ctx,
      accountId,
      lockAsset,
      lockAmount,
      [first.orderId, second.orderId],
      first.orderId,
    );
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
    index.addList(list);
    this.exec.emitOrder(ctx, first, 'NEW', null);
    this.exec.emitOrder(ctx, second, 'NEW', null);
    this.exec.emitList(ctx, list);
    return {
      ok: true,
      list: listView(list),
      orders: [view(first), view(second)],
      fills: ctx.fills,
      events: ctx.events,
    };
  }

  /** An OCO leg executed or triggered: the other leg expires and the list is done. */
  expireSiblings(ctx: Ctx, order: OrderState): void {
    if (order.orderListId < 0) return;
    const list = this.index.list(order.orderListId);
    if (!list || list.listOrderStatus === 'ALL_DONE') return;
    for (const id of list.orderIds) {
      if (id === order.orderId) continue;
      const sibling = this.index.order(id);
      if (sibling && !isFinal(sibling.status))
        this.exec.finish(ctx, sibling, 'EXPIRED', 'EXPIRED', null, 'OCO_TRIGGER');
    }
  }

  /** Cancel every open leg of the list; returns every leg as it is after the cancel. */
  cancel(ctx: Ctx, list: ListState, cancelCid: string): OrderView[] {
    const legs: OrderView[] = [];
    for (const id of list.orderIds) {
      const o = this.index.order(id);
      if (!o) continue;
      if (!isFinal(o.status)) this.exec.finish(ctx, o, 'CANCELED', 'CANCELED', cancelCid, null);
      legs.push(view(o));
    }
    this.exec.endListIfDone(ctx, list.orderListId);
    return legs;
  }
}
