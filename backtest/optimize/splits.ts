/**
 * In-sample / out-of-sample splits of the candles, in time order (never shuffled: the future must
 * not leak into the past). Pure.
 *
 * - Hold-out (default 25 %): the optimisation sees the first 75 % of the candles; the chosen params
 *   are then judged on the last 25 %, which the search never saw.
 * - Walk-forward k (rolling windows, in-sample `ratio` times as long as out-of-sample, default 3):
 *   the candles are cut into ratio + k equal blocks; fold i optimises on blocks i .. i+ratio-1 and
 *   is judged on block i+ratio. The k out-of-sample blocks follow one another and end with the
 *   data, so together they are an out-of-sample record of "re-optimise, then trade" over the last
 *   k blocks. The params to trade next are the last fold's.
 */
import type { Candle } from '../../core/market';

/** [from, to) in ms of candle open times. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export interface Fold {
  readonly inSample: TimeRange;
  readonly outOfSample: TimeRange | null;
}

export class SplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SplitError';
  }
}

export interface SplitOptions {
  /** Number of walk-forward folds; 0 or undefined: a single hold-out split. */
  readonly walkForward?: number;
  /** In-sample length / out-of-sample length of each walk-forward fold (default 3). */
  readonly ratio?: number;
  /** Share of the candles kept out of sample without walk-forward (default 0.25; 0: none). */
  readonly holdout?: number;
}

/** Time range of candles [i, j) (j may be the end). */
function range(candles: readonly Candle[], i: number, j: number): TimeRange {
  const to = j < candles.length ? candles[j]!.openTime : candles[candles.length - 1]!.closeTime + 1;
  return { from: candles[i]!.openTime, to };
}

/** Minimum candles of any sample: fewer say nothing about a strategy. */
export const MIN_SAMPLE = 10;

export function makeFolds(candles: readonly Candle[], o: SplitOptions = {}): Fold[] {
  const n = candles.length;
  if (n === 0) throw new SplitError('no candles');
  const k = o.walkForward ?? 0;
  if (k > 0) {
    const ratio = o.ratio ?? 3;
    if (!Number.isInteger(k) || k > 100) throw new SplitError('--walk-forward: a whole number of folds from 1 to 100');
    if (!(ratio > 0) || ratio > 100) throw new SplitError('--walk-forward-ratio: above 0, at most 100');
    const unit = n / (ratio + k);
    if (Math.floor(unit) < MIN_SAMPLE)
      throw new SplitError(
        `--walk-forward ${k}: ${n} candles make out-of-sample blocks of ${Math.floor(unit)} candles; at least ${MIN_SAMPLE} are needed (fewer folds or more data)`,
      );
    const at = (x: number) => Math.min(n, Math.round(x * unit));
    return Array.from({ length: k }, (_, i) => ({
      inSample: range(candles, at(i), at(i + ratio)),
      outOfSample: range(candles, at(i + ratio), i === k - 1 ? n : at(i + ratio + 1)),
    }));
  }
  const h = o.holdout ?? 0.25;
  if (!(h >= 0 && h < 1)) throw new SplitError('--holdout: a share from 0 (none) to below 1, e.g. 0.25');
  const held = Math.round(n * h);
  if (n - held < MIN_SAMPLE)
    throw new SplitError(`${n} candles leave ${n - held} in sample; at least ${MIN_SAMPLE} are needed`);
  if (held === 0) return [{ inSample: range(candles, 0, n), outOfSample: null }];
  if (held < MIN_SAMPLE)
    throw new SplitError(
      `--holdout ${h}: ${held} candles out of sample; at least ${MIN_SAMPLE} are needed (a larger share, more data, or --holdout 0)`,
    );
  return [{ inSample: range(candles, 0, n - held), outOfSample: range(candles, n - held, n) }];
}

/** The candles of a range (binary search on open times). */
export function sliceRange(candles: readonly Candle[], r: TimeRange): readonly Candle[] {
  const lower = (t: number) => {
    let lo = 0;
    let hi = candles.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (candles[mid]!.openTime < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return candles.slice(lower(r.from), lower(r.to));
}
