/**
 * Sizing an entry from the context: the risk layer's modes (core/risk/sizing.ts: fixed base or
 * quote, a percentage of the free balance, ATR risk) fed with the bot's filters and last known
 * free quote balance, plus the two "as much as possible" sizes the seeds use: the whole free
 * quote balance of a spot account, and the available margin times the leverage on futures. Every
 * answer is either a quantity the exchange accepts or the reason there is none. Pure.
 */
import { type Dec, d, floorToStep, isPositive, str } from '../decimal';
import { type AtrState, atr } from '../indicators/atr';
import { type SizeResult, type Sizing, sizeEntry } from '../risk/sizing';
import type { PlaceIntent, StrategyContext } from '../strategy';
import type { Facts } from './journal';
import { floorMarketQty } from './orders';

export { type Sizing, sizingSchema } from '../risk/sizing';
export type { AtrState } from '../indicators/atr';

/** The ATR an `atr` sizing needs (its period; the kit's `feeds.atr` feeds it), or null for the other modes. */
export function sizingAtr(sizing: Sizing): AtrState | null {
  return sizing.mode === 'atr' ? atr(sizing.period) : null;
}

/** `sizeEntry` with the context's filters and free quote balance. */
export function size(
  ctx: StrategyContext<unknown>,
  sizing: Sizing,
  at: { readonly price: Dec; readonly market: boolean; readonly atr?: number | null },
): SizeResult {
  return sizeEntry(sizing, {
    price: at.price,
    filters: ctx.filters,
    freeQuote: ctx.balances?.quote ?? null,
    market: at.market,
    ...(at.atr !== undefined ? { atr: at.atr } : {}),
  });
}

export type AllIn =
  | { readonly ok: true; readonly quoteOrderQty: Dec; readonly free: Dec }
  | { readonly ok: false; readonly reason: string };

/** Spend the whole free quote balance on a MARKET buy (`quoteOrderQty`, 8 decimals; the fee comes out of what is bought). */
export function allIn(ctx: StrategyContext<unknown>): AllIn {
  const free = ctx.balances?.quote ?? null;
  if (free === null || !isPositive(free)) return { ok: false, reason: 'the free quote balance is unknown or zero' };
  return { ok: true, quoteOrderQty: floorToStep(free, '0.00000001'), free };
}

export type MarginSize =
  { readonly ok: true; readonly quantity: Dec; readonly margin: Dec } | { readonly ok: false; readonly reason: string };

/**
 * Futures: the largest position the available margin opens at `leverage`, the taker fee kept out:
 * qty × price × (1 / leverage + fee) = margin. Rounded down to the market step.
 */
export function marginSize(ctx: StrategyContext<unknown>, price: Dec, leverage: number, feeRate: Dec): MarginSize {
  const margin = ctx.balances?.quote ?? null;
  if (margin === null || !isPositive(margin)) return { ok: false, reason: 'the available margin is unknown or zero' };
  const raw = str(d(margin).dividedBy(d(price).times(d(1).dividedBy(leverage).plus(feeRate))));
  return { ok: true, quantity: floorMarketQty(raw, ctx.filters), margin };
}

export type MarketEntry =
  | {
      readonly ok: true;
      readonly order: Pick<PlaceIntent, 'side' | 'type' | 'quantity' | 'quoteOrderQty'>;
      readonly facts: Facts;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * A MARKET buy sized by `sizing` at `price`, or with "max" the whole free quote balance (the
 * seeds' "Sizing MAX"). `facts` say how it was sized.
 */
export function marketBuy(ctx: StrategyContext<unknown>, sizing: 'max' | Sizing, price: Dec): MarketEntry {
  if (sizing === 'max') {
    const all = allIn(ctx);
    return all.ok
      ? {
          ok: true,
          order: { side: 'BUY', type: 'MARKET', quoteOrderQty: all.quoteOrderQty },
          facts: { freeQuote: all.free },
        }
      : all;
  }
  const sized = size(ctx, sizing, { price, market: true });
  if (!sized.ok) return { ok: false, reason: `sizing refused: ${sized.reason}` };
  return { ok: true, order: { side: 'BUY', type: 'MARKET', quantity: sized.quantity }, facts: { sizing: sized.why } };
}

/**
 * Futures "sizing MAX" (seed 003's "taille_max = marge_disponible × 10"): a MARKET order of the
 * available margin times the leverage, the fee kept out (`marginSize`). `facts` say how.
 */
export function marginEntry(
  ctx: StrategyContext<unknown>,
  side: 'BUY' | 'SELL',
  price: Dec,
  margin: { readonly leverage: number; readonly feeRate: Dec },
): MarketEntry {
  const m = marginSize(ctx, price, margin.leverage, margin.feeRate);
  return m.ok
    ? {
        ok: true,
        order: { side, type: 'MARKET', quantity: m.quantity },
        facts: { margin: m.margin, leverage: margin.leverage },
      }
    : m;
}

/**
 * A MARKET entry on either market: on futures (and for any SELL, which only futures can open)
 * the margin times the leverage (`marginEntry`); on spot a buy sized by `sizing` (`marketBuy`).
 */
export function marketEntry(
  ctx: StrategyContext<unknown>,
  side: 'BUY' | 'SELL',
  price: Dec,
  how: { readonly sizing: 'max' | Sizing; readonly leverage: number; readonly feeRate: Dec },
): MarketEntry {
  return side === 'SELL' || ctx.market === 'futures'
    ? marginEntry(ctx, side, price, how)
    : marketBuy(ctx, how.sizing, price);
}
