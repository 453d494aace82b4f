/**
 * Seed 001 (Russian): the model-entry scalper. Every minute a model decides whether to enter; the
 * exit is plain scalping on ticks. Rules, as the seed writes them ("Алгоритм торговли"):
 *
 * 1. "Раз в минуту с binance запрашиваем 500 строк (минут)... 250 съедают индикаторы, а другие 250
 *    идут на предикт в модель": on every closed candle, ask for an `inference` over the last
 *    `lookback` (500) candles with a `window` (250) of features. The feature table and the ONNX run
 *    happen outside the workflow (activities/inference.ts, core/analysis/scalper-features.ts); the
 *    bot only receives the prediction and the indicator values behind it.
 * 2. "if (predictions[0] == 1) and (buy == False): place_order('buy')": on prediction 1 with no
 *    position, MARKET buy of `quantity` (the seed's QNTY).
 * 3. "Если она выросла то при минус одном пункте продаем": once the price has risen above the
 *    entry, sell when it falls `trailPoints` (one point) below its high since entry.
 * 4. "elif (price_current < price_buy - 15) and (price_current < oredr_sell): place_order('sell')":
 *    stop-loss when the price is below entry - `stopLossPoints` (15).
 * 5. "торговать пока количество сделок не достигнет num_trades": stop after `numTrades` round trips,
 *    reporting each trade as the seed's message does (stop-loss, or +k points above the buy price).
 *
 * Exits are evaluated on ticks outside the workflow with `watch` triggers (the stream service), never
 * by signalling every tick: a `below` trigger at the stop, an `above` trigger that moves the known
 * high up in steps of one point, and a `below` trigger one point under the known high. The high is
 * therefore known to within one point (the seed itself sampled the price once a second); see
 * docs/seed-strategies.md for the exact bound and the trailing trigger the stream service could
 * offer instead.
 */
import { z } from 'zod';
import { type Dec, add, d, gt, isPositive, lt, lte, str, sub } from '../decimal';
import { averagePrice, netBought } from '../fills';
import { type CandleInterval, intervalMs } from '../market';
import { modelFile } from '../model-files';
import { positiveDecimal, positiveInt } from '../schema';
import { type Intent, defineStrategy } from '../strategy';
import { splitSymbol } from '../symbols';
import { type DecisionRecord, type Facts, remember } from '../strategy-kit/journal';

export const modelScalperParams = z
  .object({
    /** ONNX model file on the worker (input [1, window, 14] float32, output 2 class scores). */
    modelPath: modelFile.default('models/momentum-lstm.onnx'),
    /** Base quantity bought on each entry (the seed's QNTY). */
    quantity: positiveDecimal,
    /** Round trips to make before stopping (the seed's `num_trades`, sent by the user). */
    numTrades: positiveInt,
    /** Candles fetched for each prediction (seed: `limit = 500`). */
    lookback: positiveInt.max(1000).default(500),
    /** Rows fed to the model (seed: sequence length 250). */
    window: positiveInt.default(250),
    /** Stop-loss distance below the entry, in quote units (seed: `price_buy - 15`). */
    stopLossPoints: positiveDecimal.default('15'),
    /** Trailing exit distance below the high since entry, in quote units (seed: "минус один пункт"). */
    trailPoints: positiveDecimal.default('1'),
  })
  .strict()
  .refine((p) => p.window < p.lookback, {
    message: 'window must be smaller than lookback: the indicators eat the first rows',
    path: ['window'],
  });
export type ModelScalperParams = z.infer<typeof modelScalperParams>;

export interface ScalperTrade {
  readonly n: number;
  readonly qty: Dec;
  readonly entry: Dec;
  readonly exit: Dec;
  /** exit - entry, in quote units: the seed's "+k пунктов" (negative for a stop-loss). */
  readonly points: Dec;
  readonly pnl: Dec;
  readonly exitReason: 'trailing' | 'stop-loss';
  readonly openedAt: number;
  readonly closedAt: number;
}

