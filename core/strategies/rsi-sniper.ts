/**
 * Seed 003 (French, "BitSniper"): RSI(12) and candle volume on 15-minute candles, three position
 * kinds (long1, long2, short), on Binance instead of Kraken Futures. The rules, as the seed writes
 * them ("Stratégie de trading"):
 *
 * - "Toutes les décisions (entrée, sortie, SL) sont basées sur le closing de la bougie précédente
 *   (N-1)... exécutée immédiatement après la clôture, au tout début de la bougie N": every rule is
 *   evaluated when candle N-1 closes (the kernel's `candle` event), with N-2 for the deltas, and
 *   acted on at once with a MARKET order, i.e. at the start of candle N.
 * - "Toutes les conditions d'entrée... logique ET stricte": each entry is the AND of its list.
 * - "Blocage après extrême RSI": RSI above 86 or below 10 forbids any entry until the RSI has been
 *   back to 50.
 * - long1, long2, short: entry lists, exits and close-based stop-losses below (`long1Check`, ...).
 * - "Ne jamais enchaîner 2 positions long2 d'affilée si le RSI n'est pas repassé sous 50": after a
 *   long2, another long2 needs a close with RSI < 50 first.
 * - "Sizing MAX": spot longs spend the whole free quote balance (`sizing: "max"`); shorts (futures
 *   only) use "taille_max = marge_disponible × 10", the leverage being a param.
 *
 * The short side needs a futures account: a spot bot with `enableShort` refuses to start (see
 * `checkEnvironment`); the backtester verifies it with a simulated perpetual (backtest/perpetual.ts).
 * On the kit: a declared warm-up of `warmupCandles`, the RSI fed by it, market round trips.
 */
import { z } from 'zod';
import type { Dec } from '../decimal';
import { type RsiState, rsi } from '../indicators/rsi';
import { feeRate, nonNegativeDecimal, positiveDecimal, positiveInt, rsiChange, rsiLevel, stopPercent } from '../schema';
import * as kit from '../strategy-kit';
import { type Check, check, is, movePct, ratioWithin, round, strictRanges, within } from '../strategy-kit';

export { type Check, type Condition, movePct } from '../strategy-kit';

const long1Schema = strictRanges(
  {
    /** "26 ≥ RSI Bougie N-2 ≥ 10" */
    rsiN2Min: rsiLevel.default(10),
    rsiN2Max: rsiLevel.default(26),
    /** "RSI Bougie N-1 - RSI Bougie N-2 ≥ 4" */
    rsiRiseMin: rsiChange.default(4),
    /** "RSI Bougie N-1 < 40" */
    rsiN1Below: rsiLevel.default(40),
    /** Exit: "RSI dernière bougie clôturée ≥ 40" */
    exitRsiAtLeast: rsiLevel.default(40),
    /** SL: close down at least 0.7 % from the entry close */
    stopLossPct: stopPercent.default('0.7'),
  },
  [['rsiN2Min', 'rsiN2Max']],
);

const long2Schema = strictRanges(
  {
    /** "72 ≤ RSI Bougie N-2 ≤ 86" */
    rsiN2Min: rsiLevel.default(72),
    rsiN2Max: rsiLevel.default(86),
    /** "RSI Bougie N-2 - RSI Bougie N-1 ≥ 2,5" */
    rsiDropMin: rsiChange.default(2.5),
    /** "1 < (Volume N-1 / Volume N-2) ≤ 1,8" */
    volumeRatioAbove: nonNegativeDecimal.default('1'),
    volumeRatioMax: positiveDecimal.default('1.8'),
    /** Exit: "RSI dernière bougie clôturée ≥ (RSI Bougie N-1 + 1,5)" */
    exitRsiRise: rsiChange.default(1.5),
    /** SL: close down at least 1.1 % from the entry close */
    stopLossPct: stopPercent.default('1.1'),
    /** "Ne jamais enchaîner 2 positions long2... si le RSI n'est pas repassé sous 50" */
    rearmBelowRsi: rsiLevel.default(50),
  },
  [
    ['rsiN2Min', 'rsiN2Max'],
    ['volumeRatioAbove', 'volumeRatioMax', 'strict'],
  ],
);

