/**
 * The documented default search space of each strategy: which numeric params `npm run optimize`
 * searches when no `--space` is given, and within which bounds (README "Strategy optimisation"
 * lists them). Every other numeric param of the strategy's schema is searched within the
 * generic bounds of space.ts (half to twice its value, clipped to what the schema accepts).
 *
 * Left out everywhere: sizes and money (they scale profit rather than shape the strategy), price
 * levels tied to one market (a grid's low/high, a range's top/bottom), data-length settings
 * (warm-up, history, model windows) and exchange settings (leverage, fees).
 */

export interface StrategyBounds {
  /** Param paths (dot-separated, array indices as numbers) never searched by default. */
  readonly exclude?: readonly string[];
  /** Explicit [min, max, step] of params whose generic bounds would be wrong. */
  readonly bounds?: Readonly<Record<string, readonly [number, number, number?]>>;
}

/** Last path segments excluded for every strategy (see the module comment). */
export const EXCLUDED_NAMES: readonly string[] = [
  'quantity',
  'amount',
  'maxAmount',
  'capital',
  'risk',
  'minOrderQuote',
  'leverage',
  'feeRate',
  'low',
  'high',
  'top',
  'bottom',
  'price',
  'stopLossPrice',
  'takeProfitPrice',
  'warmupCandles',
  'historyDays',
  'lookback',
  'window',
  'limitOrderbook',
  'minVolume',
  'timeoutCandles',
  // Take-profit shares must add up to 100: searched one at a time they are never valid.
  'share',
];

/** Path prefixes excluded for every strategy: sizing is money (see the module comment). */
export const EXCLUDED_PREFIXES: readonly string[] = ['sizing.'];

const RSI = [0, 100, 1] as const;

/**
 * rsi-sniper's ranges and orderings are cross-field rules of its schema (rsiN2Min ≤ rsiN2Max,
 * volumeRatioAbove < volumeRatioMax, volumeRatioMin < volumeRatioBelow, extremeBelow < extremeReset
 * < extremeAbove). Each bound below is accepted with the other params at their defaults (a low end
 * never above its partner's default, a high end never below it), and each range stays in the part
 * of the RSI scale the seed's rule is about (long1 oversold, long2 and short overbought): searched
 * together, pairs still cross sometimes, and the GA repairs those candidates (feasibility.ts).
 */
export const STRATEGY_BOUNDS: Readonly<Record<string, StrategyBounds>> = {
  'dca-take-profit': { bounds: { everyCandles: [1, 30, 1], takeProfitPct: [0.1, 5, 0.05], maxLots: [1, 10, 1] } },
  'rsi-sniper': {
    bounds: {
      rsiPeriod: [6, 30, 1],
      extremeAbove: [70, 100, 1],
      extremeBelow: [0, 30, 1],
      extremeReset: [40, 60, 1],
      // Seed: 10 ≤ RSI N-2 ≤ 26.
      'long1.rsiN2Min': [0, 26, 1],
      'long1.rsiN2Max': [10, 50, 1],
      'long1.rsiN1Below': RSI,
      'long1.exitRsiAtLeast': RSI,
      'long1.rsiRiseMin': [0.5, 15, 0.5],
      'long1.stopLossPct': [0.1, 5, 0.05],
      // Seed: 72 ≤ RSI N-2 ≤ 86; 1 < volume ratio ≤ 1.8.
      'long2.rsiN2Min': [50, 86, 1],
      'long2.rsiN2Max': [72, 100, 1],
      'long2.rsiDropMin': [0.5, 15, 0.5],
      'long2.exitRsiRise': [0.5, 10, 0.5],
      'long2.rearmBelowRsi': RSI,
      'long2.stopLossPct': [0.1, 5, 0.05],
      'long2.volumeRatioAbove': [0, 1.75, 0.05],
      'long2.volumeRatioMax': [1.05, 4, 0.05],
      // Seed: 72 ≤ RSI N-2 ≤ 83; 0.7 ≤ volume ratio < 1.
      'short.rsiN2Min': [50, 83, 1],
      'short.rsiN2Max': [72, 100, 1],
      'short.rsiN1Above': RSI,
      'short.exitRsiAtMost': RSI,
      'short.rsiDropMin': [0.5, 15, 0.5],
      'short.stopLossPct': [0.1, 5, 0.05],
      'short.volumeRatioMin': [0, 0.95, 0.05],
      'short.volumeRatioBelow': [0.75, 2, 0.05],
    },
  },
  'book-imbalance': {
    bounds: {
      relativeThreshold: [1, 50, 0.5],
      prominence: [0, 50, 0.5],
      height: [0, 50, 0.5],
      peakDistanceDivisor: [0, 50, 1],
      longPressure: [0, 0.5, 0.01],
      shortPressure: [0.5, 1, 0.01],
      maxConcurrentTrades: [1, 10, 1],
      precentagePerTrade: [0.02, 0.5, 0.01],
      maxCapitalEngaged: [0.2, 1, 0.05],
      stopLossPriceBuffer: [0, 5, 0.05],
      entryTimeoutCandles: [1, 10, 1],
    },
  },
  grid: { bounds: { levels: [2, 60, 1] } },
  'range-breakout': {
    bounds: {
      pct: [0.05, 5, 0.05],
      rangeCandles: [5, 240, 1],
      stopLimitPct: [0.05, 2, 0.05],
      expiryCandles: [5, 500, 1],
      partialFillCandles: [1, 10, 1],
    },
  },
  'smart-trade': {},
  'macd-portfolio': {
    bounds: { fast: [3, 14, 1], slow: [15, 60, 1], signal: [3, 20, 1], atrPeriod: [5, 40, 1], clusters: [2, 10, 1] },
  },
  'model-scalper': { exclude: ['stopLossPoints', 'trailPoints'] },
  'bench-echo': {},
};

/** Shared exit/sizing blocks (core/risk): percent distances bounded like the strategies' own. */
export const SHARED_BOUNDS: readonly {
  readonly pattern: RegExp;
  readonly bounds: readonly [number, number, number];
}[] = [
  { pattern: /^(exits|belowExits)\.takeProfits\.\d+\.pct$/, bounds: [0.1, 20, 0.05] },
  { pattern: /^(exits|belowExits)\.stopLoss\.pct$/, bounds: [0.1, 20, 0.05] },
  { pattern: /^(exits|belowExits)\.trailing\.(pct|stepPct)$/, bounds: [0.1, 20, 0.05] },
];
