/**
 * Spot grid: `levels` prices between `low` and `high` (arithmetic: equal steps; geometric: equal
 * ratios) cut the range into `levels - 1` cells. Each cell holds exactly one order at a time: a BUY
 * at its bottom price while it is empty, a SELL at its top price while it holds what it bought.
 * When a cell's buy fills, it re-arms as a sell one level up; when the sell fills, it re-arms as a
 * buy one level down, earning the spacing (minus fees) on each round.
 *
 * Start (first candle, price P): cells whose bottom is below P wait to buy; cells at or above P
 * must sell first, so with `initialBuy` one MARKET buy funds them (each gets `quantity`, the
 * highest ones sharing what fees left). Without it, or when that buy fails, they stay idle and
 * arm their buy once a candle closes above their bottom.
 *
 * Stop: a close below `stopLossPrice` or above `takeProfitPrice` stops the bot; on stop the grid
 * cancels all its orders (unless `keepOrdersOnStop`), and the bot's `onStop: close-position`
 * also sells what the grid holds.
 */
import { z } from 'zod';
import { type Dec, add, d, floorToStep, gte, isPositive, lt, lte, min, mul, roundToStep, str, sub } from '../decimal';
import type { SymbolFilters } from '../market';
import { type OrderRecord, isFinalStatus } from '../orders';
import { netBought } from '../risk/exits';
import { positiveDecimal } from '../schema';
import { type Intent, type StrategyContext, defineStrategy } from '../strategy';
import { splitSymbol } from '../symbols';

export const gridParams = z
  .object({
    /** Lowest grid price (the lowest buy). */
    low: positiveDecimal,
    /** Highest grid price (the highest sell). */
    high: positiveDecimal,
    /** Number of grid prices, both ends included (so `levels - 1` cells and orders). */
    levels: z.number().int().min(2).max(200).default(10),
    spacing: z.enum(['arithmetic', 'geometric']).default('arithmetic'),
    /** Base quantity of each cell's orders. Give this or `amount`. */
    quantity: positiveDecimal.optional(),
    /** Quote amount of each cell's buy (its quantity is amount / buy price). Give this or `quantity`. */
    amount: positiveDecimal.optional(),
    /** Buy at market at start what the cells above the price need to sell. */
    initialBuy: z.boolean().default(true),
    /** Stop the bot when a candle closes at or below this price. */
    stopLossPrice: positiveDecimal.optional(),
    /** Stop the bot when a candle closes at or above this price. */
    takeProfitPrice: positiveDecimal.optional(),
    /** Leave the grid's orders on the exchange when the bot stops (default: cancel them). */
    keepOrdersOnStop: z.boolean().default(false),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!lt(p.low, p.high)) ctx.addIssue({ code: 'custom', path: ['high'], message: `must be above low (${p.low})` });
    if ((p.quantity === undefined) === (p.amount === undefined)) ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'give exactly one of quantity (base per order) or amount (quote per order)' });
    if (p.stopLossPrice !== undefined && !lt(p.stopLossPrice, p.low)) ctx.addIssue({ code: 'custom', path: ['stopLossPrice'], message: `must be below low (${p.low})` });
    if (p.takeProfitPrice !== undefined && !lt(p.high, p.takeProfitPrice)) ctx.addIssue({ code: 'custom', path: ['takeProfitPrice'], message: `must be above high (${p.high})` });
  });
export type GridParams = z.output<typeof gridParams>;

export type CellSide = 'buy' | 'sell' | 'idle';

export interface GridCell {
  readonly side: CellSide;
  /** Base quantity of the cell's order: to buy (buy side) or to sell (what it holds, sell side). */
  readonly qty: Dec;
  /** Candle number after which a refused order is tried again; null when nothing to retry. */
  readonly retryAt: number | null;
  /** Sell side: what each unit held cost, fees included (quote spent / base received). */
  readonly cost?: Dec;
}

