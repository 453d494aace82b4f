/**
 * Seed 004 (Italian, "Minerva HFT"): order-book imbalance. The seed's "Algorithm for Entries, Take
 * Profits and Stop Losses", step by step:
 *
 * 1. "vedi se ci sono operazioni aperte identiche o simili": skip when a trade on the same side with
 *    the same TP and SL peaks is already open.
 * 2. "vedi se ci sono troppe operazioni aperte (troppo numero o troppo capitale investito)": at most
 *    `maxConcurrentTrades` (5) trades, and at most `maxCapitalEngaged` (90 %: "90% allowed parallel
 *    trading capital") of `capital` engaged.
 * 3-5. "se il prezzo e' nel range e l'order book sta per essere pienato da una unica direzione":
 *    the book's ask share (core/analysis/book.ts) at or below `longPressure` (0.25) goes long, at or
 *    above `shortPressure` (0.75) goes short, with the price between the bid peak and the ask peak.
 * 6. "imposta ENTRY limite a prezzo svantaggioso nella direzione in cui sta andando": a LIMIT entry
 *    at the far touch (buy at the best ask, sell at the best bid), i.e. paying the spread to be
 *    filled ahead of the move ("Limit order front running").
 * 7. "imposta TP nel picco accanto rispetto al movimento": take-profit at the nearest volume peak in
 *    the direction of the move.
 * 8. "imposta SL nel picco accanto": stop-loss beyond the nearest peak on the other side, plus
 *    `stopLossPriceBuffer` (quote units, 0.2).
 * Risk: each trade engages `precentagePerTrade` (0.18, the seed's spelling) of `capital`; with 5
 * trades that is the 90 % cap (5 x 0.18 = 0.90).
 *
 * The book is read every closed candle (seed: "prendi l'order book ogni minuto") through a `custom`
 * `bookSummary` request: the analysis runs in an activity and only the summary enters the workflow.
 * TP and SL are one native OCO order on the exchange, so they work on ticks without the bot.
 */
import { z } from 'zod';
import { type Dec, add, d, floorToStep, gt, isPositive, lt, str, sub } from '../decimal';
import type { BookPeak, BookSummary } from '../analysis/book';
import { averagePrice, netBought } from '../fills';
import { intervalMs } from '../market';
import { type OrderRecord, isFinalStatus } from '../orders';
import { finiteNumber, fraction, nonNegativeDecimal, positiveDecimal, positiveInt } from '../schema';
import { type Intent, type Json, defineStrategy } from '../strategy';
import { splitSymbol } from '../symbols';
import { type DecisionRecord, type Facts, remember, round } from '../strategy-kit/journal';

export const bookImbalanceParams = z
  .object({
    /** Capital the risk rules are measured against, in quote asset (seed: `--capital 10000`). */
    capital: positiveDecimal.default('10000'),
    /** Depth levels per side (seed: `--limit_orderbook 500`). */
    limitOrderbook: positiveInt.max(5000).default(500),
    /** find_peaks threshold, % of the side's largest level (seed: `--relative_THRESHOLD 10`). */
    relativeThreshold: finiteNumber
      .min(0, { message: 'must be a percentage from 0 to 100' })
      .max(100, { message: 'must be a percentage from 0 to 100' })
      .default(10),
    /** find_peaks prominence in base units (seed: `prominence = 5`). */
    prominence: finiteNumber.min(0, { message: 'must not be negative' }).default(5),
    /** find_peaks height (seed: `height = 0`). */
    height: finiteNumber.default(0),
    /** find_peaks distance = levels / divisor (seed: `--peak_distance_divisor 10`); 0 = no distance rule. */
    peakDistanceDivisor: finiteNumber.min(0, { message: 'must not be negative' }).default(10),
    /** Long when the ask share is at most this (seed: `--long_pressure 0.25`). */
    longPressure: finiteNumber
      .min(0, { message: 'must be a share from 0 to 1' })
      .max(1, { message: 'must be a share from 0 to 1' })
      .default(0.25),
    /** Short when the ask share is at least this (seed: `--short_pressure 0.75`). */
    shortPressure: finiteNumber
      .min(0, { message: 'must be a share from 0 to 1' })
      .max(1, { message: 'must be a share from 0 to 1' })
      .default(0.75),
    /** Seed: `--max_concurrent_trades 5`. */
    maxConcurrentTrades: positiveInt.default(5),
    /** Fraction of `capital` engaged per trade (seed: `--precentage_per_trade 0.18`). */
    precentagePerTrade: fraction.default('0.18'),
    /** Fraction of `capital` that may be engaged at once (seed: "90% allowed parallel trading capital"). */
    maxCapitalEngaged: fraction.default('0.9'),
    /** Added beyond the SL peak, in quote units (seed: `--stop_loss_price_buffer 0.2`). */
    stopLossPriceBuffer: nonNegativeDecimal.default('0.2'),
    /** Shorts need a futures account: a spot bot with shorts enabled refuses to start. */
    enableShort: z.boolean().default(false),
    /** Cancel an entry still unfilled after this many closed candles (not in the seed: an HFT entry is short-lived). */
    entryTimeoutCandles: positiveInt.default(1),
  })
  .strict()
  .refine((p) => p.longPressure < p.shortPressure, {
    message: 'longPressure must be below shortPressure',
    path: ['longPressure'],
  })
  .refine((p) => d(p.precentagePerTrade).lte(p.maxCapitalEngaged), {
    message: 'must not exceed maxCapitalEngaged: one trade would engage more than all trades may',
    path: ['precentagePerTrade'],
  });
