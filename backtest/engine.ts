/**
 * The backtest engine: the bot kernel (core/kernel/) and the strategy, unchanged, driven over
 * candles in-process against the spot venue simulator (venue/) — the same matching, fees and
 * filters the paper exchange uses, so a backtest and a paper run of the same candles place the same
 * orders and get the same fills.
 *
 * The loop is the driver's (driver.ts), shared with the futures run (futures-run.ts); the spot
 * venue's half is spot-venue.ts; the options and result types are in types.ts.
 *
 * Pure apart from the optional progress callback: no I/O, no clock.
 */
import { runOnVenue } from './driver';
import { SpotVenue } from './spot-venue';
import type { BacktestOptions, BacktestResult } from './types';

export { defaultVenueSymbol } from './spot-symbol';
export * from './types';

/** Run one backtest. Throws BacktestError for bad input; the strategy's own errors propagate. */
export function runBacktest(options: BacktestOptions): BacktestResult {
  return runOnVenue(options, ({ symbol }) => new SpotVenue(symbol, options));
}
