/**
 * Highest high and lowest low of the last `period` candles (a Donchian channel), incremental. Used
 * to derive a trading range from recent candles. JSON state: the last `period` highs and lows. Pure.
 */
import { assertPeriod } from './sma';

export interface ExtremesState {
  readonly period: number;
  readonly highs: readonly number[];
  readonly lows: readonly number[];
  /** Null until `period` candles were seen. */
  readonly highest: number | null;
  readonly lowest: number | null;
}

export function extremes(period: number): ExtremesState {
  assertPeriod(period);
  return { period, highs: [], lows: [], highest: null, lowest: null };
}

export function nextExtremes(
  state: ExtremesState,
  candle: { readonly high: number; readonly low: number },
): ExtremesState {
  const highs =
    state.highs.length < state.period ? [...state.highs, candle.high] : [...state.highs.slice(1), candle.high];
  const lows = state.lows.length < state.period ? [...state.lows, candle.low] : [...state.lows.slice(1), candle.low];
  const full = highs.length === state.period;
  return {
    period: state.period,
    highs,
    lows,
    highest: full ? Math.max(...highs) : null,
    lowest: full ? Math.min(...lows) : null,
  };
}
