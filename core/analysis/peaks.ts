/**
 * `scipy.signal.find_peaks` for the seed-004 order-book analysis, with scipy's semantics for the
 * arguments the seed uses (height, threshold, distance, prominence; wlen = None):
 *
 * - a peak is a local maximum found by comparing neighbours; a flat top (plateau) counts once, at
 *   its middle sample ((left + right) // 2); the first and last samples are never peaks;
 * - `height`: x[peak] >= height;
 * - `threshold`: the vertical distance to BOTH immediate neighbours of the peak sample,
 *   min(x[p] - x[p-1], x[p] - x[p+1]) >= threshold (so a plateau of 2+ samples has threshold 0);
 * - `distance`: peaks closer than `distance` samples are removed, smaller ones first;
 * - `prominence`: x[peak] minus the higher of the two lowest points reached when walking left and
 *   right from the peak until a higher sample (or the signal's end);
 *
 * applied in scipy's order: height, threshold, distance, prominence. Ties in `distance` are broken
 * deterministically (the later sample wins), where numpy's unstable argsort leaves them open.
 * Pure; floats (volumes are measurements here, not money).
 */

export interface PeakOptions {
  readonly height?: number;
  readonly threshold?: number;
  readonly distance?: number;
  readonly prominence?: number;
}

export interface Peak {
  readonly index: number;
  readonly height: number;
  /** min(x[p] - x[p-1], x[p] - x[p+1]) */
  readonly threshold: number;
  readonly prominence: number;
  readonly leftBase: number;
  readonly rightBase: number;
}

/** scipy's `_local_maxima_1d`: indices of local maxima (plateau middles). */
export function localMaxima(x: readonly number[]): number[] {
  const peaks: number[] = [];
  const last = x.length - 1;
  let i = 1;
  while (i < last) {
    if (x[i - 1]! < x[i]!) {
      let ahead = i + 1;
      while (ahead < last && x[ahead] === x[i]) ahead++;
      if (x[ahead]! < x[i]!) {
        peaks.push(Math.floor((i + ahead - 1) / 2));
        i = ahead;
      }
    }
    i++;
  }
  return peaks;
}

/** scipy's `peak_prominences` with wlen = None. */
export function prominenceOf(
  x: readonly number[],
  peak: number,
): { prominence: number; leftBase: number; rightBase: number } {
  const top = x[peak]!;
  let leftMin = top;
  let leftBase = peak;
  for (let i = peak; i >= 0 && x[i]! <= top; i--) {
    if (x[i]! < leftMin) {
      leftMin = x[i]!;
      leftBase = i;
    }
  }
  let rightMin = top;
  let rightBase = peak;
  for (let i = peak; i < x.length && x[i]! <= top; i++) {
    if (x[i]! < rightMin) {
      rightMin = x[i]!;
      rightBase = i;
    }
  }
  return { prominence: top - Math.max(leftMin, rightMin), leftBase, rightBase };
}

/** scipy's `_select_by_peak_distance`: keep the highest peaks, drop lower ones within `distance`. */
function selectByDistance(peaks: readonly number[], x: readonly number[], distance: number): number[] {
  const d = Math.ceil(distance);
  const keep = peaks.map(() => true);
  // Ascending by height, ties by position (stable); processed from the highest down.
  const order = peaks.map((_, j) => j).sort((a, b) => x[peaks[a]!]! - x[peaks[b]!]! || a - b);
  for (let i = order.length - 1; i >= 0; i--) {
    const j = order[i]!;
    if (!keep[j]) continue;
    for (let k = j - 1; k >= 0 && peaks[j]! - peaks[k]! < d; k--) keep[k] = false;
    for (let k = j + 1; k < peaks.length && peaks[k]! - peaks[j]! < d; k++) keep[k] = false;
  }
  return peaks.filter((_, j) => keep[j]);
}

export function findPeaks(x: readonly number[], opts: PeakOptions = {}): Peak[] {
  if (opts.distance !== undefined && opts.distance < 1)
    throw new RangeError('`distance` must be greater or equal to 1');
  let peaks = localMaxima(x);
  if (opts.height !== undefined) peaks = peaks.filter((p) => x[p]! >= opts.height!);
  const thresholdOf = (p: number) => Math.min(x[p]! - x[p - 1]!, x[p]! - x[p + 1]!);
  if (opts.threshold !== undefined) peaks = peaks.filter((p) => thresholdOf(p) >= opts.threshold!);
  if (opts.distance !== undefined) peaks = selectByDistance(peaks, x, opts.distance);
  const detailed = peaks.map((p) => ({ index: p, height: x[p]!, threshold: thresholdOf(p), ...prominenceOf(x, p) }));
  return opts.prominence !== undefined ? detailed.filter((p) => p.prominence >= opts.prominence!) : detailed;
}
