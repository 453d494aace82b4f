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
 */
import { z } from 'zod';
import { type Dec, d, floorToStep, gt, gte, isPositive, lt, lte, str } from '../decimal';
import { type RsiState, nextRsi, rsi } from '../indicators/rsi';
import { averagePrice, netBought } from '../fills';
import { type Candle, marketStep } from '../market';
import { type OrderRecord, isFinalStatus } from '../orders';
import { sizeEntry, sizingSchema } from '../risk/sizing';
import { boundedDecimal, nonNegativeDecimal, positiveDecimal, positiveInt } from '../schema';

/** A stop-loss distance in percent of the entry: above 0 and below 100. */
const stopPct = boundedDecimal({ gt: '0', lt: '100' }, 'must be a percentage above 0 and below 100');
import { type Intent, defineStrategy } from '../strategy';
import { splitSymbol } from '../symbols';
import { type DecisionRecord, type Facts, remember, round } from './seed/decisions';

const num = z.number().finite();
/** An RSI level: RSI lives between 0 and 100. */
const rsiLevel = num.min(0, { message: 'must be an RSI level from 0 to 100' }).max(100, { message: 'must be an RSI level from 0 to 100' });
/** A change of RSI between two candles. */
const rsiDelta = num.min(0, { message: 'must be an RSI change from 0 to 100' }).max(100, { message: 'must be an RSI change from 0 to 100' });

/** Cross-field rule: `min` must not exceed `max` (an empty range never matches: a silent no-trade bot). */
function ordered(ctx: z.RefinementCtx, low: { key: string; value: number | string }, high: { key: string; value: number | string }, strict = false): void {
  const a = typeof low.value === 'number' ? low.value : Number(low.value);
  const b = typeof high.value === 'number' ? high.value : Number(high.value);
  if (strict ? !(a < b) : !(a <= b)) {
    ctx.addIssue({ code: 'custom', path: [low.key], message: `${low.value} must be ${strict ? 'below' : 'at most'} ${high.key} (${high.value}): the range is empty` });
  }
}

const long1Schema = z
  .object({
    /** "26 ≥ RSI Bougie N-2 ≥ 10" */
    rsiN2Min: rsiLevel.default(10),
    rsiN2Max: rsiLevel.default(26),
    /** "RSI Bougie N-1 - RSI Bougie N-2 ≥ 4" */
    rsiRiseMin: rsiDelta.default(4),
    /** "RSI Bougie N-1 < 40" */
    rsiN1Below: rsiLevel.default(40),
    /** Exit: "RSI dernière bougie clôturée ≥ 40" */
    exitRsiAtLeast: rsiLevel.default(40),
    /** SL: close down at least 0.7 % from the entry close */
    stopLossPct: stopPct.default('0.7'),
  })
  .strict()
  .superRefine((p, ctx) => ordered(ctx, { key: 'rsiN2Min', value: p.rsiN2Min }, { key: 'rsiN2Max', value: p.rsiN2Max }));

const long2Schema = z
  .object({
    /** "72 ≤ RSI Bougie N-2 ≤ 86" */
    rsiN2Min: rsiLevel.default(72),
    rsiN2Max: rsiLevel.default(86),
    /** "RSI Bougie N-2 - RSI Bougie N-1 ≥ 2,5" */
    rsiDropMin: rsiDelta.default(2.5),
    /** "1 < (Volume N-1 / Volume N-2) ≤ 1,8" */
    volumeRatioAbove: nonNegativeDecimal.default('1'),
    volumeRatioMax: positiveDecimal.default('1.8'),
    /** Exit: "RSI dernière bougie clôturée ≥ (RSI Bougie N-1 + 1,5)" */
    exitRsiRise: rsiDelta.default(1.5),
    /** SL: close down at least 1.1 % from the entry close */
    stopLossPct: stopPct.default('1.1'),
    /** "Ne jamais enchaîner 2 positions long2... si le RSI n'est pas repassé sous 50" */
    rearmBelowRsi: rsiLevel.default(50),
  })
  .strict()
  .superRefine((p, ctx) => {
    ordered(ctx, { key: 'rsiN2Min', value: p.rsiN2Min }, { key: 'rsiN2Max', value: p.rsiN2Max });
    ordered(ctx, { key: 'volumeRatioAbove', value: p.volumeRatioAbove }, { key: 'volumeRatioMax', value: p.volumeRatioMax }, true);
  });

