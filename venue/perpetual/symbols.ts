/**
 * Default perpetual contracts, close to Binance USDⓈ-M's (2026): BTCUSDT (tick 0.10, step 0.001,
 * min notional 100), ETHUSDT (0.01, 0.001, 20), BNBUSDT (0.010, 0.01, 5); leverage brackets with
 * their maintenance amounts derived as Binance does. Pure.
 */
import { type Dec, Decimal, d, str } from '../../core/decimal';
import type { SymbolFilters } from '../../core/market';
import { venueSymbol } from '../symbols';
import type { VenueSymbol } from '../types';
import type { LeverageBracket, PerpSymbol } from './types';

/**
 * Brackets from (floor, max leverage, maintenance ratio) rows, lowest first. The maintenance
 * amount makes the maintenance margin continuous where brackets meet:
 * cum(1) = 0, cum(n) = cum(n-1) + floor(n) × (ratio(n) − ratio(n-1)).
 */
export function leverageBrackets(
  rows: ReadonlyArray<readonly [floor: Dec, maxLeverage: number, maintRatio: Dec]>,
): LeverageBracket[] {
  const out: LeverageBracket[] = [];
  let cum = new Decimal(0);
  rows.forEach(([floor, lev, ratio], i) => {
    if (i > 0) cum = cum.plus(d(floor).times(d(ratio).minus((rows[i - 1] as readonly [Dec, number, Dec])[2])));
    const cap = i + 1 < rows.length ? (rows[i + 1] as readonly [Dec, number, Dec])[0] : '9223372036854775807';
    out.push({
      bracket: i + 1,
      initialLeverage: lev,
      notionalFloor: floor,
      notionalCap: cap,
      maintMarginRatio: ratio,
      cum: str(cum),
    });
  });
  return out;
}

function perp(
  filters: SymbolFilters,
  o: Pick<PerpSymbol, 'pricePrecision' | 'quantityPrecision' | 'brackets'> & Partial<PerpSymbol>,
): PerpSymbol {
  return {
    maxNumAlgoOrders: 10,
    percentPrice: { up: '1.05', down: '0.95' },
    liquidationFee: '0.0125',
    marginAsset: 'USDT',
    status: 'TRADING',
    ...o,
    filters,
  };
}

const filters = (
  f: Omit<SymbolFilters, 'quoteAsset' | 'maxNotional' | 'maxNumOrders'> & Partial<SymbolFilters>,
): SymbolFilters => ({
  quoteAsset: 'USDT',
  maxNotional: '0',
  maxNumOrders: 200,
  ...f,
});

export const BTCUSDT_BRACKETS = leverageBrackets([
  ['0', 125, '0.004'],
  ['50000', 100, '0.005'],
  ['250000', 50, '0.01'],
  ['3000000', 20, '0.025'],
  ['15000000', 10, '0.05'],
  ['30000000', 5, '0.1'],
  ['80000000', 4, '0.125'],
  ['100000000', 3, '0.15'],
  ['200000000', 2, '0.25'],
  ['300000000', 1, '0.5'],
]);

export const DEFAULT_PERP_SYMBOLS: readonly PerpSymbol[] = [
  perp(
    filters({
      symbol: 'BTCUSDT',
      baseAsset: 'BTC',
      tickSize: '0.1',
      minPrice: '0.1',
      maxPrice: '4529764',
      stepSize: '0.001',
      minQty: '0.001',
      maxQty: '1000',
      marketStepSize: '0.001',
      marketMinQty: '0.001',
      marketMaxQty: '120',
      minNotional: '100',
    }),
    { pricePrecision: 2, quantityPrecision: 3, brackets: BTCUSDT_BRACKETS },
  ),
  perp(
    filters({
      symbol: 'ETHUSDT',
      baseAsset: 'ETH',
      tickSize: '0.01',
      minPrice: '0.01',
      maxPrice: '306177',
      stepSize: '0.001',
      minQty: '0.001',
      maxQty: '10000',
      marketStepSize: '0.001',
      marketMinQty: '0.001',
      marketMaxQty: '2000',
      minNotional: '20',
    }),
    {
      pricePrecision: 2,
      quantityPrecision: 3,
      brackets: leverageBrackets([
        ['0', 100, '0.005'],
        ['50000', 75, '0.0065'],
        ['600000', 50, '0.01'],
        ['3000000', 25, '0.02'],
        ['12000000', 10, '0.05'],
        ['50000000', 5, '0.1'],
        ['65000000', 4, '0.125'],
        ['150000000', 3, '0.15'],
        ['320000000', 2, '0.25'],
        ['400000000', 1, '0.5'],
      ]),
    },
  ),
  perp(
    filters({
      symbol: 'BNBUSDT',
      baseAsset: 'BNB',
      tickSize: '0.01',
      minPrice: '0.01',
      maxPrice: '100000',
      stepSize: '0.01',
      minQty: '0.01',
      maxQty: '10000',
      marketStepSize: '0.01',
      marketMinQty: '0.01',
      marketMaxQty: '2000',
      minNotional: '5',
    }),
    {
      pricePrecision: 3,
      quantityPrecision: 2,
      brackets: leverageBrackets([
        ['0', 75, '0.005'],
        ['10000', 50, '0.01'],
        ['50000', 40, '0.015'],
        ['200000', 25, '0.02'],
        ['1000000', 20, '0.025'],
        ['2000000', 10, '0.05'],
        ['5000000', 5, '0.1'],
        ['10000000', 4, '0.125'],
        ['20000000', 2, '0.25'],
        ['50000000', 1, '0.5'],
      ]),
    },
  ),
];

/** A contract with the given filters and Binance-like defaults (10 algo orders, 1.25 % liquidation fee, PERCENT_PRICE ±5 %). */
export function perpSymbol(
  f: SymbolFilters,
  o: Pick<PerpSymbol, 'pricePrecision' | 'quantityPrecision'> & Partial<PerpSymbol>,
): PerpSymbol {
  return perp(f, { brackets: BTCUSDT_BRACKETS, ...o });
}

/**
 * The contract as a spot-shaped symbol: what venue/book.ts needs to build its synthetic book. The
 * spot venue's flags (market filters, trailing deltas, status) are venueSymbol's; only the
 * precisions are the contract's.
 */
export function bookSymbol(spec: PerpSymbol): VenueSymbol {
  return venueSymbol(spec.filters, {
    baseAssetPrecision: spec.quantityPrecision,
    quoteAssetPrecision: spec.pricePrecision,
  });
}
