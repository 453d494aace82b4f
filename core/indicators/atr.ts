/**
 * Average true range with Wilder's smoothing, incremental. The true range needs the previous close,
 * so the first candle only primes it (as in technicalindicators); the first ATR is the mean of the
 * first `period` true ranges. O(1) JSON state. Pure.
 */
import { assertPeriod } from './sma';

export interface AtrState {
  readonly period: number;
  readonly previousClose: number | null;
  readonly count: number;
  /** Sum of true ranges while seeding, then the smoothed average. */
  readonly acc: number;
  readonly value: number | null;
}

export interface HighLowClose {
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

export function atr(period: number): AtrState {
  assertPeriod(period);
  return { period, previousClose: null, count: 0, acc: 0, value: null };
}

export function trueRange(candle: HighLowClose, previousClose: number): number {
  return Math.max(
    candle.high - candle.low,
    Math.abs(candle.high - previousClose),
    Math.abs(candle.low - previousClose),
  );
}

export function nextAtr(state: AtrState, candle: HighLowClose): AtrState {
  const { period } = state;
  if (state.previousClose === null) return { ...state, previousClose: candle.close };
  const tr = trueRange(candle, state.previousClose);
  if (state.value === null) {
    const count = state.count + 1;
    const acc = state.acc + tr;
    const value = count === period ? acc / period : null;
    return { period, previousClose: candle.close, count, acc: value ?? acc, value };
  }
  const value = (state.value * (period - 1) + tr) / period;
  return { period, previousClose: candle.close, count: state.count, acc: value, value };
}