const shortSchema = strictRanges(
  {
    /** "72 ≤ RSI Bougie N-2 ≤ 83" */
    rsiN2Min: rsiLevel.default(72),
    rsiN2Max: rsiLevel.default(83),
    /** "RSI Bougie N-2 - RSI Bougie N-1 ≥ 3,5" */
    rsiDropMin: rsiChange.default(3.5),
    /** "RSI Bougie N-1 > 60" */
    rsiN1Above: rsiLevel.default(60),
    /** "0,7 ≤ (Volume N-1 / Volume N-2) < 1" */
    volumeRatioMin: nonNegativeDecimal.default('0.7'),
    volumeRatioBelow: positiveDecimal.default('1'),
    /** Exit: "RSI dernière bougie clôturée ≤ 60" */
    exitRsiAtMost: rsiLevel.default(60),
    /** SL: close up at least 0.8 % from the entry close */
    stopLossPct: stopPercent.default('0.8'),
  },
  [
    ['rsiN2Min', 'rsiN2Max'],
    ['volumeRatioMin', 'volumeRatioBelow', 'strict'],
  ],
);

export const rsiSniperParams = strictRanges(
  {
    /** "RSI(12)" */
    rsiPeriod: positiveInt.default(12),
    /**
     * "Volume Bougie N-1 ≥ 90", for every entry. The seed's 90 is a Kraken Futures BTC volume;
     * Binance volumes are on another scale, so set it for the market traded.
     */
    minVolume: nonNegativeDecimal.default('90'),
    /** "Si le RSI passe au-dessus de 86 ou en dessous de 10... tant que le RSI n'est pas repassé par 50". */
    extremeAbove: rsiLevel.default(86),
    extremeBelow: rsiLevel.default(10),
    extremeReset: rsiLevel.default(50),
    long1: long1Schema.prefault({}),
    long2: long2Schema.prefault({}),
    short: shortSchema.prefault({}),
    /** Shorts need a futures account: a spot bot with shorts enabled refuses to start. */
    enableShort: z.boolean().default(false),
    /** "levier maximal... x10": position = available margin × leverage (shorts, futures only). */
    leverage: positiveInt.max(125).default(10),
    /**
     * Taker fee rate kept out of the margin when sizing a short ("prendre en compte la marge, les
     * frais"); 0.0005 is Binance USDⓈ-M's base taker rate (Kraken Futures' is the same).
     */
    feeRate: feeRate.default('0.0005'),
    /** "Sizing MAX": spend the whole free quote balance ("max"), or any shared sizing mode. */
    sizing: z.union([z.literal('max'), kit.sizingSchema]).default('max'),
    /** Closed candles fetched at start to warm the RSI up before the first decision. */
    warmupCandles: positiveInt.max(1000).default(200),
  },
  [
    ['extremeBelow', 'extremeReset', 'strict'],
    ['extremeReset', 'extremeAbove', 'strict'],
  ],
);
export type RsiSniperParams = z.output<typeof rsiSniperParams>;

export type PositionKind = 'long1' | 'long2' | 'short';

/** What the rules read from one closed candle. */
export interface Bar {
  readonly openTime: number;
  readonly close: Dec;
  readonly volume: Dec;
  readonly rsi: number;
}

/** "Volume Bougie N-1 ≥ 90", the first condition of every entry. */
const enoughVolume = (n1: Bar, p: RsiSniperParams) => is('Volume N-1', n1.volume, '>=', p.minVolume);

