/** A fresh simulated perpetual: the settings with their defaults, and one record per contract. Pure. */
import { DEFAULT_MAKER_FEE, DEFAULT_TAKER_FEE } from './fees';
import { DEFAULT_FUNDING_RATE, EIGHT_HOURS_MS } from './funding';
import type { PerpCore, SymbolRec } from './state';
import { bookSymbol } from './symbols';
import type { PerpConfig } from './types';

export function createCore(config: PerpConfig): PerpCore {
  const settings = {
    makerFee: config.makerFee ?? DEFAULT_MAKER_FEE,
    takerFee: config.takerFee ?? DEFAULT_TAKER_FEE,
    book: { spreadTicks: 0, levels: 1, levelStepTicks: 1, levelQty: null, ...config.book },
    fundingIntervalMs: config.fundingIntervalMs ?? EIGHT_HOURS_MS,
    fundingRate: config.fundingRate ?? DEFAULT_FUNDING_RATE,
    defaultLeverage: config.defaultLeverage ?? 20,
    marginCallRatio: config.marginCallRatio ?? '0.8',
    retention: config.retention ?? { unfilledMs: 3 * 86_400_000, allMs: 90 * 86_400_000 },
  };
  if (!Number.isSafeInteger(settings.fundingIntervalMs) || settings.fundingIntervalMs < 1000)
    throw new RangeError(`fundingIntervalMs must be a whole number of ms ≥ 1000, got ${settings.fundingIntervalMs}`);
  if (!Number.isInteger(settings.defaultLeverage) || settings.defaultLeverage < 1)
    throw new RangeError(`defaultLeverage must be a whole number ≥ 1, got ${settings.defaultLeverage}`);
  const symbols = new Map<string, SymbolRec>();
  for (const spec of config.symbols) {
    symbols.set(spec.filters.symbol, {
      spec,
      book: bookSymbol(spec),
      lastPrice: null,
      markPrice: null,
      markPinned: false,
      fundingRate: settings.fundingRate,
      nextFundingTime: 0,
      open: [],
      algos: [],
      holders: [],
      tradeSeq: 0,
      bookSeq: 0,
      funding: [],
    });
  }
  return {
    settings,
    symbols,
    accounts: new Map(),
    orders: new Map(),
    byClientId: new Map(),
    algos: new Map(),
    algoByClientId: new Map(),
    fills: [],
    incomes: [],
    counters: { orderId: (config.firstOrderId ?? 1) - 1, algoId: (config.firstAlgoId ?? 1) - 1, tranId: 0, mint: 0 },
  };
}