interface Holding {
  readonly n: number;
  readonly qty: Dec;
  readonly entry: Dec;
  /** Highest price known since entry (from the `above` triggers). */
  readonly high: Dec;
  /** True once the price has traded above the entry: the trailing exit is armed. */
  readonly risen: boolean;
  readonly stop: Dec;
  readonly openedAt: number;
  /** Price tick: triggers fire at "or beyond" a level, the seed's comparisons are strict. */
  readonly tick: Dec;
  /**
   * Arming number: every re-arm uses fresh trigger ids (`stop-<trade>-<arm>`, ...). The stream
   * service fires each id once for as long as the bot holds it, so a level moved under the same
   * id would never fire again.
   */
  readonly arm: number;
}

export interface ModelScalperState {
  readonly phase: 'idle' | 'buying' | 'holding' | 'selling' | 'done';
  /** The inference request in flight, if any (one at a time: a slow model never piles up requests). */
  readonly pending: string | null;
  /** When the pending request was sent: an answer lost for 5 candles is given up on. */
  readonly pendingSince: number | null;
  readonly startChecked: boolean;
  readonly seq: number;
  readonly holding: Holding | null;
  readonly exitReason: 'trailing' | 'stop-loss' | null;
  readonly trades: readonly ScalperTrade[];
  readonly lastPrediction: {
    readonly time: number;
    readonly prediction: number;
    readonly probability: number;
    readonly candleOpenTime: number;
  } | null;
  readonly decisions: readonly DecisionRecord[];
}

const START_REQUEST = 'infer-start';

interface InferenceAnswer {
  readonly prediction: number;
  readonly probability?: number;
  readonly logits?: readonly number[];
  readonly candleOpenTime?: number;
  readonly close?: number;
  readonly facts?: Readonly<Record<string, number>>;
  readonly error?: string;
}

function inferenceIntent(requestId: string, p: ModelScalperParams, symbol: string, interval: CandleInterval): Intent {
  return {
    kind: 'request',
    requestId,
    request: { kind: 'inference', modelPath: p.modelPath, symbol, interval, lookback: p.lookback, window: p.window },
  };
}

type WatchKind = 'stop' | 'high' | 'trail';

export function watchId(kind: WatchKind, h: Pick<Holding, 'n' | 'arm'>): string {
  return `${kind}-${h.n}-${h.arm}`;
}

/** The triggers that watch a holding: stop always; then either "first rise above entry" or the trailing pair. */
function watchIntents(h: Holding, p: ModelScalperParams): Intent[] {
  // A `below` trigger fires at or under its price: one tick under the stop is the seed's strict "<".
  const intents: Intent[] = [{ kind: 'watch', id: watchId('stop', h), direction: 'below', price: sub(h.stop, h.tick) }];
  if (!h.risen) {
    // Any trade above the entry arms the trailing exit (seed: "если она выросла"): one tick above it.
    intents.push({ kind: 'watch', id: watchId('high', h), direction: 'above', price: add(h.entry, h.tick) });
  } else {
    intents.push({ kind: 'watch', id: watchId('high', h), direction: 'above', price: add(h.high, p.trailPoints) });
    intents.push({ kind: 'watch', id: watchId('trail', h), direction: 'below', price: sub(h.high, p.trailPoints) });
  }
  return intents;
}

function unwatchIntents(h: Holding): Intent[] {
  return (['stop', 'high', 'trail'] as const).map((kind) => ({ kind: 'unwatch', id: watchId(kind, h) }));
}

/** Drop this arming's triggers and set the next arming's (fresh ids). */
function rearm(h: Holding, p: ModelScalperParams): { holding: Holding; intents: Intent[] } {
  const holding = { ...h, arm: h.arm + 1 };
  return { holding, intents: [...unwatchIntents(h), ...watchIntents(holding, p)] };
}

