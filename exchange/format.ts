/**
 * Binance wire formats: venue views → the JSON objects Binance sends (REST bodies, user-data
 * events, market-stream payloads). Decimals are padded to the symbol's precision like Binance
 * ("0.10000000"); ids are plain numbers below 2^53.
 */
import { type Dec, fixed } from '../core/decimal';
import type { Json } from '../core/json';
import type { BalanceView, FillView, OrderListView, OrderView, VenueEvent, VenueSymbol } from '../venue';

export type { Json } from '../core/json';

export interface Precision {
  readonly qty: number;
  readonly price: number;
}

export const precisionOf = (s: VenueSymbol | undefined): Precision => ({
  qty: s?.baseAssetPrecision ?? 8,
  price: s?.quoteAssetPrecision ?? 8,
});

const px = (v: Dec, p: Precision) => fixed(v, p.price);
const qx = (v: Dec, p: Precision) => fixed(v, p.qty);
const amount = (v: Dec) => fixed(v, 8);

/** Fields common to placement responses (RESULT), cancel responses and queries. */
function orderCore(o: OrderView, p: Precision): Record<string, Json> {
  return {
    price: px(o.price, p),
    origQty: qx(o.origQty, p),
    executedQty: qx(o.executedQty, p),
    origQuoteOrderQty: px(o.origQuoteOrderQty, p),
    cummulativeQuoteQty: px(o.cummulativeQuoteQty, p),
    status: o.status,
    timeInForce: o.timeInForce ?? 'GTC',
    type: o.type,
    side: o.side,
  };
}

function conditional(o: OrderView, p: Precision): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (o.stopPrice !== '0') out.stopPrice = px(o.stopPrice, p);
  if (o.trailingDelta !== null) out.trailingDelta = o.trailingDelta;
  return out;
}

export function fillJson(f: FillView, p: Precision): Json {
  return {
    price: px(f.price, p),
    qty: qx(f.qty, p),
    commission: amount(f.commission),
    commissionAsset: f.commissionAsset,
    tradeId: f.tradeId,
  };
}

export type RespType = 'ACK' | 'RESULT' | 'FULL';

/** POST /api/v3/order response. */
export function placeResponse(
  o: OrderView,
  fills: readonly FillView[],
  transactTime: number,
  resp: RespType,
  p: Precision,
): Json {
  const ack = {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    transactTime,
  };
  if (resp === 'ACK') return ack;
  const result: Record<string, Json> = {
    ...ack,
    ...orderCore(o, p),
    workingTime: o.workingTime,
    ...conditional(o, p),
    selfTradePreventionMode: 'NONE',
  };
  if (o.expiryReason !== null) result.expiryReason = o.expiryReason;
  if (resp === 'RESULT') return result;
  return { ...result, fills: fills.map((f) => fillJson(f, p)) };
}

/** GET /api/v3/order, openOrders, allOrders element. */
export function queryResponse(o: OrderView, p: Precision): Json {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    ...orderCore(o, p),
    stopPrice: px(o.stopPrice, p),
    icebergQty: qx('0', p),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.isWorking,
    workingTime: o.workingTime,
    origQuoteOrderQty: px(o.origQuoteOrderQty, p),
    selfTradePreventionMode: 'NONE',
    ...(o.trailingDelta !== null ? { trailingDelta: o.trailingDelta } : {}),
  };
}

/** DELETE /api/v3/order response: origClientOrderId is the order's id, clientOrderId the cancel's. */
export function cancelResponse(o: OrderView, cancelClientOrderId: string, transactTime: number, p: Precision): Json {
  return {
    symbol: o.symbol,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: cancelClientOrderId,
    transactTime,
    ...orderCore(o, p),
    ...conditional(o, p),
    selfTradePreventionMode: 'NONE',
  };
}

export function listJson(l: OrderListView, orders: readonly OrderView[]): Record<string, Json> {
  return {
    orderListId: l.orderListId,
    contingencyType: l.contingencyType,
    listStatusType: l.listStatusType,
    listOrderStatus: l.listOrderStatus,
    listClientOrderId: l.listClientOrderId,
    transactionTime: l.transactionTime,
    symbol: l.symbol,
    orders: orders.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
  };
}

