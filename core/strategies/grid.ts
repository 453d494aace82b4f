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
 * arm their buy once a candle closes above their bottom. A refused order is tried again after
 * `GRID_RETRY_CANDLES` candles.
 *
 * Stop: a close below `stopLossPrice` or above `takeProfitPrice` stops the bot; on stop the grid
 * cancels all its orders (unless `keepOrdersOnStop`), and the bot's `onStop: close-position`
 * also sells what the grid holds.
 */
import { z } from 'zod';
import { type Dec, add, d, gte, lt, lte, min, roundToStep, str, sub } from '../decimal';
import type { SymbolFilters } from '../market';
import type { OrderRecord } from '../orders';
import { positiveDecimal } from '../schema';
import type { Decision, Intent, StrategyContext } from '../strategy';
import { defineKitStrategy, executed, floorQty, limit, market, notify, numbered, single, stop, tooSmall, workingKeys } from '../strategy-kit';

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
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (!lt(p.low, p.high)) issue('high', `must be above low (${p.low})`);
    if ((p.quantity === undefined) === (p.amount === undefined)) issue('quantity', 'give exactly one of quantity (base per order) or amount (quote per order)');
    if (p.stopLossPrice !== undefined && !lt(p.stopLossPrice, p.low)) issue('stopLossPrice', `must be below low (${p.low})`);
    if (p.takeProfitPrice !== undefined && !lt(p.high, p.takeProfitPrice)) issue('takeProfitPrice', `must be above high (${p.high})`);
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

type Ctx = StrategyContext<GridParams>;

/** The initial buy, and the cells' orders: "g0", "g1", ... */
const INIT = single('init');
const CELL = numbered('g', '');
/** Candles to wait before placing a refused order again (balance, filters, risk). */
export const GRID_RETRY_CANDLES = 10;

export const cellTag = (i: number): string => CELL.key(i).tag;