export interface GridState {
  readonly phase: 'new' | 'running' | 'stopped';
  readonly candles: number;
  /** Grid prices, rounded to the tick, ascending. */
  readonly prices: readonly Dec[];
  readonly cells: readonly GridCell[];
  /** The initial MARKET buy is working. */
  readonly funding: boolean;
}

const INIT_TAG = 'init';
/** Candles to wait before placing a refused order again (balance, filters, risk). */
export const GRID_RETRY_CANDLES = 10;

export const cellTag = (i: number): string => `g${i}`;

export const grid = defineStrategy<GridParams, GridState>({
  id: 'grid',
  title: 'Grid: buy low, sell one level higher, repeat',
  description:
    'Places `levels` prices between `low` and `high` (arithmetic or geometric); buys below the price and sells one level above each buy, re-arming the opposite order whenever one fills. Cancels the grid when the bot stops.',
  params: gridParams,
  init: () => ({ phase: 'new', candles: 0, prices: [], cells: [], funding: false }),
  onEvent(state, event, ctx) {
    if (state.phase === 'stopped') return { state };
    switch (event.type) {
      case 'candle': {
        const s: GridState = { ...state, candles: state.candles + 1 };
        const close = event.candle.close;
        const p = ctx.params;
        if (p.stopLossPrice !== undefined && lte(close, p.stopLossPrice)) return { state: s, intents: [{ kind: 'stop', reason: `grid stop-loss: close ${close} at or below ${p.stopLossPrice}` }] };
        if (p.takeProfitPrice !== undefined && gte(close, p.takeProfitPrice)) return { state: s, intents: [{ kind: 'stop', reason: `grid take-profit: close ${close} at or above ${p.takeProfitPrice}` }] };
        if (s.phase === 'new') return ctx.paused ? { state: s } : setUp(s, close, ctx);
        return rearmWaiting(s, close, ctx);
      }
      case 'order':
        if (event.order.tag === INIT_TAG) return onFunding(state, event.order, ctx);
        if (/^g\d+$/.test(event.order.tag)) return onCellOrder(state, event.order, ctx);
        return { state };
      case 'stop':
        return { state: { ...state, phase: 'stopped' }, intents: ctx.params.keepOrdersOnStop ? [] : [{ kind: 'cancelAll' }] };
      default:
        return { state };
    }
  },
});

/** Grid prices from the params, rounded to the tick; throws when two round to the same price. */
export function gridPrices(p: Pick<GridParams, 'low' | 'high' | 'levels' | 'spacing'>, filters: SymbolFilters | null): Dec[] {
  const n = p.levels - 1;
  const prices: Dec[] = [];
  for (let i = 0; i <= n; i++) {
    const raw =
      i === 0 ? d(p.low) : i === n ? d(p.high) : p.spacing === 'geometric' ? d(p.low).times(d(p.high).dividedBy(p.low).pow(d(i).dividedBy(n))) : d(p.low).plus(d(p.high).minus(p.low).times(i).dividedBy(n));
    prices.push(filters ? roundToStep(raw, filters.tickSize) : str(raw.toDecimalPlaces(8)));
  }
  return prices;
}

function orderQty(p: GridParams, buyPrice: Dec, f: SymbolFilters | null): Dec {
  const raw = p.quantity ?? str(d(p.amount!).dividedBy(buyPrice));
  return f ? floorToStep(raw, f.stepSize) : raw;
}

/** Why an order of `qty` at `price` would be refused by the exchange filters, if it would. */
function tooSmall(qty: Dec, price: Dec, f: SymbolFilters | null): string | null {
  if (!f) return isPositive(qty) ? null : 'quantity rounds to 0';
  if (!isPositive(qty) || lt(qty, f.minQty)) return `quantity ${qty} below the minimum ${f.minQty}`;
  if (isPositive(f.minNotional) && lt(mul(qty, price), f.minNotional)) return `order value ${mul(qty, price)} below the minimum notional ${f.minNotional}`;
  return null;
}