export type BookImbalanceParams = z.output<typeof bookImbalanceParams>;

export type Side = 'long' | 'short';

export interface TradePlan {
  readonly side: Side;
  readonly entry: Dec;
  readonly tp: Dec;
  readonly sl: Dec;
  readonly tpPeak: BookPeak;
  readonly slPeak: BookPeak;
}

export type PlanResult =
  { readonly ok: true; readonly plan: TradePlan; readonly why: string } | { readonly ok: false; readonly why: string };

/** Steps 3-8 on one summary: the side from the pressure, then entry, TP and SL from the peaks. */
export function planTrade(s: BookSummary, p: BookImbalanceParams): PlanResult {
  const share = s.askShare;
  let side: Side | null = null;
  if (share <= p.longPressure) side = 'long';
  else if (share >= p.shortPressure) side = 'short';
  if (!side)
    return {
      ok: false,
      why: `book balanced: ask share ${round(share)} between ${p.longPressure} and ${p.shortPressure}`,
    };
  if (side === 'short' && !p.enableShort)
    return {
      ok: false,
      why: `ask share ${round(share)} >= ${p.shortPressure} calls for a short, and shorts are disabled`,
    };
  const entry = side === 'long' ? s.bestAsk : s.bestBid;
  // TP at the neighbouring peak in the direction of the move; SL beyond the neighbouring peak on the other side.
  const tpPeak =
    side === 'long' ? s.askPeaks.find((pk) => gt(pk.price, entry)) : s.bidPeaks.find((pk) => lt(pk.price, entry));
  const slPeak =
    side === 'long' ? s.bidPeaks.find((pk) => lt(pk.price, entry)) : s.askPeaks.find((pk) => gt(pk.price, entry));
  if (!tpPeak)
    return {
      ok: false,
      why: `${side}: no ${side === 'long' ? 'ask' : 'bid'} peak beyond the entry ${entry} for the take-profit`,
    };
  if (!slPeak)
    return {
      ok: false,
      why: `${side}: no ${side === 'long' ? 'bid' : 'ask'} peak on the other side of ${entry} for the stop-loss`,
    };
  const sl = side === 'long' ? sub(slPeak.price, p.stopLossPriceBuffer) : add(slPeak.price, p.stopLossPriceBuffer);
  if (!isPositive(sl)) return { ok: false, why: `${side}: stop-loss ${sl} is not a price` };
  // "se il prezzo e' nel range": the touch lies between the two peaks that frame the trade.
  const inRange =
    side === 'long'
      ? lt(slPeak.price, s.bestBid) || slPeak.price === s.bestBid
      : gt(slPeak.price, s.bestAsk) || slPeak.price === s.bestAsk;
  if (!inRange) return { ok: false, why: `${side}: price outside the range between the peaks` };
  return {
    ok: true,
    plan: { side, entry, tp: tpPeak.price, sl, tpPeak, slPeak },
    why: `ask share ${round(share)} ${side === 'long' ? `<= long pressure ${p.longPressure}` : `>= short pressure ${p.shortPressure}`}: ${side} at ${entry}, TP at the ${side === 'long' ? 'ask' : 'bid'} peak ${tpPeak.price} (${round(tpPeak.volume)}), SL ${sl} beyond the ${side === 'long' ? 'bid' : 'ask'} peak ${slPeak.price} (${round(slPeak.volume)}) ${side === 'long' ? '-' : '+'} ${p.stopLossPriceBuffer}`,
  };
}

