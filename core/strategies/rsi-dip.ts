/**
 * Example strategy, written with the strategy kit (docs/writing-a-strategy.md builds it step by
 * step): buy the dip. The RSI is warmed up on history at start; when a candle closes with the RSI
 * under `oversold`, buy at market, sized by the risk layer (`sizing`); then let the kit's exits
 * sell what was bought (take-profit levels, stop-loss, trailing stop). Once every exit is done,
 * wait for the next dip (`repeat`) or stop the bot.
 *
 * Orders: trade N buys with "buy-N" and exits with "xN-1", "xN-2", ... (one per take-profit).
 */
import { z } from 'zod';
import { type RsiState, rsi } from '../indicators/rsi';
import { boundedNumber, positiveInt } from '../schema';
import * as kit from '../strategy-kit';
import type { Decision, Intent } from '../strategy-kit';

export const rsiDipParams = z
  .object({
    /** RSI period, in candles. */
    rsiPeriod: positiveInt.max(100).default(14),
    /** Buy when a candle closes with the RSI below this level. */
    oversold: boundedNumber(1, 99, 'must be an RSI level from 1 to 99').default(30),
    /** How much each dip buys (core/risk/sizing.ts): a fixed base or quote amount, a percentage of the free balance, ATR risk. */
    sizing: kit.sizingSchema.default({ mode: 'percent', percent: '10' }),
    /** How the position is sold (core/strategy-kit/exits.ts). */
    exits: kit.exitsSchema.default({ takeProfits: [{ pct: '1.5', share: '100' }], stopLoss: { pct: '3' } }),
    /** After the exits: buy the next dip (true) or stop the bot (false). */
    repeat: z.boolean().default(true),
  })
  .strict();
export type RsiDipParams = z.output<typeof rsiDipParams>;

export interface RsiDipState extends kit.WarmupFields, kit.Journaled {
  readonly rsi: RsiState;
  readonly phase: 'watching' | 'buying' | 'selling' | 'done';
  /** Number of the current (or last) trade. */
  readonly trade: number;
  readonly exits: kit.ExitsState | null;
}

const BUY = kit.numbered('buy');

export const rsiDip = kit.defineKitStrategy<RsiDipParams, RsiDipState>({
  id: 'rsi-dip',
  title: 'Example: buy RSI dips, sell with take-profit / stop-loss exits',
  description:
    'Warms RSI(`rsiPeriod`) up on history, buys at market (sized by `sizing`) when a candle closes with the RSI below `oversold`, then sells with `exits` (take-profits, stop-loss, trailing stop); with `repeat` it waits for the next dip, otherwise it stops. The example of docs/writing-a-strategy.md.',
  params: rsiDipParams,
  init: (ctx) => ({ rsi: rsi(ctx.params.rsiPeriod), phase: 'watching', trade: 0, exits: null, decisions: [] }),
  warmup: { candles: (p) => p.rsiPeriod * 10, requestId: 'rsi-dip-warmup', label: 'RSI' },
  indicators: { rsi: kit.feeds.rsi },
  idle: (s) => s.phase === 'done',
  machines: [kit.embed('exits', kit.exitsMachine, afterExits)],
  onCandle(s, candle, ctx) {
    const value = s.rsi.value;
    if (s.phase !== 'watching' || value === null || value >= ctx.params.oversold) return { state: s };
    const why = `RSI ${kit.round(value)} < ${ctx.params.oversold}`;
    if (ctx.paused) return { state: kit.decide(s, ctx, 'skip', `${why} but the bot is paused`) };
    const buy = kit.marketBuy(ctx, ctx.params.sizing, candle.close);
    if (!buy.ok) return { state: kit.decide(s, ctx, 'skip', `${why} but ${buy.reason}`) };
    const trade = s.trade + 1;
    const facts = { rsi: kit.round(value), close: candle.close, ...buy.facts };
    const intent = kit.place(BUY.key(trade), buy.order, { purpose: 'entry', reason: `dip: ${why}`, facts });
    return {
      state: kit.decide<RsiDipState>({ ...s, phase: 'buying', trade }, ctx, 'buy', `dip: ${why}`, facts),
      intents: [intent],
    };
  },
  orders: [
    {
      family: BUY,
      onOrderFinal(s, order, ctx, hit) {
        if (s.phase !== 'buying' || hit.key?.n !== s.trade) return { state: s };
        const got = kit.exitsForEntry(order, ctx, { prefix: `x${s.trade}`, params: ctx.params.exits });
        if (!got.ok)
          return {
            state: kit.decide<RsiDipState>({ ...s, phase: 'watching' }, ctx, 'buy-failed', got.why),
            intents: [kit.notify(`rsi-dip: ${got.why}`, 'warn')],
          };
        const bought = kit.decide<RsiDipState>(
          { ...s, phase: 'selling', exits: got.exits.state },
          ctx,
          'bought',
          `bought ${got.qty} at ${got.price}`,
        );
        return afterExits(bought, got.exits.intents, ctx);
      },
    },
  ],
});

/** Every exit done: watch for the next dip, or stop. */
function afterExits(
  s: RsiDipState,
  intents: readonly Intent[],
  ctx: { readonly params: RsiDipParams; readonly now: number },
): Decision<RsiDipState> {
  if (!s.exits?.done || s.phase !== 'selling') return { state: s, intents };
  const sold = kit.decide<RsiDipState>(
    { ...s, phase: ctx.params.repeat ? 'watching' : 'done', exits: null },
    ctx,
    'sold',
    `trade ${s.trade} closed`,
  );
  return {
    state: sold,
    intents: ctx.params.repeat ? intents : [...intents, kit.stop(`rsi-dip: trade ${s.trade} closed`)],
  };
}