export function listPlaceResponse(
  l: OrderListView,
  orders: readonly OrderView[],
  fills: readonly FillView[],
  resp: RespType,
  p: Precision,
): Json {
  return {
    ...listJson(l, orders),
    orderReports: orders.map((o) => {
      const r = placeResponse(
        o,
        fills.filter((f) => f.orderId === o.orderId),
        l.transactionTime,
        resp === 'ACK' ? 'RESULT' : resp,
        p,
      ) as Record<string, Json>;
      delete r.fills;
      return r;
    }),
  };
}

export function listCancelResponse(
  l: OrderListView,
  orders: readonly OrderView[],
  cancelClientOrderId: string,
  time: number,
  p: Precision,
): Json {
  return { ...listJson(l, orders), orderReports: orders.map((o) => cancelResponse(o, cancelClientOrderId, time, p)) };
}

export function tradeJson(f: FillView, p: Precision): Json {
  return {
    symbol: f.symbol,
    id: f.tradeId,
    orderId: f.orderId,
    orderListId: f.orderListId,
    price: px(f.price, p),
    qty: qx(f.qty, p),
    quoteQty: px(f.quoteQty, p),
    commission: amount(f.commission),
    commissionAsset: f.commissionAsset,
    time: f.time,
    isBuyer: f.side === 'BUY',
    isMaker: f.isMaker,
    isBestMatch: true,
  };
}

export function balanceJson(b: BalanceView): Json {
  return { asset: b.asset, free: amount(b.free), locked: amount(b.locked) };
}

/** A user-data event in Binance's payload format (without the WS-API envelope), or null when none applies. */
export function userEventJson(e: VenueEvent, precisionFor: (symbol: string) => Precision): Record<string, Json> | null {
  switch (e.kind) {
    case 'order': {
      const o = e.order;
      const p = precisionFor(o.symbol);
      const f = e.fill;
      const isCancel = e.cancelClientOrderId !== null;
      const out: Record<string, Json> = {
        e: 'executionReport',
        E: e.time,
        s: o.symbol,
        c: isCancel ? e.cancelClientOrderId : o.clientOrderId,
        S: o.side,
        o: o.type,
        f: o.timeInForce ?? 'GTC',
        q: qx(o.origQty, p),
        p: px(o.price, p),
        P: px(o.stopPrice, p),
        F: qx('0', p),
        g: o.orderListId,
        C: isCancel ? o.clientOrderId : '',
        x: e.executionType,
        X: o.status,
        r: e.rejectReason,
        i: o.orderId,
        l: qx(f?.qty ?? '0', p),
        z: qx(o.executedQty, p),
        L: px(f?.price ?? '0', p),
        n: f ? amount(f.commission) : '0',
        N: f ? f.commissionAsset : null,
        T: e.time,
        t: f ? f.tradeId : -1,
        I: e.executionId,
        w: o.isWorking,
        m: f ? f.isMaker : false,
        M: false,
        O: o.time,
        Z: px(o.cummulativeQuoteQty, p),
        Y: px(f?.quoteQty ?? '0', p),
        Q: px(o.origQuoteOrderQty, p),
        V: 'NONE',
      };
      if (o.workingTime !== -1) out.W = o.workingTime;
      if (o.trailingDelta !== null) out.d = o.trailingDelta;
      if (o.expiryReason !== null) out.eR = o.expiryReason;
      return out;
    }
    case 'account':
      return {
        e: 'outboundAccountPosition',
        E: e.time,
        u: e.time,
        B: e.balances.map((b) => ({ a: b.asset, f: amount(b.free), l: amount(b.locked) })),
      };
    case 'deposit':
      return { e: 'balanceUpdate', E: e.time, a: e.asset, d: amount(e.delta), T: e.time };
    case 'list':
      return {
        e: 'listStatus',
        E: e.time,
        s: e.list.symbol,
        g: e.list.orderListId,
        c: e.list.contingencyType,
        l: e.list.listStatusType,
        L: e.list.listOrderStatus,
        r: 'NONE',
        C: e.list.listClientOrderId,
        T: e.list.transactionTime,
        O: e.orders.map((o) => ({ s: o.symbol, i: o.orderId, c: o.clientOrderId })),
      };
    default:
      return null;
  }
}
