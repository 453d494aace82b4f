/**
 * Seed 003 (French, "BitSniper"): RSI(12) and candle volume on 15-minute candles, three position
 * kinds (long1, long2, short), on Binance instead of Kraken Futures. The rules, as the seed writes
 * them ("Stratégie de trading"):
 *
 * - "Toutes les décisions (entrée, sortie, SL) sont basées sur le closing de la bougie précédente
 *   (N-1)... exécutée immédiatement après la clôture, au tout début de la bougie N": every rule is
 *   evaluated when candle N-1 closes (the kernel's `candle` event), with N-2 for the deltas, and
 *   acted on at once with a MARKET order, i.e. at the start of candle N.
 * - The entry lists, exits, close-based stop-losses, the extreme block and every threshold are in
 *   ./rsi-sniper-rules.ts, as the seed writes them; this file runs them as a bot on the kit.
 * - "Ne jamais enchaîner 2 positions long2 d'affilée si le RSI n'est pas repassé sous 50": after a
 *   long2, another long2 needs a close with RSI < 50 first.
 * - "Sizing MAX": spot longs spend the whole free quote balance (`sizing: "max"`, or another mode);
 *   on futures every entry, short or long, is "taille_max = marge_disponible × 10" (the leverage a
 *   param), so a futures bot refuses any `sizing` but "max" rather than ignore it.
 *
 * The short side needs a futures account: a spot bot with `enableShort` refuses to start (see
 * `checkEnvironment`); the backtester verifies it with a simulated perpetual (backtest/perpetual.ts).
 * On the kit: a declared warm-up of `warmupCandles`, the RSI fed by it, market round trips.
 */
import type { Dec } from '../decimal';
import { type RsiState, rsi } from '../indicators/rsi';
import * as kit from '../strategy-kit';
import { movePct, round } from '../strategy-kit';
import {
  type Bar,
  type Block,
  type PositionKind,
  type RsiSniperParams,
  exitCheck,
  long1Check,
  long2Check,
  nextBlock,
  rsiSniperParams,
  shortCheck,
} from './rsi-sniper-rules';

export { type Check, type Condition, movePct } from '../strategy-kit';
export * from './rsi-sniper-rules';

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
  checkEnvironment: (params, env) => {
    if (params.enableShort && env.market === 'spot')
      return 'rsi-sniper: enableShort needs a futures account (the seed trades Kraken Futures with x10 leverage) and this bot is on spot, where a short cannot be opened. Set "market": "futures" to trade the seed\'s three sides on the USDⓈ-M perpetual, or "enableShort": false to run long1 and long2 on spot.';
    // A sizing mode that would be silently ignored is worse than a refusal: a futures bot asked for 0.1 BTC would trade 30 times that.
    if (env.market === 'futures' && params.sizing !== 'max')
      return `rsi-sniper: sizing ${JSON.stringify(params.sizing)} does not apply on futures, where every entry is sized like the seed's "taille_max = marge_disponible × ${params.leverage}": the free margin × leverage, less the fee. Set "sizing": "max" (or leave it out), and size with "leverage".`;
    return null;
  },
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
