/**
 * The data an optimisation runs on, named rather than shipped: a kline file or a market database
 * series (and optionally depth snapshots), loaded where the evaluations run — in each worker
 * thread, in each Temporal worker. Workflow inputs stay small, and every worker checks it loaded
 * the very same candles (the digest) before evaluating anything.
 */
import { createHash } from 'node:crypto';
import type { CandleInterval } from '../../core/market';
import { loadDepthRecording } from '../cli';
import { loadKlines, loadKlinesFromDb, intervalFromFileName } from '../data';
import type { Dataset } from './evaluate';

export interface DatasetRef {
  /** A kline file (CSV / JSON) or a market database. */
  readonly source: { readonly kind: 'file' | 'db'; readonly path: string };
  /** Required for a database; for a file, default from its name / candles. */
  readonly symbol?: string;
  readonly interval?: CandleInterval;
  /** Open times kept: [from, to). */
  readonly from?: number;
  readonly to?: number;
  /** Depth snapshots for book strategies: a JSON Lines recording or a market database. */
  readonly depth?: string;
}

export interface LoadedDataset extends Dataset {
  /** sha256 of the candles and depth snapshots, to tell that two machines hold the same data. */
  readonly digest: string;
  readonly warnings: readonly string[];
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

export function loadDataset(ref: DatasetRef): LoadedDataset {
  try {
    const p = ref.source.path;
    const interval = ref.interval ?? (ref.source.kind === 'file' ? intervalFromFileName(p) : undefined);
    let loaded;
    if (ref.source.kind === 'db') {
      if (!ref.symbol || !ref.interval) throw new DatasetError('a database needs --symbol and --interval');
      loaded = loadKlinesFromDb(p, {
        symbol: ref.symbol,
        interval: ref.interval,
        ...(ref.from !== undefined ? { from: ref.from } : {}),
        ...(ref.to !== undefined ? { to: ref.to } : {}),
      });
    } else {
      loaded = loadKlines(p, { ...(ref.symbol ? { symbol: ref.symbol } : {}), ...(interval ? { interval } : {}) });
    }
    const candles = loaded.candles.filter(
      (c) => (ref.from === undefined || c.openTime >= ref.from) && (ref.to === undefined || c.openTime < ref.to),
    );
    if (candles.length === 0) throw new DatasetError(`${p}: no candle in the requested period`);
    const depth = ref.depth ? loadDepthRecording(ref.depth, loaded.symbol) : null;
    const hash = createHash('sha256');
    for (const c of candles) hash.update(`${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume};`);
    if (depth)
      for (const b of depth) hash.update(`${b.symbol},${b.time},${JSON.stringify(b.bids)},${JSON.stringify(b.asks)};`);
    return {
      candles,
      symbol: loaded.symbol,
      interval: loaded.interval,
      depth,
      digest: hash.digest('hex'),
      warnings: loaded.warnings,
    };
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError((err as Error).message);
  }
}

/** A stable key of a reference (caches). */
export function datasetKey(ref: DatasetRef): string {
  return JSON.stringify([
    ref.source.kind,
    ref.source.path,
    ref.symbol ?? null,
    ref.interval ?? null,
    ref.from ?? null,
    ref.to ?? null,
    ref.depth ?? null,
  ]);
}

/** Loaded data sets kept per process (two: a new optimisation does not wait on an old one's). */
const cache = new Map<string, LoadedDataset>();

export function cachedDataset(ref: DatasetRef): LoadedDataset {
  const key = datasetKey(ref);
  let d = cache.get(key);
  if (!d) {
    d = loadDataset(ref);
    if (cache.size >= 2) cache.delete(cache.keys().next().value!);
    cache.set(key, d);
  }
  return d;
}
