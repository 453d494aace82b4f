/**
 * Relative strength index with Wilder's smoothing, incremental: the first averages are the simple
 * means of the first `period` gains and losses, then avg = (avg * (period - 1) + x) / period.
 * O(1) JSON state. Pure.
 */
import { assertPeriod } from './sma';

export interface RsiState {
  readonly period: number;
  readonly previous: number | null;
  /** Price changes seen while seeding. */
  readonly count: number;
  readonly avgGain: number;
  readonly avgLoss: number;
  /** 0..100; null until `period` changes were seen. */
  readonly value: number | null;
}

export function rsi(period: number): RsiState {
  assertPeriod(period);
  return { period, previous: null, count: 0, avgGain: 0, avgLoss: 0, value: null };
}

export function nextRsi(state: RsiState, input: number): RsiState {
  const { period } = state;
  if (state.previous === null) return { ...state, previous: input };
  const change = input - state.previous;
  const gain = change > 0 ? change : 0;
  const loss = change < 0 ? -change : 0;
  if (state.count < period) {
    const count = state.count + 1;
    // While seeding, avgGain/avgLoss hold running sums; they become means on the last seed input.
    const sumGain = state.avgGain + gain;
    const sumLoss = state.avgLoss + loss;
    if (count < period) return { period, previous: input, count, avgGain: sumGain, avgLoss: sumLoss, value: null };
    const avgGain = sumGain / period;
    const avgLoss = sumLoss / period;
    return { period, previous: input, count, avgGain, avgLoss, value: rsiOf(avgGain, avgLoss) };
  }
  const avgGain = (state.avgGain * (period - 1) + gain) / period;
  const avgLoss = (state.avgLoss * (period - 1) + loss) / period;
  return { period, previous: input, count: state.count, avgGain, avgLoss, value: rsiOf(avgGain, avgLoss) };
}

function rsiOf(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return 100;
  if (avgGain === 0) return 0;
  return 100 - 100 / (1 + avgGain / avgLoss);
}
