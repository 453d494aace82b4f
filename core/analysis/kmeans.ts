/**
 * One-dimensional k-means for support/resistance levels (seed 002: "support/resistances
 * (estimated from historical data with k-means clusters)"). The seed uses scikit-learn's KMeans,
 * whose result depends on its random initialisation; here the same objective (the sum of squared
 * distances to the cluster means) is minimised exactly by dynamic programming over the sorted
 * values, which is possible in one dimension. Same answer as KMeans whenever its restarts find the
 * best clustering, and always the same answer: a workflow must be deterministic. O(k n^2) time for
 * n values (a year of daily closes, k around 5: well under a millisecond). Pure.
 */

export interface Cluster {
  /** Mean of the cluster's values: the level. */
  readonly center: number;
  readonly min: number;
  readonly max: number;
  readonly size: number;
}

export interface KMeansResult {
  /** Clusters in ascending order of their centre. */
  readonly clusters: readonly Cluster[];
  /** Sum of squared distances to the cluster means (scikit-learn's `inertia_`). */
  readonly inertia: number;
}

export function kmeans1d(values: readonly number[], k: number): KMeansResult {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const x = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = x.length;
  if (n === 0) return { clusters: [], inertia: 0 };
  const distinct = new Set(x).size;
  const kk = Math.min(k, distinct);
  // Prefix sums: the cost of x[i..j] (inclusive) is S2 - S1^2 / len.
  const s1 = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    s1[i + 1] = s1[i]! + x[i]!;
    s2[i + 1] = s2[i]! + x[i]! * x[i]!;
  }
  const cost = (i: number, j: number): number => {
    const len = j - i + 1;
    const sum = s1[j + 1]! - s1[i]!;
    return Math.max(0, s2[j + 1]! - s2[i]! - (sum * sum) / len);
  };
  // best[m][j]: least cost of x[0..j] in m+1 clusters; from[m][j]: start of the last cluster.
  const best: Float64Array[] = [];
  const from: Int32Array[] = [];
  for (let m = 0; m < kk; m++) {
    best.push(new Float64Array(n).fill(Infinity));
    from.push(new Int32Array(n));
  }
  for (let j = 0; j < n; j++) best[0]![j] = cost(0, j);
  for (let m = 1; m < kk; m++) {
    for (let j = m; j < n; j++) {
      let bestCost = Infinity;
      let bestStart = m;
      // The last cluster is x[i..j]; the first m clusters cover x[0..i-1].
      for (let i = m; i <= j; i++) {
        const c = best[m - 1]![i - 1]! + cost(i, j);
        if (c < bestCost) {
          bestCost = c;
          bestStart = i;
        }
      }
      best[m]![j] = bestCost;
      from[m]![j] = bestStart;
    }
  }
  const clusters: Cluster[] = [];
  let end = n - 1;
  for (let m = kk - 1; m >= 0; m--) {
    const start = m === 0 ? 0 : from[m]![end]!;
    const len = end - start + 1;
    clusters.unshift({ center: (s1[end + 1]! - s1[start]!) / len, min: x[start]!, max: x[end]!, size: len });
    end = start - 1;
  }
  return { clusters, inertia: best[kk - 1]![n - 1]! };
}
