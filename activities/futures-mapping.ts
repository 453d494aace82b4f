/** Translate binance-api-node's USDⓈ-M answers into the core's types. Pure. */
import { add, d, isPositive, str } from '../core/decimal';
import type { SymbolFilters } from '../core/market';
import type { Fill, OrderRequest, OrderSnapshot } from '../core/orders';
import type { RawFuturesAlgo, RawFuturesExchangeInfo, RawFuturesOrder, RawFuturesTrade } from './futures-types';
import { filtersOfListing, fillOfTrade, toStatus } from './mapping';

/** Conditional types live on the algo endpoint, keyed by clientAlgoId. */
export function isAlgoRequest(r: Pick<OrderRequest, 'type'>): boolean {
  return r.type === 'STOP_MARKET';
}

export function fillFromFuturesTrade(t: RawFuturesTrade): Fill {
  return fillOfTrade(t, t.maker);
}

export function snapshotFromFuturesOrder(o: RawFuturesOrder, fills: readonly Fill[] = []): OrderSnapshot {
  return {
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    exchangeOrderId: Number(o.orderId),
    status: toStatus(o.status),
    executedQty: str(o.executedQty),
    cumulativeQuoteQty: str(o.cumQuote),
    updateTime: Number(o.updateTime ?? o.time ?? 0),
    ...(fills.length > 0 ? { fills } : {}),
  };
}

/**
 * An algo order as one kernel order: open until it triggers; then it is the order it placed
 * (FINISHED with an execution is FILLED; without one it expired). Fills are the placed order's.
 */
export function snapshotFromAlgo(a: RawFuturesAlgo, fills: readonly Fill[] = []): OrderSnapshot {
  const executed = str(a.executedQty ?? '0');
  const quote = fills.reduce((sum, f) => add(sum, f.quoteQty), '0');
  const status = algoStatus(a.algoStatus, isPositive(executed));
  return {
    clientOrderId: a.clientAlgoId,
    symbol: a.symbol,
    exchangeOrderId: Number(a.algoId),
    status,
    executedQty: executed,
    cumulativeQuoteQty: quote,
    updateTime: Number(a.updateTime ?? a.createTime ?? 0),
    ...(fills.length > 0 ? { fills } : {}),
    ...(status === 'EXPIRED' || status === 'REJECTED' ? { reason: `algo order ${a.algoStatus}` } : {}),
  };
}

function algoStatus(raw: string, executed: boolean): OrderSnapshot['status'] {
  switch (raw) {
    case 'NEW':
      return 'NEW';
    case 'TRIGGERED':
      return executed ? 'PARTIALLY_FILLED' : 'NEW';
    case 'FINISHED':
      return executed ? 'FILLED' : 'EXPIRED';
    case 'CANCELED':
      return 'CANCELED';
    case 'EXPIRED':
      return 'EXPIRED';
    case 'REJECTED':
      return 'REJECTED';
    default:
      throw new Error(`unknown algo order status from the exchange: ${raw}`);
  }
}

const positive = (v: string | undefined) => (v !== undefined && Number(v) > 0 ? d(v).toFixed() : undefined);

function compact(request: Record<string, unknown>): OrderRequest {
  for (const k of Object.keys(request)) if (request[k] === undefined || request[k] === false) delete request[k];
  return request as unknown as OrderRequest;
}

/**
 * The request a futures order answers to, as the kernel would have built it (for adopting an order
 * of a discarded branch and binding a strategy's exit to it: core/adopted-exits.ts `sameRequest`).
 */
export function requestFromFuturesOrder(o: RawFuturesOrder): OrderRequest {
  const tif = o.timeInForce === 'GTC' || o.timeInForce === 'IOC' || o.timeInForce === 'FOK' ? o.timeInForce : undefined;
  return compact({
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    quantity: o.closePosition ? undefined : positive(o.origQty),
    price: o.type === 'MARKET' ? undefined : positive(o.price),
    stopPrice: positive(o.stopPrice),
    timeInForce: o.type === 'MARKET' ? undefined : tif,
    reduceOnly: o.reduceOnly === true && !o.closePosition,
    closePosition: o.closePosition === true,
  });
}

/** The request of a conditional (algo) order: the protective STOP_MARKET with closePosition. */
export function requestFromAlgo(a: RawFuturesAlgo): OrderRequest {
  return compact({
    symbol: a.symbol,
    side: a.side,
    type: a.orderType ?? 'STOP_MARKET',
    quantity: a.closePosition ? undefined : positive(a.quantity),
    stopPrice: positive(a.triggerPrice),
    reduceOnly: a.reduceOnly === true && !a.closePosition,
    closePosition: a.closePosition === true,
  });
}

/** Futures filters: LOT_SIZE, MARKET_LOT_SIZE, PRICE_FILTER, MIN_NOTIONAL's `notional`. */
export function filtersFromFuturesInfo(info: RawFuturesExchangeInfo, symbol: string): SymbolFilters {
  return filtersOfListing(info.symbols, symbol, 'on the futures exchange', (get) => {
    const notional = get('MIN_NOTIONAL');
    return {
      minNotional: notional?.notional ?? notional?.minNotional,
      maxNotional: '0',
      maxNumOrders: get('MAX_NUM_ORDERS')?.limit,
    };
  });
}