function setUp(state: GridState, close: Dec, ctx: StrategyContext<GridParams>): { state: GridState; intents?: Intent[] } {
  const p = ctx.params;
  const f = ctx.filters;
  const prices = gridPrices(p, f);
  for (let i = 1; i < prices.length; i++) {
    if (!lt(prices[i - 1]!, prices[i]!)) return { state: { ...state, phase: 'stopped' }, intents: [{ kind: 'stop', reason: `grid levels ${prices[i - 1]} and ${prices[i]} collapse at the tick size: use fewer levels` }] };
  }
  for (let i = 0; i < prices.length - 1; i++) {
    const problem = tooSmall(orderQty(p, prices[i]!, f), prices[i]!, f);
    if (problem) return { state: { ...state, phase: 'stopped' }, intents: [{ kind: 'stop', reason: `grid order at ${prices[i]} too small: ${problem}` }] };
  }
  // A cell whose bottom is at or above the price must sell first.
  const above = (i: number) => gte(prices[i]!, close);
  const cells: GridCell[] = prices.slice(0, -1).map((price, i) => ({ side: above(i) ? 'idle' : 'buy', qty: orderQty(p, price, f), retryAt: null }));
  const intents: Intent[] = [];
  const toFund = cells.filter((c) => c.side === 'idle');
  let funding = false;
  if (p.initialBuy && toFund.length > 0) {
    const total = toFund.reduce((acc, c) => add(acc, c.qty), '0');
    funding = true;
    intents.push({
      kind: 'place',
      tag: INIT_TAG,
      side: 'BUY',
      type: 'MARKET',
      quantity: total,
      purpose: 'entry',
      reason: `grid start: buy what the ${toFund.length} cell(s) above ${close} will sell`,
      facts: { close, cells: toFund.length },
    });
  }
  const s: GridState = { ...state, phase: 'running', prices, cells, funding };
  cells.forEach((c, i) => {
    if (c.side === 'buy') intents.push(cellOrder(s, i, c));
  });
  return { state: s, intents };
}

function cellOrder(state: GridState, i: number, cell: GridCell): Intent {
  const bottom = state.prices[i]!;
  const top = state.prices[i + 1]!;
  return cell.side === 'sell'
    ? {
        kind: 'place',
        tag: cellTag(i),
        side: 'SELL',
        type: 'LIMIT',
        price: top,
        quantity: cell.qty,
        purpose: 'exit',
        reason: `grid cell ${i}: sell at ${top} what it bought${cell.cost ? ` for ${cell.cost}` : ''} (level ${bottom})`,
        // The lot this sell closes: reports measure the cell's own profit against it.
        facts: { cell: i, bottom, top, ...(cell.cost ? { entryPrice: cell.cost } : {}) },
      }
    : { kind: 'place', tag: cellTag(i), side: 'BUY', type: 'LIMIT', price: bottom, quantity: cell.qty, purpose: 'entry', reason: `grid cell ${i}: buy at ${bottom}, to sell at ${top}`, facts: { cell: i, bottom, top } };
}

function withCell(state: GridState, i: number, cell: GridCell): GridState {
  return { ...state, cells: state.cells.map((c, j) => (j === i ? cell : c)) };
}

function onFunding(state: GridState, order: OrderRecord, ctx: StrategyContext<GridParams>): { state: GridState; intents?: Intent[] } {
  if (!isFinalStatus(order.status)) return { state };
  const f = ctx.filters;
  let left = netBought(order, splitSymbol(ctx.symbol, f).base);
  const cost = unitCost(order.cumulativeQuoteQty, left);
  const intents: Intent[] = [];
  let unfunded = 0;
  let s: GridState = { ...state, funding: false };
  s.cells.forEach((cell, i) => {
    if (cell.side !== 'idle') return;
    const share = f ? floorToStep(min(cell.qty, left), f.stepSize) : min(cell.qty, left);
    if (tooSmall(share, s.prices[i + 1]!, f)) {
      unfunded++;
      return;
    }
    left = sub(left, share);
    const funded: GridCell = { side: 'sell', qty: share, retryAt: null, ...(cost ? { cost } : {}) };
    s = withCell(s, i, funded);
    intents.push(cellOrder(s, i, funded));
  });
  if (unfunded > 0) {
    const why = order.status === 'FILLED' ? 'the initial buy did not cover them' : `initial buy ${order.status}: ${order.rejectReason ?? ''}`;
    intents.push({ kind: 'notify', level: 'warn', message: `${unfunded} grid cell(s) above the price stay idle (${why}); they arm their buy when the price rises above them` });
  }
  return { state: s, intents };
}

