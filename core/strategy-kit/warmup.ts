/**
 * A declared warm-up: the closed candles a strategy needs before its first decision (freqtrade's
 * `startup_candle_count`). At start the kit asks for them with a `candles` data request, which the
 * workflow answers from the exchange and the backtester from its data, so the same code warms up
 * live, on paper and in backtests. Live candles arriving meanwhile are held, then folded after the
 * history; if no answer comes within `holdCandles` candles the strategy warms on the live ones.
 *
 * The kit keeps its bookkeeping in three fields of the strategy's state (`WarmupFields`): `warm`,
 * `held`, and `warmedTo`, the open time of the last candle folded during the warm-up, so a live
 * candle the history already contained is not counted twice. Pure.
 */
import type { Candle } from '../market';
import { candleSchema } from '../message-schemas';
import type { Decision, Intent, Json, StrategyContext } from '../strategy';
import { type Facts, type Journaled, decide } from './journal';
import { notify } from './orders';

export interface Warmup<P, S = unknown> {
  /** Closed candles of history to fetch at start (at most 1000, the exchange's page). */
  readonly candles: (params: P) => number;
  /** Id of the data request; part of the bot's history, so keep it stable. Default "warmup". */
  readonly requestId?: string;
  /** Live candles to hold while the history is on its way. Default 5. */
  readonly holdCandles?: number;
  /**
   * What warms up ("RSI"): given, a state with a decision journal records the warm-up there, with
   * `facts` of the warmed state, and a warm-up without history notifies a warning.
   */
  readonly label?: string;
  readonly facts?: (state: S) => Facts;
}

export interface WarmupFields {
  readonly warm: boolean;
  /** Live candles that arrived while the warm-up was being fetched. */
  readonly held: readonly Candle[];
  readonly warmedTo?: number;
}

/** What the warm-up was made of, for the strategy's `onWarm` hook. */
export interface WarmInfo {
  /** False when no answer came in time and the strategy warmed on live candles. */
  readonly answered: boolean;
  /** Valid candles in the answer (0 when the request failed). */
  readonly fetched: number;
  /** Live candles held meanwhile. */
  readonly held: number;
}

export const DEFAULT_WARMUP_REQUEST = 'warmup';
export const DEFAULT_HOLD_CANDLES = 5;

export function warmupRequest<P>(w: Warmup<P, never>, ctx: StrategyContext<P>): Intent {
  return {
    kind: 'request',
    requestId: w.requestId ?? DEFAULT_WARMUP_REQUEST,
    request: { kind: 'candles', symbol: ctx.symbol, interval: ctx.interval, limit: w.candles(ctx.params) },
  };
}

/** The candles of a data answer: valid ones only (an `{ error }` answer or a malformed one gives none). */
export function candlesOf(result: Json): Candle[] {
  if (!Array.isArray(result)) return [];
  const out: Candle[] = [];
  for (const raw of result) {
    const parsed = candleSchema.safeParse(raw);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/** History then held candles in time order, each open time once (the first seen wins). */
export function mergeCandles(fetched: readonly Candle[], held: readonly Candle[]): Candle[] {
  const all = [...fetched, ...held].sort((a, b) => a.openTime - b.openTime);
  return all.filter((c, i) => i === 0 || c.openTime !== all[i - 1]!.openTime);
}

/**
 * Fold the warm-up candles into the state with `fold` (indicators, then the strategy's own
 * `onHistory`), and mark the state warm.
 */
export function foldWarmup<S extends WarmupFields>(
  state: S,
  candles: readonly Candle[],
  fold: (s: S, c: Candle) => S,
): S {
  let s: S = { ...state, warm: true, held: [] };
  for (const c of candles) s = fold(s, c);
  const last = candles[candles.length - 1];
  return last ? { ...s, warmedTo: last.openTime } : s;
}

/** A live candle the warm-up already folded. */
export function foldedAlready(state: WarmupFields, candle: Candle): boolean {
  return state.warmedTo !== undefined && candle.openTime <= state.warmedTo;
}

/** The journal entry and warning of a finished warm-up, for a `label`led warm-up of a journaled state. */
export function journalWarmup<P, S extends object>(
  w: Warmup<P, S>,
  state: S,
  info: WarmInfo,
  ctx: StrategyContext<P>,
): Decision<S> {
  if (w.label === undefined || !('decisions' in state)) return { state };
  const j = state as S & Journaled;
  if (!info.answered) {
    const hold = w.holdCandles ?? DEFAULT_HOLD_CANDLES;
    const s = decide(j, ctx, 'warm', `no warm-up answer after ${hold} candles: warming on live candles`);
    return { state: s, intents: [notify(`${w.label} warm-up never answered; warming on live candles`, 'warn')] };
  }
  const s = decide(
    j,
    ctx,
    'warm',
    `${w.label} warmed on ${info.fetched + info.held} closed candles`,
    w.facts ? w.facts(state) : {},
  );
  return {
    state: s,
    intents:
      info.fetched === 0
        ? [notify(`${w.label} warm-up failed; deciding once enough live candles have closed`, 'warn')]
        : [],
  };
}