export function long1Check(n1: Bar, n2: Bar, p: RsiSniperParams): Check {
  const q = p.long1;
  return check([
    enoughVolume(n1, p),
    within(q.rsiN2Max, '>=', 'RSI N-2', n2.rsi, '>=', q.rsiN2Min),
    is('RSI N-1 - RSI N-2 =', n1.rsi - n2.rsi, '>=', q.rsiRiseMin),
    is('RSI N-1', n1.rsi, '<', q.rsiN1Below),
  ]);
}

export function long2Check(n1: Bar, n2: Bar, p: RsiSniperParams, rearmed: boolean): Check {
  const q = p.long2;
  return check([
    enoughVolume(n1, p),
    is('Volume N-1', n1.volume, '>', n2.volume, `Volume N-2 ${n2.volume}`),
    ratioWithin(q.volumeRatioAbove, '<', 'V N-1 / V N-2 =', n1.volume, n2.volume, '<=', q.volumeRatioMax),
    within(q.rsiN2Min, '<=', 'RSI N-2', n2.rsi, '<=', q.rsiN2Max),
    is('RSI N-2 - RSI N-1 =', n2.rsi - n1.rsi, '>=', q.rsiDropMin),
    { rule: `no long2 in a row unless RSI went below ${q.rearmBelowRsi} since the last one`, ok: rearmed },
  ]);
}

export function shortCheck(n1: Bar, n2: Bar, p: RsiSniperParams): Check {
  const q = p.short;
  return check([
    enoughVolume(n1, p),
    is('Volume N-1', n1.volume, '<', n2.volume, `Volume N-2 ${n2.volume}`),
    ratioWithin(q.volumeRatioMin, '<=', 'V N-1 / V N-2 =', n1.volume, n2.volume, '<', q.volumeRatioBelow),
    within(q.rsiN2Min, '<=', 'RSI N-2', n2.rsi, '<=', q.rsiN2Max),
    is('RSI N-2 - RSI N-1 =', n2.rsi - n1.rsi, '>=', q.rsiDropMin),
    is('RSI N-1', n1.rsi, '>', q.rsiN1Above),
  ]);
}

export type ExitCheck = { readonly exit: boolean; readonly reason: string };

/** Exits and close-based stop-losses of an open position, on the last closed candle: the first that holds. */
export function exitCheck(
  kind: PositionKind,
  entry: { readonly close: Dec; readonly rsi: number },
  last: Bar,
  p: RsiSniperParams,
): ExitCheck {
  const rise = p.long2.exitRsiRise;
  const exit = {
    long1: is('exit long1: RSI', last.rsi, '>=', p.long1.exitRsiAtLeast),
    long2: is('exit long2: RSI', last.rsi, '>=', entry.rsi + rise, `entry RSI ${round(entry.rsi)} + ${rise}`),
    short: is('exit short: RSI', last.rsi, '<=', p.short.exitRsiAtMost),
  }[kind];
  const stop = kit.closeStop(`stop-loss ${kind}`, kind === 'short', entry.close, last.close, p[kind].stopLossPct);
  const hit = kit.firstHeld([exit, stop]);
  return hit ? { exit: true, reason: hit.rule } : { exit: false, reason: '' };
}

export interface Block extends kit.Latch {
  readonly rsi: number;
}

/**
 * The extreme block after one more closed RSI: a block set by RSI > 86 lifts once RSI <= 50, one
 * set by RSI < 10 once RSI >= 50 (the RSI "repassé par 50"); then a new extreme blocks again.
 */
export function nextBlock(block: Block | null, r: number, time: number, p: RsiSniperParams): Block | null {
  const band = { above: p.extremeAbove, below: p.extremeBelow, reset: p.extremeReset };
  return kit.nextLatch(block, r, time, band, (side, since) => ({ side, rsi: r, since }));
}

/** The sniper's record of a position; the round trip adds its phase, quantity, fill price, ... */
interface Entry {
  readonly kind: PositionKind;
  /** Close of candle N-1 at entry: the stop-losses' reference ("cours d'entrée (Bougie N-1)"). */
  readonly entryClose: Dec;
  /** RSI of candle N-1 at entry ("Enregistrer le RSI de la Bougie N-1 à l'entrée"). */
  readonly entryRsi: number;
}
type TradeFields = { readonly kind: PositionKind; readonly entryClose: Dec };
export type SniperTrade = kit.Trade<TradeFields>;