const shortSchema = z
  .object({
    /** "72 ≤ RSI Bougie N-2 ≤ 83" */
    rsiN2Min: rsiLevel.default(72),
    rsiN2Max: rsiLevel.default(83),
    /** "RSI Bougie N-2 - RSI Bougie N-1 ≥ 3,5" */
    rsiDropMin: rsiDelta.default(3.5),
    /** "RSI Bougie N-1 > 60" */
    rsiN1Above: rsiLevel.default(60),
    /** "0,7 ≤ (Volume N-1 / Volume N-2) < 1" */
    volumeRatioMin: nonNegativeDecimal.default('0.7'),
    volumeRatioBelow: positiveDecimal.default('1'),
    /** Exit: "RSI dernière bougie clôturée ≤ 60" */
    exitRsiAtMost: rsiLevel.default(60),
    /** SL: close up at least 0.8 % from the entry close */
    stopLossPct: stopPct.default('0.8'),
  })
  .strict()
  .superRefine((p, ctx) => {
    ordered(ctx, { key: 'rsiN2Min', value: p.rsiN2Min }, { key: 'rsiN2Max', value: p.rsiN2Max });
    ordered(ctx, { key: 'volumeRatioMin', value: p.volumeRatioMin }, { key: 'volumeRatioBelow', value: p.volumeRatioBelow }, true);
  });

export const rsiSniperParams = z
  .object({
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
    feeRate: boundedDecimal({ gte: '0', lt: '0.1' }, 'must be a fee rate from 0 to below 0.1 (0.0005 is 0.05 %)').default('0.0005'),
    /** "Sizing MAX": spend the whole free quote balance ("max"), or any shared sizing mode. */
    sizing: z.union([z.literal('max'), sizingSchema]).default('max'),
    /** Closed candles fetched at start to warm the RSI up before the first decision. */
    warmupCandles: positiveInt.max(1000).default(200),
  })
  .strict()
  .superRefine((p, ctx) => {
    ordered(ctx, { key: 'extremeBelow', value: p.extremeBelow }, { key: 'extremeReset', value: p.extremeReset }, true);
    ordered(ctx, { key: 'extremeReset', value: p.extremeReset }, { key: 'extremeAbove', value: p.extremeAbove }, true);
  });
export type RsiSniperParams = z.output<typeof rsiSniperParams>;

export type PositionKind = 'long1' | 'long2' | 'short';

/** What the rules read from one closed candle. */
export interface Bar {
  readonly openTime: number;
  readonly close: Dec;
  readonly volume: Dec;
  readonly rsi: number;
}

export interface Condition {
  readonly rule: string;
  readonly ok: boolean;
}

export interface Check {
  readonly ok: boolean;
  readonly conditions: readonly Condition[];
}

function check(conditions: Condition[]): Check {
  return { ok: conditions.every((c) => c.ok), conditions };
}

/**
 * The volumes of N-1 and N-2, parsed once per check. Ratio bounds are compared exactly without
 * dividing (V1 / V2 <= k  <=>  V1 <= k * V2 for V2 > 0); the ratio itself is only shown.
 */
function volumes(n1: Bar, n2: Bar) {
  const v1 = d(n1.volume);
  const v2 = d(n2.volume);
  const positive = v2.greaterThan(0);
  return {
    v1,
    v2,
    positive,
    shown: positive ? String(round(Number(n1.volume) / Number(n2.volume))) : 'n/a',
    /** V1 / V2 compared with k: -1, 0 or 1 (V2 > 0). */
    cmpRatio: (k: Dec) => v1.comparedTo(v2.times(k)),
  };
}

export function long1Check(n1: Bar, n2: Bar, p: RsiSniperParams): Check {
  const q = p.long1;
  return check([
    { rule: `Volume N-1 ${n1.volume} >= ${p.minVolume}`, ok: d(n1.volume).greaterThanOrEqualTo(p.minVolume) },
    { rule: `${q.rsiN2Max} >= RSI N-2 ${round(n2.rsi)} >= ${q.rsiN2Min}`, ok: n2.rsi >= q.rsiN2Min && n2.rsi <= q.rsiN2Max },
    { rule: `RSI N-1 - RSI N-2 = ${round(n1.rsi - n2.rsi)} >= ${q.rsiRiseMin}`, ok: n1.rsi - n2.rsi >= q.rsiRiseMin },
    { rule: `RSI N-1 ${round(n1.rsi)} < ${q.rsiN1Below}`, ok: n1.rsi < q.rsiN1Below },
  ]);
}

