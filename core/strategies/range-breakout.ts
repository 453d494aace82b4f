/**
 * Range breakout, the seeds' "buy range ORO": given a range (top and bottom, or measured from the
 * first `rangeCandles` candles) and a percentage x, place one order list x % above and x % below
 * the range, then manage whichever side fires with take-profit and stop-loss exits.
 *
 * Mapping onto Binance spot: an OCO's two legs are on the same side, and a bot without base asset
 * can only buy. The seed asks for a *buy* range, so this is one BUY OCO (orderList/oco):
 *   - above leg: a buy-stop, STOP_LOSS (market once triggered) with stopPrice = top × (1 + x/100),
 *     or STOP_LOSS_LIMIT with limit = stop × (1 + stopLimitPct/100) when `stopLimitPct` is set;
 *     it buys the breakout above the range;
 *   - below leg: LIMIT_MAKER buy at bottom × (1 − x/100); it buys the overshoot below the range.
 * Binance requires below limit < last price < above stop, so the OCO is only placed while the
 * price is strictly inside that band; outside it the bot waits for the price to come back. The
 * exchange cancels the other leg as soon as one fills (even partly). With `below: false` only the
 * buy-stop is placed (a plain STOP_LOSS or STOP_LOSS_LIMIT BUY).
 *
 * A sell-stop below the range would need base asset to sell and would open a short, which a spot
 * bot cannot hold; protecting an existing holding is what the exits (a SELL OCO: take-profit above,
 * stop below) do once a leg has fired.
 *
 * After the fill, the position is managed by core/strategy-kit/exits.ts with `exits`, or `belowExits` when
 * the below leg fired. A partial fill is given `partialFillCandles` candles to complete before the
 * rest is cancelled. Without a fill within `expiryCandles`, the OCO is cancelled and the bot stops.
 * With `repeat`, the bot arms again after each trade: the same range, or with `rangeCandles` a range
 * measured afresh over the next candles; otherwise it stops.
 */
import { z } from 'zod';
import { type Dec, d, gt, isPositive, lt, str } from '../decimal';
import { type ExtremesState, extremes, nextExtremes } from '../indicators/extremes';
import { type ExitsState, exitsSchema, onExitsEvent, startExits } from '../strategy-kit/exits';
import { sizingAtr } from '../strategy-kit/sizing';
import { sizeEntry, sizingSchema } from '../risk/sizing';
import { percent, positiveDecimal, positiveInt } from '../schema';
import { type Intent, type StrategyContext, defineStrategy } from '../strategy';
import { splitSymbol } from '../symbols';
import { type AtrState, nextAtr } from '../indicators/atr';
import type { Fill, OrderRecord } from '../orders';

export const rangeBreakoutParams = z
  .object({
    /** Range top; give top and bottom, or `rangeCandles`. */
    top: positiveDecimal.optional(),
    bottom: positiveDecimal.optional(),
    /** Measure the range as the highest high and lowest low of the first N candles. */
    rangeCandles: positiveInt.optional(),
    /** x: the buy-stop goes x % above the top, the limit buy x % below the bottom. */
    pct: percent,
    /** Place the below leg (limit buy under the range); false: only the buy-stop. */
    below: z.boolean().default(true),
    /** Make the buy-stop a STOP_LOSS_LIMIT whose limit is this many percent above its stop. */
    stopLimitPct: percent.optional(),
    sizing: sizingSchema,
    /** Exits after a fill (see core/strategy-kit/exits.ts); `belowExits` overrides them when the below leg fired. */
    exits: exitsSchema,
    belowExits: exitsSchema.optional(),
    /** Cancel the OCO and stop when nothing fired within this many candles. */
    expiryCandles: positiveInt.optional(),
    /** Candles a partly filled leg is given to complete before its rest is cancelled. */
    partialFillCandles: positiveInt.default(3),
    /** Arm again after each completed trade (a measured range is measured again). */
    repeat: z.boolean().default(false),
  })
  .strict()
  .superRefine((p, ctx) => {
    const given = p.top !== undefined && p.bottom !== undefined;
    if (given === (p.rangeCandles !== undefined) || (p.top === undefined) !== (p.bottom === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['top'], message: 'give top and bottom, or rangeCandles (not both)' });
    }
    if (given && !lt(p.bottom!, p.top!))
      ctx.addIssue({ code: 'custom', path: ['top'], message: `must be above bottom (${p.bottom})` });
    if (!d(p.pct).lt(100)) ctx.addIssue({ code: 'custom', path: ['pct'], message: 'must be below 100' });
  });