export interface RsiSniperState extends kit.WarmupFields, kit.TripFields<Entry, TradeFields> {
  readonly rsi: RsiState;
  /** The last two closed candles (N-2, N-1) with their RSI. */
  readonly bars: readonly Bar[];
  readonly block: Block | null;
  /** True when a long2 may be taken: no long2 yet, or RSI went below 50 since the last one. */
  readonly long2Rearmed: boolean;
  readonly lastKind: PositionKind | null;
  /** Every rule on the last closed candle, for the `state` query. */
  readonly lastEvaluation: kit.Evaluation<{ readonly rsi: number | null; readonly blocked: boolean }> | null;
}

type Ctx = kit.StrategyContext<RsiSniperParams>;

const trip = kit.roundTrip<Entry, TradeFields>({
  entry: kit.numbered('entry'),
  exit: kit.numbered('exit'),
  label: (e) => e.kind,
  isShort: (e) => e.kind === 'short',
  reference: (e) => e.entryClose,
  tradeOf: (e) => ({ kind: e.kind, entryClose: e.entryClose }),
  // A long sells the bot's whole holding, with the dust earlier exits left (fees paid in base).
  sweepDust: true,
});

export const rsiSniper = kit.defineKitStrategy<RsiSniperParams, RsiSniperState>({
  id: 'rsi-sniper',
  title: 'Seed 003: RSI(12) sniper, long1 / long2 / short rules on 15m candles',
  description:
    'Decides on the close of candle N-1 (N-2 for deltas) and acts at the start of N with market orders. long1: volume >= 90, 10 <= RSI N-2 <= 26, RSI rise >= 4, RSI N-1 < 40; exit RSI >= 40, SL -0.7%. long2: volume >= 90 and rising 1 < ratio <= 1.8, 72 <= RSI N-2 <= 86, RSI drop >= 2.5; exit RSI >= entry RSI + 1.5, SL -1.1%; never two long2 in a row unless RSI < 50 in between. short (futures only): volume >= 90 and falling 0.7 <= ratio < 1, 72 <= RSI N-2 <= 83, drop >= 3.5, RSI N-1 > 60; exit RSI <= 60, SL +0.8%. RSI > 86 or < 10 blocks entries until RSI is back to 50.',
  params: rsiSniperParams,
  // Market orders only: long1 / long2 / short run on the USDⓈ-M perpetual, exits reduce-only.
  markets: ['spot', 'futures'],
  checkEnvironment: (params, env) =>
    params.enableShort && env.market === 'spot'
      ? 'rsi-sniper: enableShort needs a futures account (the seed trades Kraken Futures with x10 leverage) and this bot is on spot, where a short cannot be opened. Set "market": "futures" to trade the seed\'s three sides on the USDⓈ-M perpetual, or "enableShort": false to run long1 and long2 on spot.'
      : null,
  init: (ctx) => ({
    rsi: rsi(ctx.params.rsiPeriod),
    bars: [],
    block: null,
    long2Rearmed: true,
    lastKind: null,
    ...kit.noTrips,
    lastEvaluation: null,
  }),
  warmup: {
    candles: (p) => p.warmupCandles,
    requestId: 'rsi-warmup',
    label: 'RSI',
    facts: (s) => ({ rsi: s.bars.length > 0 ? round(s.bars.at(-1)!.rsi) : -1 }),
  },
  indicators: { rsi: kit.feeds.rsi },
  onHistory(s, c, ctx) {
    const bar = barOf(s, c);
    // An extreme in the warm-up history still blocks until the RSI has been back to 50.
    return bar
      ? { ...s, bars: [...s.bars, bar].slice(-2), block: nextBlock(s.block, bar.rsi, bar.openTime, ctx.params) }
      : s;
  },
  onCandle: onClosed,
  // A failed entry gives back the long2 it used, and the last kind is the last trade's again.
  onOrderFinal: (state, order, ctx) =>
    trip.onOrder(state, order, ctx, (s, pos) => ({
      ...s,
      lastKind: s.trades.at(-1)?.kind ?? null,
      long2Rearmed: pos.kind === 'long2' || s.long2Rearmed,
    })) ?? { state },
});

