/**
 * Example strategy that exercises the runtime: buy a fixed quantity every N closed candles (at most
 * `maxLots` holdings at once), and sell each lot with a limit order `takeProfitPct` above its fill
 * price. Simple on purpose; the seed strategies live next to it.
 */
import { z } from 'zod';
import { type Dec, d, str } from '../decimal';
import { isFinalStatus } from '../orders';
import { positiveDecimal, positiveInt, percent } from '../schema';
import { type Intent, defineStrategy } from '../strategy';
import { netBought } from '../fills';
import { splitSymbol } from '../symbols';

export const dcaTakeProfitParams = z
  .object({
    /** Buy once every this many closed candles. */
    everyCandles: positiveInt.default(3),
    /** Base quantity bought each time, e.g. "0.001" BTC. */
    quantity: positiveDecimal,
    /** Take-profit distance above the buy's average fill price, in percent. */
    takeProfitPct: percent.default('1'),
    /** Never hold more than this many unsold lots. */
    maxLots: positiveInt.default(3),
  })
  .strict();
export type DcaTakeProfitParams = z.infer<typeof dcaTakeProfitParams>;

interface DcaState {
  readonly candlesSeen: number;
  readonly lotSeq: number;
  /** Lots bought and not yet sold, by lot number: the take-profit price set for each. */
  readonly lots: Readonly<Record<string, { readonly qty: Dec; readonly entry: Dec; readonly target: Dec }>>;
}

export const dcaTakeProfit = defineStrategy<DcaTakeProfitParams, DcaState>({
  id: 'dca-take-profit',
  title: 'Buy every N candles, sell each lot on a take-profit',
  description:
    'Market-buys `quantity` every `everyCandles` closed candles while fewer than `maxLots` lots are open; each filled buy gets a LIMIT sell `takeProfitPct` % above its average fill price.',
  params: dcaTakeProfitParams,
  // MARKET entries by quantity and LIMIT take-profits: both run on the USDⓈ-M perpetual (exits reduce-only).
  markets: ['spot', 'futures'],
  init: () => ({ candlesSeen: 0, lotSeq: 0, lots: {} }),
  onEvent(state, event, ctx) {
    const p = ctx.params;
    switch (event.type) {
      case 'candle': {
        const candlesSeen = state.candlesSeen + 1;
        const buying = ctx.openOrders.filter((o) => o.tag.startsWith('buy-')).length;
        const lotsOpen = Object.keys(state.lots).length + buying;
        if (candlesSeen % p.everyCandles !== 0 || lotsOpen >= p.maxLots || ctx.paused)
          return { state: { ...state, candlesSeen } };
        const lot = state.lotSeq + 1;
        const intent: Intent = {
          kind: 'place',
          tag: `buy-${lot}`,
          side: 'BUY',
          type: 'MARKET',
          quantity: p.quantity,
          purpose: 'entry',
          reason: `candle #${candlesSeen}: every ${p.everyCandles} candles`,
          facts: { close: event.candle.close, lotsOpen },
        };
        return { state: { ...state, candlesSeen, lotSeq: lot }, intents: [intent] };
      }
      case 'order': {
        const { order } = event;
        const lot = order.tag.slice(order.tag.indexOf('-') + 1);
        if (order.tag.startsWith('buy-') && order.status === 'FILLED' && d(order.executedQty).gt(0)) {
          const entry = str(d(order.cumulativeQuoteQty).dividedBy(order.executedQty));
          const target = str(d(entry).times(d(p.takeProfitPct).dividedBy(100).plus(1)));
          const qty = netBought(order, splitSymbol(ctx.symbol, ctx.filters).base);
          return {
            state: { ...state, lots: { ...state.lots, [lot]: { qty, entry, target } } },
            intents: [
              {
                kind: 'place',
                tag: `tp-${lot}`,
                side: 'SELL',
                type: 'LIMIT',
                quantity: qty,
                price: target,
                purpose: 'exit',
                reason: `take-profit ${p.takeProfitPct}% above ${entry}`,
                facts: { entry, target },
              },
            ],
          };
        }
        if (
          order.tag.startsWith('tp-') &&
          !isFinalStatus(order.status) &&
          !state.lots[lot] &&
          isFinalStatus(event.previousStatus)
        ) {
          // A report called this take-profit done and the exchange says it is still open (see
          // core/order-authority.ts): the lot is held again.
          const entry = String(order.facts?.entry ?? order.request.price ?? '0');
          return {
            state: {
              ...state,
              lots: {
                ...state.lots,
                [lot]: { qty: order.request.quantity ?? '0', entry, target: order.request.price ?? entry },
              },
            },
          };
        }
        if (order.tag.startsWith('tp-') && order.status === 'FILLED') {
          const { [lot]: _sold, ...lots } = state.lots;
          return { state: { ...state, lots } };
        }
        if (
          order.tag.startsWith('tp-') &&
          (order.status === 'REJECTED' || order.status === 'CANCELED' || order.status === 'EXPIRED')
        ) {
          // The take-profit did not make it: forget the lot so the bot does not stall on it; the
          // holding stays in the position and the notification says why.
          const { [lot]: _lost, ...lots } = state.lots;
          return {
            state: { ...state, lots },
            intents: [
              {
                kind: 'notify',
                level: 'warn',
                message: `take-profit ${order.tag} ${order.status}: ${order.rejectReason ?? ''}`,
              },
            ],
          };
        }
        return { state };
      }
      default:
        return { state };
    }
  },
});
