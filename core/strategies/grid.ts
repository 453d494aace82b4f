/**
 * Spot grid: `levels` prices between `low` and `high` (arithmetic: equal steps; geometric: equal
 * ratios) cut the range into `levels - 1` cells, each holding exactly one order at a time: a BUY
 * at its bottom price while it is empty, a SELL at its top price while it holds what it bought. A
 * filled buy re-arms as a sell one level up, a filled sell as a buy one level down, earning the
 * spacing (minus fees) each round; a refused order is tried again after `GRID_RETRY_CANDLES`.
 *
 * Start (first candle, price P): cells whose bottom is below P wait to buy; cells at or above P
 * must sell first, so with `initialBuy` one MARKET buy funds them (each gets `quantity`, the
 * highest ones sharing what fees left). Without it, or when that buy fails, they stay idle and
 * arm their buy once a candle closes above their bottom.
 *
 * Stop: a close below `stopLossPrice` or above `takeProfitPrice` stops the bot; on stop the grid
 * cancels all its orders (unless `keepOrdersOnStop`); the bot's `onStop: close-position` also
 * sells what the grid holds.
 */
import { z } from 'zod';
import { type Dec, gte, lt, sum } from '../decimal';
import { positiveDecimal } from '../schema';
import * as kit from '../strategy-kit';
import type { Decision, OrderRecord, StrategyContext } from '../strategy-kit';

export const gridParams = z
  .object({
    /** Lowest grid price (the lowest buy). */
    low: positiveDecimal,
    /** Highest grid price (the highest sell). */
    high: positiveDecimal,
    /** Number of grid prices, both ends included (so `levels - 1` cells and orders). */
    levels: z.number().int().min(2).max(200).default(10),
    spacing: z.enum(['arithmetic', 'geometric']).default('arithmetic'),
    /** Each cell's order size: base `quantity`, or quote `amount` per buy (its quantity is amount / buy price). */
    ...kit.ladderSizeFields,
    /** Buy at market at start what the cells above the price need to sell. */
    initialBuy: z.boolean().default(true),
    /** Stop the bot when a candle closes at or below `stopLossPrice` or at or above `takeProfitPrice`. */
    ...kit.priceStopFields,
    /** Leave the grid's orders on the exchange when the bot stops (default: cancel them). */
    keepOrdersOnStop: z.boolean().default(false),
  })
  .strict()
  .superRefine(kit.issues((p) => [...kit.ladderIssues(p), ...kit.priceStopIssues(p, p)]));
export type GridParams = z.output<typeof gridParams>;

