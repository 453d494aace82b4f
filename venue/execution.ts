/**
 * What happens to an order once the matching engine decides: a fill (balances, fees, the trade,
 * the report), a final status (cancelled or expired, funds released), the end of its order list,
 * and the events that report each step in Binance's order. Pure.
 */
import { type Dec, Decimal, d, str } from '../core/decimal';
import type { Ctx } from './context';
import type { Ledger } from './ledger';
import type { OrderIndex } from './order-index';
import {
  type ListState,
  type OrderState,
  type SymbolState,
  type VenueSettings,
  isFinal,
  listView,
  view,
} from './state';
import type { ExecutionType, FillView } from './types';

export class Execution {
  constructor(
    private readonly symbols: ReadonlyMap<string, SymbolState>,
    private readonly ledger: Ledger,
    private readonly index: OrderIndex,
    private readonly settings: VenueSettings,
  ) {}

  symbolOf(symbol: string): SymbolState {
    const s = this.symbols.get(symbol);
    if (!s) throw new Error(`unknown symbol ${symbol}`);
    return s;
  }

  /** Execute `qty` at `price`. `lastOfQuoteOrder` marks the fill that completes a quoteOrderQty order. */
  fill(ctx: Ctx, order: OrderState, price: Dec, qty: Dec, isMaker: boolean, lastOfQuoteOrder = false): void {
    const s = this.symbolOf(order.symbol);
    const { baseAsset: base, quoteAsset: quote } = s.spec.filters;
    const ledger = this.ledger;
    const q = d(qty);
    const quoteQty = d(price).times(q);
    const rate = isMaker ? this.settings.makerFee : this.settings.takerFee;
    s.tradeSeq += 1;
    s.bookSeq += 1;
    const tradeId = s.tradeSeq;
    const orderId = order.orderId;
    let commission: Decimal;
    let commissionAsset: string;
    if (order.side === 'BUY') {
      commission = q.times(rate).toDecimalPlaces(this.settings.commissionPrecision, Decimal.ROUND_UP);
      commissionAsset = base;
      ledger.pay(ctx, order.accountId, order.lockId, quote, quoteQty, orderId, tradeId);
      ledger.move(ctx, order.accountId, base, q, null, 'trade', orderId, tradeId);
      if (commission.greaterThan(0))
        ledger.move(ctx, order.accountId, base, commission.negated(), null, 'fee', orderId, tradeId);
      ledger.houseMove(base, q.negated());
      ledger.houseMove(quote, quoteQty);
    } else {
      commission = quoteQty.times(rate).toDecimalPlaces(this.settings.commissionPrecision, Decimal.ROUND_UP);
      commissionAsset = quote;
      ledger.pay(ctx, order.accountId, order.lockId, base, q, orderId, tradeId);
      ledger.move(ctx, order.accountId, quote, quoteQty, null, 'trade', orderId, tradeId);
      if (commission.greaterThan(0))
        ledger.move(ctx, order.accountId, quote, commission.negated(), null, 'fee', orderId, tradeId);
      ledger.houseMove(base, q);
      ledger.houseMove(quote, quoteQty.negated());
    }
    if (commission.greaterThan(0)) ledger.collectFee(commissionAsset, commission);

    order.executedQty = str(d(order.executedQty).plus(q));
    order.cummulativeQuoteQty = str(d(order.cummulativeQuoteQty).plus(quoteQty));
    order.updateTime = ctx.time;
    const done =
      order.origQuoteOrderQty !== '0' ? lastOfQuoteOrder : d(order.executedQty).greaterThanOrEqualTo(order.origQty);
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
    this.index.indexFill(fill);
    ctx.fills.push(fill);
    // Funds are released before the report so its account update shows the final balances.
    if (done) this.close(ctx, order);
    this.emitOrder(ctx, order, 'TRADE', fill);
    if (done && order.orderListId >= 0) this.endListIfDone(ctx, order.orderListId);
  }

  /** Cancel or expire an open order: release its funds, report it, end its list if it was the last leg. */
  finish(
    ctx: Ctx,
    order: OrderState,
    status: 'CANCELED' | 'EXPIRED',
    exec: ExecutionType,
    cancelCid: string | null,
    expiryReason: string | null,
  ): void {
    if (isFinal(order.status)) return;
    order.status = status;
    order.updateTime = ctx.time;
    order.expiryReason = expiryReason;
    this.close(ctx, order);
    this.emitOrder(ctx, order, exec, null, cancelCid);
    if (order.orderListId >= 0) this.endListIfDone(ctx, order.orderListId);
  }

  /** Remove from the open set and indexes, release funds. Status must already be final. */
  private close(ctx: Ctx, order: OrderState): void {
    this.index.remove(order, this.symbolOf(order.symbol));
    order.isWorking = false;
    this.ledger.release(ctx, order.lockId, order.orderId, (id) => !isFinal(this.index.order(id)?.status ?? 'FILLED'));
  }

  /** The list is done (and its client id reusable) once every leg is final. */
  endListIfDone(ctx: Ctx, listId: number): void {
    const list = this.index.list(listId);
    if (!list || list.listOrderStatus === 'ALL_DONE') return;
    if (!list.orderIds.every((id) => isFinal(this.index.order(id)?.status ?? 'FILLED'))) return;
    list.listStatusType = 'ALL_DONE';
    list.listOrderStatus = 'ALL_DONE';
    list.transactionTime = ctx.time;
    this.index.endList(list);
    this.emitList(ctx, list);
  }

  emitOrder(
    ctx: Ctx,
    order: OrderState,
    executionType: ExecutionType,
    fill: FillView | null,
    cancelCid: string | null = null,
  ): void {
    ctx.events.push({
      kind: 'order',
      accountId: order.accountId,
      time: ctx.time,
      executionType,
      executionId: this.index.nextExecution(),
      order: view(order),
      fill,
      cancelClientOrderId: cancelCid,
      rejectReason: 'NONE',
    });
    this.ledger.flush(ctx);
  }

  emitList(ctx: Ctx, list: ListState): void {
    ctx.events.push({
      kind: 'list',
      accountId: list.accountId,
      time: ctx.time,
      list: listView(list),
      orders: list.orderIds
        .map((id) => this.index.order(id))
        .filter((o): o is OrderState => !!o)
        .map(view),
    });
  }
}
