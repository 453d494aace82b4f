/** Translate binance-api-node answers into the core's types (decimal strings kept as sent). */
import { mul, str } from '../core/decimal';
import type { Candle, CandleInterval, SymbolFilters } from '../core/market';
import { type Fill, type OrderSnapshot, ORDER_STATUSES } from '../core/orders';
import type { RawExchangeInfo, RawFill, RawOrder, RawTrade } from './binance-types';

type SnapshotStatus = OrderSnapshot['status'];

export function toStatus(raw: string): SnapshotStatus {
  if ((ORDER_STATUSES as readonly string[]).includes(raw) && raw !== 'SUBMITTING' && raw !== 'UNKNOWN')
    return raw as SnapshotStatus;
  // PENDING_CANCEL is "currently unused" by Binance; treat it as still open.
  if (raw === 'PENDING_CANCEL') return 'NEW';
  throw new Error(`unknown order status from the exchange: ${raw}`);
}

export function fillFromOrderResponse(f: RawFill, time: number): Fill {
  return {
    tradeId: Number(f.tradeId),
    price: str(f.price),
    qty: str(f.qty),
    quoteQty: mul(f.price, f.qty),
    commission: str(f.commission),
    commissionAsset: f.commissionAsset,
    time,
    isMaker: false,
  };
}

export function fillFromTrade(t: RawTrade): Fill {
  return {
    tradeId: Number(t.id),
    price: str(t.price),
    qty: str(t.qty),
    quoteQty: str(t.quoteQty),
    commission: str(t.commission),
    commissionAsset: t.commissionAsset,
    time: Number(t.time),
    isMaker: Boolean(t.isMaker),
  };
}

export function snapshotFromOrder(o: RawOrder, extraFills: readonly Fill[] = []): OrderSnapshot {
  const updateTime = Number(o.updateTime ?? o.transactTime ?? o.time ?? 0);
  const fills = [...(o.fills ?? []).map((f) => fillFromOrderResponse(f, updateTime)), ...extraFills];
  return {
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    exchangeOrderId: Number(o.orderId),
    status: toStatus(o.status),
    executedQty: str(o.executedQty),
    cumulativeQuoteQty: str(o.cummulativeQuoteQty),
    updateTime,
    ...(fills.length > 0 ? { fills } : {}),
  };
}

export function candleFromRaw(
  symbol: string,
  interval: CandleInterval,
  c: {
    openTime: number;
    closeTime: number;
    open: string;
    high: string;
    low: string;
    close: string;
    volume: string;
    quoteVolume?: string;
  },
): Candle {
  return {
    symbol,
    interval,
    openTime: Number(c.openTime),
    closeTime: Number(c.closeTime),
    open: str(c.open),
    high: str(c.high),
    low: str(c.low),
    close: str(c.close),
    volume: str(c.volume),
    ...(c.quoteVolume !== undefined ? { quoteVolume: str(c.quoteVolume) } : {}),
  };
}

export function filtersFromExchangeInfo(info: RawExchangeInfo, symbol: string): SymbolFilters {
  const s = info.symbols.find((x) => x.symbol === symbol);
  if (!s) throw new Error(`unknown symbol ${symbol} on this exchange`);
  const get = (type: string) => s.filters.find((f) => f.filterType === type) as Record<string, unknown> | undefined;
  const dec = (v: unknown, fallback = '0') =>
    str(typeof v === 'string' || typeof v === 'number' ? String(v) : fallback);
  const price = get('PRICE_FILTER');
  const lot = get('LOT_SIZE');
  const market = get('MARKET_LOT_SIZE');
  const notional = get('NOTIONAL') ?? get('MIN_NOTIONAL');
  const maxOrders = get('MAX_NUM_ORDERS');
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
    minNotional: dec(notional?.minNotional),
    maxNotional: dec(notional?.maxNotional),
    maxNumOrders: Number(maxOrders?.maxNumOrders ?? 200),
  };
}