export interface BookTrade {
  readonly id: number;
  readonly side: Side;
  readonly phase: 'entering' | 'open' | 'closing';
  readonly entry: Dec;
  readonly tp: Dec;
  readonly sl: Dec;
  readonly qty: Dec;
  /** Quote engaged (entry x quantity): counted against the 90 % cap. */
  readonly notional: Dec;
  readonly filledQty: Dec;
  readonly fillPrice: Dec | null;
  readonly candlesWaiting: number;
  readonly openedAt: number;
}

export interface ClosedBookTrade {
  readonly id: number;
  readonly side: Side;
  readonly qty: Dec;
  readonly entryPrice: Dec;
  readonly exitPrice: Dec;
  readonly exit: 'take-profit' | 'stop-loss' | 'market';
  readonly pnl: Dec;
  readonly openedAt: number;
  readonly closedAt: number;
}

export interface BookImbalanceState {
  readonly pending: string | null;
  /** When the pending request was sent: an answer lost for 5 candles is given up on. */
  readonly pendingSince: number | null;
  readonly seq: number;
  /** Open trades by id (entering, open with an OCO, or closing). */
  readonly trades: Readonly<Record<string, BookTrade>>;
  readonly closed: readonly ClosedBookTrade[];
  readonly lastSummary: {
    readonly time: number;
    readonly askShare: number;
    readonly bestBid: Dec;
    readonly bestAsk: Dec;
    readonly bidPeaks: number;
    readonly askPeaks: number;
  } | null;
  readonly decisions: readonly DecisionRecord[];
}

const MAX_CLOSED_KEPT = 100;

/** Steps 1-2: similar trade open, too many trades, too much capital engaged. */
export function riskCheck(
  plan: TradePlan,
  open: readonly BookTrade[],
  notional: Dec,
  p: BookImbalanceParams,
): string | null {
  if (open.some((t) => t.side === plan.side && t.tp === plan.tp && t.sl === plan.sl))
    return `a ${plan.side} with the same TP ${plan.tp} and SL ${plan.sl} is already open`;
  if (open.length >= p.maxConcurrentTrades)
    return `${open.length} trades open, the maximum is ${p.maxConcurrentTrades}`;
  const engaged = open.reduce((acc, t) => acc.plus(t.notional), d(0));
  const cap = d(p.capital).times(p.maxCapitalEngaged);
  if (engaged.plus(notional).greaterThan(cap))
    return `engaging ${notional} more would bring the engaged capital to ${str(engaged.plus(notional))}, above ${str(cap)} (${p.maxCapitalEngaged} of ${p.capital})`;
  return null;
}

const isFinal = (o: OrderRecord): boolean => isFinalStatus(o.status);

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}