/** The bar of a closed candle once the RSI (already fed by the kit) has a value. */
function barOf(s: RsiSniperState, c: kit.Candle): Bar | null {
  return s.rsi.value === null ? null : { openTime: c.openTime, close: c.close, volume: c.volume, rsi: s.rsi.value };
}

/** Candle N-1 just closed: update the block and the long2 lock, then exits, then entries. */
function onClosed(state: RsiSniperState, c: kit.Candle, ctx: Ctx): kit.Decision<RsiSniperState> {
  const p = ctx.params;
  const n1 = barOf(state, c);
  if (!n1) return { state };
  const block = nextBlock(state.block, n1.rsi, ctx.now, p);
  const extreme = block?.side === 'above' ? `> ${p.extremeAbove}` : `< ${p.extremeBelow}`;
  const r = round(n1.rsi);
  let s = kit.decideOnChange(
    { ...state, bars: [...state.bars, n1].slice(-2) },
    ctx,
    { was: state.block !== null, is: block !== null },
    ['block', `RSI ${r} ${extreme}: no entry until RSI is back to ${p.extremeReset}`],
    ['unblock', `RSI ${r} back to ${p.extremeReset}: entries allowed again`],
    { rsi: r },
  );
  s = { ...s, block, long2Rearmed: s.long2Rearmed || n1.rsi < p.long2.rearmBelowRsi };
  const n2 = s.bars.length === 2 ? s.bars[0]! : null;

  // Exits first: "Pas de position en cours" is an entry condition, so no entry on an exit candle.
  const pos = s.position;
  if (pos) {
    const ex = pos.phase === 'open' ? exitCheck(pos.kind, { close: pos.entryClose, rsi: pos.entryRsi }, n1, p) : null;
    if (!ex?.exit) return { state: s };
    const move = `${round(Number(movePct(pos.entryClose, n1.close)))}%`;
    const facts = { rsi: r, close: n1.close, entryClose: pos.entryClose, entryRsi: round(pos.entryRsi), move };
    return trip.exit(s, { reason: ex.reason, facts }, ctx);
  }

  if (!n2) return { state: s };
  const checks = {
    long1: long1Check(n1, n2, p),
    long2: long2Check(n1, n2, p, s.long2Rearmed || s.lastKind !== 'long2'),
    short: shortCheck(n1, n2, p),
  };
  s = { ...s, lastEvaluation: { time: ctx.now, rsi: r, blocked: block !== null, checks } };
  const kind = (['long1', 'long2', 'short'] as const).find((k) => checks[k].ok && (k !== 'short' || p.enableShort));
  if (!kind) return { state: s };
  const facts = { rsiN1: r, rsiN2: round(n2.rsi), volumeN1: n1.volume, volumeN2: n2.volume, closeN1: n1.close };
  const why = block && `entries are blocked since RSI ${round(block.rsi)} (${block.side} the extreme)`;
  return trip.enterChecked(
    s,
    { kind, entryClose: n1.close, entryRsi: n1.rsi },
    {
      check: checks[kind],
      facts,
      gates: [why ? { action: 'blocked', why } : null],
      // On futures every side is sized like the seed's short: the free margin times the leverage.
      entry: () => kit.marketEntry(ctx, kind === 'short' ? 'SELL' : 'BUY', n1.close, p),
      entered: (e) => ({ ...e, lastKind: kind, long2Rearmed: kind === 'long2' ? false : e.long2Rearmed }),
    },
    ctx,
  );
}
