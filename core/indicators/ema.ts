/**
 * Exponential moving average, incremental, seeded with the simple average of the first `period`
 * inputs (the usual convention, and the one technicalindicators follows). O(1) JSON state. Pure.
 */
import { assertPeriod } from './sma';

export interface EmaState {
  readonly period: number;
  /** Inputs seen while seeding (stops counting once the average is seeded). */
  readonly count: number;
  readonly seedSum: number;
  readonly value: number | null;
}

export function ema(period: number): EmaState {
  assertPeriod(period);
  return { period, count: 0, seedSum: 0, value: null };
}

export function nextEma(state: EmaState, input: number): EmaState {
  const { period } = state;
  if (state.value === null) {
    const count = state.count + 1;
    const seedSum = state.seedSum + input;
    return { period, count, seedSum, value: count === period ? seedSum / period : null };
  }
  const k = 2 / (period + 1);
  return { period, count: state.count, seedSum: state.seedSum, value: (input - state.value) * k + state.value };
}
