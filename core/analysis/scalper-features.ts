/**
 * The seed-001 feature table (seeds/001, "Processing data" and "Нормализация данных"): from the
 * last 500 one-minute candles, compute the seed's seven indicators exactly as its pandas code
 * defines them, drop the warm-up rows (the seed's `dropna`: "проще просто откинуть строки с nan"),
 * keep the last `window` rows (250: "другие 250 идут на предикт в модель") and normalise each column
 * as `sklearn.preprocessing.normalize(X, axis=0)` does (divide each column by its L2 norm).
 *
 * Floats on purpose: this is model input, not money. Pure; used by activities/inference.ts and by
 * the backtester when it answers an inference request. Runs outside the workflow (500 x 14 table).
 */

/** One candle as the seed's realtime frame holds it: Open, High, Low, Close, Volume, Count. */
export interface FeatureCandle {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Number of trades (Binance kline field 8, the seed's `Count` column). */
  readonly trades: number;
}

/**
 * Indicator periods. The seed's code takes `ndays` as an argument without printing the values it
 * used; the only figure it gives is that "some indicators are based on 250 data points before"
 * and that of the 500 rows "250 are eaten by the indicators, the other 250 go to the model". With
 * every period at 250 the warm-up is exactly 250 rows (EVM, Force Index and ROC lose 250, the
 * others fewer) and exactly 250 rows remain, which is the seed's arithmetic. A model trained with
 * other periods sets them in the bot's params.
 */
export interface FeatureConfig {
  readonly cci: number;
  readonly evm: number;
  readonly sma: number;
  readonly ewma: number;
  readonly bbands: number;
  readonly forceIndex: number;
  readonly roc: number;
  /** Rows fed to the model (the LSTM sequence length). */
  readonly window: number;
}

export const SEED_001_FEATURES: FeatureConfig = {
  cci: 250,
  evm: 250,
  sma: 250,
  ewma: 250,
  bbands: 250,
  forceIndex: 250,
  roc: 250,
  window: 250,
};

/** Candles the seed downloads every minute (`cl.klines('BTCUSDT', '1m', limit = 500)`). */
export const SEED_001_LOOKBACK = 500;

/**
 * Column order of the table fed to the model: the seed's realtime frame columns (its `timestamp`
 * is a time index, not a market feature, and is left out) followed by the indicators in the order
 * the seed joins them (CCI, EVM, SMA, EWMA, UpperBB/LowerBB, ForceIndex, Rate of Change).
 */
export const FEATURE_COLUMNS = [
  'Open',
  'High',
  'Low',
  'Close',
  'Volume',
  'Count',
  'CCI',
  'EVM',
  'SMA',
  'EWMA',
  'UpperBB',
  'LowerBB',
  'ForceIndex',
  'ROC',
] as const;

export type Column = readonly number[];

// ---- pandas-equivalent building blocks (NaN where pandas gives NaN) -------------------------------

/** `s.rolling(n).mean()`: NaN until n values, and NaN for any window holding a NaN (min_periods = n). */
export function rollingMean(values: Column, n: number): number[] {
  return values.map((_, t) => {
    if (t < n - 1) return NaN;
    let total = 0;
    for (let i = t - n + 1; i <= t; i++) total += values[i]!;
    return total / n;
  });
}

/** `s.rolling(n).std()`: sample standard deviation (pandas' default ddof = 1). */
export function rollingStd(values: Column, n: number): number[] {
  return values.map((_, t) => {
    if (t < n - 1 || n < 2) return NaN;
    let total = 0;
    for (let i = t - n + 1; i <= t; i++) total += values[i]!;
    const mean = total / n;
    let squares = 0;
    for (let i = t - n + 1; i <= t; i++) squares += (values[i]! - mean) ** 2;
    return Math.sqrt(squares / (n - 1));
  });
}

/** `s.shift(n)`. */
export function shift(values: Column, n: number): number[] {
  return values.map((_, t) => (t - n >= 0 ? values[t - n]! : NaN));
}

/** `s.diff(n)`. */
export function diff(values: Column, n: number): number[] {
  return values.map((v, t) => (t - n >= 0 ? v - values[t - n]! : NaN));
}

/**
 * `s.ewm(span = n, min_periods = minPeriods).mean()` with pandas' default `adjust = True`: the
 * weighted mean of all values so far with weights (1 - a)^i, a = 2 / (span + 1), newest first.
 */
export function ewmMean(values: Column, span: number, minPeriods: number): number[] {
  const decay = 1 - 2 / (span + 1);
  let num = 0;
  let den = 0;
  return values.map((v, t) => {
    num = v + decay * num;
    den = 1 + decay * den;
    return t + 1 >= minPeriods ? num / den : NaN;
  });
}

// ---- the seed's seven indicators ---------------------------------------------------------------

/** CCI as the seed writes it: (TP - TP.rolling(n).mean()) / (0.015 * TP.rolling(n).std()), TP = (H + L + C) / 3. */
export function cci(candles: readonly FeatureCandle[], n: number): number[] {
  const tp = candles.map((c) => (c.high + c.low + c.close) / 3);
  const mean = rollingMean(tp, n);
  const std = rollingStd(tp, n);
  return tp.map((v, t) => (v - mean[t]!) / (0.015 * std[t]!));
}

/**
 * Ease of Movement as the seed writes it: dm = (H + L) / 2 - (H_prev + L_prev) / 2,
 * br = (Volume / 100000000) / (H - L), EVM = dm / br, then its n-period rolling mean.
 */
export function evm(candles: readonly FeatureCandle[], n: number): number[] {
  const raw = candles.map((c, t) => {
    if (t === 0) return NaN;
    const prev = candles[t - 1]!;
    const dm = (c.high + c.low) / 2 - (prev.high + prev.low) / 2;
    const br = c.volume / 100000000 / (c.high - c.low);
    return dm / br;
  });
  return rollingMean(raw, n);
}

/** SMA: Close.rolling(n).mean(). */
export function smaColumn(candles: readonly FeatureCandle[], n: number): number[] {
  return rollingMean(
    candles.map((c) => c.close),
    n,
  );
}

/** EWMA: Close.ewm(span = n, min_periods = n - 1).mean(). */
export function ewma(candles: readonly FeatureCandle[], n: number): number[] {
  return ewmMean(
    candles.map((c) => c.close),
    n,
    n - 1,
  );
}

/** BBANDS: MA +/- 2 SD of Close over `window` (rolling mean and sample std). */
export function bbands(candles: readonly FeatureCandle[], n: number): { upper: number[]; lower: number[] } {
  const close = candles.map((c) => c.close);
  const ma = rollingMean(close, n);
  const sd = rollingStd(close, n);
  return { upper: ma.map((m, t) => m + 2 * sd[t]!), lower: ma.map((m, t) => m - 2 * sd[t]!) };
}

/** Force Index: Close.diff(n) * Volume. */
export function forceIndex(candles: readonly FeatureCandle[], n: number): number[] {
  const d = diff(
    candles.map((c) => c.close),
    n,
  );
  return d.map((v, t) => v * candles[t]!.volume);
}

/** Rate of Change: Close.diff(n) / Close.shift(n). */
export function roc(candles: readonly FeatureCandle[], n: number): number[] {
  const close = candles.map((c) => c.close);
  const d = diff(close, n);
  const s = shift(close, n);
  return d.map((v, t) => v / s[t]!);
}

// ---- table, warm-up, normalisation, window -------------------------------------------------------

/** The full table, one row per candle, columns in FEATURE_COLUMNS order; warm-up rows hold NaN. */
export function indicatorTable(candles: readonly FeatureCandle[], cfg: FeatureConfig): number[][] {
  const columns: number[][] = [
    candles.map((c) => c.open),
    candles.map((c) => c.high),
    candles.map((c) => c.low),
    candles.map((c) => c.close),
    candles.map((c) => c.volume),
    candles.map((c) => c.trades),
    cci(candles, cfg.cci),
    evm(candles, cfg.evm),
    smaColumn(candles, cfg.sma),
    ewma(candles, cfg.ewma),
  ];
  const bb = bbands(candles, cfg.bbands);
  columns.push(bb.upper, bb.lower, forceIndex(candles, cfg.forceIndex), roc(candles, cfg.roc));
  return candles.map((_, t) => columns.map((col) => col[t]!));
}

/** pandas `dropna()`: drop every row holding a NaN (infinities are kept, as pandas keeps them). */
export function dropNaRows(rows: readonly (readonly number[])[]): number[][] {
  return rows.filter((row) => !row.some((v) => Number.isNaN(v))).map((row) => [...row]);
}

/**
 * `sklearn.preprocessing.normalize(X, axis=0)`: each column divided by its L2 norm; a column whose
 * norm is 0 is left as is (sklearn replaces a zero norm by 1).
 */
export function normalizeColumns(rows: readonly (readonly number[])[]): number[][] {
  if (rows.length === 0) return [];
  const width = rows[0]!.length;
  const norms = new Array<number>(width).fill(0);
  for (const row of rows) for (let j = 0; j < width; j++) norms[j] = norms[j]! + row[j]! * row[j]!;
  for (let j = 0; j < width; j++) norms[j] = norms[j] === 0 ? 1 : Math.sqrt(norms[j]!);
  return rows.map((row) => row.map((v, j) => v / norms[j]!));
}

export class FeatureWindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureWindowError';
  }
}