export function long2Check(n1: Bar, n2: Bar, p: RsiSniperParams, rearmed: boolean): Check {
  const q = p.long2;
  const v = volumes(n1, n2);
  return check([
    { rule: `Volume N-1 ${n1.volume} >= ${p.minVolume}`, ok: v.v1.greaterThanOrEqualTo(p.minVolume) },
    { rule: `Volume N-1 ${n1.volume} > Volume N-2 ${n2.volume}`, ok: v.v1.greaterThan(v.v2) },
    { rule: `${q.volumeRatioAbove} < V N-1 / V N-2 = ${v.shown} <= ${q.volumeRatioMax}`, ok: v.positive && v.cmpRatio(q.volumeRatioAbove) > 0 && v.cmpRatio(q.volumeRatioMax) <= 0 },
    { rule: `${q.rsiN2Min} <= RSI N-2 ${round(n2.rsi)} <= ${q.rsiN2Max}`, ok: n2.rsi >= q.rsiN2Min && n2.rsi <= q.rsiN2Max },
    { rule: `RSI N-2 - RSI N-1 = ${round(n2.rsi - n1.rsi)} >= ${q.rsiDropMin}`, ok: n2.rsi - n1.rsi >= q.rsiDropMin },
    { rule: `no long2 in a row unless RSI went below ${q.rearmBelowRsi} since the last one`, ok: rearmed },
  ]);
}

export function shortCheck(n1: Bar, n2: Bar, p: RsiSniperParams): Check {
  const q = p.short;
  const v = volumes(n1, n2);
  return check([
    { rule: `Volume N-1 ${n1.volume} >= ${p.minVolume}`, ok: v.v1.greaterThanOrEqualTo(p.minVolume) },
    { rule: `Volume N-1 ${n1.volume} < Volume N-2 ${n2.volume}`, ok: v.v1.lessThan(v.v2) },
    { rule: `${q.volumeRatioMin} <= V N-1 / V N-2 = ${v.shown} < ${q.volumeRatioBelow}`, ok: v.positive && v.cmpRatio(q.volumeRatioMin) >= 0 && v.cmpRatio(q.volumeRatioBelow) < 0 },
    { rule: `${q.rsiN2Min} <= RSI N-2 ${round(n2.rsi)} <= ${q.rsiN2Max}`, ok: n2.rsi >= q.rsiN2Min && n2.rsi <= q.rsiN2Max },
    { rule: `RSI N-2 - RSI N-1 = ${round(n2.rsi - n1.rsi)} >= ${q.rsiDropMin}`, ok: n2.rsi - n1.rsi >= q.rsiDropMin },
    { rule: `RSI N-1 ${round(n1.rsi)} > ${q.rsiN1Above}`, ok: n1.rsi > q.rsiN1Above },
  ]);
}

/** Signed move of the last close against the entry close, in percent (positive = up). */
export function movePct(entryClose: Dec, close: Dec): Dec {
  return str(d(close).minus(entryClose).dividedBy(entryClose).times(100));
}

export interface ExitCheck {
  readonly exit: boolean;
  readonly reason: string;
}

/** Exits and close-based stop-losses of an open position, on the last closed candle. */
export function exitCheck(kind: PositionKind, entry: { readonly close: Dec; readonly rsi: number }, last: Bar, p: RsiSniperParams): ExitCheck {
  const move = movePct(entry.close, last.close);
  switch (kind) {
    case 'long1':
      if (last.rsi >= p.long1.exitRsiAtLeast) return { exit: true, reason: `exit long1: RSI ${round(last.rsi)} >= ${p.long1.exitRsiAtLeast}` };
      if (lte(move, `-${p.long1.stopLossPct}`)) return { exit: true, reason: `stop-loss long1: close ${last.close} is ${round(Number(move))}% from entry close ${entry.close} (<= -${p.long1.stopLossPct}%)` };
      return { exit: false, reason: '' };
    case 'long2': {
      const target = entry.rsi + p.long2.exitRsiRise;
      if (last.rsi >= target) return { exit: true, reason: `exit long2: RSI ${round(last.rsi)} >= entry RSI ${round(entry.rsi)} + ${p.long2.exitRsiRise}` };
      if (lte(move, `-${p.long2.stopLossPct}`)) return { exit: true, reason: `stop-loss long2: close ${last.close} is ${round(Number(move))}% from entry close ${entry.close} (<= -${p.long2.stopLossPct}%)` };
      return { exit: false, reason: '' };
    }
    case 'short':
      if (last.rsi <= p.short.exitRsiAtMost) return { exit: true, reason: `exit short: RSI ${round(last.rsi)} <= ${p.short.exitRsiAtMost}` };
      if (gte(move, p.short.stopLossPct)) return { exit: true, reason: `stop-loss short: close ${last.close} is +${round(Number(move))}% from entry close ${entry.close} (>= ${p.short.stopLossPct}%)` };
      return { exit: false, reason: '' };
    default: {
      const unknown: never = kind;
      throw new Error(`unknown position kind ${String(unknown)}`);
    }
  }
}

