/**
 * Seed 004's book-imbalance, the pure rules shared by spot and futures: the params, the trade plan
 * from one book summary (steps 3-8 of the seed) and the risk rules (steps 1-2). The event loop is
 * core/strategies/book-imbalance.ts; what futures add (margin sizing, reduce-only exits) is
 * core/strategies/book-imbalance-perp.ts.
 */
import { z } from 'zod';
import { type Dec, add, d, gt, isPositive, lt, str, sub } from '../decimal';
import type { BookPeak, BookSummary } from '../analysis/book';
import { feeRate, finiteNumber, fraction, nonNegativeDecimal, positiveDecimal, positiveInt } from '../schema';
import { type DecisionRecord, round } from '../strategy-kit/journal';

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
    /**
     * Futures: the leverage each trade's margin is multiplied by ("3% for trade with max allowed
     * leverage"), also set on the exchange at start. The highest the symbol allows is its first
     * leverage bracket's (BTCUSDT: 125x), but the brackets cap the position per leverage, so the
     * "max allowed" for a whole 90 % cap is the highest leverage whose bracket holds it (see
     * configs/README.md). Required on futures (the exchange's leverage is set from it), unused on spot.
     */
    leverage: positiveInt.max(125, { message: 'must be a whole number 1-125 (Binance USDⓈ-M)' }).optional(),
    /** Futures: taker fee rate kept out of the margin when sizing (0.0005 is Binance USDⓈ-M's base rate). */
    feeRate: feeRate.default('0.0005'),
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

export const MAX_CLOSED_KEPT = 100;

/** Steps 1-2: similar trade open, too many trades, too much capital engaged. */
export function riskCheck(
  plan: TradePlan,
  open: readonly BookTrade[],
  notional: Dec,
  p: BookImbalanceParams,
): string | null {
  const first = similarOrTooMany(plan, open, p);
  if (first) return first;
  const engaged = open.reduce((acc, t) => acc.plus(t.notional), d(0));
  const cap = d(p.capital).times(p.maxCapitalEngaged);
  if (engaged.plus(notional).greaterThan(cap))
    return `engaging ${notional} more would bring the engaged capital to ${str(engaged.plus(notional))}, above ${str(cap)} (${p.maxCapitalEngaged} of ${p.capital})`;
  return null;
}

/** Steps 1 and 2's count: a similar trade open, or `maxConcurrentTrades` open already. */
export function similarOrTooMany(plan: TradePlan, open: readonly BookTrade[], p: BookImbalanceParams): string | null {
  if (open.some((t) => t.side === plan.side && t.tp === plan.tp && t.sl === plan.sl))
    return `a ${plan.side} with the same TP ${plan.tp} and SL ${plan.sl} is already open`;
  if (open.length >= p.maxConcurrentTrades)
    return `${open.length} trades open, the maximum is ${p.maxConcurrentTrades}`;
  return null;
}