export type RangeBreakoutParams = z.output<typeof rangeBreakoutParams>;

type Phase = 'measuring' | 'waiting' | 'armed' | 'managing' | 'done';

export interface RangeBreakoutState {
  readonly phase: Phase;
  readonly candles: number;
  readonly top: Dec | null;
  readonly bottom: Dec | null;
  readonly range: ExtremesState | null;
  readonly atr: AtrState | null;
  /** Candle number when the OCO was placed, and when its first fill arrived. */
  readonly armedAt: number | null;
  readonly firstFillAt: number | null;
  /** Which leg fired; what it bought (net of base fees) and what that cost. */
  readonly fired: 'above' | 'below' | null;
  readonly bought: Dec;
  readonly boughtGross: Dec;
  readonly spent: Dec;
  readonly rejections: number;
  /** The price was outside the band: told once, until it comes back. */
  readonly toldOutside: boolean;
  /** Buy-stop and below-limit prices, once the range is known. */
  readonly band: { readonly buyStop: Dec; readonly belowLimit: Dec } | null;
  readonly trades: number;
  readonly exits: ExitsState | null;
}

const OCO_TAG = 'oco';
const EXITS_PREFIX = 'exit';
const MAX_REJECTIONS = 3;

export const rangeBreakout = defineStrategy<RangeBreakoutParams, RangeBreakoutState>({
  id: 'range-breakout',
  title: 'Range breakout (ORO): buy-stop above the range, limit buy below, then TP/SL',
  description:
    'Places a BUY OCO around a range: a buy-stop `pct` % above `top` and a limit buy `pct` % below `bottom` (or only the buy-stop). Whichever fills is managed with take-profit/stop-loss exits; then the bot stops (or re-arms with `repeat`).',
  params: rangeBreakoutParams,
  init: (ctx) => {
    const p = ctx.params;
    return {
      phase: p.rangeCandles !== undefined ? 'measuring' : 'waiting',
      candles: 0,
      top: p.top ?? null,
      bottom: p.bottom ?? null,
      range: p.rangeCandles !== undefined ? extremes(p.rangeCandles) : null,
      atr: sizingAtr(p.sizing),
      armedAt: null,
      firstFillAt: null,
      fired: null,
      bought: '0',
      boughtGross: '0',
      spent: '0',
      rejections: 0,
      toldOutside: false,
      band: null,
      trades: 0,
      exits: null,
    };
  },
  onEvent(state, event, ctx) {
    if (state.phase === 'done') return { state };
    if (state.exits && state.phase === 'managing') {
      const handled = onExitsEvent(state.exits, event, ctx);
      if (handled) return afterExits({ ...state, exits: handled.state }, [...handled.intents], ctx);
    }
    switch (event.type) {
      case 'candle':
        return onCandle(state, event.candle, ctx);
      case 'order':
        if (event.order.tag === OCO_TAG) return onEntryLeg(state, event.order, event.fills, ctx);
        return { state };
      case 'stop':
        return { state: { ...state, phase: 'done' } };
      default:
        return { state };
    }
  },
});

type Out = { state: RangeBreakoutState; intents?: Intent[] };

function onCandle(
  state: RangeBreakoutState,
  candle: { high: Dec; low: Dec; close: Dec },
  ctx: StrategyContext<RangeBreakoutParams>,
): Out {
  const p = ctx.params;
  let s: RangeBreakoutState = {
    ...state,
    candles: state.candles + 1,
    atr: state.atr
      ? nextAtr(state.atr, { high: Number(candle.high), low: Number(candle.low), close: Number(candle.close) })
      : null,
  };
  if (s.phase === 'measuring' && s.range) {
    const range = nextExtremes(s.range, { high: Number(candle.high), low: Number(candle.low) });
    s = { ...s, range };
    if (range.highest === null || range.lowest === null) return { state: s };
    // Candle prices are exact decimals: the float extremes are exactly representable inputs.
    s = { ...s, phase: 'waiting', top: str(range.highest), bottom: str(range.lowest), range: null };
    if (!lt(s.bottom!, s.top!))
      return {
        state: { ...s, phase: 'done' },
        intents: [{ kind: 'stop', reason: `measured range is empty (${s.bottom} – ${s.top})` }],
      };
  }
  if (s.phase === 'waiting') return arm(s, candle.close, ctx);
  if (s.phase === 'armed') {
    const working = ctx.openOrders.filter((o) => o.tag === OCO_TAG);
    if (working.length === 0 || working.some((o) => o.cancelRequested)) return { state: s };
    if (s.firstFillAt !== null && s.candles - s.firstFillAt >= p.partialFillCandles) {
      return {
        state: s,
        intents: [
          { kind: 'cancel', tag: OCO_TAG },
          {
            kind: 'notify',
            message: `entry partly filled (${s.boughtGross}) for ${p.partialFillCandles} candles: cancelling the rest`,
          },
        ],
      };
    }
    if (
      s.firstFillAt === null &&
      p.expiryCandles !== undefined &&
      s.armedAt !== null &&
      s.candles - s.armedAt >= p.expiryCandles
    ) {
      return {
        state: s,
        intents: [
          { kind: 'cancel', tag: OCO_TAG },
          { kind: 'notify', message: `no breakout within ${p.expiryCandles} candles: cancelling the OCO` },
        ],
      };
    }
  }
  return { state: s };
}

