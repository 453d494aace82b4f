/**
 * Seed 004 on the USDⓈ-M perpetual: what book-imbalance does differently on futures. Pure.
 *
 * - Sizing, "3% for trade with max allowed leverage; 90% allowed parallel trading capital": the
 *   trading capital C is the smaller of `capital` and the bot's margin (the exchange's available
 *   balance plus the margin its open trades and entries hold). Each trade puts `precentagePerTrade`
 *   of C up as margin and opens margin × leverage of notional, the taker fee kept out:
 *   qty × price × (1 / leverage + feeRate) = C × precentagePerTrade, rounded down to the lot step.
 *   All trades together may hold at most `maxCapitalEngaged` of C as margin.
 * - One-way mode keeps one signed position per account and symbol: a short while longs are open
 *   would close them, not open a trade of its own, so an entry against open trades is skipped.
 * - Exits: no OCO on futures. Once the entry fills, a reduce-only LIMIT take-profit at the peak
 *   and a reduce-only STOP_MARKET stop-loss beyond the other peak (the algo endpoint, triggered by
 *   the mark price), both for the trade's quantity; when one fills the strategy cancels the other.
 *   The kernel keeps its own closePosition protective stop on the exchange as well, so the
 *   position stays protected while the bot is down.
 */
import { type Dec, Decimal, d, floorToStep, isPositive, str } from '../decimal';
import type { SymbolFilters } from '../market';
import type { Intent } from '../strategy';
import type { BookImbalanceParams, BookTrade, TradePlan } from './book-imbalance-plan';

/** The depth sizes `GET /fapi/v1/depth` accepts (Binance USDⓈ-M docs). */
export const FUTURES_DEPTH_LIMITS: readonly number[] = [5, 10, 20, 50, 100, 500, 1000];

export type PerpSize =
  | {
      readonly ok: true;
      readonly qty: Dec;
      readonly notional: Dec;
      readonly margin: Dec;
      readonly capital: Dec;
      readonly why: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Margin the open trades (entries included) hold: notional / leverage. */
export function engagedMargin(open: readonly BookTrade[], leverage: number): Decimal {
  return open.reduce((acc, t) => acc.plus(d(t.notional).dividedBy(leverage)), new Decimal(0));
}

/** The quantity of one trade at `plan.entry`, or why there is none (see the header). */
export function perpTradeSize(
  plan: TradePlan,
  open: readonly BookTrade[],
  freeMargin: Dec | null,
  p: BookImbalanceParams,
  filters: SymbolFilters | null,
): PerpSize {
  if (freeMargin === null || !isPositive(freeMargin))
    return { ok: false, reason: 'the available margin is unknown or zero' };
  const lev = p.leverage ?? 1;
  const engaged = engagedMargin(open, lev);
  const capital = Decimal.min(d(p.capital), d(freeMargin).plus(engaged));
  const margin = capital.times(p.precentagePerTrade);
  const perUnit = d(plan.entry).times(d(1).dividedBy(lev).plus(p.feeRate));
  const qty = floorToStep(
    str(margin.dividedBy(perUnit).toDecimalPlaces(12, Decimal.ROUND_DOWN)),
    filters?.stepSize ?? '0.00000001',
  );
  const why = `${p.precentagePerTrade} of capital ${str(capital.toDecimalPlaces(8, Decimal.ROUND_DOWN))} = margin ${str(margin.toDecimalPlaces(8, Decimal.ROUND_DOWN))} at ${lev}x, fee ${p.feeRate} kept out`;
  if (!isPositive(qty)) return { ok: false, reason: `${why}: opens no ${plan.side} at ${plan.entry}` };
  if (filters && isPositive(filters.minQty) && d(qty).lessThan(filters.minQty))
    return { ok: false, reason: `${why}: quantity ${qty} is below the minimum ${filters.minQty}` };
  const notional = d(qty).times(plan.entry);
  if (filters && isPositive(filters.minNotional) && notional.lessThan(filters.minNotional))
    return {
      ok: false,
      reason: `${why}: order value ${str(notional)} is below the minimum notional ${filters.minNotional}`,
    };
  const held = engaged.plus(notional.dividedBy(lev));
  const cap = capital.times(p.maxCapitalEngaged);
  if (held.greaterThan(cap))
    return {
      ok: false,
      reason: `margin held would be ${str(held.toDecimalPlaces(8))}, above ${str(cap.toDecimalPlaces(8))} (${p.maxCapitalEngaged} of capital ${str(capital.toDecimalPlaces(8))})`,
    };
  if (d(qty).times(perUnit).greaterThan(freeMargin))
    return {
      ok: false,
      reason: `insufficient margin: ${qty} at ${plan.entry} needs more than the ${freeMargin} available`,
    };
  return {
    ok: true,
    qty,
    notional: str(notional),
    margin: str(margin.toDecimalPlaces(8, Decimal.ROUND_DOWN)),
    capital: str(capital),
    why,
  };
}

/** One-way mode: a trade against the open ones would net the position instead of opening its own. */
export function oneWayClash(plan: TradePlan, open: readonly BookTrade[]): string | null {
  const other = open.find((t) => t.side !== plan.side);
  return other
    ? `one-way mode: a ${plan.side} would close ${other.side} #${other.id} (one position per account and symbol); waiting until it is closed`
    : null;
}

/** The two reduce-only exits of a filled trade: take-profit LIMIT at the peak, STOP_MARKET stop-loss. */
export function perpExitIntents(t: BookTrade, qty: Dec): Intent[] {
  const side = t.side === 'long' ? 'SELL' : 'BUY';
  return [
    {
      kind: 'place',
      tag: `tp-${t.id}`,
      side,
      type: 'LIMIT',
      price: t.tp,
      quantity: qty,
      timeInForce: 'GTC',
      purpose: 'exit',
      reason: `take-profit of ${t.side} #${t.id} at the peak ${t.tp} (reduce-only)`,
    },
    {
      kind: 'place',
      tag: `sl-${t.id}`,
      side,
      type: 'STOP_MARKET',
      stopPrice: t.sl,
      quantity: qty,
      purpose: 'exit',
      reason: `stop-loss of ${t.side} #${t.id} at ${t.sl} (reduce-only, on the exchange)`,
    },
  ];
}

/** The other exit of a futures trade: the stop when the take-profit ended, and back. */
export function siblingTag(kind: 'tp' | 'sl', id: number): string {
  return `${kind === 'tp' ? 'sl' : 'tp'}-${id}`;
}
