/** Market data shared by the runtime, the paper exchange and the backtester. Pure. */
import { type Dec, isPositive } from './decimal';

export const CANDLE_INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export function intervalMs(interval: CandleInterval): number {
  const unit = interval.slice(-1) as keyof typeof UNIT_MS;
  return Number(interval.slice(0, -1)) * UNIT_MS[unit];
}

/** A closed candle. Prices and volume are decimal strings exactly as the exchange sent them. */
export interface Candle {
  readonly symbol: string;
  readonly interval: CandleInterval;
  /** Open time, ms since epoch (Binance `t`). */
  readonly openTime: number;
  /** Close time, ms since epoch (Binance `T`, = openTime + interval - 1). */
  readonly closeTime: number;
  readonly open: Dec;
  readonly high: Dec;
  readonly low: Dec;
  readonly close: Dec;
  readonly volume: Dec;
  /** Quote asset volume, when known. */
  readonly quoteVolume?: Dec;
}

/** Exchange filters of a symbol, as decimal strings (from exchangeInfo). */
export interface SymbolFilters {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly tickSize: Dec;
  readonly minPrice: Dec;
  readonly maxPrice: Dec;
  readonly stepSize: Dec;
  readonly minQty: Dec;
  readonly maxQty: Dec;
  readonly marketStepSize: Dec;
  readonly marketMinQty: Dec;
  readonly marketMaxQty: Dec;
  readonly minNotional: Dec;
  readonly maxNotional: Dec;
  readonly maxNumOrders: number;
}

/** The quantity step of a MARKET order: MARKET_LOT_SIZE's when the symbol sets one, else LOT_SIZE's. */
export function marketStep(f: Pick<SymbolFilters, 'stepSize' | 'marketStepSize'>): Dec {
  return isPositive(f.marketStepSize) ? f.marketStepSize : f.stepSize;
}

/** An order book snapshot, best price first on both sides. */
export interface BookSnapshot {
  readonly symbol: string;
  readonly time: number;
  readonly bids: ReadonlyArray<readonly [Dec, Dec]>;
  readonly asks: ReadonlyArray<readonly [Dec, Dec]>;
}

/** Binance symbol syntax: upper-case letters and digits, e.g. BTCUSDT. */
export const SYMBOL_PATTERN = /^[A-Z0-9]{5,20}$/;
