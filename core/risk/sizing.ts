/**
 * Position sizing shared by strategies: how much base asset an entry buys. Strategies embed
 * `sizingSchema` in their params and call `sizeEntry` when they decide to enter; the answer is a
 * quantity already rounded down to the lot step, or a clear reason not to enter (too small for the
 * exchange, balance unknown or insufficient). Pure; money in decimal strings, the ATR (an indicator)
 * as a float.
 */
import { z } from 'zod';
import { type Dec, d, floorToStep, fromFloat, gt, isPositive, lt, min, mul, str } from '../decimal';
import { type SymbolFilters, marketStep } from '../market';
import { percentOfWhole, positiveDecimal, positiveInt } from '../schema';

export const sizingSchema = z.discriminatedUnion('mode', [
  /** A fixed base quantity, e.g. 0.01 BTC. */
  z.object({ mode: z.literal('base'), quantity: positiveDecimal }).strict(),
  /** A fixed amount of quote asset, e.g. 100 USDT worth at the entry price. */
  z.object({ mode: z.literal('quote'), amount: positiveDecimal }).strict(),
  /** A percentage of the free quote balance (as last reconciled): above 0, at most 100. */
  z.object({ mode: z.literal('percent'), percent: percentOfWhole }).strict(),
  /**
   * Volatility sizing: lose about `risk` quote asset if the price moves `multiplier` ATRs against
   * the entry (where such strategies put their stop). `maxAmount` caps the quote spent.
   */
  z
    .object({
      mode: z.literal('atr'),
      risk: positiveDecimal,
      multiplier: positiveDecimal.default('2'),
      /** ATR period, in candles. */
      period: positiveInt.default(14),
      maxAmount: positiveDecimal.optional(),
    })
    .strict(),
]);
export type Sizing = z.output<typeof sizingSchema>;

export type SizeResult =
  { readonly ok: true; readonly quantity: Dec; readonly why: string } | { readonly ok: false; readonly reason: string };

export interface SizingInput {
  /** Price the entry is expected to fill at (limit price, or last price for a market entry). */
  readonly price: Dec;
  readonly filters: SymbolFilters | null;
  /** Free quote balance, when known. */
  readonly freeQuote: Dec | null;
  /** Current ATR (float), for `atr` sizing. */
  readonly atr?: number | null;
  /** Market orders round to MARKET_LOT_SIZE when the symbol has one. */
  readonly market?: boolean;
}

export function sizeEntry(sizing: Sizing, input: SizingInput): SizeResult {
  if (!isPositive(input.price)) return { ok: false, reason: `no valid price to size the entry (${input.price})` };
  switch (sizing.mode) {
    case 'base':
      return finish(sizing.quantity, input, `fixed quantity ${sizing.quantity}`);
    case 'quote':
      return quoteAmount(sizing.amount, input, `${sizing.amount} quote at ${input.price}`);
    case 'percent': {
      if (input.freeQuote === null)
        return { ok: false, reason: 'free balance unknown yet: cannot size a percentage of it' };
      const amount = str(d(input.freeQuote).times(sizing.percent).dividedBy(100).toDecimalPlaces(8, 1));
      return quoteAmount(
        amount,
        input,
        `${sizing.percent}% of free ${input.freeQuote} = ${amount} quote at ${input.price}`,
      );
    }
    case 'atr': {
      const atr = input.atr ?? null;
      if (atr === null || !(atr > 0)) return { ok: false, reason: 'ATR not available yet (warming up)' };
      const stopDistance = mul(fromFloat(atr, 12), sizing.multiplier);
      let quantity = str(d(sizing.risk).dividedBy(stopDistance));
      let why = `risk ${sizing.risk} over ${sizing.multiplier} ATR (${fromFloat(atr, 8)}) = ${quantity}`;
      if (sizing.maxAmount !== undefined && gt(mul(quantity, input.price), sizing.maxAmount)) {
        quantity = str(d(sizing.maxAmount).dividedBy(input.price));
        why += `, capped at ${sizing.maxAmount} quote`;
      }
      return finish(quantity, input, why);
    }
    default: {
      const unknown: never = sizing;
      throw new Error(`unknown sizing ${JSON.stringify(unknown)}`);
    }
  }
}

function quoteAmount(amount: Dec, input: SizingInput, why: string): SizeResult {
  if (input.freeQuote !== null && gt(amount, input.freeQuote)) {
    return { ok: false, reason: `insufficient balance: the entry needs ${amount} quote, ${input.freeQuote} is free` };
  }
  return finish(str(d(amount).dividedBy(input.price)), input, why);
}

/** Round down to the lot step and check what the exchange would refuse. */
function finish(rawQuantity: Dec, input: SizingInput, why: string): SizeResult {
  const f = input.filters;
  let quantity = str(d(rawQuantity).toDecimalPlaces(12, 1));
  if (f) {
    quantity = floorToStep(quantity, input.market ? marketStep(f) : f.stepSize);
    const minQty = input.market && isPositive(f.marketMinQty) ? f.marketMinQty : f.minQty;
    if (!isPositive(quantity) || lt(quantity, minQty)) {
      return { ok: false, reason: `${why}: quantity ${quantity} is below the minimum ${minQty}` };
    }
    const notional = mul(quantity, input.price);
    if (isPositive(f.minNotional) && lt(notional, f.minNotional)) {
      return { ok: false, reason: `${why}: order value ${notional} is below the minimum notional ${f.minNotional}` };
    }
    if (isPositive(f.maxQty) && gt(quantity, f.maxQty)) quantity = floorToStep(min(quantity, f.maxQty), f.stepSize);
  }
  if (!isPositive(quantity)) return { ok: false, reason: `${why}: quantity rounds to 0` };
  if (input.freeQuote !== null && gt(mul(quantity, input.price), input.freeQuote)) {
    return {
      ok: false,
      reason: `insufficient balance: ${quantity} at ${input.price} needs ${mul(quantity, input.price)} quote, ${input.freeQuote} is free`,
    };
  }
  return { ok: true, quantity, why };
}