function onCellOrder(state: GridState, order: OrderRecord, ctx: StrategyContext<GridParams>): { state: GridState; intents?: Intent[] } {
  if (!isFinalStatus(order.status) || state.phase !== 'running') return { state };
  const i = Number(order.tag.slice(1));
  const cell = state.cells[i];
  if (!cell) return { state };
  const f = ctx.filters;
  const p = ctx.params;
  const bottom = state.prices[i]!;
  const top = state.prices[i + 1]!;
  if (order.request.side === 'BUY') {
    const net = netBought(order, splitSymbol(ctx.symbol, f).base);
    const bought = f ? floorToStep(net, f.stepSize) : net;
    if (!tooSmall(bought, top, f)) {
      const cost = unitCost(order.cumulativeQuoteQty, net);
      const next: GridCell = { side: 'sell', qty: bought, retryAt: null, ...(cost ? { cost } : {}) };
      const s = withCell(state, i, next);
      return { state: s, intents: [cellOrder(s, i, next)] };
    }
    // Nothing (usable) bought: keep waiting to buy, and try again later if the order was refused.
    const next: GridCell = { side: 'buy', qty: orderQty(p, bottom, f), retryAt: state.candles + GRID_RETRY_CANDLES };
    return { state: withCell(state, i, next), intents: refusalNotice(order) };
  }
  const left = sub(cell.qty, order.executedQty);
  if (order.status === 'FILLED' || tooSmall(left, top, f)) {
    const next: GridCell = { side: 'buy', qty: orderQty(p, bottom, f), retryAt: null };
    const s = withCell(state, i, next);
    return { state: s, intents: [cellOrder(s, i, next)] };
  }
  const next: GridCell = { side: 'sell', qty: left, retryAt: state.candles + GRID_RETRY_CANDLES };
  return { state: withCell(state, i, next), intents: refusalNotice(order) };
}

function unitCost(quote: Dec, net: Dec): Dec | null {
  return isPositive(net) && isPositive(quote) ? str(d(quote).dividedBy(net).toDecimalPlaces(8)) : null;
}

function refusalNotice(order: OrderRecord): Intent[] {
  if (order.status !== 'REJECTED') return [];
  return [{ kind: 'notify', level: 'warn', message: `grid ${order.tag} ${order.request.side} refused (${order.rejectReason ?? 'no reason'}); retrying in ${GRID_RETRY_CANDLES} candles` }];
}

/** On each candle: place again what was refused, and arm idle cells the price has risen above. */
function rearmWaiting(state: GridState, close: Dec, ctx: StrategyContext<GridParams>): { state: GridState; intents?: Intent[] } {
  let s = state;
  const intents: Intent[] = [];
  // Runs on every candle: one pass over the open orders, not one per cell.
  const working = new Set<string>();
  for (const o of ctx.openOrders) working.add(o.tag);
  state.cells.forEach((cell, i) => {
    if (working.has(cellTag(i))) return;
    if (cell.side === 'idle' && !s.funding && lt(s.prices[i]!, close)) {
      const armed: GridCell = { side: 'buy', qty: cell.qty, retryAt: null };
      s = withCell(s, i, armed);
      intents.push(cellOrder(s, i, armed));
    } else if (cell.side !== 'idle' && cell.retryAt !== null && s.candles >= cell.retryAt && !ctx.paused) {
      const retried: GridCell = { ...cell, retryAt: null };
      s = withCell(s, i, retried);
      intents.push(cellOrder(s, i, retried));
    }
  });
  return intents.length > 0 ? { state: s, intents } : { state: s };
}