export const bookImbalance = defineStrategy<BookImbalanceParams, BookImbalanceState>({
  id: 'book-imbalance',
  title: 'Seed 004: order-book imbalance, TP and SL at the neighbouring volume peaks',
  description:
    "Every closed candle reads a depth summary (volume peaks per side via find_peaks with the seed's threshold/prominence/distance, and the ask share of the book). Ask share <= longPressure: LIMIT buy at the best ask; >= shortPressure: short (futures only). TP at the nearest peak in the direction of the move, SL beyond the nearest peak on the other side plus stopLossPriceBuffer, as one OCO. Each trade engages precentagePerTrade of capital; at most maxConcurrentTrades and maxCapitalEngaged of capital.",
  params: bookImbalanceParams,
  checkEnvironment(params, env) {
    if (params.enableShort && env.market === 'spot') {
      return 'book-imbalance: enableShort needs a futures account (the seed trades Binance futures) and this bot is on spot, where a short cannot be opened. Set "enableShort": false to trade the long side on spot.';
    }
    return null;
  },
  init: () => ({ pending: null, pendingSince: null, seq: 0, trades: {}, closed: [], lastSummary: null, decisions: [] }),
  onEvent(state, event, ctx) {
    const p = ctx.params;
    const decide = (s: BookImbalanceState, action: string, reason: string, facts: Facts = {}): BookImbalanceState => ({
      ...s,
      decisions: remember(s.decisions, { time: ctx.now, action, reason, facts }),
    });

    switch (event.type) {
      case 'candle': {
        let s = state;
        const intents: Intent[] = [];
        // Entries that waited too long are withdrawn (a stale front-run is no front-run).
        for (const t of Object.values(state.trades)) {
          if (t.phase !== 'entering') continue;
          const waited = t.candlesWaiting + 1;
          s = { ...s, trades: { ...s.trades, [t.id]: { ...t, candlesWaiting: waited } } };
          if (waited >= p.entryTimeoutCandles) intents.push({ kind: 'cancel', tag: `entry-${t.id}` });
        }
        const stale =
          s.pending !== null && s.pendingSince !== null && ctx.now - s.pendingSince > 5 * intervalMs(ctx.interval);
        if ((s.pending === null || stale) && !ctx.paused) {
          const requestId = `book-${event.candle.openTime}`;
          if (stale) s = decide(s, 'retry', `no answer to ${s.pending} for 5 candles: asking again`);
          s = { ...s, pending: requestId, pendingSince: ctx.now };
          const input: Json = {
            symbol: ctx.symbol,
            limit: p.limitOrderbook,
            relativeThreshold: p.relativeThreshold,
            prominence: p.prominence,
            height: p.height,
            peakDistanceDivisor: p.peakDistanceDivisor,
          };
          intents.push({ kind: 'request', requestId, request: { kind: 'custom', name: 'bookSummary', input } });
        }
        return { state: s, intents };
      }

      case 'data': {
        if (event.requestId !== state.pending) return { state };
        let s: BookImbalanceState = { ...state, pending: null, pendingSince: null };
        const summary = event.result as unknown as BookSummary & { error?: string };
        if (
          !summary ||
          typeof summary !== 'object' ||
          typeof summary.error === 'string' ||
          typeof summary.askShare !== 'number'
        ) {
          return { state: decide(s, 'skip', `book summary failed: ${summary?.error ?? 'unexpected answer'}`) };
        }
        s = {
          ...s,
          lastSummary: {
            time: summary.time,
            askShare: summary.askShare,
            bestBid: summary.bestBid,
            bestAsk: summary.bestAsk,
            bidPeaks: summary.bidPeaks.length,
            askPeaks: summary.askPeaks.length,
          },
        };
        const facts: Record<string, string | number | boolean> = {
          askShare: round(summary.askShare),
          bidVolume: round(summary.bidVolume),
          askVolume: round(summary.askVolume),
          bestBid: summary.bestBid,
          bestAsk: summary.bestAsk,
        };
        const planned = planTrade(summary, p);
        if (!planned.ok)
          return {
            state: s.lastSummary && planned.why.startsWith('book balanced') ? s : decide(s, 'skip', planned.why, facts),
          };
        const { plan } = planned;
        Object.assign(facts, {
          entry: plan.entry,
          tp: plan.tp,
          sl: plan.sl,
          tpPeakVolume: round(plan.tpPeak.volume),
          slPeakVolume: round(plan.slPeak.volume),
        });
        if (ctx.paused) return { state: decide(s, 'skip', `${planned.why}; but the bot is paused`, facts) };
        const budget = d(p.capital).times(p.precentagePerTrade);
        const step = ctx.filters?.stepSize ?? '0.00000001';
        const qty = floorToStep(str(budget.dividedBy(plan.entry)), step);
        if (!isPositive(qty))
          return {
            state: decide(
              s,
              'skip',
              `${p.precentagePerTrade} of ${p.capital} buys no ${ctx.symbol} at ${plan.entry}`,
              facts,
            ),
          };
        const notional = str(d(qty).times(plan.entry));
        const refusal = riskCheck(plan, Object.values(s.trades), notional, p);
        if (refusal) return { state: decide(s, 'skip', refusal, facts) };
        const id = s.seq + 1;
        const trade: BookTrade = {
          id,
          side: plan.side,
          phase: 'entering',
          entry: plan.entry,
          tp: plan.tp,
          sl: plan.sl,
          qty,
          notional,
          filledQty: '0',
          fillPrice: null,
          candlesWaiting: 0,
          openedAt: ctx.now,
        };
        s = decide({ ...s, seq: id, trades: { ...s.trades, [id]: trade } }, `enter-${plan.side}`, planned.why, {
          ...facts,
          qty,
          notional,
        });
        return {
          state: s,
          intents: [
            {
              kind: 'place',
              tag: `entry-${id}`,
              side: plan.side === 'long' ? 'BUY' : 'SELL',
              type: 'LIMIT',
              price: plan.entry,
              quantity: qty,
              timeInForce: 'GTC',
              purpose: 'entry',
              reason: planned.why,
              facts,
            },
          ],
        };
      }

      case 'order': {
        const { order } = event;
        const [kind, rawId] = order.tag.split('-');
        const t = rawId !== undefined ? state.trades[rawId] : undefined;
        if (!t || !isFinal(order)) return { state };

        if (kind === 'entry' && t.phase === 'entering') {
          if (!isPositive(order.executedQty)) {
            return {
              state: decide(
                { ...state, trades: without(state.trades, rawId!) },
                'entry-withdrawn',
                `entry ${order.status} unfilled${order.rejectReason ? `: ${order.rejectReason}` : ''}`,
              ),
            };
          }
          const base = splitSymbol(ctx.symbol, ctx.filters).base;
          const qty = order.request.side === 'BUY' ? netBought(order, base) : str(d(order.executedQty));
          const exitQty = ctx.filters ? floorToStep(qty, ctx.filters.stepSize) : qty;
          const fillPrice = averagePrice(order);
          const open: BookTrade = {
            ...t,
            phase: 'open',
            filledQty: exitQty,
            fillPrice,
            notional: str(d(order.executedQty).times(fillPrice)),
          };
          const s = decide(
            { ...state, trades: { ...state.trades, [t.id]: open } },
            'open',
            `${t.side} filled ${order.executedQty} at ${fillPrice}: OCO TP ${t.tp} / SL ${t.sl}`,
            { tp: t.tp, sl: t.sl },
          );
          // One native OCO: the take-profit limit and the stop on the exchange, evaluated on ticks there.
          const oco: Intent =
            t.side === 'long'
              ? {
                  kind: 'placeOco',
                  tag: `exit-${t.id}`,
                  side: 'SELL',
                  quantity: exitQty,
                  above: { type: 'LIMIT_MAKER', price: t.tp },
                  below: { type: 'STOP_LOSS', stopPrice: t.sl },
                  purpose: 'exit',
                  reason: `TP at peak ${t.tp}, SL ${t.sl}`,
                }
              : {
                  kind: 'placeOco',
                  tag: `exit-${t.id}`,
                  side: 'BUY',
                  quantity: exitQty,
                  above: { type: 'STOP_LOSS', stopPrice: t.sl },
                  below: { type: 'LIMIT_MAKER', price: t.tp },
                  purpose: 'exit',
                  reason: `TP at peak ${t.tp}, SL ${t.sl}`,
                };
          return { state: s, intents: [oco] };
        }

        if ((kind === 'exit' || kind === 'close') && (t.phase === 'open' || t.phase === 'closing')) {
          if (order.status === 'FILLED' || isPositive(order.executedQty)) {
            const exitPrice = averagePrice(order);
            const entryPrice = t.fillPrice ?? t.entry;
            const perUnit = t.side === 'long' ? d(exitPrice).minus(entryPrice) : d(entryPrice).minus(exitPrice);
            const exit: ClosedBookTrade['exit'] =
              kind === 'close' ? 'market' : order.request.type === 'LIMIT_MAKER' ? 'take-profit' : 'stop-loss';
            const closed: ClosedBookTrade = {
              id: t.id,
              side: t.side,
              qty: order.executedQty,
              entryPrice,
              exitPrice,
              exit,
              pnl: str(perUnit.times(order.executedQty).toDecimalPlaces(8)),
              openedAt: t.openedAt,
              closedAt: ctx.now,
            };
            const s = decide(
              {
                ...state,
                trades: without(state.trades, String(t.id)),
                closed: [...state.closed, closed].slice(-MAX_CLOSED_KEPT),
              },
              'closed',
              `${t.side} #${t.id} ${exit} at ${exitPrice}`,
              { pnl: closed.pnl },
            );
            return { state: s };
          }
          // The other OCO leg expiring after a fill is normal; a rejected OCO needs a market exit.
          if (order.status === 'REJECTED' && t.phase === 'open') {
            const s = decide(
              { ...state, trades: { ...state.trades, [t.id]: { ...t, phase: 'closing' } } },
              'exit-rejected',
              `OCO rejected (${order.rejectReason ?? ''}): closing at market`,
            );
            return {
              state: s,
              intents: [
                {
                  kind: 'place',
                  tag: `close-${t.id}`,
                  side: t.side === 'long' ? 'SELL' : 'BUY',
                  type: 'MARKET',
                  quantity: t.filledQty,
                  purpose: 'exit',
                  reason: `OCO rejected: ${order.rejectReason ?? ''}`,
                },
              ],
            };
          }
        }
        return { state };
      }

      default:
        return { state };
    }
  },
});