export interface Block {
  readonly side: 'above' | 'below';
  readonly rsi: number;
  readonly since: number;
}

/**
 * The extreme block after one more closed RSI: a block set by RSI > 86 lifts once RSI <= 50, one
 * set by RSI < 10 once RSI >= 50 (the RSI "repassé par 50"); then a new extreme blocks again.
 */
export function nextBlock(block: Block | null, r: number, time: number, p: RsiSniperParams): Block | null {
  let b = block;
  if (b && ((b.side === 'above' && r <= p.extremeReset) || (b.side === 'below' && r >= p.extremeReset))) b = null;
  if (r > p.extremeAbove) return { side: 'above', rsi: r, since: b?.side === 'above' ? b.since : time };
  if (r < p.extremeBelow) return { side: 'below', rsi: r, since: b?.side === 'below' ? b.since : time };
  return b;
}

interface OpenPosition {
  readonly kind: PositionKind;
  readonly phase: 'opening' | 'open' | 'closing';
  readonly seq: number;
  /** Close of candle N-1 at entry: the stop-losses' reference ("cours d'entrée (Bougie N-1)"). */
  readonly entryClose: Dec;
  /** RSI of candle N-1 at entry ("Enregistrer le RSI de la Bougie N-1 à l'entrée"). */
  readonly entryRsi: number;
  readonly qty: Dec;
  readonly fillPrice: Dec | null;
  readonly openedAt: number;
  readonly exitReason: string | null;
  readonly exitClose: Dec | null;
}

export interface SniperTrade {
  readonly kind: PositionKind;
  readonly qty: Dec;
  readonly entryClose: Dec;
  readonly entryPrice: Dec;
  readonly exitPrice: Dec;
  readonly pnl: Dec;
  readonly reason: string;
  readonly openedAt: number;
  readonly closedAt: number;
}

export interface RsiSniperState {
  readonly rsi: RsiState;
  /** The last two closed candles (N-2, N-1) with their RSI. */
  readonly bars: readonly Bar[];
  readonly warm: boolean;
  /** Live candles that arrived while the warm-up was being fetched. */
  readonly held: readonly Candle[];
  readonly block: Block | null;
  /** True when a long2 may be taken: no long2 yet, or RSI went below 50 since the last one. */
  readonly long2Rearmed: boolean;
  readonly lastKind: PositionKind | null;
  readonly position: OpenPosition | null;
  readonly seq: number;
  readonly trades: readonly SniperTrade[];
  readonly decisions: readonly DecisionRecord[];
  /** Every rule on the last closed candle, for the `state` query. */
  readonly lastEvaluation: { readonly time: number; readonly rsi: number | null; readonly blocked: boolean; readonly checks: Readonly<Record<string, Check>> } | null;
}

const MAX_TRADES_KEPT = 100;
const WARMUP_REQUEST = 'rsi-warmup';

const isFinal = (o: OrderRecord): boolean => isFinalStatus(o.status);

