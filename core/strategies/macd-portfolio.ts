/**
 * Seed 002: the MACD daily portfolio over a list of USDT symbols, with the ATR / k-means risk
 * manager and the balancer (core/analysis/macd-portfolio.ts). Timing and safety switch as the seed:
 *
 * - "every day a cronjob is performed at 00:00:00": a durable `timer` at the next 00:00 UTC,
 *   computed from the event time (never a clock), re-armed for the following day each run;
 * - at 00:00 the bot asks for each symbol's closed daily candles (`candles` requests, up to the day
 *   that just ended), analyses each answer as it comes (only the small analysis is kept in state)
 *   and, once all are in, decides: sells close the holding, buys are sized by the RiskManager and
 *   scaled together by the balancer when their total exceeds the free USDT;
 * - "As a last safety mechanism this repo is configured to create mock orders... replace
 *   create_test_order() with create_order()": `dryRun` (default true) sends every order to the
 *   exchange's test-order endpoint (a `custom` `testOrder` request) instead of placing it.
 *
 * One bot, one list of symbols. The strategy contract places orders on the bot's own symbol only
 * (PlaceIntent has no symbol; reconciliation and price watches are per bot symbol), so with
 * `dryRun: false` every listed symbol other than the bot's is refused at start with that reason;
 * docs/seed-strategies.md describes the kernel change that lifts it. Dry runs cover all symbols.
 */
import { z } from 'zod';
import { type Dec, floorToStep, isPositive, lt } from '../decimal';
import {
  type DailyConfig,
  type SymbolAnalysis,
  analyzeDaily,
  balanceAmounts,
  riskAmount,
} from '../analysis/macd-portfolio';
import type { Candle } from '../market';
import type { OrderRecord } from '../orders';
import { positiveDecimal, positiveInt } from '../schema';
import { type Intent, type Json, defineStrategy } from '../strategy';
import { netBought } from '../fills';
import { splitSymbol } from '../symbols';
import { type DecisionRecord, type Facts, remember } from '../strategy-kit/journal';

export const DAY_MS = 86_400_000;

const usdtSymbol = z.string().regex(/^[A-Z0-9]{2,16}USDT$/, 'must be a Binance symbol quoted in USDT, such as BTCUSDT');