/** The seed's closing report: how many stop-losses, and how many trades closed k points up. */
export function tradeReport(trades: readonly ScalperTrade[]): string {
  const stops = trades.filter((t) => t.exitReason === 'stop-loss' || lt(t.points, 0)).length;
  const pnl = trades.reduce((acc, t) => acc.plus(t.pnl), d(0));
  const lines = trades.map(
    (t) =>
      `#${t.n} ${t.exitReason}: entry ${t.entry} exit ${t.exit} (${gt(t.points, 0) ? '+' : ''}${t.points} points, pnl ${t.pnl})`,
  );
  return [`${trades.length} trades, ${stops} stop-loss, total pnl ${str(pnl)}`, ...lines].join('\n');
}

export const modelScalper = defineStrategy<ModelScalperParams, ModelScalperState>({
  id: 'model-scalper',
  title: 'Seed 001: ONNX-model entries, tick-level scalping exits',
  description:
    'Every closed candle (1m in the seed) asks an ONNX model for a prediction over the last 500 candles (250-step feature window: CCI, EVM, SMA, EWMA, Bollinger, Force Index, ROC). Prediction 1 with no position: MARKET buy `quantity`. Exit once the price has risen: sell `trailPoints` below the high since entry; stop-loss below entry - `stopLossPoints`. Both exits run on ticks via price triggers. Stops after `numTrades` trades.',
  params: modelScalperParams,
  init: () => ({
    phase: 'idle',
    pending: null,
    pendingSince: null,
    startChecked: false,
    seq: 0,
    holding: null,
    exitReason: null,
    trades: [],
    lastPrediction: null,
    decisions: [],
  }),
  onEvent(state, event, ctx) {
    const p = ctx.params;
    const decide = (s: ModelScalperState, action: string, reason: string, facts: Facts = {}): ModelScalperState => ({
      ...s,
      decisions: remember(s.decisions, { time: ctx.now, action, reason, facts }),
    });

    switch (event.type) {
      case 'start':
        // The first prediction also checks the model: a wrong shape comes back as an error and stops the bot.
        return {
          state: { ...state, pending: START_REQUEST, pendingSince: ctx.now },
          intents: [inferenceIntent(START_REQUEST, p, ctx.symbol, ctx.interval)],
        };

      case 'candle': {
        const waiting =
          state.pending !== null &&
          (state.pendingSince === null || ctx.now - state.pendingSince <= 5 * intervalMs(ctx.interval));
        if (state.phase !== 'idle' || waiting || ctx.paused) return { state };
        const requestId = `infer-${event.candle.openTime}`;
        const s =
          state.pending !== null
            ? decide(state, 'retry', `no answer to ${state.pending} for 5 candles: asking again`)
            : state;
        return {
          state: { ...s, pending: requestId, pendingSince: ctx.now },
          intents: [inferenceIntent(requestId, p, ctx.symbol, ctx.interval)],
        };
      }

      case 'data': {
        if (event.requestId !== state.pending) return { state };
        const answer = event.result as unknown as InferenceAnswer;
        let s: ModelScalperState = { ...state, pending: null, pendingSince: null };
        if (answer === null || typeof answer !== 'object' || typeof answer.error === 'string') {
          const message = answer && typeof answer.error === 'string' ? answer.error : 'empty answer';
          if (!state.startChecked) {
            s = decide(s, 'stop', `model check failed: ${message}`);
            return {
              state: s,
              intents: [{ kind: 'stop', reason: `model-scalper: the model cannot be used: ${message}` }],
            };
          }
          s = decide(s, 'skip', `inference failed: ${message}`);
          return {
            state: s,
            intents: [{ kind: 'notify', level: 'warn', message: `inference failed, retrying next candle: ${message}` }],
          };
        }
        s = { ...s, startChecked: true };
        const facts: Record<string, string | number | boolean> = {
          prediction: answer.prediction,
          probability: answer.probability ?? -1,
          ...(answer.close !== undefined ? { close: answer.close } : {}),
          ...(answer.facts ?? {}),
        };
        s = {
          ...s,
          lastPrediction: {
            time: ctx.now,
            prediction: answer.prediction,
            probability: answer.probability ?? -1,
            candleOpenTime: answer.candleOpenTime ?? -1,
          },
        };
        // Seed: `if (predictions[0] == 1) and (buy == False)`.
        if (answer.prediction !== 1) return { state: decide(s, 'hold', 'model predicted 0', facts) };
        if (s.phase !== 'idle' || s.holding !== null)
          return { state: decide(s, 'hold', 'model predicted 1 but a position is open', facts) };
        if (s.trades.length >= p.numTrades) return { state: decide(s, 'hold', 'all trades done', facts) };
        if (ctx.paused) return { state: decide(s, 'hold', 'model predicted 1 but the bot is paused', facts) };
        const n = s.seq + 1;
        s = decide({ ...s, seq: n, phase: 'buying' }, 'enter', 'model predicted 1 with no position: market buy', facts);
        return {
          state: s,
          intents: [
            {
              kind: 'place',
              tag: `buy-${n}`,
              side: 'BUY',
              type: 'MARKET',
              quantity: p.quantity,
              purpose: 'entry',
              reason: 'model predicted 1 with no position (seed 001)',
              facts,
            },
          ],
        };
      }

      case 'order': {
        const { order } = event;
        const final =
          order.status === 'FILLED' ||
          order.status === 'EXPIRED' ||
          order.status === 'CANCELED' ||
          order.status === 'REJECTED' ||
          order.status === 'EXPIRED_IN_MATCH';
        if (!final) return { state };
        if (order.tag === `buy-${state.seq}` && state.phase === 'buying') {
          if (!isPositive(order.executedQty)) {
            const s = decide(
              { ...state, phase: 'idle' },
              'entry-failed',
              `buy ${order.status}: ${order.rejectReason ?? ''}`,
            );
            return {
              state: s,
              intents: [
                {
                  kind: 'notify',
                  level: 'warn',
                  message: `entry ${order.tag} ${order.status}: ${order.rejectReason ?? ''}`,
                },
              ],
            };
          }
          // Seed: `price_buy = get_data()[-1]` right after the market buy; the fill price is that price, measured.
          const entry = averagePrice(order);
          const qty = netBought(order, splitSymbol(ctx.symbol, ctx.filters).base);
          const holding: Holding = {
            n: state.seq,
            qty,
            entry,
            high: entry,
            risen: false,
            stop: sub(entry, p.stopLossPoints),
            openedAt: ctx.now,
            tick: ctx.filters && isPositive(ctx.filters.tickSize) ? str(ctx.filters.tickSize) : '0.00000001',
            arm: 0,
          };
          const s = decide(
            { ...state, phase: 'holding', holding, exitReason: null },
            'holding',
            `bought ${qty} at ${entry}; stop below ${holding.stop}`,
            { entry, qty, stop: holding.stop },
          );
          return { state: s, intents: watchIntents(holding, p) };
        }
        if (order.tag === `sell-${state.seq}` && state.phase === 'selling' && state.holding) {
          const h = state.holding;
          if (!isPositive(order.executedQty)) {
            // The exit did not go through: keep holding and watching; the next trigger tries again.
            const again = rearm(h, p);
            const s = decide(
              { ...state, phase: 'holding', holding: again.holding, exitReason: null },
              'exit-failed',
              `sell ${order.status}: ${order.rejectReason ?? ''}`,
            );
            return {
              state: s,
              intents: [
                {
                  kind: 'notify',
                  level: 'error',
                  message: `exit ${order.tag} ${order.status}: ${order.rejectReason ?? ''}; still watching`,
                },
                ...again.intents,
              ],
            };
          }
          const exit = averagePrice(order);
          const points = sub(exit, h.entry);
          const trade: ScalperTrade = {
            n: h.n,
            qty: order.executedQty,
            entry: h.entry,
            exit,
            points,
            pnl: str(d(points).times(order.executedQty)),
            exitReason: state.exitReason ?? 'trailing',
            openedAt: h.openedAt,
            closedAt: ctx.now,
          };
          const trades = [...state.trades, trade];
          const done = trades.length >= p.numTrades;
          const s = decide(
            { ...state, phase: done ? 'done' : 'idle', holding: null, exitReason: null, trades },
            'closed',
            `${trade.exitReason} at ${exit} (${points} points)`,
            {
              entry: h.entry,
              exit,
              points,
            },
          );
          const intents: Intent[] = [
            {
              kind: 'notify',
              message: `trade #${h.n} closed by ${trade.exitReason}: ${h.entry} -> ${exit} (${points} points)`,
            },
          ];
          if (done)
            intents.push(
              { kind: 'notify', message: tradeReport(trades) },
              { kind: 'stop', reason: `model-scalper: completed ${trades.length} trades` },
            );
          return { state: s, intents };
        }
        return { state };
      }

      case 'trigger': {
        const h = state.holding;
        if (state.phase !== 'holding' || !h) return { state };
        // Stream prices come padded ("30003.00000000"): keep canonical decimals in state and facts.
        const price = str(event.price);
        const kind = (['stop', 'high', 'trail'] as const).find((k) => event.id === watchId(k, h));
        if (!kind) return { state }; // a trigger of an earlier arming
        if (kind === 'high') {
          // A new high (seed: the price "выросла"); the trailing exit follows it one point below.
          const high = gt(price, h.high) ? price : h.high;
          const next = rearm({ ...h, high, risen: h.risen || gt(price, h.entry) }, p);
          const s = decide(
            { ...state, holding: next.holding },
            'new-high',
            `price ${price} above ${h.risen ? 'the known high' : 'the entry'}`,
            { price, high, trailAt: sub(high, p.trailPoints) },
          );
          return { state: s, intents: next.intents };
        }
        const stopHit = kind === 'stop' && lt(price, h.stop);
        const trailHit = kind === 'trail' && h.risen && lte(price, sub(h.high, p.trailPoints));
        if (!stopHit && !trailHit) {
          // Touched the level without crossing it (the seed's stop is strict: price < entry - 15): watch again.
          const again = rearm(h, p);
          return { state: { ...state, holding: again.holding }, intents: again.intents };
        }
        const exitReason = stopHit ? 'stop-loss' : 'trailing';
        const facts = { price, entry: h.entry, high: h.high, stop: h.stop, points: sub(price, h.entry) };
        const reason = stopHit
          ? `stop-loss: price ${price} < entry ${h.entry} - ${p.stopLossPoints} (seed 001)`
          : `trailing exit: price ${price} <= high ${h.high} - ${p.trailPoints} after rising above the entry (seed 001)`;
        const s = decide({ ...state, phase: 'selling', exitReason }, 'exit', reason, facts);
        // Sell the bot's whole holding: it includes the dust earlier exits left under the lot step
        // (fees paid in the base asset), which the kernel rounds down to the step.
        const quantity = gt(ctx.position.qty, h.qty) ? ctx.position.qty : h.qty;
        return {
          state: s,
          intents: [
            ...unwatchIntents(h),
            {
              kind: 'place',
              tag: `sell-${h.n}`,
              side: 'SELL',
              type: 'MARKET',
              quantity,
              purpose: 'exit',
              reason,
              facts,
            },
          ],
        };
      }

      case 'stop':
        // A stop after the last trade already reported; an early stop (user, risk) reports here.
        return {
          state: { ...state, pending: null, pendingSince: null },
          intents:
            state.phase !== 'done' && state.trades.length > 0
              ? [{ kind: 'notify', message: tradeReport(state.trades) }]
              : [],
        };

      default:
        return { state };
    }
  },
});
