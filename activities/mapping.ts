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
  return fillOfTrade(t, t.isMaker);
}

/** A trade as spot and USDⓈ-M list it alike; only the maker flag has a venue's own name. */
export function fillOfTrade(
  t: Pick<RawTrade, 'id' | 'price' | 'qty' | 'quoteQty' | 'commission' | 'commissionAsset' | 'time'>,
  isMaker: boolean,
): Fill {
  return {
    tradeId: Number(t.id),
    price: str(t.price),
    qty: str(t.qty),
    quoteQty: str(t.quoteQty),
    commission: str(t.commission),
    commissionAsset: t.commissionAsset,
    time: Number(t.time),
    isMaker: Boolean(isMaker),
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
  return filtersOfListing(info.symbols, symbol, 'on this exchange', (get) => {
    const notional = get('NOTIONAL') ?? get('MIN_NOTIONAL');
    return {
      minNotional: notional?.minNotional,
      maxNotional: notional?.maxNotional,
      maxNumOrders: get('MAX_NUM_ORDERS')?.maxNumOrders,
    };
  });
}

type FilterLookup = (type: string) => Record<string, unknown> | undefined;

/**
 * A symbol's filters from an exchangeInfo listing. Price and lot filters are named alike on spot
 * and USDⓈ-M; `limits` reads the notional and order-count filters, which each venue names its way.
 */
export function filtersOfListing(
  listed: ReadonlyArray<{
    readonly symbol: string;
    readonly baseAsset: string;
    readonly quoteAsset: string;
    readonly filters: ReadonlyArray<{ readonly filterType: string }>;
  }>,
  symbol: string,
  where: string,
  limits: (get: FilterLookup) => { minNotional: unknown; maxNotional: unknown; maxNumOrders: unknown },
): SymbolFilters {
  const s = listed.find((x) => x.symbol === symbol);
  if (!s) throw new Error(`unknown symbol ${symbol} ${where}`);
  const get: FilterLookup = (type) => s.filters.find((f) => f.filterType === type);
  const dec = (v: unknown, fallback = '0') =>
    str(typeof v === 'string' || typeof v === 'number' ? String(v) : fallback);
  const price = get('PRICE_FILTER');
  const lot = get('LOT_SIZE');
  const market = get('MARKET_LOT_SIZE');
  const venue = limits(get);
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
    minNotional: dec(venue.minNotional),
    maxNotional: dec(venue.maxNotional),
    maxNumOrders: Number(venue.maxNumOrders ?? 200),
  };
}