/** Buy-stop and limit prices of the band around the range. */
export function bandOf(top: Dec, bottom: Dec, pct: Dec): { buyStop: Dec; belowLimit: Dec } {
  const x = d(pct).dividedBy(100);
  return {
    buyStop: str(d(top).times(x.plus(1)).toDecimalPlaces(8)),
    belowLimit: str(d(bottom).times(d(1).minus(x)).toDecimalPlaces(8)),
  };
}

function arm(state: RangeBreakoutState, close: Dec, ctx: StrategyContext<RangeBreakoutParams>): Out {
  if (ctx.paused) return { state };
  const p = ctx.params;
  // Hot path while the price stays outside the band: compare floats first (a gate, not money).
  const band = state.band ?? bandOf(state.top!, state.bottom!, p.pct);
  if (!state.band) state = { ...state, band };
  const { buyStop, belowLimit } = band;
  const c = Number(close);
  const clearlyOutside = c > Number(buyStop) * (1 + 1e-9) || (p.below && c < Number(belowLimit) * (1 - 1e-9));
  const inside = !clearlyOutside && lt(close, buyStop) && (!p.below || lt(belowLimit, close));
  if (!inside) {
    if (state.toldOutside) return { state };
    return {
      state: { ...state, toldOutside: true },
      intents: [
        {
          kind: 'notify',
          message: `price ${close} is outside the band ${p.below ? `${belowLimit} – ` : 'below '}${buyStop}: waiting for it to come back inside`,
        },
      ],
    };
  }
  const size = sizeEntry(p.sizing, {
    price: buyStop,
    filters: ctx.filters,
    freeQuote: ctx.balances?.quote ?? null,
    atr: state.atr?.value ?? null,
  });
  if (!size.ok) {
    if (p.sizing.mode === 'atr' && state.atr?.value === null) return { state };
    return {
      state: { ...state, phase: 'done' },
      intents: [{ kind: 'stop', reason: `range breakout cannot size its entry: ${size.reason}` }],
    };
  }
  const stopLeg =
    p.stopLimitPct !== undefined
      ? ({
          type: 'STOP_LOSS_LIMIT',
          stopPrice: buyStop,
          price: str(d(buyStop).times(d(p.stopLimitPct).dividedBy(100).plus(1)).toDecimalPlaces(8)),
          timeInForce: 'GTC',
        } as const)
      : ({ type: 'STOP_LOSS', stopPrice: buyStop } as const);
  const facts = {
    top: state.top!,
    bottom: state.bottom!,
    pct: p.pct,
    close,
    buyStop,
    ...(p.below ? { belowLimit } : {}),
  };
  const reason = `range ${state.bottom} – ${state.top} ± ${p.pct}%: ${size.why}`;
  const intent: Intent = p.below
    ? {
        kind: 'placeOco',
        tag: OCO_TAG,
        side: 'BUY',
        quantity: size.quantity,
        above: stopLeg,
        below: { type: 'LIMIT_MAKER', price: belowLimit },
        purpose: 'entry',
        reason: `buy-stop at ${buyStop} OCO limit buy at ${belowLimit}; ${reason}`,
        facts,
      }
    : {
        kind: 'place',
        tag: OCO_TAG,
        side: 'BUY',
        quantity: size.quantity,
        ...stopLeg,
        purpose: 'entry',
        reason: `buy-stop at ${buyStop}; ${reason}`,
        facts,
      };
  return {
    state: {
      ...state,
      phase: 'armed',
      armedAt: state.candles,
      firstFillAt: null,
      fired: null,
      bought: '0',
      boughtGross: '0',
      spent: '0',
      toldOutside: false,
    },
    intents: [intent],
  };
}

