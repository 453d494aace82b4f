/**
 * MACD (fast EMA - slow EMA) with its signal line (EMA of the MACD) and histogram, incremental,
 * built on ./ema (each EMA seeded with the simple average of its first inputs, the convention
 * technicalindicators' MACD follows). Keeps the previous MACD and signal so a crossing can be read
 * off one state. O(1) JSON state. Pure.
 */
import { type EmaState, ema, nextEma } from './ema';

export interface MacdState {
  readonly fast: EmaState;
  readonly slow: EmaState;
  readonly signalEma: EmaState;
  /** Null until the slow EMA is warm. */
  readonly macd: number | null;
  /** Null until `signal` MACD values were seen. */
  readonly signal: number | null;
  readonly histogram: number | null;
  /** The previous bar's MACD and signal (null while warming). */
  readonly prevMacd: number | null;
  readonly prevSignal: number | null;
}

export function macd(fast = 12, slow = 26, signal = 9): MacdState {
  if (fast >= slow) throw new RangeError(`MACD fast period ${fast} must be below the slow period ${slow}`);
  return {
    fast: ema(fast),
    slow: ema(slow),
    signalEma: ema(signal),
    macd: null,
    signal: null,
    histogram: null,
    prevMacd: null,
    prevSignal: null,
  };
}

export function nextMacd(state: MacdState, close: number): MacdState {
  const fast = nextEma(state.fast, close);
  const slow = nextEma(state.slow, close);
  const value = fast.value !== null && slow.value !== null ? fast.value - slow.value : null;
  const signalEma = value !== null ? nextEma(state.signalEma, value) : state.signalEma;
  const signal = signalEma.value;
  return {
    fast,
    slow,
    signalEma,
    macd: value,
    signal,
    histogram: value !== null && signal !== null ? value - signal : null,
    prevMacd: state.macd,
    prevSignal: state.signal,
  };
}

/** "up" on the bar where MACD moves from at or below its signal to above it, "down" for the reverse. */
export function macdCross(state: MacdState): 'up' | 'down' | null {
  const { macd: m, signal: s, prevMacd: pm, prevSignal: ps } = state;
  if (m === null || s === null || pm === null || ps === null) return null;
  if (pm <= ps && m > s) return 'up';
  if (pm >= ps && m < s) return 'down';
  return null;
}
