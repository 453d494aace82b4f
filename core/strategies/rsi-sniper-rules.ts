/**
 * Seed 003 ("BitSniper", French): RSI(12) and volume on 15-minute candles, three position kinds
 * (long1, long2, short), on Binance instead of Kraken Futures. Its rules and thresholds as it writes
 * them ("Stratégie de trading"), pure; core/strategies/rsi-sniper.ts runs them as a bot on the kit.
 *
 * - "Toutes les décisions (entrée, sortie, SL) sont basées sur le closing de la bougie précédente
 *   (N-1)... exécutée immédiatement après la clôture, au tout début de la bougie N": every rule is
 *   evaluated when candle N-1 closes, with N-2 for the deltas, and acted on at once at market.
 * - "Toutes les conditions d'entrée... logique ET stricte": each entry (`long1Check`, `long2Check`,
 *   `shortCheck`) is the AND of its list, each condition with its verdict and the values behind it.
 * - Exits and close-based stop-losses (`exitCheck`), the first that holds.
 * - "Blocage après extrême RSI" (`nextBlock`): RSI above 86 or below 10 forbids any entry until the
 *   RSI has been back to 50.
 * - The params: every threshold of the seed (long2 chaining, sizing, leverage), its words, as the default.
 */
import { z } from 'zod';
import { feeRate, nonNegativeDecimal, positiveDecimal, positiveInt, rsiChange, rsiLevel, stopPercent } from '../schema';
import * as kit from '../strategy-kit';
import { type Check, check, is, ratioWithin, round, strictRanges, within } from '../strategy-kit';

export const rsiSniperParams = strictRanges(['extremeBelow < extremeReset', 'extremeReset < extremeAbove'], {
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
  long1: strictRanges(['rsiN2Min <= rsiN2Max'], {
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
  }).prefault({}),
  long2: strictRanges(['rsiN2Min <= rsiN2Max', 'volumeRatioAbove < volumeRatioMax'], {
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
    /** "Ne jamais enchaîner 2 positions long2 d'affilée si le RSI n'est pas repassé sous 50" */
    rearmBelowRsi: rsiLevel.default(50),
  }).prefault({}),
  short: strictRanges(['rsiN2Min <= rsiN2Max', 'volumeRatioMin < volumeRatioBelow'], {
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
  }).prefault({}),
  /** Shorts need a futures account: a spot bot with shorts enabled refuses to start. */
  enableShort: z.boolean().default(false),
  /**
   * "levier maximal... x10", "taille_max = marge_disponible × 10": on futures every entry, short
   * or long, is the available margin × leverage.
   */
  leverage: positiveInt.max(125).default(10),
  /**
   * Taker fee rate kept out of the margin when sizing on futures ("prendre en compte la marge, les
   * frais"); 0.0005 is Binance USDⓈ-M's base taker rate (Kraken Futures' is the same).
   */
  feeRate: feeRate.default('0.0005'),
  /**
   * "Sizing MAX": a spot long spends the whole free quote balance ("max"), or any shared sizing
   * mode; a futures bot takes "max" only (the margin × leverage above).
   */
  sizing: z.union([z.literal('max'), kit.sizingSchema]).default('max'),
  /** Closed candles fetched at start to warm the RSI up before the first decision. */
  warmupCandles: positiveInt.max(1000).default(200),
});
export type RsiSniperParams = z.output<typeof rsiSniperParams>;

export type PositionKind = 'long1' | 'long2' | 'short';

/** What the rules read from one closed candle. */
export type Bar = Pick<kit.Candle, 'openTime' | 'close' | 'volume'> & { readonly rsi: number };

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

/** Exits and close-based stop-losses of an open position, on the last closed candle: the first that holds. */
export function exitCheck(kind: PositionKind, entry: Pick<Bar, 'close' | 'rsi'>, last: Bar, p: RsiSniperParams) {
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

export type Block = kit.Latch & { readonly rsi: number };

/**
 * The extreme block after one more closed RSI: a block set by RSI > 86 lifts once RSI <= 50, one
 * set by RSI < 10 once RSI >= 50 (the RSI "repassé par 50"); then a new extreme blocks again.
 */
export function nextBlock(block: Block | null, r: number, time: number, p: RsiSniperParams): Block | null {
  return kit.nextLatch(block, r, time, kit.extremesOf(p), (side, since) => ({ side, rsi: r, since }));
}