function onEntryLeg(
  state: RangeBreakoutState,
  order: OrderRecord,
  fills: readonly Fill[],
  ctx: StrategyContext<RangeBreakoutParams>,
): Out {
  if (state.phase !== 'armed') return { state };
  const base = splitSymbol(ctx.symbol, ctx.filters).base;
  let s = state;
  if (fills.length > 0) {
    let net = d(s.bought);
    let gross = d(s.boughtGross);
    let spent = d(s.spent);
    for (const f of fills) {
      gross = gross.plus(f.qty);
      net = net.plus(f.qty).minus(f.commissionAsset === base ? f.commission : '0');
      spent = spent.plus(f.quoteQty);
    }
    s = {
      ...s,
      bought: str(net),
      boughtGross: str(gross),
      spent: str(spent),
      fired: s.fired ?? (order.request.type === 'LIMIT_MAKER' ? 'below' : 'above'),
      firstFillAt: s.firstFillAt ?? s.candles,
    };
  }
  if (ctx.openOrders.some((o) => o.tag === OCO_TAG)) return { state: s };
  // Nothing of the entry is working any more.
  if (isPositive(s.bought) && s.fired) {
    const entryPrice = str(d(s.spent).dividedBy(s.boughtGross).toDecimalPlaces(12));
    const params = s.fired === 'below' && ctx.params.belowExits ? ctx.params.belowExits : ctx.params.exits;
    // Sell everything the bot holds: with `repeat`, the dust earlier trades left below the lot
    // step joins this trade's exits instead of piling up.
    const quantity = gt(ctx.position.qty, s.bought) ? ctx.position.qty : s.bought;
    const started = startExits({ prefix: EXITS_PREFIX, params, entryPrice, quantity, ctx });
    return afterExits(
      { ...s, phase: 'managing', exits: started.state },
      [
        {
          kind: 'notify',
          message: `range ${s.fired === 'above' ? 'breakout' : 'overshoot below'}: bought ${s.bought} at ${entryPrice}`,
        },
        ...started.intents,
      ],
      ctx,
    );
  }
  if (order.status === 'REJECTED') {
    const rejections = s.rejections + 1;
    const why = order.rejectReason ?? 'no reason given';
    if (rejections >= MAX_REJECTIONS)
      return {
        state: { ...s, phase: 'done', rejections },
        intents: [{ kind: 'stop', reason: `range breakout entry rejected ${rejections} times, last: ${why}` }],
      };
    return {
      state: { ...s, phase: 'waiting', rejections },
      intents: [
        { kind: 'notify', level: 'warn', message: `entry OCO rejected (${why}); trying again on the next candle` },
      ],
    };
  }
  return {
    state: { ...s, phase: 'done' },
    intents: [{ kind: 'stop', reason: `range breakout: entry ${order.status.toLowerCase()} without a fill` }],
  };
}

function afterExits(state: RangeBreakoutState, intents: Intent[], ctx: StrategyContext<RangeBreakoutParams>): Out {
  if (!state.exits?.done) return { state, intents };
  const trades = state.trades + 1;
  const p = ctx.params;
  if (p.repeat && p.rangeCandles !== undefined) {
    // A measured range is measured again: the next trade trades the market as it is now.
    const next: RangeBreakoutState = {
      ...state,
      phase: 'measuring',
      exits: null,
      trades,
      rejections: 0,
      range: extremes(p.rangeCandles),
      band: null,
      top: null,
      bottom: null,
    };
    return {
      state: next,
      intents: [
        ...intents,
        { kind: 'notify', message: `trade ${trades} closed: measuring a new range over ${p.rangeCandles} candles` },
      ],
    };
  }
  if (p.repeat) {
    return {
      state: { ...state, phase: 'waiting', exits: null, trades, rejections: 0 },
      intents: [...intents, { kind: 'notify', message: `trade ${trades} closed: arming the range again` }],
    };
  }
  return {
    state: { ...state, phase: 'done', trades },
    intents: [...intents, { kind: 'stop', reason: 'range breakout complete: the trade is closed' }],
  };
}
