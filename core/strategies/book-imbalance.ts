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
 * On spot TP and SL are one native OCO order on the exchange, so they work on ticks without the
 * bot. On the USDⓈ-M perpetual (`market: "futures"`, where the seed trades: "trader_binance_futures")
 * both sides trade, sized "3% for trade with max allowed leverage", and the exits are two
 * reduce-only orders, a LIMIT take-profit and a STOP_MARKET stop-loss (book-imbalance-perp.ts).
 * The params, the plan and the risk rules are book-imbalance-plan.ts.
 */
import { d, floorToStep, isPositive, isZero, str } from '../decimal';
import type { BookSummary } from '../analysis/book';
import { averagePrice, netBought } from '../fills';
import { intervalMs } from '../market';
import { type OrderRecord, isFinalStatus } from '../orders';
import { type Intent, type Json, defineStrategy } from '../strategy';
import { splitSymbol } from '../symbols';
import { type Facts, remember, round } from '../strategy-kit/journal';
import {
  type BookImbalanceParams,
  type BookImbalanceState,
  type BookTrade,
  type ClosedBookTrade,
  MAX_CLOSED_KEPT,
  bookImbalanceParams,
  planTrade,
  riskCheck,
  similarOrTooMany,
} from './book-imbalance-plan';
import { FUTURES_DEPTH_LIMITS, oneWayClash, perpExitIntents, perpTradeSize, siblingTag } from './book-imbalance-perp';

export {
  type BookImbalanceParams,
  type BookImbalanceState,
  type BookTrade,
  type ClosedBookTrade,
  type PlanResult,
  type Side,
  type TradePlan,
  bookImbalanceParams,
  planTrade,
  riskCheck,
} from './book-imbalance-plan';

const isFinal = (o: OrderRecord): boolean => isFinalStatus(o.status);

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}