export const macdPortfolioParams = z
  .object({
    /** The portfolio: symbols quoted in USDT (the seed's list: BTCUSDT, ETHUSDT, BNBUSDT, ...). */
    symbols: z.array(usdtSymbol).min(1).max(50),
    /** The seed's safety switch: test orders (`POST /api/v3/order/test`) instead of real ones. */
    dryRun: z.boolean().default(true),
    /** MACD periods (the seed names MACD without periods: the usual 12, 26, 9). */
    fast: positiveInt.default(12),
    slow: positiveInt.default(26),
    signal: positiveInt.default(9),
    /** "cross": act on the crossing day; "trend": MACD above / below its signal (see core/analysis/macd-portfolio.ts). */
    mode: z.enum(['cross', 'trend']).default('cross'),
    /** ATR period in days (not in the seed: the usual 14). */
    atrPeriod: positiveInt.default(14),
    /** k of the k-means support/resistance levels (not in the seed). */
    clusters: positiveInt.max(20).default(5),
    /** Daily candles of history for MACD, ATR and k-means (not in the seed). */
    historyDays: positiveInt.max(1000).default(200),
    /** The RiskManager's risk: fraction of the free USDT a buy may lose if the price falls to the support minus one ATR (not in the seed). */
    risk: positiveDecimal
      .refine((v) => Number(v) <= 1, { message: 'must be a fraction between 0 and 1' })
      .default('0.01'),
    /** Buys below this many USDT are skipped (Binance's NOTIONAL minimum on USDT pairs). */
    minOrderQuote: positiveDecimal.default('10'),
    /** Run once at start as well as every 00:00 UTC (demos and tests). */
    runOnStart: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.fast < p.slow, { message: 'fast must be below slow', path: ['fast'] })
  .refine((p) => new Set(p.symbols).size === p.symbols.length, {
    message: 'symbols must not repeat',
    path: ['symbols'],
  });
export type MacdPortfolioParams = z.output<typeof macdPortfolioParams>;

interface Run {
  readonly day: number;
  /** requestId -> symbol, for the candle requests still unanswered. */
  readonly pending: Readonly<Record<string, string>>;
  readonly analyses: Readonly<Record<string, SymbolAnalysis | { readonly symbol: string; readonly error: string }>>;
}

export interface PlannedOrder {
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly quoteOrderQty?: Dec;
  readonly quantity?: Dec;
  readonly why: string;
}

export interface DayReport {
  readonly day: number;
  readonly freeUsdt: Dec | null;
  readonly actions: Readonly<
    Record<
      string,
      {
        readonly action: string;
        readonly why: string;
        readonly close: Dec;
        readonly macd: number | null;
        readonly signal: number | null;
        readonly atr: number | null;
        readonly support: number | null;
      }
    >
  >;
  readonly requested: Readonly<Record<string, Dec>>;
  readonly scale: Dec;
  readonly orders: readonly PlannedOrder[];
  /** dryRun: the test endpoint's verdict per order ("ok" or the rejection). */
  readonly tests: Readonly<Record<string, string>>;
}

export interface MacdPortfolioState {
  readonly run: Run | null;
  /** What the bot bought and still holds, per symbol (its own fills; the seed sold the free balance). */
  readonly holdings: Readonly<Record<string, Dec>>;
  readonly reports: readonly DayReport[];
  readonly decisions: readonly DecisionRecord[];
}

/** The next 00:00 UTC strictly after `now`. */
export function nextMidnight(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
}

function dailyConfig(p: MacdPortfolioParams): DailyConfig {
  return { fast: p.fast, slow: p.slow, signal: p.signal, atrPeriod: p.atrPeriod, clusters: p.clusters, mode: p.mode };
}

/** The day's decisions from the analyses: sells of holdings, then risk-sized and balanced buys. */
export function planDay(
  analyses: Readonly<Record<string, SymbolAnalysis | { readonly symbol: string; readonly error: string }>>,
  holdings: Readonly<Record<string, Dec>>,
  freeUsdt: Dec | null,
  p: MacdPortfolioParams,
): { orders: PlannedOrder[]; requested: Record<string, Dec>; scale: Dec; notes: string[] } {
  const orders: PlannedOrder[] = [];
  const notes: string[] = [];
  const requested: Record<string, Dec> = {};
  const riskWhy: Record<string, string> = {};
  for (const symbol of p.symbols) {
    const a = analyses[symbol];
    if (!a || 'error' in a) {
      notes.push(`${symbol}: hold (${a ? a.error : 'no data'})`);
      continue;
    }
    const held = holdings[symbol];
    if (a.action === 'sell') {
      if (held && isPositive(held))
        orders.push({ symbol, side: 'SELL', quantity: held, why: `sell closes the holding: ${a.why}` });
      continue;
    }
    if (a.action !== 'buy') continue;
    if (held && isPositive(held)) {
      notes.push(`${symbol}: buy signal but already held`);
      continue;
    }
    if (freeUsdt === null) {
      notes.push(`${symbol}: buy signal but the free USDT is unknown`);
      continue;
    }
    const r = riskAmount(a, freeUsdt, p.risk);
    if (!r.ok) {
      notes.push(`${symbol}: buy signal, no size: ${r.why}`);
      continue;
    }
    requested[symbol] = r.amount;
    riskWhy[symbol] = `${a.why}; ${r.why}`;
  }
  const balanced = balanceAmounts(requested, freeUsdt ?? '0');
  for (const [symbol, amount] of Object.entries(balanced.amounts)) {
    if (lt(amount, p.minOrderQuote)) {
      notes.push(`${symbol}: ${amount} USDT after balancing is below ${p.minOrderQuote}`);
      continue;
    }
    const scaled =
      balanced.scale === '1'
        ? ''
        : `; balancer scaled by ${balanced.scale} (total ${balanced.total} > free ${freeUsdt})`;
    orders.push({ symbol, side: 'BUY', quoteOrderQty: amount, why: `${riskWhy[symbol]}${scaled}` });
  }
  return { orders, requested, scale: balanced.scale, notes };
}

const MAX_REPORTS_KEPT = 10;

export const macdPortfolio = defineStrategy<MacdPortfolioParams, MacdPortfolioState>({
  id: 'macd-portfolio',
  title: 'Seed 002: MACD daily portfolio with ATR / k-means risk manager and balancer',
  description:
    'Every day at 00:00 UTC: MACD on the daily candles of each listed USDT symbol decides buy / sell / hold; sells close the holding; buys are sized by the risk manager (fall to the k-means support plus one ATR loses `risk` of the free USDT) and scaled down together when they exceed the free USDT. dryRun (default) sends test orders.',
  params: macdPortfolioParams,
  extraSymbols: (p) => p.symbols,
  // Seed 002's POST app/market: the daily check on demand (the midnight timer stays as it was).
  runNowTimer: 'daily',
  init: () => ({ run: null, holdings: {}, reports: [], decisions: [] }),
  onEvent(state, event, ctx) {
    const p = ctx.params;
    const decide = (s: MacdPortfolioState, action: string, reason: string, facts: Facts = {}): MacdPortfolioState => ({
      ...s,
      decisions: remember(s.decisions, { time: ctx.now, action, reason, facts }),
    });

    const startRun = (s0: MacdPortfolioState): { state: MacdPortfolioState; intents: Intent[] } => {
      const day = Math.floor(ctx.now / DAY_MS) * DAY_MS;
      let s = s0;
      if (s.run && Object.keys(s.run.pending).length > 0)
        s = decide(
          s,
          'abandon',
          `the run of ${new Date(s.run.day).toISOString().slice(0, 10)} never got all its candles`,
        );
      const pending: Record<string, string> = {};
      const intents: Intent[] = [];
      for (const symbol of p.symbols) {
        const requestId = `d1-${day / DAY_MS}-${symbol}`;
        pending[requestId] = symbol;
        // Closed daily candles up to the day that just ended (endTime = today 00:00 - 1 ms).
        intents.push({
          kind: 'request',
          requestId,
          request: { kind: 'candles', symbol, interval: '1d', limit: p.historyDays, endTime: day - 1 },
        });
      }
      return { state: { ...s, run: { day, pending, analyses: {} } }, intents };
    };

    const finishRun = (s0: MacdPortfolioState, run: Run): { state: MacdPortfolioState; intents: Intent[] } => {
      const free = ctx.balances?.quote ?? null;
      const plan = planDay(run.analyses, s0.holdings, free, p);
      const actions: DayReport['actions'] = Object.fromEntries(
        Object.values(run.analyses).map((a): [string, DayReport['actions'][string]] =>
          'error' in a
            ? [
                a.symbol,
                { action: 'hold', why: a.error, close: '0', macd: null, signal: null, atr: null, support: null },
              ]
            : [
                a.symbol,
                {
                  action: a.action,
                  why: a.why,
                  close: a.close,
                  macd: a.macd,
                  signal: a.signal,
                  atr: a.atr,
                  support: a.support,
                },
              ],
        ),
      );
      const report: DayReport = {
        day: run.day,
        freeUsdt: free,
        actions,
        requested: plan.requested,
        scale: plan.scale,
        orders: plan.orders,
        tests: {},
      };
      let s: MacdPortfolioState = { ...s0, run: null, reports: [...s0.reports, report].slice(-MAX_REPORTS_KEPT) };
      const buys = plan.orders.filter((o) => o.side === 'BUY').map((o) => `${o.symbol} ${o.quoteOrderQty}`);
      const sells = plan.orders.filter((o) => o.side === 'SELL').map((o) => o.symbol);
      s = decide(
        s,
        'daily',
        `${new Date(run.day).toISOString().slice(0, 10)}: buy [${buys.join(', ')}] sell [${sells.join(', ')}]${plan.notes.length > 0 ? `; ${plan.notes.join('; ')}` : ''}`,
        {
          scale: plan.scale,
          freeUsdt: free ?? 'unknown',
        },
      );
      const dayIndex = run.day / DAY_MS;
      const intents: Intent[] = plan.orders.map((o): Intent => {
        const tag = `${o.side === 'BUY' ? 'buy' : 'sell'}-${o.symbol}-${dayIndex}`;
        if (p.dryRun) {
          const input: Json = {
            symbol: o.symbol,
            side: o.side,
            type: 'MARKET',
            ...(o.quoteOrderQty ? { quoteOrderQty: o.quoteOrderQty } : {}),
            ...(o.quantity ? { quantity: o.quantity } : {}),
          };
          return { kind: 'request', requestId: `test-${tag}`, request: { kind: 'custom', name: 'testOrder', input } };
        }
        const a = run.analyses[o.symbol] as SymbolAnalysis;
        const facts = {
          close: a.close,
          macd: a.macd ?? 0,
          signal: a.signal ?? 0,
          atr: a.atr ?? 0,
          support: a.support ?? 0,
          scale: plan.scale,
        };
        // Each order on its own symbol: the kernel keeps a position per symbol and applies that
        // symbol's filters (the bot declares the list through extraSymbols).
        return o.side === 'BUY'
          ? {
              kind: 'place',
              tag,
              symbol: o.symbol,
              side: 'BUY',
              type: 'MARKET',
              quoteOrderQty: o.quoteOrderQty!,
              purpose: 'entry',
              reason: o.why,
              facts,
            }
          : {
              kind: 'place',
              tag,
              symbol: o.symbol,
              side: 'SELL',
              type: 'MARKET',
              quantity: o.quantity!,
              purpose: 'exit',
              reason: o.why,
              facts,
            };
      });
      return { state: s, intents };
    };

    switch (event.type) {
      case 'start': {
        const timer: Intent = { kind: 'timer', id: 'daily', at: nextMidnight(ctx.now) };
        if (!p.runOnStart) return { state, intents: [timer] };
        const r = startRun(state);
        return { state: r.state, intents: [timer, ...r.intents] };
      }

      case 'timer': {
        if (event.id !== 'daily') return { state };
        const r = startRun(state);
        return { state: r.state, intents: [{ kind: 'timer', id: 'daily', at: nextMidnight(ctx.now) }, ...r.intents] };
      }

      case 'data': {
        if (event.requestId.startsWith('test-')) {
          const verdict =
            event.result &&
            typeof event.result === 'object' &&
            !Array.isArray(event.result) &&
            typeof (event.result as { error?: unknown }).error === 'string'
              ? String((event.result as { error: string }).error)
              : 'ok';
          const reports = state.reports.map((r, i) =>
            i === state.reports.length - 1 ? { ...r, tests: { ...r.tests, [event.requestId.slice(5)]: verdict } } : r,
          );
          return { state: decide({ ...state, reports }, 'test-order', `${event.requestId.slice(5)}: ${verdict}`) };
        }
        const run = state.run;
        const symbol = run?.pending[event.requestId];
        if (!run || !symbol) return { state };
        const { [event.requestId]: _done, ...pending } = run.pending;
        const result = event.result;
        const failure = (result as { error?: unknown } | null)?.error;
        const why =
          failure === undefined || failure === null
            ? 'no answer'
            : typeof failure === 'string'
              ? failure
              : JSON.stringify(failure);
        const analysis = Array.isArray(result)
          ? analyzeDaily(symbol, result as unknown as Candle[], dailyConfig(p))
          : { symbol, error: `candles request failed: ${why}` };
        const next: Run = { ...run, pending, analyses: { ...run.analyses, [symbol]: analysis } };
        if (Object.keys(pending).length > 0) return { state: { ...state, run: next } };
        const r = finishRun(state, next);
        return { state: r.state, intents: r.intents };
      }

      case 'order': {
        const o: OrderRecord = event.order;
        if (
          o.status !== 'FILLED' &&
          !(isPositive(o.executedQty) && (o.status === 'EXPIRED' || o.status === 'CANCELED'))
        )
          return { state };
        const symbol = o.request.symbol;
        if (o.tag.startsWith('buy-')) {
          const qty = netBought(o, splitSymbol(symbol, ctx.filters).base);
          const step = ctx.filters && ctx.filters.symbol === symbol ? ctx.filters.stepSize : null;
          const held = step ? floorToStep(qty, step) : qty;
          return {
            state: decide(
              { ...state, holdings: { ...state.holdings, [symbol]: held } },
              'bought',
              `${symbol}: holding ${held}`,
            ),
          };
        }
        if (o.tag.startsWith('sell-')) {
          const { [symbol]: _sold, ...holdings } = state.holdings;
          return { state: decide({ ...state, holdings }, 'sold', `${symbol}: holding closed`) };
        }
        return { state };
      }

      default:
        return { state };
    }
  },
});
