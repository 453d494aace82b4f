/**
 * Declared indicators: a strategy keeps each indicator's state (core/indicators: O(1) JSON) in a
 * field of its own state and tells the kit how to feed it a closed candle. The kit then updates
 * every declared indicator on each candle, warm-up history included, before the strategy's
 * `onCandle` sees the candle: no strategy forgets one or feeds it twice. Pure.
 */
import { type AtrState, nextAtr } from '../indicators/atr';
import { type EmaState, nextEma } from '../indicators/ema';
import { type ExtremesState, nextExtremes } from '../indicators/extremes';
import { type MacdState, nextMacd } from '../indicators/macd';
import { type RsiState, nextRsi } from '../indicators/rsi';
import { type SmaState, nextSma } from '../indicators/sma';
import type { Candle } from '../market';

export type Update<T> = (state: T, candle: Candle) => T;

/** How each indicator field of the state `S` is fed; a field holding null (indicator not used) is left alone. */
export type IndicatorUpdates<S> = { readonly [K in keyof S]?: Update<NonNullable<S[K]>> };

const onClose =
  <T>(next: (state: T, close: number) => T): Update<T> =>
  (state, candle) =>
    next(state, Number(candle.close));

const hlc = (c: Candle) => ({ high: Number(c.high), low: Number(c.low), close: Number(c.close) });

/** The usual feeds: RSI, EMA, SMA and MACD on the close; ATR on high, low and close; extremes on high and low. */
export const feeds = {
  rsi: onClose<RsiState>(nextRsi),
  ema: onClose<EmaState>(nextEma),
  sma: onClose<SmaState>(nextSma),
  macd: onClose<MacdState>(nextMacd),
  atr: ((state, candle) => nextAtr(state, hlc(candle))) as Update<AtrState>,
  extremes: ((state, candle) =>
    nextExtremes(state, { high: Number(candle.high), low: Number(candle.low) })) as Update<ExtremesState>,
} as const;

/** Feed one closed candle to every declared indicator. */
export function updateIndicators<S extends object>(
  state: S,
  updates: IndicatorUpdates<S> | undefined,
  candle: Candle,
): S {
  if (!updates) return state;
  let next = state;
  for (const field of Object.keys(updates) as (keyof S)[]) {
    const update = updates[field];
    const value = next[field];
    if (update && value !== null && value !== undefined) next = { ...next, [field]: update(value, candle) };
  }
  return next;
}