export const bookImbalance = defineStrategy<BookImbalanceParams, BookImbalanceState>({
  id: 'book-imbalance',
  title: 'Seed 004: order-book imbalance, TP and SL at the neighbouring volume peaks',
  description:
    "Every closed candle reads a depth summary (volume peaks per side via find_peaks with the seed's threshold/prominence/distance, and the ask share of the book). Ask share <= longPressure: LIMIT buy at the best ask; >= shortPressure: LIMIT sell at the best bid (futures only). TP at the nearest peak in the direction of the move, SL beyond the nearest peak on the other side plus stopLossPriceBuffer: one OCO on spot; on futures a reduce-only LIMIT TP and a reduce-only STOP_MARKET SL. Spot: each trade engages precentagePerTrade of capital. Futures: each trade puts precentagePerTrade of the capital up as margin at `leverage`, the fee kept out. At most maxConcurrentTrades, and maxCapitalEngaged of the capital engaged.",
  params: bookImbalanceParams,
  // Futures: LIMIT entries, reduce-only LIMIT take-profits and STOP_MARKET stop-losses; never OCO.
  markets: ['spot', 'futures'],
  checkEnvironment(params, env) {
    if (params.enableShort && env.market === 'spot') {
      return 'book-imbalance: enableShort needs a futures account (the seed trades Binance futures) and this bot is on spot, where a short cannot be opened. Set "market": "futures" to trade both sides on the USDⓈ-M perpetual, or "enableShort": false to trade the long side on spot.';
    }
    if (env.market === 'futures' && params.leverage === undefined) {
      return 'params.leverage: a futures book-imbalance bot sizes each trade as margin × leverage ("3% for trade with max allowed leverage"): set it (1-125; the runtime sets the same leverage on the exchange at start)';
    }
    if (env.market === 'futures' && !FUTURES_DEPTH_LIMITS.includes(params.limitOrderbook)) {
      return `params.limitOrderbook: ${params.limitOrderbook} levels cannot be read on futures (GET /fapi/v1/depth takes ${FUTURES_DEPTH_LIMITS.join(', ')})`;
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
            // The perpetual's own book (GET /fapi/v1/depth); spot requests stay as they were.
            ...(ctx.market === 'futures' ? { market: 'futures' } : {}),
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
        const open = Object.values(s.trades);
        let qty: string;
        let notional: string;
        if (ctx.market === 'futures') {
          const refusal = similarOrTooMany(plan, open, p) ?? oneWayClash(plan, open);
          if (refusal) return { state: decide(s, 'skip', refusal, facts) };
          const sized = perpTradeSize(plan, open, ctx.balances?.quote ?? null, p, ctx.filters);
          if (!sized.ok) return { state: decide(s, 'skip', sized.reason, facts) };
          ({ qty, notional } = sized);
          Object.assign(facts, { margin: sized.margin, leverage: p.leverage ?? 1, capital: sized.capital });
        } else {
          const budget = d(p.capital).times(p.precentagePerTrade);
          const step = ctx.filters?.stepSize ?? '0.00000001';
          qty = floorToStep(str(budget.dividedBy(plan.entry)), step);
          if (!isPositive(qty))
            return {
              state: decide(
                s,
                'skip',
                `${p.precentagePerTrade} of ${p.capital} buys no ${ctx.symbol} at ${plan.entry}`,
                facts,
              ),
            };
          notional = str(d(qty).times(plan.entry));
          const refusal = riskCheck(plan, open, notional, p);
          if (refusal) return { state: decide(s, 'skip', refusal, facts) };
        }
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
          // Spot fees on a buy come out of the base bought; futures fees are paid in the margin asset.
          const qty =
            order.request.side === 'BUY' && ctx.market !== 'futures'
              ? netBought(order, base)
              : str(d(order.executedQty));
          const exitQty = ctx.filters ? floorToStep(qty, ctx.filters.stepSize) : qty;
          const fillPrice = averagePrice(order);
          const open: BookTrade = {
            ...t,
            phase: 'open',
            filledQty: exitQty,
            fillPrice,
            notional: str(d(order.executedQty).times(fillPrice)),
          };
          const futures = ctx.market === 'futures';
          const s = decide(
            { ...state, trades: { ...state.trades, [t.id]: open } },
            'open',
            `${t.side} filled ${order.executedQty} at ${fillPrice}: ${futures ? 'reduce-only' : 'OCO'} TP ${t.tp} / SL ${t.sl}`,
            { tp: t.tp, sl: t.sl },
          );
          if (futures) return { state: s, intents: perpExitIntents(open, exitQty) };
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

        if (
          (kind === 'exit' || kind === 'close' || kind === 'tp' || kind === 'sl') &&
          (t.phase === 'open' || t.phase === 'closing')
        ) {
          const sibling = kind === 'tp' || kind === 'sl' ? siblingTag(kind, t.id) : null;
          if (order.status === 'FILLED' || isPositive(order.executedQty)) {
            const exitPrice = averagePrice(order);
            const entryPrice = t.fillPrice ?? t.entry;
            const perUnit = t.side === 'long' ? d(exitPrice).minus(entryPrice) : d(entryPrice).minus(exitPrice);
            const exit: ClosedBookTrade['exit'] =
              kind === 'close'
                ? 'market'
                : kind === 'tp' || order.request.type === 'LIMIT_MAKER'
                  ? 'take-profit'
                  : 'stop-loss';
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
            // Futures: the other reduce-only exit must not reduce what other trades hold.
            return { state: s, intents: sibling ? [{ kind: 'cancel', tag: sibling }] : [] };
          }
          if (sibling && t.phase === 'open') {
            const name = `${kind === 'tp' ? 'take-profit' : 'stop-loss'} ${order.status}`;
            if (isZero(ctx.position.qty)) {
              // The exchange closed the position (the kernel's protective stop, a liquidation, a manual
              // close) and expired this reduce-only exit: the trade is gone.
              return {
                state: decide(
                  { ...state, trades: without(state.trades, String(t.id)) },
                  'gone',
                  `${t.side} #${t.id}: ${name} and the position is flat: closed on the exchange`,
                ),
                intents: [{ kind: 'cancel', tag: sibling }],
              };
            }
            // Expired while the other exit is live: that one may have just filled (its report comes
            // next), and a market close now would reduce what other trades hold. It and the protective
            // stop still guard the trade. A refused exit (a stop already crossed) is closed at market.
            const guarded = ctx.openOrders.some((o) => o.tag === sibling && !o.cancelRequested);
            if (order.status !== 'REJECTED' && guarded)
              return {
                state: decide(
                  state,
                  'exit-lost',
                  `${t.side} #${t.id}: ${name} unfilled; the ${kind === 'tp' ? 'stop-loss' : 'take-profit'} and the protective stop still guard it`,
                ),
              };
          }
          // The other OCO leg expiring after a fill is normal; a rejected OCO needs a market exit. On
          // futures an exit that ended unfilled while the position is open leaves the trade unguarded.
          if ((order.status === 'REJECTED' || sibling) && t.phase === 'open') {
            const what = sibling ? `${kind === 'tp' ? 'take-profit' : 'stop-loss'} ${order.status}` : 'OCO rejected';
            const s = decide(
              { ...state, trades: { ...state.trades, [t.id]: { ...t, phase: 'closing' } } },
              'exit-rejected',
              `${what} (${order.rejectReason ?? ''}): closing at market`,
            );
            return {
              state: s,
              intents: [
                ...(sibling ? [{ kind: 'cancel', tag: sibling } as const] : []),
                {
                  kind: 'place',
                  tag: `close-${t.id}`,
                  side: t.side === 'long' ? 'SELL' : 'BUY',
                  type: 'MARKET',
                  quantity: t.filledQty,
                  purpose: 'exit',
                  reason: `${what}: ${order.rejectReason ?? ''}`,
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
