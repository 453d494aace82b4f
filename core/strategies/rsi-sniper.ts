/**
 * Seed 003 ("BitSniper") as a bot on the strategy kit; its rules, in the seed's words, are in
 * ./rsi-sniper-rules.ts. Each closed candle (the kernel's `candle` event) is N-1: block, exits, then
 * entries, at market (a kit round trip), after an RSI warm-up. A spot bot with shorts, or a futures
 * bot with a `sizing` but "max", refuses to start (backtest/perpetual.ts simulates the perpetual).
 */
import { type RsiState, rsi } from '../indicators/rsi';
import * as kit from '../strategy-kit';
import type * as rules from './rsi-sniper-rules';
import { exitCheck, long1Check, long2Check, nextBlock, rsiSniperParams, shortCheck } from './rsi-sniper-rules';

export * from './rsi-sniper-rules';

/** The sniper's record of a position; the round trip adds its phase, quantity, fill price, ... */
interface Entry {
  readonly kind: rules.PositionKind;
  /** Close of candle N-1 at entry: the stop-losses' reference ("cours d'entrée (Bougie N-1)"). */
  readonly entryClose: kit.Dec;
  /** RSI of candle N-1 at entry ("Enregistrer le RSI de la Bougie N-1 à l'entrée"). */
  readonly entryRsi: number;
}

const trip = kit.roundTrip({
  entry: kit.numbered('entry'),
  exit: kit.numbered('exit'),
  label: (e: Entry) => e.kind,
  isShort: (e) => e.kind === 'short',
  reference: (e) => e.entryClose,
  tradeOf: (e) => ({ kind: e.kind, entryClose: e.entryClose }),
  // A long sells the bot's whole holding, with the dust earlier exits left (fees paid in base).
  sweepDust: true,
});

export interface RsiSniperState extends kit.WarmupFields, kit.TripsOf<typeof trip> {
  readonly rsi: RsiState;
  /** The last two closed candles (N-2, N-1) with their RSI. */
  readonly bars: readonly rules.Bar[];
  readonly block: rules.Block | null;
  /** True when a long2 may be taken: no long2 yet, or RSI went below 50 since the last one. */
  readonly long2Rearmed: boolean;
  readonly lastKind: rules.PositionKind | null;
  /** Every rule on the last closed candle, for the `state` query. */
  readonly lastEvaluation: kit.Evaluation<{ readonly rsi: number | null; readonly blocked: boolean }> | null;
}

type Ctx = kit.StrategyContext<rules.RsiSniperParams>;

export const rsiSniper = kit.defineKitStrategy<rules.RsiSniperParams, RsiSniperState>({
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
    facts: (s) => ({ rsi: s.bars.length > 0 ? kit.round(s.bars.at(-1)!.rsi) : -1 }),
  },
  indicators: { rsi: kit.feeds.rsi },
  // An extreme in the warm-up history still blocks until the RSI has been back to 50.
  onHistory: (s, c, ctx) => (s.rsi.value === null ? s : withBar(s, barOf(c, s.rsi.value), c.openTime, ctx.params)),
  onCandle: onClosed,
  // A failed entry gives back the long2 it used, and the last kind is the last trade's again.
  onOrderFinal: (state, order, ctx) =>
    trip.onOrder(state, order, ctx, (s, pos) => ({
      ...s,
      lastKind: s.trades.at(-1)?.kind ?? null,
      long2Rearmed: pos.kind === 'long2' || s.long2Rearmed,
    })) ?? { state },
});

const barOf = (c: kit.Candle, rsi: number) => ({ openTime: c.openTime, close: c.close, volume: c.volume, rsi });

/** One more closed bar: the last two kept, the extreme block moved. */
function withBar(s: RsiSniperState, bar: rules.Bar, time: number, p: rules.RsiSniperParams): RsiSniperState {
  return { ...s, bars: [...s.bars, bar].slice(-2), block: nextBlock(s.block, bar.rsi, time, p) };
}

/** Candle N-1 just closed (its RSI fed by the kit): the block and the long2 lock, then exits, then entries. */
function onClosed(state: RsiSniperState, c: kit.Candle, ctx: Ctx): kit.Decision<RsiSniperState> {
  const p = ctx.params;
  if (state.rsi.value === null) return { state };
  const n1 = barOf(c, state.rsi.value);
  const r = kit.round(n1.rsi);
  const at = { label: 'RSI', value: n1.rsi, band: kit.extremesOf(p) };
  let s = kit.journalBlock(withBar(state, n1, ctx.now, p), ctx, state.block, at);
  s = { ...s, long2Rearmed: s.long2Rearmed || n1.rsi < p.long2.rearmBelowRsi };
  const n2 = s.bars.length === 2 ? s.bars[0]! : null;

  // Exits first: "Pas de position en cours" is an entry condition, so no entry on an exit candle.
  const pos = s.position;
  if (pos) {
    const ex = pos.phase === 'open' ? exitCheck(pos.kind, { close: pos.entryClose, rsi: pos.entryRsi }, n1, p) : null;
    if (!ex?.exit) return { state: s };
    const move = `${kit.round(Number(kit.movePct(pos.entryClose, n1.close)))}%`;
    const facts = { rsi: r, close: n1.close, entryClose: pos.entryClose, entryRsi: kit.round(pos.entryRsi), move };
    return trip.exit(s, { reason: ex.reason, facts }, ctx);
  }

  if (!n2) return { state: s };
  const checks = {
    long1: long1Check(n1, n2, p),
    long2: long2Check(n1, n2, p, s.long2Rearmed || s.lastKind !== 'long2'),
    short: shortCheck(n1, n2, p),
  };
  s = { ...s, lastEvaluation: { time: ctx.now, rsi: r, blocked: s.block !== null, checks } };
  const kind = (['long1', 'long2', 'short'] as const).find((k) => checks[k].ok && (k !== 'short' || p.enableShort));
  if (!kind) return { state: s };
  const facts = { rsiN1: r, rsiN2: kit.round(n2.rsi), volumeN1: n1.volume, volumeN2: n2.volume, closeN1: n1.close };
  const why = s.block && `entries are blocked since RSI ${kit.round(s.block.rsi)} (${s.block.side} the extreme)`;
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