export const grid = defineKitStrategy<GridParams, GridState>({
  id: 'grid',
  title: 'Grid: buy low, sell one level higher, repeat',
  description:
    'Places `levels` prices between `low` and `high` (arithmetic or geometric); buys below the price and sells one level above each buy, re-arming the opposite order whenever one fills. Cancels the grid when the bot stops.',
  params: gridParams,
  init: () => ({ phase: 'new', candles: 0, prices: [], cells: [], funding: false }),
  idle: (s) => s.phase === 'stopped',
  onCandle(state, { close }, ctx) {
    const s: GridState = { ...state, candles: state.candles + 1 };
    const p = ctx.params;
    if (p.stopLossPrice !== undefined && lte(close, p.stopLossPrice)) return { state: s, intents: [stop(`grid stop-loss: close ${close} at or below ${p.stopLossPrice}`)] };
    if (p.takeProfitPrice !== undefined && gte(close, p.takeProfitPrice)) return { state: s, intents: [stop(`grid take-profit: close ${close} at or above ${p.takeProfitPrice}`)] };
    if (s.phase === 'new') return ctx.paused ? { state: s } : setUp(s, close, ctx);
    return rearmWaiting(s, close, ctx);
  },
  orders: [
    { family: INIT, onOrderFinal: onFunding },
    { family: CELL, onOrderFinal: (s, order, ctx, hit) => onCellOrder(s, order, ctx, hit.key!.n!) },
  ],
  onStop: (s, ctx) => ({ state: { ...s, phase: 'stopped' }, intents: ctx.params.keepOrdersOnStop ? [] : [{ kind: 'cancelAll' }] }),
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
  return floorQty(p.quantity ?? str(d(p.amount!).dividedBy(buyPrice)), f);
}

function setUp(state: GridState, close: Dec, ctx: Ctx): Decision<GridState> {
  const p = ctx.params;
  const f = ctx.filters;
  const prices = gridPrices(p, f);
  const halt = (reason: string): Decision<GridState> => ({ state: { ...state, phase: 'stopped' }, intents: [stop(reason)] });
  for (let i = 1; i < prices.length; i++) {
    if (!lt(prices[i - 1]!, prices[i]!)) return halt(`grid levels ${prices[i - 1]} and ${prices[i]} collapse at the tick size: use fewer levels`);
  }
  for (let i = 0; i < prices.length - 1; i++) {
    const problem = tooSmall(orderQty(p, prices[i]!, f), prices[i]!, f);
    if (problem) return halt(`grid order at ${prices[i]} too small: ${problem}`);
  }
  // A cell whose bottom is at or above the price must sell first.
  const cells: GridCell[] = prices.slice(0, -1).map((price) => ({ side: gte(price, close) ? 'idle' : 'buy', qty: orderQty(p, price, f), retryAt: null }));
  const toFund = cells.filter((c) => c.side === 'idle');
  const funding = p.initialBuy && toFund.length > 0;
  const intents: Intent[] = [];
  if (funding) {
    const reason = `grid start: buy what the ${toFund.length} cell(s) above ${close} will sell`;
    intents.push(market(INIT.key, 'BUY', toFund.reduce((acc, c) => add(acc, c.qty), '0'), { purpose: 'entry', reason, facts: { close, cells: toFund.length } }));
  }
  const s: GridState = { ...state, phase: 'running', prices, cells, funding };
  cells.forEach((c, i) => c.side === 'buy' && intents.push(cellOrder(s, i, c)));
  return { state: s, intents };
}

function cellOrder(state: GridState, i: number, cell: GridCell): Intent {
  const bottom = state.prices[i]!;
  const top = state.prices[i + 1]!;
  const facts = { cell: i, bottom, top };
  if (cell.side !== 'sell') return limit(CELL.key(i), 'BUY', bottom, cell.qty, { purpose: 'entry', reason: `grid cell ${i}: buy at ${bottom}, to sell at ${top}`, facts });
  const reason = `grid cell ${i}: sell at ${top} what it bought${cell.cost ? ` for ${cell.cost}` : ''} (level ${bottom})`;
  // The lot this sell closes: reports measure the cell's own profit against it.
  return limit(CELL.key(i), 'SELL', top, cell.qty, { purpose: 'exit', reason, facts: { ...facts, ...(cell.cost ? { entryPrice: cell.cost } : {}) } });
}

function withCell(state: GridState, i: number, cell: GridCell): GridState {
  return { ...state, cells: state.cells.map((c, j) => (j === i ? cell : c)) };
}

/** Give cell `i` its next order and place it. */
function arm(state: GridState, i: number, cell: GridCell): Decision<GridState> {
  const s = withCell(state, i, cell);
  return { state: s, intents: [cellOrder(s, i, cell)] };
}

/** The initial buy is final: share what it bought among the idle cells, each selling its share. */
function onFunding(state: GridState, order: OrderRecord, ctx: Ctx): Decision<GridState> {
  const f = ctx.filters;
  const bought = executed(order, ctx);
  let left = bought.qty;
  const intents: Intent[] = [];
  let unfunded = 0;
  let s: GridState = { ...state, funding: false };
  s.cells.forEach((cell, i) => {
    if (cell.side !== 'idle') return;
    const share = floorQty(min(cell.qty, left), f);
    if (tooSmall(share, s.prices[i + 1]!, f)) return unfunded++;
    left = sub(left, share);
    const armed = arm(s, i, { side: 'sell', qty: share, retryAt: null, ...(bought.unitCost ? { cost: bought.unitCost } : {}) });
    s = armed.state;
    intents.push(...armed.intents!);
  });
  if (unfunded > 0) {
    const why = order.status === 'FILLED' ? 'the initial buy did not cover them' : `initial buy ${order.status}: ${order.rejectReason ?? ''}`;
    intents.push(notify(`${unfunded} grid cell(s) above the price stay idle (${why}); they arm their buy when the price rises above them`, 'warn'));
  }
  return { state: s, intents };
}

/** A cell's order is final: a buy re-arms as a sell of what it bought, a sell as a buy; a refusal is retried later. */
function onCellOrder(state: GridState, order: OrderRecord, ctx: Ctx, i: number): Decision<GridState> {
  const cell = state.cells[i];
  if (state.phase !== 'running' || !cell) return { state };
  const { filters: f, params: p } = ctx;
  const top = state.prices[i + 1]!;
  const retry = (next: GridCell): Decision<GridState> => ({ state: withCell(state, i, next), intents: refusalNotice(order) });
  if (order.request.side === 'BUY') {
    const got = executed(order, ctx);
    const qty = floorQty(got.qty, f);
    if (!tooSmall(qty, top, f)) return arm(state, i, { side: 'sell', qty, retryAt: null, ...(got.unitCost ? { cost: got.unitCost } : {}) });
    // Nothing (usable) bought: keep waiting to buy, and try again later if the order was refused.
    return retry({ side: 'buy', qty: orderQty(p, state.prices[i]!, f), retryAt: state.candles + GRID_RETRY_CANDLES });
  }
  const left = sub(cell.qty, order.executedQty);
  if (order.status === 'FILLED' || tooSmall(left, top, f)) return arm(state, i, { side: 'buy', qty: orderQty(p, state.prices[i]!, f), retryAt: null });
  return retry({ side: 'sell', qty: left, retryAt: state.candles + GRID_RETRY_CANDLES });
}

function refusalNotice(order: OrderRecord): Intent[] {
  if (order.status !== 'REJECTED') return [];
  return [notify(`grid ${order.tag} ${order.request.side} refused (${order.rejectReason ?? 'no reason'}); retrying in ${GRID_RETRY_CANDLES} candles`, 'warn')];
}

/** On each candle: place again what was refused, and arm idle cells the price has risen above. */
function rearmWaiting(state: GridState, close: Dec, ctx: Ctx): Decision<GridState> {
  let s = state;
  const intents: Intent[] = [];
  const working = workingKeys(ctx);
  state.cells.forEach((cell, i) => {
    if (working.has(CELL.key(i))) return;
    let next: GridCell | null = null;
    if (cell.side === 'idle' && !s.funding && lt(s.prices[i]!, close)) next = { side: 'buy', qty: cell.qty, retryAt: null };
    else if (cell.side !== 'idle' && cell.retryAt !== null && s.candles >= cell.retryAt && !ctx.paused) next = { ...cell, retryAt: null };
    if (!next) return;
    const armed = arm(s, i, next);
    s = armed.state;
    intents.push(...armed.intents!);
  });
  return intents.length > 0 ? { state: s, intents } : { state: s };
}
