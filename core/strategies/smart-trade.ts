/**
 * Smart trade: one long trade on a spot symbol, entered at market or with a limit order, then
 * managed until it is fully closed: several take-profit levels sharing the position, a stop-loss
 * and/or a trailing stop (native on Binance with `trailingDelta`, or emulated with price triggers).
 * When the last exit fills, the bot stops by itself. The exits are the shared state machine in
 * core/risk/exits.ts (read its header for the exact orders placed on the exchange).
 *
 * Sequence: first candle → entry order → entry filled (or a limit entry timed out after a partial
 * fill) → exits for what was bought, net of base-asset fees → all exits filled → stop.
 */
import { z } from 'zod';
import { type Dec, isPositive } from '../decimal';
import { type AtrState, atr, nextAtr } from '../indicators/atr';
import { type ExitsState, avgFillPrice, exitsSchema, netBought, onExitsEvent, startExits } from '../risk/exits';
import { sizeEntry, sizingSchema } from '../risk/sizing';
import { isFinalStatus } from '../orders';
import { positiveDecimal, positiveInt } from '../schema';
import { type Intent, type StrategyContext, defineStrategy } from '../strategy';
import { splitSymbol } from '../symbols';

export const smartTradeParams = z
  .object({
    entry: z
      .discriminatedUnion('type', [
        /** Buy at market on the first candle. */
        z.object({ type: z.literal('market') }).strict(),
        /** Buy with a LIMIT order at `price`; optionally give up after `timeoutCandles` candles. */
        z.object({ type: z.literal('limit'), price: positiveDecimal, timeoutCandles: positiveInt.optional() }).strict(),
      ])
      .default({ type: 'market' }),
    /** How much to buy (see core/risk/sizing.ts). */
    sizing: sizingSchema,
    /** Take-profit levels, stop-loss and trailing stop (see core/risk/exits.ts). */
    exits: exitsSchema,
  })
  .strict();
export type SmartTradeParams = z.output<typeof smartTradeParams>;

type Phase = 'waiting' | 'entering' | 'managing' | 'done';

export interface SmartTradeState {
  readonly phase: Phase;
  readonly candles: number;
  /** Candle count when the entry was placed (limit timeout). */
  readonly enteredAtCandle: number | null;
  readonly atr: AtrState | null;
  readonly exits: ExitsState | null;
}

const ENTRY_TAG = 'entry';
const EXITS_PREFIX = 'exit';

export const smartTrade = defineStrategy<SmartTradeParams, SmartTradeState>({
  id: 'smart-trade',
  title: 'Smart trade: entry, several take-profits, stop-loss, trailing stop',
  description:
    'One long trade: buys at market or with a limit order (sized by `sizing`), then sells it in parts at the take-profit levels of `exits.takeProfits` while a stop-loss or trailing stop protects the rest (OCO orders on the exchange). Stops the bot when the position is closed.',
  params: smartTradeParams,
  init: (ctx) => ({ phase: 'waiting', candles: 0, enteredAtCandle: null, atr: ctx.params.sizing.mode === 'atr' ? atr(ctx.params.sizing.period) : null, exits: null }),
  onEvent(state, event, ctx) {
    // Done (complete, or told to stop): the bot's stop policy owns the orders from here; placing an
    // exit again after the kernel cancelled it would fight that policy.
    if (state.phase === 'done') return { state };
    if (state.exits) {
      const handled = onExitsEvent(state.exits, event, ctx);
      if (handled) return afterExits({ ...state, exits: handled.state }, handled.intents);
    }
    switch (event.type) {
      case 'candle': {
        const c = event.candle;
        const next: SmartTradeState = {
          ...state,
          candles: state.candles + 1,
          atr: state.atr ? nextAtr(state.atr, { high: Number(c.high), low: Number(c.low), close: Number(c.close) }) : null,
        };
        if (next.phase === 'waiting') return enter(next, c.close, ctx);
        if (next.phase === 'entering') return checkTimeout(next, ctx);
        return { state: next };
      }
      case 'order':
        if (event.order.tag === ENTRY_TAG) return onEntryOrder(state, ctx, event.order);
        return { state };
      case 'stop':
        // The bot's `onStop` policy decides about the orders: `leave-orders` keeps the exits working
        // on the exchange, which is what protects a position left behind.
        return { state: { ...state, phase: 'done' } };
      default:
        return { state };
    }
  },
});