export interface FeatureWindow {
  /** `window` rows x FEATURE_COLUMNS.length, normalised, oldest first. */
  readonly rows: number[][];
  /** Rows left after dropping the warm-up, before taking the window. */
  readonly usableRows: number;
  /** The last raw (not normalised) row: the indicator values behind the decision. */
  readonly lastRaw: Readonly<Record<(typeof FEATURE_COLUMNS)[number], number>>;
}

/**
 * Build the model input the seed builds every minute. Throws FeatureWindowError when the candles
 * cannot give `window` complete rows (too few candles, or NaN such as a zero-volume, zero-range
 * minute poisoning the EVM mean) or when a value is infinite (sklearn's normalize refuses those).
 */
export function featureWindow(
  candles: readonly FeatureCandle[],
  cfg: FeatureConfig = SEED_001_FEATURES,
): FeatureWindow {
  const complete = dropNaRows(indicatorTable(candles, cfg));
  if (complete.length < cfg.window) {
    throw new FeatureWindowError(
      `only ${complete.length} complete rows after dropping the indicators' warm-up (from ${candles.length} candles); the model needs ${cfg.window}`,
    );
  }
  const raw = complete.slice(-cfg.window);
  const bad = raw.findIndex((row) => row.some((v) => !Number.isFinite(v)));
  if (bad >= 0) {
    const col = raw[bad]!.findIndex((v) => !Number.isFinite(v));
    throw new FeatureWindowError(
      `non-finite ${FEATURE_COLUMNS[col]} in window row ${bad}: the seed's normalisation cannot take it`,
    );
  }
  const last = raw[raw.length - 1]!;
  const lastRaw = Object.fromEntries(FEATURE_COLUMNS.map((name, j) => [name, last[j]!])) as FeatureWindow['lastRaw'];
  return { rows: normalizeColumns(raw), usableRows: complete.length, lastRaw };
}
