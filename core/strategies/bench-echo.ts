/**
 * **Benchmark tool, not a trading strategy** (`npm run bench`, see bench/README.md). It turns every
 * event of one kind into exactly one order, so the benchmark can time "event emitted by the
 * exchange → order arriving at the exchange" through the whole durable path:
 *
 * - `mode: 'candle'`: every closed candle places one MARKET order of `quantity`, alternating BUY and
 *   SELL so the account's balances stay put over thousands of candles. The order's own fill (in the
 *   placement answer and on the user stream) places nothing.
 * - `mode: 'fill'`: at start it rests a LIMIT BUY at `buyPrice`; whenever one of its LIMIT orders
 *   fills it rests the opposite one (a SELL at `sellPrice` after a buy, a BUY at `buyPrice` after a
 *   sell). The benchmark moves the price across the levels, so each fill places exactly one order.
 *
 * It is registered like any strategy only because a bot workflow finds its strategy by id.
 */
import { z } from 'zod';
import type { OrderSide } from '../orders';
import { lt } from '../decimal';
import { positiveDecimal } from '../schema';
import { type Intent, defineStrategy } from '../strategy';

export const benchEchoParams = z
  .object({
    mode: z.enum(['candle', 'fill']).default('candle'),
    quantity: positiveDecimal.default('0.001'),
    /** Fill mode: the resting BUY's price (below the market at start). */
    buyPrice: positiveDecimal.optional(),
    /** Fill mode: the resting SELL's price (above `buyPrice`). */
    sellPrice: positiveDecimal.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.mode === 'fill' && (p.buyPrice === undefined || p.sellPrice === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['buyPrice'], message: 'fill mode needs buyPrice and sellPrice' });
    } else if (p.buyPrice !== undefined && p.sellPrice !== undefined && !lt(p.buyPrice, p.sellPrice)) {
      ctx.addIssue({ code: 'custom', path: ['sellPrice'], message: `must be above buyPrice (${p.buyPrice})` });
    }
  });
export type BenchEchoParams = z.output<typeof benchEchoParams>;

interface EchoState {
  /** Orders placed so far: names the next tag and picks the next side. */
  readonly seq: number;
}

export const benchEcho = defineStrategy<BenchEchoParams, EchoState>({
  id: 'bench-echo',
  title: 'Benchmark echo: one order per candle or per fill (benchmark tool, not for trading)',
  description:
    'Used by `npm run bench` only: in candle mode every closed candle places one MARKET order (BUY and SELL alternately); in fill mode every fill of its resting LIMIT order rests the opposite one.',
  params: benchEchoParams,
  // LIMIT and MARKET by quantity run on the USDⓈ-M perpetual too (the futures user-stream test rests its LIMIT entry).
  markets: ['spot', 'futures'],
  init: () => ({ seq: 0 }),
  onEvent(state, event, ctx) {
    const p = ctx.params;
    if (p.mode === 'candle') {
      if (event.type !== 'candle') return { state };
      const side: OrderSide = state.seq % 2 === 0 ? 'BUY' : 'SELL';
      return { state: { seq: state.seq + 1 }, intents: [order(state.seq, side, 'MARKET', p.quantity)] };
    }
    if (event.type === 'start')
      return { state: { seq: state.seq + 1 }, intents: [order(state.seq, 'BUY', 'LIMIT', p.quantity, p.buyPrice)] };
    if (event.type !== 'order' || event.order.status !== 'FILLED' || event.order.request.type !== 'LIMIT')
      return { state };
    const next: OrderSide = event.order.request.side === 'BUY' ? 'SELL' : 'BUY';
    return {
      state: { seq: state.seq + 1 },
      intents: [order(state.seq, next, 'LIMIT', p.quantity, next === 'BUY' ? p.buyPrice : p.sellPrice)],
    };
  },
});

function order(seq: number, side: OrderSide, type: 'MARKET' | 'LIMIT', quantity: string, price?: string): Intent {
  // Sells are exits so a paused bot would still run the cycle; the tag is unique per order.
  return {
    kind: 'place',
    tag: `echo-${seq}`,
    side,
    type,
    quantity,
    ...(price !== undefined ? { price } : {}),
    purpose: side === 'BUY' ? 'entry' : 'exit',
  };
}