export const rsiSniper = defineStrategy<RsiSniperParams, RsiSniperState>({
  id: 'rsi-sniper',
  title: 'Seed 003: RSI(12) sniper, long1 / long2 / short rules on 15m candles',
  description:
    'Decides on the close of candle N-1 (N-2 for deltas) and acts at the start of N with market orders. long1: volume >= 90, 10 <= RSI N-2 <= 26, RSI rise >= 4, RSI N-1 < 40; exit RSI >= 40, SL -0.7%. long2: volume >= 90 and rising 1 < ratio <= 1.8, 72 <= RSI N-2 <= 86, RSI drop >= 2.5; exit RSI >= entry RSI + 1.5, SL -1.1%; never two long2 in a row unless RSI < 50 in between. short (futures only): volume >= 90 and falling 0.7 <= ratio < 1, 72 <= RSI N-2 <= 83, drop >= 3.5, RSI N-1 > 60; exit RSI <= 60, SL +0.8%. RSI > 86 or < 10 blocks entries until RSI is back to 50.',
  params: rsiSniperParams,
  checkEnvironment(params, env) {
    if (params.enableShort && env.market === 'spot') {
      return 'rsi-sniper: enableShort needs a futures account (the seed trades Kraken Futures with x10 leverage) and this bot is on spot, where a short cannot be opened. Set "enableShort": false to run long1 and long2 on spot; the short side is verified in the backtester with the simulated perpetual until the runtime supports futures.';
    }
    return null;
  },
  init: (ctx) => ({
    rsi: rsi(ctx.params.rsiPeriod),
    bars: [],
    warm: false,
    held: [],
    block: null,
    long2Rearmed: true,
    lastKind: null,
    position: null,
    seq: 0,
    trades: [],
    decisions: [],
    lastEvaluation: null,
  }),
  onEvent(state, event, ctx) {
    const p = ctx.params;
    const decide = (s: RsiSniperState, action: string, reason: string, facts: Facts = {}): RsiSniperState => ({
      ...s,
      decisions: remember(s.decisions, { time: ctx.now, action, reason, facts }),
    });

    /** Fold one closed candle into the RSI and the N-2/N-1 window (no decision). */
    const absorb = (s: RsiSniperState, c: Candle): RsiSniperState => {
      const last = s.bars[s.bars.length - 1];
      if (last && c.openTime <= last.openTime) return s;
      const next = nextRsi(s.rsi, Number(c.close));
      if (next.value === null) return { ...s, rsi: next };
      const bar: Bar = { openTime: c.openTime, close: c.close, volume: c.volume, rsi: next.value };
      return { ...s, rsi: next, bars: [...s.bars, bar].slice(-2) };
    };

    /** Candle N-1 just closed: update the block and the long2 lock, then exits, then entries. */
    const onClosed = (s0: RsiSniperState, c: Candle): { state: RsiSniperState; intents: Intent[] } => {
      const before = s0.bars[s0.bars.length - 1];
      let s = absorb(s0, c);
      const n1 = s.bars[s.bars.length - 1];
      if (!n1 || n1 === before) return { state: s, intents: [] };
      const n2 = s.bars.length === 2 ? s.bars[0]! : null;

      const block = nextBlock(s.block, n1.rsi, ctx.now, p);
      if (block && !s.block) s = decide(s, 'block', `RSI ${round(n1.rsi)} ${block.side === 'above' ? '>' : '<'} ${block.side === 'above' ? p.extremeAbove : p.extremeBelow}: no entry until RSI is back to ${p.extremeReset}`, { rsi: round(n1.rsi) });
      if (!block && s.block) s = decide(s, 'unblock', `RSI ${round(n1.rsi)} back to ${p.extremeReset}: entries allowed again`, { rsi: round(n1.rsi) });
      s = { ...s, block };
      if (n1.rsi < p.long2.rearmBelowRsi && !s.long2Rearmed) s = { ...s, long2Rearmed: true };

      // Exits first: "Pas de position en cours" is an entry condition, so no entry on an exit candle.
      const pos = s.position;
      if (pos) {
        if (pos.phase !== 'open') return { state: s, intents: [] };
        const ex = exitCheck(pos.kind, { close: pos.entryClose, rsi: pos.entryRsi }, n1, p);
        if (!ex.exit) return { state: s, intents: [] };
        const facts = { rsi: round(n1.rsi), close: n1.close, entryClose: pos.entryClose, entryRsi: round(pos.entryRsi), move: `${round(Number(movePct(pos.entryClose, n1.close)))}%` };
        s = decide({ ...s, position: { ...pos, phase: 'closing', exitReason: ex.reason, exitClose: n1.close } }, 'exit', ex.reason, facts);
        const side = pos.kind === 'short' ? 'BUY' : 'SELL';
        // A long sells the bot's whole holding: it includes the dust earlier exits left under the
        // lot step (fees paid in the base asset); the kernel rounds it down to the step.
        const quantity = pos.kind !== 'short' && gt(ctx.position.qty, pos.qty) ? ctx.position.qty : pos.qty;
        return { state: s, intents: [{ kind: 'place', tag: `exit-${pos.seq}`, side, type: 'MARKET', quantity, purpose: 'exit', reason: ex.reason, facts }] };
      }

      if (!n2) return { state: s, intents: [] };
      const checks: Record<string, Check> = {
        long1: long1Check(n1, n2, p),
        long2: long2Check(n1, n2, p, s.long2Rearmed || s.lastKind !== 'long2'),
        short: shortCheck(n1, n2, p),
      };
      s = { ...s, lastEvaluation: { time: ctx.now, rsi: round(n1.rsi), blocked: block !== null, checks } };
      const kind = (['long1', 'long2', 'short'] as const).find((k) => checks[k]!.ok && (k !== 'short' || p.enableShort));
      if (!kind) return { state: s, intents: [] };
      const facts: Record<string, string | number | boolean> = {
        rsiN1: round(n1.rsi),
        rsiN2: round(n2.rsi),
        volumeN1: n1.volume,
        volumeN2: n2.volume,
        closeN1: n1.close,
      };
      if (block) return { state: decide(s, 'blocked', `${kind} conditions met but entries are blocked since RSI ${round(block.rsi)} (${block.side} the extreme)`, facts), intents: [] };
      if (ctx.paused) return { state: decide(s, 'skip', `${kind} conditions met but the bot is paused`, facts), intents: [] };

      const seq = s.seq + 1;
      const reason = `${kind} entry: ${checks[kind]!.conditions.map((c) => c.rule).join('; ')}`;
      let intent: Intent;
      if (kind === 'short') {
        // "taille_max = marge_disponible × 10", the fee kept out: qty x price x (1 / leverage + fee) = margin
        const margin = ctx.balances?.quote ?? null;
        if (margin === null || !isPositive(margin)) return { state: decide(s, 'skip', 'short conditions met but the available margin is unknown or zero', facts), intents: [] };
        const raw = str(d(margin).dividedBy(d(n1.close).times(d(1).dividedBy(p.leverage).plus(p.feeRate))));
        const quantity = ctx.filters ? floorToStep(raw, marketStep(ctx.filters)) : raw;
        facts.margin = margin;
        facts.leverage = p.leverage;
        intent = { kind: 'place', tag: `entry-${seq}`, side: 'SELL', type: 'MARKET', quantity, purpose: 'entry', reason, facts };
      } else if (p.sizing === 'max') {
        // "Sizing MAX" on spot: spend the whole free quote balance (the fee is taken from the bought asset).
        const free = ctx.balances?.quote ?? null;
        if (free === null || !isPositive(free)) return { state: decide(s, 'skip', `${kind} conditions met but the free quote balance is unknown or zero`, facts), intents: [] };
        facts.freeQuote = free;
        intent = { kind: 'place', tag: `entry-${seq}`, side: 'BUY', type: 'MARKET', quoteOrderQty: floorToStep(free, '0.00000001'), purpose: 'entry', reason, facts };
      } else {
        const size = sizeEntry(p.sizing, { price: n1.close, filters: ctx.filters, freeQuote: ctx.balances?.quote ?? null, market: true });
        if (!size.ok) return { state: decide(s, 'skip', `${kind} conditions met but sizing refused: ${size.reason}`, facts), intents: [] };
        facts.sizing = size.why;
        intent = { kind: 'place', tag: `entry-${seq}`, side: 'BUY', type: 'MARKET', quantity: size.quantity, purpose: 'entry', reason, facts };
      }
      const position: OpenPosition = { kind, phase: 'opening', seq, entryClose: n1.close, entryRsi: n1.rsi, qty: '0', fillPrice: null, openedAt: ctx.now, exitReason: null, exitClose: null };
      s = decide({ ...s, seq, position, lastKind: kind, long2Rearmed: kind === 'long2' ? false : s.long2Rearmed }, `enter-${kind}`, reason, facts);
      return { state: s, intents: [intent] };
    };

    switch (event.type) {
      case 'start':
        return {
          state,
          intents: [{ kind: 'request', requestId: WARMUP_REQUEST, request: { kind: 'candles', symbol: ctx.symbol, interval: ctx.interval, limit: p.warmupCandles } }],
        };

      case 'data': {
        if (event.requestId !== WARMUP_REQUEST || state.warm) return { state };
        const fetched = Array.isArray(event.result) ? (event.result as unknown as Candle[]) : [];
        let s: RsiSniperState = { ...state, warm: true, held: [] };
        const all = [...fetched, ...state.held].sort((a, b) => a.openTime - b.openTime);
        for (const c of all) {
          const before = s.bars[s.bars.length - 1];
          s = absorb(s, c);
          const bar = s.bars[s.bars.length - 1];
          // An extreme in the warm-up history still blocks until the RSI has been back to 50.
          if (bar && bar !== before) s = { ...s, block: nextBlock(s.block, bar.rsi, bar.openTime, p) };
        }
        s = decide(s, 'warm', `RSI warmed on ${all.length} closed candles`, { rsi: s.bars.length > 0 ? round(s.bars[s.bars.length - 1]!.rsi) : -1 });
        return { state: s, intents: fetched.length === 0 ? [{ kind: 'notify', level: 'warn', message: 'RSI warm-up failed; deciding once enough live candles have closed' }] : [] };
      }

      case 'candle': {
        if (!state.warm) {
          const held = [...state.held, event.candle];
          // The warm-up answer should come within a candle; after 5 without it, go on with live candles.
          if (held.length < 5) return { state: { ...state, held } };
          let s: RsiSniperState = decide({ ...state, warm: true, held: [] }, 'warm', 'no warm-up answer after 5 candles: warming on live candles');
          for (const c of held) s = absorb(s, c);
          return { state: s, intents: [{ kind: 'notify', level: 'warn', message: 'RSI warm-up never answered; warming on live candles' }] };
        }
        const r = onClosed(state, event.candle);
        return { state: r.state, intents: r.intents };
      }

      case 'order': {
        const { order } = event;
        const pos = state.position;
        if (!pos || !isFinal(order)) return { state };
        if (order.tag === `entry-${pos.seq}` && pos.phase === 'opening') {
          if (!isPositive(order.executedQty)) {
            const s = decide({ ...state, position: null, lastKind: state.trades.at(-1)?.kind ?? null, long2Rearmed: pos.kind === 'long2' ? true : state.long2Rearmed }, 'entry-failed', `${pos.kind} entry ${order.status}: ${order.rejectReason ?? ''}`);
            return { state: s, intents: [{ kind: 'notify', level: 'warn', message: `${pos.kind} entry ${order.status}: ${order.rejectReason ?? ''}` }] };
          }
          const base = splitSymbol(ctx.symbol, ctx.filters).base;
          const qty = order.request.side === 'BUY' ? netBought(order, base) : str(d(order.executedQty));
          const sellable = ctx.filters ? floorToStep(qty, marketStep(ctx.filters)) : qty;
          return { state: { ...state, position: { ...pos, phase: 'open', qty: sellable, fillPrice: averagePrice(order) } } };
        }
        if (order.tag === `exit-${pos.seq}` && pos.phase === 'closing') {
          if (!isPositive(order.executedQty)) {
            // Not closed: the next closed candle evaluates the exit again.
            const s = decide({ ...state, position: { ...pos, phase: 'open', exitReason: null, exitClose: null } }, 'exit-failed', `${pos.kind} exit ${order.status}: ${order.rejectReason ?? ''}`);
            return { state: s, intents: [{ kind: 'notify', level: 'error', message: `${pos.kind} exit ${order.status}: ${order.rejectReason ?? ''}; retrying on the next candle` }] };
          }
          const exitPrice = averagePrice(order);
          const entryPrice = pos.fillPrice ?? pos.entryClose;
          const perUnit = pos.kind === 'short' ? d(entryPrice).minus(exitPrice) : d(exitPrice).minus(entryPrice);
          const trade: SniperTrade = {
            kind: pos.kind,
            qty: order.executedQty,
            entryClose: pos.entryClose,
            entryPrice,
            exitPrice,
            pnl: str(perUnit.times(order.executedQty).toDecimalPlaces(8)),
            reason: pos.exitReason ?? '',
            openedAt: pos.openedAt,
            closedAt: ctx.now,
          };
          const s = decide({ ...state, position: null, trades: [...state.trades, trade].slice(-MAX_TRADES_KEPT) }, 'closed', `${pos.kind} closed at ${exitPrice}: ${trade.reason}`, { pnl: trade.pnl });
          return { state: s };
        }
        return { state };
      }

      default:
        return { state };
    }
  },
});
