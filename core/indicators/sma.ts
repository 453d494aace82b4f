/**
 * Simple moving average, incremental. The state is plain JSON (a ring buffer of the last `period`
 * inputs and their running sum) so it can live in a strategy's state and cross continue-as-new.
 * Floats: indicator math, never money. Pure.
 */
export interface SmaState {
  readonly period: number;
  /** Last `period` inputs as a ring buffer; `next` is where the next input goes. */
  readonly window: readonly number[];
  readonly next: number;
  readonly sum: number;
  /** Null until `period` inputs were seen. */
  readonly value: number | null;
}

export function sma(period: number): SmaState {
  assertPeriod(period);
  return { period, window: [], next: 0, sum: 0, value: null };
}

export function nextSma(state: SmaState, input: number): SmaState {
  const { period } = state;
  if (state.window.length < period) {
    const window = [...state.window, input];
    const sum = state.sum + input;
    const full = window.length === period;
    return { period, window, next: full ? 0 : window.length, sum, value: full ? sum / period : null };
  }
  const window = state.window.slice();
  const dropped = window[state.next]!;
  window[state.next] = input;
  const next = state.next + 1 === period ? 0 : state.next + 1;
  // A running sum drifts over millions of updates; recompute it exactly once per lap.
  const sum = next === 0 ? sumOf(window) : state.sum - dropped + input;
  return { period, window, next, sum, value: sum / period };
}

function sumOf(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function assertPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1)
    throw new RangeError(`indicator period must be a positive integer, got ${period}`);
}
