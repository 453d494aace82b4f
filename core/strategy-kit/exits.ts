/**
 * Exits of a long spot position: take-profit levels with a size split, a stop-loss and a trailing
 * stop, as a small state machine a strategy embeds in its own state (the seed's "sous-automate":
 * a library with its own saved context). Smart trade and range breakout both use it; `exitsMachine`
 * embeds it in a kit strategy (machine.ts). Pure.
 *
 * How it maps onto Binance spot, where every working order locks its quantity:
 * - A take-profit level with a stop becomes one SELL OCO: above = LIMIT_MAKER at the target,
 *   below = STOP_LOSS at the stop (or with `trailingDelta` for a native trailing stop). Each level
 *   locks only its own share, and the stop legs of all levels together protect the whole position.
 * - Levels without a stop are plain LIMIT sells; a stop without take-profits is one STOP_LOSS sell.
 * - Native trailing (default): the stop legs carry `trailingDelta` and no stop price, so the
 *   exchange trails from the moment they are placed; the trailing stop then starts `trailing.pct`
 *   below the price and is the stop-loss (a fixed `stopLoss` cannot be combined with it).
 * - Emulated trailing (`native: false`): the stop legs are fixed STOP_LOSS orders; a `watch`
 *   trigger fires when the price has risen enough to raise the stop by `stepPct`, and the exits are
 *   then cancelled and placed again with the higher stop.
 *
 * Events handled: a take-profit partially filled leaves its OCO without a stop (the exchange
 * cancels the other leg), so the rest is cancelled and bracketed again; an exit the exchange
 * rejects (e.g. the price is already through it) is replaced by a MARKET sell; a cancelled or
 * expired exit is placed again. The machine is done when every level is sold (or only dust,
 * below the minimum quantity, is left).
 */
import { z } from 'zod';
import { type Dec, add, ceilToStep, d, floorToStep, gt, isPositive, lt, lte, str, sub, sum } from '../decimal';
import type { SymbolFilters } from '../market';
import type { OrderRecord } from '../orders';
import { percent, percentOfWhole } from '../schema';
import type { Intent, StrategyContext, StrategyEvent } from '../strategy';
import type { SubMachine } from './machine';
import { floorQty, tooSmall } from './orders';

const takeProfitSchema = z
  .object({
    /** Distance above the entry price, in percent. */
    pct: percent,
    /** Share of the position sold at this level, in percent; shares add up to 100. */
    share: percentOfWhole,
  })
  .strict();

