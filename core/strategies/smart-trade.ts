/**
 * Smart trade: one long trade on a spot symbol, entered at market or with a limit order, then
 * managed until it is fully closed: several take-profit levels sharing the position, a stop-loss
 * and/or a trailing stop (native on Binance with `trailingDelta`, or emulated with price triggers).
 * Sequence: first candle → entry order (the kit's add-order.ts) → entry filled, or a limit entry
 * timed out after a partial fill → exits for what was bought, net of base-asset fees (the kit's
 * exits.ts, whose header tells the exact orders placed) → all exits filled → the bot stops.
 */
import { z } from 'zod';
import * as kit from '../strategy-kit';

export const smartTradeParams = z
  .object({
    entry: kit.entrySchema.default({ type: 'market' }),
    /** How much to buy (see core/risk/sizing.ts). */
    sizing: kit.sizingSchema,
    /** Take-profit levels, stop-loss and trailing stop (see core/strategy-kit/exits.ts). */
    exits: kit.exitsSchema,
  })
  .strict();
export type SmartTradeParams = z.output<typeof smartTradeParams>;

export interface SmartTradeState {
  readonly phase: 'waiting' | 'entering' | 'managing' | 'done';
  readonly candles: number;
  /** Candle count when the entry was placed (limit timeout). */
  readonly enteredAtCandle: number | null;
  readonly atr: kit.AtrState | null;
  readonly exits: kit.ExitsState | null;
}

const ENTRY = kit.single('entry');
/** Every exit filled: the trade is over. */
const afterExits = kit.stopWhenDone<SmartTradeState>(
  (s) => s.exits?.done === true && s.phase === 'managing',
  { phase: 'done' },
  'smart trade complete: every exit filled',
);

export const smartTrade = kit.defineKitStrategy<SmartTradeParams, SmartTradeState>({
  id: 'smart-trade',
  title: 'Smart trade: entry, several take-profits, stop-loss, trailing stop',
  description:
    'One long trade: buys at market or with a limit order (sized by `sizing`), then sells it in parts at the take-profit levels of `exits.takeProfits` while a stop-loss or trailing stop protects the rest (OCO orders on the exchange). Stops the bot when the position is closed.',
  params: smartTradeParams,
  init: ({ params: p }) => ({
    phase: 'waiting',
    candles: 0,
    enteredAtCandle: null,
    atr: kit.sizingAtr(p.sizing),
    exits: null,
  }),
  indicators: { atr: kit.feeds.atr },
  // Done (complete, or told to stop): the bot's stop policy owns the orders from here; placing an
  // exit again after the kernel cancelled it would fight that policy.
  idle: (s) => s.phase === 'done',
  machines: [kit.embed('exits', kit.exitsMachine, afterExits)],
  onCandle(state, { close }, ctx) {
    const s: SmartTradeState = { ...state, candles: state.candles + 1 };
    if (s.phase === 'entering' && s.enteredAtCandle !== null)
      return { state: s, intents: kit.expireEntry(ctx, ENTRY.key, ctx.params.entry, s.candles - s.enteredAtCandle) };
    if (s.phase !== 'waiting' || ctx.paused) return { state: s };
    const plan = kit.planEntry(ENTRY.key, ctx.params, ctx, { close, atr: s.atr?.value ?? null });
    if (plan.ok) return { state: { ...s, phase: 'entering', enteredAtCandle: s.candles }, intents: [plan.intent] };
    // Waiting for the ATR to warm up is normal; anything else will not get better by waiting.
    return plan.wait ? { state: s } : kit.finish(s, { phase: 'done' }, `smart trade cannot enter: ${plan.reason}`);
  },
  orders: [
    kit.onFinal(ENTRY, (state, order, ctx) => {
      if (state.phase !== 'entering') return { state };
      const got = kit.exitsForEntry(order, ctx, { prefix: 'exit', params: ctx.params.exits });
      if (!got.ok) return kit.finish(state, { phase: 'done' }, `smart trade: ${got.why}`);
      return afterExits({ ...state, phase: 'managing', exits: got.exits.state }, got.exits.intents);
    }),
  ],
  // The bot's `onStop` policy decides about the orders: `leave-orders` keeps the exits working on
  // the exchange, which is what protects a position left behind.
  onStop: (state) => ({ state: { ...state, phase: 'done' } }),
});
