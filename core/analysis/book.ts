/**
 * Seed-004 order-book analysis ("Workflow: PRENDI DATI, TROVA PICCHI ASK, TROVA PICCHI BID"): from
 * one depth snapshot (up to `limit_orderbook` = 500 levels a side), find the volume peaks of each
 * side with the seed's `find_peaks` arguments, and measure how one-sided the book is. The result
 * is the small summary the bot decides on (activities/book.ts computes it live; the backtester from
 * recorded snapshots, core/analysis/book-replay.ts). Pure.
 *
 * Samples: each side's levels in book order from the touch outward (the seed's "bin = x,
 * intensita = y": x the level, y its quantity).
 *
 * `find_peaks` arguments, from the seed's call `find_peaks(-y, height = 0, THRESHOLD =
 * THRESHOLD_BTCUSDT, prominence = 5)` and its options `--relative_THRESHOLD 10
 * --peak_distance_divisor 10`:
 * - height 0 and prominence 5 (base units) as written;
 * - threshold = `relative_THRESHOLD` % of the side's largest level (the seed names a per-market
 *   constant and passes a "relative" option; for the seed's value 10 this equals "largest / 10");
 * - distance = levels / `peak_distance_divisor` (500 / 10 = 50 levels);
 * - applied to y (walls), not -y: the printed call looks for troughs (its "TROVA MINIMI" step),
 *   while TP and SL sit at the volume peaks ("imposta TP/SL nel picco accanto").
 */
import { type Dec, str } from '../decimal';
import type { BookSnapshot } from '../market';
import { findPeaks } from './peaks';

export interface BookAnalysisConfig {
  /** Depth levels per side requested from the exchange (seed: `--limit_orderbook 500`). */
  readonly limit: number;
  /** Peak threshold as a percentage of the side's largest level (seed: `--relative_THRESHOLD 10`). */
  readonly relativeThreshold: number;
  /** Peak prominence in base units (seed: `prominence = 5`). */
  readonly prominence: number;
  /** Minimal peak height (seed: `height = 0`). */
  readonly height: number;
  /** distance = levels / divisor; 0 disables the distance filter (seed: `--peak_distance_divisor 10`). */
  readonly peakDistanceDivisor: number;
  /** Peaks kept per side in the summary, nearest to the touch first. */
  readonly maxPeaks: number;
}

export const SEED_004_BOOK: BookAnalysisConfig = {
  limit: 500,
  relativeThreshold: 10,
  prominence: 5,
  height: 0,
  peakDistanceDivisor: 10,
  maxPeaks: 10,
};

export interface BookPeak {
  readonly price: Dec;
  readonly volume: number;
  readonly prominence: number;
  /** Levels between the touch and the peak (0 = the best price itself). */
  readonly level: number;
}

export interface BookSummary {
  readonly symbol: string;
  readonly time: number;
  readonly levels: { readonly bids: number; readonly asks: number };
  readonly bestBid: Dec;
  readonly bestAsk: Dec;
  readonly bidVolume: number;
  readonly askVolume: number;
  /**
   * The book's one-sidedness: ask volume / (bid + ask volume), 0..1. The seed's `long_pressure`
   * (0.25) and `short_pressure` (0.75) are compared with it: few asks over many bids is a void
   * above the price, which the seed's "directional move on void of orderbook" follows upward.
   */
  readonly askShare: number;
  readonly bidPeaks: readonly BookPeak[];
  readonly askPeaks: readonly BookPeak[];
  readonly thresholds: { readonly bid: number; readonly ask: number };
}

function sidePeaks(
  levels: ReadonlyArray<readonly [Dec, Dec]>,
  cfg: BookAnalysisConfig,
): { peaks: BookPeak[]; threshold: number; volume: number } {
  const y = levels.map(([, q]) => Number(q));
  const volume = y.reduce((a, b) => a + b, 0);
  const largest = y.length > 0 ? Math.max(...y) : 0;
  const threshold = (largest * cfg.relativeThreshold) / 100;
  const distance =
    cfg.peakDistanceDivisor > 0 ? Math.max(1, Math.floor(y.length / cfg.peakDistanceDivisor)) : undefined;
  const found = findPeaks(y, {
    height: cfg.height,
    threshold,
    prominence: cfg.prominence,
    ...(distance !== undefined ? { distance } : {}),
  });
  const peaks = found.slice(0, cfg.maxPeaks).map((p) => ({
    price: str(levels[p.index]![0]),
    volume: y[p.index]!,
    prominence: Number(p.prominence.toPrecision(10)),
    level: p.index,
  }));
  return { peaks, threshold, volume };
}

export function summarizeBook(book: BookSnapshot, cfg: BookAnalysisConfig = SEED_004_BOOK): BookSummary {
  if (book.bids.length === 0 || book.asks.length === 0)
    throw new Error(`order book of ${book.symbol} at ${book.time} has an empty side`);
  const bids = book.bids.slice(0, cfg.limit);
  const asks = book.asks.slice(0, cfg.limit);
  const b = sidePeaks(bids, cfg);
  const a = sidePeaks(asks, cfg);
  const total = b.volume + a.volume;
  return {
    symbol: book.symbol,
    time: book.time,
    levels: { bids: bids.length, asks: asks.length },
    bestBid: str(bids[0]![0]),
    bestAsk: str(asks[0]![0]),
    bidVolume: Number(b.volume.toPrecision(12)),
    askVolume: Number(a.volume.toPrecision(12)),
    askShare: total > 0 ? Number((a.volume / total).toPrecision(12)) : 0.5,
    bidPeaks: b.peaks,
    askPeaks: a.peaks,
    thresholds: { bid: Number(b.threshold.toPrecision(12)), ask: Number(a.threshold.toPrecision(12)) },
  };
}