export interface GridCell extends kit.Slot {
  readonly side: 'buy' | 'sell' | 'idle';
  /** Base quantity of the cell's order: to buy (buy side) or to sell (what it holds, sell side). */
  readonly qty: Dec;
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

type Content = Omit<GridCell, 'retryAt'>;
type Ctx = StrategyContext<GridParams>;

const INIT = kit.single('init');
/** Candles to wait before placing a refused order again (balance, filters, risk). */
export const GRID_RETRY_CANDLES = 10;
const CELL = kit.numbered('g', '');

/** The cells are the kit's order slots, their orders "g0", "g1", ... */
const cells = kit.slots<GridParams, GridState, GridCell>({
  family: CELL,
  field: 'cells',
  counter: 'candles',
  retryCandles: GRID_RETRY_CANDLES,
  label: 'grid',
  orderOf: (s, i, cell) => (cell.side === 'idle' ? null : cellOrder(s, i, cell)),
  settle: (s, i, cell, order, ctx) => (s.phase === 'running' ? settle(s, i, cell, order, ctx) : null),
  // An idle cell arms its buy once a candle closes above its bottom (not while the funding buy works).
  wake: (s, i, cell, { close }) =>
    cell.side === 'idle' && !s.funding && lt(s.prices[i]!, close) ? { side: 'buy', qty: cell.qty } : null,
});

export const grid = kit.defineKitStrategy<GridParams, GridState>({
  id: 'grid',
  title: 'Grid: buy low, sell one level higher, repeat',
  description:
    'Places `levels` prices between `low` and `high` (arithmetic or geometric); buys below the price and sells one level above each buy, re-arming the opposite order whenever one fills. Cancels the grid when the bot stops.',
  params: gridParams,
  init: () => ({ phase: 'new', candles: 0, prices: [], cells: [], funding: false }),
  idle: (s) => s.phase === 'stopped',
  onCandle(state, candle, ctx) {
    const s: GridState = { ...state, candles: state.candles + 1 };
    const stop = kit.priceStopHit('grid', candle.close, ctx.params);
    if (stop) return { state: s, intents: [stop] };
    if (s.phase === 'new') return ctx.paused ? { state: s } : setUp(s, candle.close, ctx);
    return cells.onCandle(s, candle, ctx);
  },
  orders: [{ family: INIT, onOrderFinal: onFunding }, cells.handlers],
  onStop: (s, ctx) => ({
    state: { ...s, phase: 'stopped' },
    intents: ctx.params.keepOrdersOnStop ? [] : [{ kind: 'cancelAll' }],
  }),
});

/** Grid prices from the params, rounded to the tick. */
export const gridPrices = kit.ladderPrices;

function setUp(state: GridState, close: Dec, ctx: Ctx): Decision<GridState> {
  const { params: p, filters: f } = ctx;
  const prices = gridPrices(p, f);
  const problem = kit.ladderProblem(prices, (price) => kit.ladderQty(p, price, f), f);
  if (problem) return { state: { ...state, phase: 'stopped' }, intents: [kit.stop(`grid ${problem}`)] };
  // A cell whose bottom is at or above the price must sell first.
  const all: GridCell[] = prices
    .slice(0, -1)
    .map((price) => ({ side: gte(price, close) ? 'idle' : 'buy', qty: kit.ladderQty(p, price, f), retryAt: null }));
  const toFund = all.filter((c) => c.side === 'idle');
  const funding = p.initialBuy && toFund.length > 0;
  const reason = `grid start: buy what the ${toFund.length} cell(s) above ${close} will sell`;
  const facts = { close, cells: toFund.length };
  const init = kit.market(INIT.key, 'BUY', sum(toFund.map((c) => c.qty)), { purpose: 'entry', reason, facts });
  const armed = cells.arm({ ...state, phase: 'running', prices, cells: all, funding }, (c) => c.side === 'buy');
  return { state: armed.state, intents: [...(funding ? [init] : []), ...armed.intents] };
}

function cellOrder(state: GridState, i: number, cell: GridCell) {
  const [bottom, top] = [state.prices[i]!, state.prices[i + 1]!];
  const facts = { cell: i, bottom, top };
  if (cell.side !== 'sell') {
    const reason = `grid cell ${i}: buy at ${bottom}, to sell at ${top}`;
    return kit.limit(CELL.key(i), 'BUY', bottom, cell.qty, { purpose: 'entry', reason, facts });
  }
  const reason = `grid cell ${i}: sell at ${top} what it bought${cell.cost ? ` for ${cell.cost}` : ''} (level ${bottom})`;
  // The lot this sell closes: reports measure the cell's own profit against it.
  const lot: kit.Facts = cell.cost ? { entryPrice: cell.cost } : {};
  return kit.limit(CELL.key(i), 'SELL', top, cell.qty, { purpose: 'exit', reason, facts: { ...facts, ...lot } });
}

/** A cell's order is final: a buy becomes a sell of what it bought, a sell a buy again; what did not go through waits. */
const settle: kit.SlotSettle<GridParams, GridState, GridCell> = (state, i, cell, order, ctx) => {
  const buyAgain: Content = { side: 'buy', qty: kit.ladderQty(ctx.params, state.prices[i]!, ctx.filters) };
  if (order.request.side === 'BUY') {
    // Nothing (usable) bought: keep waiting to buy.
    const [sell] = shares(state, order, [i], ctx);
    return sell ? { slot: sell[1], retry: false } : { slot: buyAgain, retry: true };
  }
  const left = kit.leftToSell(order, cell.qty, state.prices[i + 1]!, ctx.filters);
  return left === null ? { slot: buyAgain, retry: false } : { slot: { side: 'sell', qty: left }, retry: true };
};

/** What a buy delivered, shared among cells in order (each up to its quantity): the cells that get a sellable share. */
function shares(state: GridState, order: OrderRecord, targets: readonly number[], ctx: Ctx): [number, Content][] {
  const bought = kit.executed(order, ctx);
  const cost = bought.unitCost ? { cost: bought.unitCost } : {};
  const claims = targets.map((i) => ({ qty: state.cells[i]!.qty, price: state.prices[i + 1]! }));
  return kit
    .shareOut(bought.qty, claims, ctx.filters)
    .map(({ index, qty }) => [targets[index]!, { side: 'sell', qty, ...cost }]);
}

/** The initial buy is final: share what it bought among the idle cells, each selling its share. */
function onFunding(state: GridState, order: OrderRecord, ctx: Ctx): Decision<GridState> {
  const idle = state.cells.flatMap((c, i) => (c.side === 'idle' ? [i] : []));
  const sells = shares(state, order, idle, ctx);
  const funded = cells.put({ ...state, funding: false }, sells);
  if (sells.length === idle.length) return funded;
  const why = order.status === 'FILLED' ? 'the initial buy did not cover them' : `initial buy ${kit.failure(order)}`;
  const notice = `${idle.length - sells.length} grid cell(s) above the price stay idle (${why}); they arm their buy when the price rises above them`;
  return { state: funded.state, intents: [...funded.intents, kit.notify(notice, 'warn')] };
}