export const exitsSchema = z
  .object({
    takeProfits: z.array(takeProfitSchema).max(10).default([]),
    /** Fixed stop-loss, this many percent below the entry price. */
    stopLoss: z.object({ pct: percent }).strict().optional(),
    trailing: z
      .object({
        /** Distance of the trailing stop below the highest price, in percent (whole basis points). */
        pct: percent.refine((v) => d(v).times(100).isInteger() && d(v).lt(100), {
          message: 'must be below 100 with at most 2 decimals (whole basis points)',
        }),
        /** Use the exchange's trailing stop (`trailingDelta`); false emulates it with price triggers. */
        native: z.boolean().default(true),
        /** Emulated only: raise the stop once it can move up by at least this many percent. Default: pct / 2. */
        stepPct: percent.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.takeProfits.length > 0) {
      const total = sum(v.takeProfits.map((t) => t.share));
      if (!d(total).eq(100))
        ctx.addIssue({ code: 'custom', path: ['takeProfits'], message: `shares add up to ${total}, not 100` });
    }
    if (v.trailing?.native && v.stopLoss) {
      ctx.addIssue({
        code: 'custom',
        path: ['trailing'],
        message:
          'a native trailing stop starts trailing.pct below the price and is the stop-loss: drop stopLoss, or set trailing.native to false to trail from a fixed stop',
      });
    }
    if (v.stopLoss && !d(v.stopLoss.pct).lt(100))
      ctx.addIssue({ code: 'custom', path: ['stopLoss', 'pct'], message: 'must be below 100' });
    if (v.takeProfits.length === 0 && !v.stopLoss && !v.trailing) {
      ctx.addIssue({ code: 'custom', message: 'give at least one take-profit, a stop-loss or a trailing stop' });
    }
  });
export type ExitsParams = z.output<typeof exitsSchema>;
export type ExitsInput = z.input<typeof exitsSchema>;

export interface ExitLevel {
  readonly n: number;
  /** Take-profit price, or null for the stop-only level. */
  readonly tp: Dec | null;
  /** Base quantity still to sell at this level. */
  readonly qty: Dec;
  /**
   * Executed quantity already counted, per order of the level. Counting from the order's executed
   * quantity (not from the fills of each event) stays right when a status arrives before its fills
   * (a cancel answered "already filled") or fills arrive twice.
   */
  readonly counted: Readonly<Record<string, Dec>>;
  /** Rejections seen; the first one turns the level into a MARKET sell, the second gives up. */
  readonly rejections: number;
  readonly closed: boolean;
}

export interface ExitsState {
  readonly prefix: string;
  readonly params: ExitsParams;
  readonly entryPrice: Dec;
  /** Current fixed stop price (stop-loss, or emulated trailing stop); null without one. */
  readonly stop: Dec | null;
  /** Highest price reported by the trailing trigger (emulated trailing). */
  readonly peak: Dec;
  readonly levels: readonly ExitLevel[];
  readonly done: boolean;
}

export interface ExitsDecision {
  readonly state: ExitsState;
  readonly intents: readonly Intent[];
}

const pctOf = (price: Dec, pct: Dec, sign: 1 | -1): Dec =>
  str(d(price).times(d(1).plus(d(pct).dividedBy(100).times(sign))));

function tick(f: SymbolFilters | null): Dec | null {
  return f && isPositive(f.tickSize) ? f.tickSize : null;
}

/** Below the minimum quantity: the exchange would refuse to sell it; it stays as dust. */
export function isDust(qty: Dec, f: SymbolFilters | null): boolean {
  const q = floorQty(qty, f);
  return !isPositive(q) || (f !== null && lt(q, f.minQty));
}

/** The exchange would refuse to sell `qty` (on the step) at `price`: dust, or below the minimum notional. */
function unsellable(qty: Dec, price: Dec, f: SymbolFilters | null): boolean {
  return tooSmall(floorQty(qty, f), price, f) !== null;
}

export function levelTag(prefix: string, n: number): string {
  return `${prefix}-${n}`;
}

function trailTrigger(prefix: string): string {
  return `${prefix}-trail`;
}

export function ownsTag(state: ExitsState, tag: string): boolean {
  return tag.startsWith(`${state.prefix}-`);
}

/**
 * Split the position over the take-profit levels: floors each share to the lot step, gives the
 * rounding rest to the last level, and merges a share too small to be sold on its own into the
 * next level (or the previous one for the last).
 */
export function splitLevels(quantity: Dec, entryPrice: Dec, params: ExitsParams, f: SymbolFilters | null): ExitLevel[] {
  const total = floorQty(quantity, f);
  const stopOnly: ExitLevel = { n: 1, tp: null, qty: total, counted: {}, rejections: 0, closed: false };
  if (params.takeProfits.length === 0) return [stopOnly];
  const raw = params.takeProfits.map((t, i) => {
    const tp = pctOf(entryPrice, t.pct, 1);
    return {
      tp: tick(f) ? ceilToStep(tp, tick(f)!) : tp,
      qty: i === params.takeProfits.length - 1 ? '0' : floorQty(str(d(total).times(t.share).dividedBy(100)), f),
    };
  });
  const allButLast = sum(raw.slice(0, -1).map((r) => r.qty));
  raw[raw.length - 1]!.qty = sub(total, allButLast);
  const merged: { tp: Dec; qty: Dec }[] = [];
  let carry = '0';
  raw.forEach((r, i) => {
    const qty = add(r.qty, carry);
    const last = i === raw.length - 1;
    if (unsellable(qty, r.tp, f) && !last) {
      carry = qty;
      return;
    }
    carry = '0';
    if (unsellable(qty, r.tp, f) && merged.length > 0)
      merged[merged.length - 1] = { ...merged[merged.length - 1]!, qty: add(merged[merged.length - 1]!.qty, qty) };
    else merged.push({ tp: r.tp, qty });
  });
  return merged.map((m, i) => ({ n: i + 1, tp: m.tp, qty: m.qty, counted: {}, rejections: 0, closed: false }));
}

/** Start managing exits for `quantity` base bought at `entryPrice`. */
export function startExits(args: {
  prefix: string;
  params: ExitsParams;
  entryPrice: Dec;
  quantity: Dec;
  ctx: StrategyContext<unknown>;
}): ExitsDecision {
  const { prefix, params, entryPrice, quantity, ctx } = args;
  const f = ctx.filters;
  const t = tick(f);
  let stop: Dec | null = null;
  if (params.stopLoss) stop = pctOf(entryPrice, params.stopLoss.pct, -1);
  else if (params.trailing && !params.trailing.native) stop = pctOf(entryPrice, params.trailing.pct, -1);
  if (stop !== null && t) stop = ceilToStep(stop, t);
  const levels = splitLevels(quantity, entryPrice, params, f).map((l) =>
    isDust(l.qty, f) ? { ...l, closed: true } : l,
  );
  let state: ExitsState = { prefix, params, entryPrice, stop, peak: entryPrice, levels, done: false };
  const intents: Intent[] = [];
  for (const level of state.levels) if (!level.closed) intents.push(exitIntent(state, level, ctx));
  intents.push(...watchIntents(state));
  state = settle(state);
  return { state, intents };
}

function watchIntents(state: ExitsState): Intent[] {
  const trailing = state.params.trailing;
  if (!trailing || trailing.native || state.stop === null || state.done) return [];
  const step = trailing.stepPct ?? str(d(trailing.pct).dividedBy(2));
  // The stop p·(1 − t) reaches stop·(1 + step) once the price p reaches stop·(1 + step) / (1 − t).
  const price = str(
    d(state.stop)
      .times(d(1).plus(d(step).dividedBy(100)))
      .dividedBy(d(1).minus(d(trailing.pct).dividedBy(100)))
      .toDecimalPlaces(8, 2),
  );
  return [{ kind: 'watch', id: trailTrigger(state.prefix), direction: 'above', price }];
}

/** The order(s) that sell one level: an OCO, a LIMIT take-profit, a stop, or a MARKET fallback. */
function exitIntent(state: ExitsState, level: ExitLevel, ctx: StrategyContext<unknown>, marketReason?: string): Intent {
  const f = ctx.filters;
  const tag = levelTag(state.prefix, level.n);
  const qty = floorQty(level.qty, f);
  const facts = {
    entry: state.entryPrice,
    level: level.n,
    ...(level.tp ? { target: level.tp } : {}),
    ...(state.stop ? { stop: state.stop } : {}),
  };
  if (marketReason !== undefined) {
    const step = f && isPositive(f.marketStepSize) ? f.marketStepSize : null;
    return {
      kind: 'place',
      tag,
      side: 'SELL',
      type: 'MARKET',
      quantity: step ? floorToStep(level.qty, step) : qty,
      purpose: 'exit',
      reason: marketReason,
      facts,
    };
  }
  const trailing = state.params.trailing;
  const nativeTrail = trailing?.native ? Number(d(trailing.pct).times(100)) : null;
  const hasStop = state.stop !== null || nativeTrail !== null;
  const stopWhy = nativeTrail !== null ? `trailing stop ${trailing!.pct}%` : `stop ${state.stop}`;
  if (level.tp !== null && hasStop) {
    return {
      kind: 'placeOco',
      tag,
      side: 'SELL',
      quantity: qty,
      above: { type: 'LIMIT_MAKER', price: level.tp },
      below:
        nativeTrail !== null
          ? { type: 'STOP_LOSS', trailingDelta: nativeTrail }
          : { type: 'STOP_LOSS', stopPrice: state.stop! },
      purpose: 'exit',
      reason: `take-profit ${level.n} at ${level.tp} with ${stopWhy} (entry ${state.entryPrice})`,
      facts,
    };
  }
  if (level.tp !== null) {
    return {
      kind: 'place',
      tag,
      side: 'SELL',
      type: 'LIMIT',
      price: level.tp,
      quantity: qty,
      purpose: 'exit',
      reason: `take-profit ${level.n} at ${level.tp} (entry ${state.entryPrice})`,
      facts,
    };
  }
  return nativeTrail !== null
    ? {
        kind: 'place',
        tag,
        side: 'SELL',
        type: 'STOP_LOSS',
        trailingDelta: nativeTrail,
        quantity: qty,
        purpose: 'exit',
        reason: `${stopWhy} (entry ${state.entryPrice})`,
        facts,
      }
    : {
        kind: 'place',
        tag,
        side: 'SELL',
        type: 'STOP_LOSS',
        stopPrice: state.stop!,
        quantity: qty,
        purpose: 'exit',
        reason: `${stopWhy} (entry ${state.entryPrice})`,
        facts,
      };
}

function settle(state: ExitsState): ExitsState {
  const done = state.levels.every((l) => l.closed);
  return done === state.done ? state : { ...state, done };
}

function levelOf(state: ExitsState, tag: string): ExitLevel | undefined {
  const n = Number(tag.slice(state.prefix.length + 1));
  return state.levels.find((l) => l.n === n);
}

function replaceLevel(state: ExitsState, level: ExitLevel): ExitsState {
  return { ...state, levels: state.levels.map((l) => (l.n === level.n ? level : l)) };
}

/**
 * React to an event. Returns `null` when the event is not about these exits (the strategy handles
 * it itself).
 */
export function onExitsEvent(
  state: ExitsState,
  event: StrategyEvent,
  ctx: StrategyContext<unknown>,
): ExitsDecision | null {
  if (event.type === 'order' && ownsTag(state, event.order.tag)) return onOrder(state, event.order, ctx);
  if (event.type === 'trigger' && event.id === trailTrigger(state.prefix))
    return onTrailTrigger(state, event.price, ctx);
  return null;
}

function onOrder(state: ExitsState, order: OrderRecord, ctx: StrategyContext<unknown>): ExitsDecision {
  let level = levelOf(state, order.tag);
  if (!level || level.closed) return { state, intents: [] };
  const f = ctx.filters;
  const sold = sub(order.executedQty, level.counted[order.clientOrderId] ?? '0');
  if (isPositive(sold))
    level = {
      ...level,
      qty: sub(level.qty, sold),
      counted: { ...level.counted, [order.clientOrderId]: order.executedQty },
    };
  const intents: Intent[] = [];
  const working = ctx.openOrders.filter((o) => o.tag === order.tag);
  if (!isPositive(level.qty) || isDust(level.qty, f)) {
    level = { ...level, closed: true };
    // Dust left by a partial fill: stop the order still working for it.
    if (working.length > 0) intents.push({ kind: 'cancel', tag: order.tag });
  } else if (working.length === 0) {
    if (order.status === 'REJECTED') {
      level = { ...level, rejections: level.rejections + 1 };
      if (order.request.type === 'MARKET' || level.rejections > 1) {
        level = { ...level, closed: true };
        intents.push({
          kind: 'notify',
          level: 'error',
          message: `exit ${order.tag} could not be placed (${order.rejectReason ?? 'rejected'}); ${level.qty} stays unsold`,
        });
      } else {
        intents.push(
          exitIntent(
            state,
            level,
            ctx,
            `exit ${order.tag} rejected (${order.rejectReason ?? 'rejected'}): selling at market`,
          ),
        );
      }
    } else {
      // Cancelled (by us, to raise the stop or re-bracket a partial fill) or expired: place again.
      intents.push(exitIntent(state, level, ctx));
    }
  } else if (state.stop !== null || state.params.trailing?.native) {
    // A take-profit leg partly filled: the exchange cancelled its stop leg. Cancel the rest and
    // bracket it again, so what is left keeps its stop.
    const lonelyTakeProfit =
      working.length === 1 && working[0]!.listClientOrderId !== undefined && working[0]!.request.type === 'LIMIT_MAKER';
    if (
      lonelyTakeProfit &&
      isPositive(working[0]!.executedQty) &&
      !working[0]!.cancelRequested &&
      !unsellable(level.qty, level.tp ?? state.entryPrice, f)
    ) {
      intents.push({ kind: 'cancel', tag: order.tag });
    }
  }
  return { state: settle(replaceLevel(state, level)), intents };
}

function onTrailTrigger(state: ExitsState, price: Dec, ctx: StrategyContext<unknown>): ExitsDecision {
  const trailing = state.params.trailing;
  if (!trailing || trailing.native || state.stop === null || state.done) return { state, intents: [] };
  const t = tick(ctx.filters);
  const raw = pctOf(price, trailing.pct, -1);
  const stop = t ? ceilToStep(raw, t) : raw;
  const peak = gt(price, state.peak) ? price : state.peak;
  if (lte(stop, state.stop)) return { state: { ...state, peak }, intents: watchIntents(state) };
  const next: ExitsState = { ...state, peak, stop };
  const intents: Intent[] = [
    { kind: 'notify', message: `trailing stop raised from ${state.stop} to ${stop} (price ${price})` },
  ];
  // Cancel what is working; each level is placed again with the new stop once its cancel is confirmed.
  for (const level of next.levels) {
    if (!level.closed && ctx.openOrders.some((o) => o.tag === levelTag(state.prefix, level.n)))
      intents.push({ kind: 'cancel', tag: levelTag(state.prefix, level.n) });
  }
  intents.push(...watchIntents(next));
  return { state: next, intents };
}

/** Cancel every exit still working (e.g. when the owning strategy is told to stop). */
export function cancelExits(state: ExitsState): Intent[] {
  return state.levels.filter((l) => !l.closed).map((l) => ({ kind: 'cancel', tag: levelTag(state.prefix, l.n) }));
}

/** Quantity still held for the exits. */
export function remainingQty(state: ExitsState): Dec {
  return sum(state.levels.filter((l) => !l.closed).map((l) => l.qty));
}

/** The exits as a kit sub-machine: `embed('exits', exitsMachine)` in a strategy's `machines`. */
export const exitsMachine: SubMachine<ExitsState> = (state, event, ctx) => onExitsEvent(state, event, ctx);

/** Fill arithmetic lives in core/fills.ts; re-exported for the strategies that import it from here. */
export { avgFillPrice, netBought } from '../fills';
