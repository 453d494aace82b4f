/**
 * Can a bot's fixed order sizes and prices ever pass the exchange's filters? A DCA quantity below
 * the lot minimum, a grid whose low is under the minimum price or a quote amount below the
 * minimum order value would be refused on every candle, for ever: such a bot is refused at start
 * (or BLOCKED) instead. Only what the params fix is checked; sizes computed from balances or
 * volatility are checked order by order by the kernel. Pure.
 */
import { type Dec, d, isPositive, str } from './decimal';
import type { SymbolFilters } from './market';
import type { OrderRequest } from './orders';
import { applyFilters } from './risk/filters';

export interface TradabilityProblem {
  /** The param to change, e.g. "params.quantity". */
  readonly field: string;
  readonly message: string;
}

interface Probe {
  readonly field: string;
  readonly request: OrderRequest;
}

type Params = Readonly<Record<string, unknown>>;

const isDec = (v: unknown): v is Dec => typeof v === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(v);

function market(symbol: string, field: string, quantity: unknown): Probe[] {
  return isDec(quantity) ? [{ field, request: { symbol, side: 'BUY', type: 'MARKET', quantity } }] : [];
}

function limit(symbol: string, field: string, side: 'BUY' | 'SELL', quantity: unknown, price: unknown): Probe[] {
  return isDec(quantity) && isDec(price)
    ? [{ field, request: { symbol, side, type: 'LIMIT', quantity, price, timeInForce: 'GTC' } }]
    : [];
}

/** `sizing: { mode: 'base' | 'quote' }` fixes a size; other modes depend on balances or the ATR. */
function sizing(symbol: string, s: unknown, entryPrice?: unknown): Probe[] {
  const sz = (s ?? {}) as { mode?: string; quantity?: unknown; amount?: unknown };
  if (sz.mode === 'base')
    return isDec(entryPrice)
      ? limit(symbol, 'params.sizing.quantity', 'BUY', sz.quantity, entryPrice)
      : market(symbol, 'params.sizing.quantity', sz.quantity);
  if (sz.mode === 'quote' && isDec(sz.amount))
    return [
      { field: 'params.sizing.amount', request: { symbol, side: 'BUY', type: 'MARKET', quoteOrderQty: sz.amount } },
    ];
  return [];
}

function probes(strategy: string, symbol: string, p: Params): Probe[] {
  switch (strategy) {
    case 'dca-take-profit':
    case 'model-scalper':
      return market(symbol, 'params.quantity', p.quantity);
    case 'bench-echo':
      return p.mode === 'fill'
        ? [
            ...limit(symbol, 'params.buyPrice', 'BUY', p.quantity, p.buyPrice),
            ...limit(symbol, 'params.sellPrice', 'SELL', p.quantity, p.sellPrice),
          ]
        : market(symbol, 'params.quantity', p.quantity);
    case 'grid': {
      const field = p.quantity !== undefined ? 'params.quantity' : 'params.amount';
      const qty = (price: unknown) =>
        isDec(p.quantity)
          ? p.quantity
          : isDec(p.amount) && isDec(price) && isPositive(price)
            ? str(d(p.amount).dividedBy(price).toDecimalPlaces(12, 1))
            : undefined;
      return [
        ...limit(symbol, `${field} (at low)`, 'BUY', qty(p.low), p.low),
        ...limit(symbol, `${field} (at high)`, 'SELL', qty(p.high), p.high),
      ];
    }
    case 'smart-trade': {
      const entry = (p.entry ?? {}) as { type?: string; price?: unknown };
      return sizing(symbol, p.sizing, entry.type === 'limit' ? entry.price : undefined);
    }
    case 'range-breakout':
    case 'rsi-sniper':
      return sizing(symbol, p.sizing);
    case 'book-imbalance':
      return isDec(p.capital) && isDec(p.precentagePerTrade)
        ? [
            {
              field: 'params.precentagePerTrade',
              request: {
                symbol,
                side: 'BUY',
                type: 'MARKET',
                quoteOrderQty: str(d(p.capital).times(p.precentagePerTrade)),
              },
            },
          ]
        : [];
    default:
      return [];
  }
}

/**
 * Problems the exchange's filters would give every order the params fix. `price` values market
 * orders (the last price); without it only quantity and price limits are checked.
 */
export function tradabilityProblems(
  bot: { readonly strategy: string; readonly symbol: string; readonly params: Params },
  filters: SymbolFilters,
  price: Dec | null,
): TradabilityProblem[] {
  const problems: TradabilityProblem[] = [];
  for (const probe of probes(bot.strategy, bot.symbol, bot.params)) {
    const outcome = applyFilters(probe.request, filters, price);
    if (!outcome.ok)
      problems.push({
        field: probe.field,
        message: `the exchange would refuse every order: ${outcome.reason} (${bot.symbol} filters)`,
      });
  }
  return problems;
}