function enter(state: SmartTradeState, close: Dec, ctx: StrategyContext<SmartTradeParams>): { state: SmartTradeState; intents?: Intent[] } {
  if (ctx.paused) return { state };
  const p = ctx.params;
  const price = p.entry.type === 'limit' ? p.entry.price : close;
  const size = sizeEntry(p.sizing, { price, filters: ctx.filters, freeQuote: ctx.balances?.quote ?? null, atr: state.atr?.value ?? null, market: p.entry.type === 'market' });
  if (!size.ok) {
    // Waiting for the ATR to warm up is normal; anything else will not get better by waiting.
    if (p.sizing.mode === 'atr' && state.atr?.value === null) return { state };
    return { state: { ...state, phase: 'done' }, intents: [{ kind: 'stop', reason: `smart trade cannot enter: ${size.reason}` }] };
  }
  const intent: Intent =
    p.entry.type === 'limit'
      ? { kind: 'place', tag: ENTRY_TAG, side: 'BUY', type: 'LIMIT', price: p.entry.price, quantity: size.quantity, purpose: 'entry', reason: `limit entry at ${p.entry.price}: ${size.why}`, facts: { close } }
      : { kind: 'place', tag: ENTRY_TAG, side: 'BUY', type: 'MARKET', quantity: size.quantity, purpose: 'entry', reason: `market entry: ${size.why}`, facts: { close } };
  return { state: { ...state, phase: 'entering', enteredAtCandle: state.candles }, intents: [intent] };
}

function checkTimeout(state: SmartTradeState, ctx: StrategyContext<SmartTradeParams>): { state: SmartTradeState; intents?: Intent[] } {
  const e = ctx.params.entry;
  if (e.type !== 'limit' || e.timeoutCandles === undefined || state.enteredAtCandle === null) return { state };
  if (state.candles - state.enteredAtCandle < e.timeoutCandles) return { state };
  const entry = ctx.openOrders.find((o) => o.tag === ENTRY_TAG);
  if (!entry || entry.cancelRequested) return { state };
  return { state, intents: [{ kind: 'cancel', tag: ENTRY_TAG }, { kind: 'notify', message: `limit entry not filled after ${e.timeoutCandles} candles: cancelling it` }] };
}

function onEntryOrder(state: SmartTradeState, ctx: StrategyContext<SmartTradeParams>, order: Parameters<typeof netBought>[0]): { state: SmartTradeState; intents?: Intent[] } {
  if (state.phase !== 'entering' || !isFinalStatus(order.status)) return { state };
  const bought = netBought(order, splitSymbol(ctx.symbol, ctx.filters).base);
  const price = avgFillPrice(order);
  if (!isPositive(bought) || price === null) {
    const why = order.status === 'REJECTED' ? `entry rejected: ${order.rejectReason ?? 'no reason given'}` : `entry ${order.status.toLowerCase()} without a fill`;
    return { state: { ...state, phase: 'done' }, intents: [{ kind: 'stop', reason: `smart trade: ${why}` }] };
  }
  const started = startExits({ prefix: EXITS_PREFIX, params: ctx.params.exits, entryPrice: price, quantity: bought, ctx });
  return afterExits({ ...state, phase: 'managing', exits: started.state }, [...started.intents]);
}

function afterExits(state: SmartTradeState, intents: readonly Intent[]): { state: SmartTradeState; intents?: Intent[] } {
  if (state.exits?.done && state.phase === 'managing') {
    return { state: { ...state, phase: 'done' }, intents: [...intents, { kind: 'stop', reason: 'smart trade complete: every exit filled' }] };
  }
  return { state, intents: [...intents] };
}
