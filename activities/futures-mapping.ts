/** Translate binance-api-node's USDⓈ-M answers into the core's types. Pure. */
import { add, isPositive, str } from '../core/decimal';
import type { SymbolFilters } from '../core/market';
import type { Fill, OrderRequest, OrderSnapshot } from '../core/orders';
import type { RawFuturesAlgo, RawFuturesExchangeInfo, RawFuturesOrder, RawFuturesTrade } from './futures-types';
import { toStatus } from './mapping';

/** Conditional types live on the algo endpoint, keyed by clientAlgoId. */
export function isAlgoRequest(r: Pick<OrderRequest, 'type'>): boolean {
  return r.type === 'STOP_MARKET';
}

export function fillFromFuturesTrade(t: RawFuturesTrade): Fill {
  return {
    tradeId: Number(t.id),
    price: str(t.price),
    qty: str(t.qty),
    quoteQty: str(t.quoteQty),
    commission: str(t.commission),
    commissionAsset: t.commissionAsset,
    time: Number(t.time),
    isMaker: Boolean(t.maker),
  };
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

/** Futures filters: LOT_SIZE, MARKET_LOT_SIZE, PRICE_FILTER, MIN_NOTIONAL's `notional`. */
export function filtersFromFuturesInfo(info: RawFuturesExchangeInfo, symbol: string): SymbolFilters {
  const s = info.symbols.find((x) => x.symbol === symbol);
  if (!s) throw new Error(`unknown symbol ${symbol} on the futures exchange`);
  const get = (type: string) => s.filters.find((f) => f.filterType === type);
  const dec = (v: unknown, fallback = '0') =>
    str(typeof v === 'string' || typeof v === 'number' ? String(v) : fallback);
  const price = get('PRICE_FILTER');
  const lot = get('LOT_SIZE');
  const market = get('MARKET_LOT_SIZE');
  const notional = get('MIN_NOTIONAL');
  return {
    symbol,
    baseAsset: s.baseAsset,
    quoteAsset: s.quoteAsset,
    tickSize: dec(price?.tickSize),
    minPrice: dec(price?.minPrice),
    maxPrice: dec(price?.maxPrice),
    stepSize: dec(lot?.stepSize),
    minQty: dec(lot?.minQty),
    maxQty: dec(lot?.maxQty),
    marketStepSize: dec(market?.stepSize),
    marketMinQty: dec(market?.minQty),
    marketMaxQty: dec(market?.maxQty),
    minNotional: dec(notional?.notional ?? notional?.minNotional),
    maxNotional: '0',
    maxNumOrders: Number(get('MAX_NUM_ORDERS')?.limit ?? 200),
  };
}
