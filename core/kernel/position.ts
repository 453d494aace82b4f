/**
 * The position after each fill (spot: average cost in, realised PnL out; futures: signed, see
 * core/futures/position.ts), round trips from flat to flat, and what "flat" means with dust.
 */
import { type Dec, abs, add, d, floorToStep, gt, isNegative, isPositive, lt, mul, str, sub } from '../decimal';
import type { Fill, OrderRecord } from '../orders';
import { checkpointOf, journalBeforeFill } from '../order-authority-kernel';
import type { PositionView } from '../strategy';
import { splitSymbol } from '../symbols';
import { perpExitValue, perpPositionAfterFill } from '../futures/position';
import { freeMarginAfterFill } from '../futures/free-margin';
import type { Kernel } from './kernel';
import { MAX_TRADES_KEPT, type PositionState, type RoundTrip, ZERO_POSITION } from './state';

export function applyFill(k: Kernel, order: OrderRecord, fill: Fill): void {
  if (k.s.verification) journalBeforeFill(k.books(), order, fill, () => checkpointOf(k.s));
  const symbol = order.request.symbol;
  if (symbol !== k.s.setup.symbol) {
    // Another symbol of a multi-symbol strategy: its own position, no round trips or risk (they
    // are defined on the bot's own symbol).
    const others = k.s.otherPositions ?? {};
    const next = positionAfterFill(
      others[symbol] ?? ZERO_POSITION,
      order.request.side,
      fill,
      splitSymbol(symbol, k.s.otherFilters?.[symbol]),
    );
    k.s.otherPositions = { ...others, [symbol]: next };
    return;
  }
  const p = k.s.position;
  const wasFlat = isFlat(k, p.qty);
  const futures = k.s.setup.market === 'futures';
  const next = futures
    ? perpPositionAfterFill(p, order.request.side, fill, splitSymbol(symbol, k.s.filters).quote)
    : positionAfterFill(p, order.request.side, fill, splitSymbol(symbol, k.s.filters));
  k.s.position = next;
  k.s.lastPrice = fill.price;
  // Round trips count sizes: a short grows as its quantity goes down.
  if (futures)
    trackRoundTrip(
      k,
      wasFlat,
      { ...p, qty: abs(p.qty) },
      { ...next, qty: abs(next.qty) },
      fill,
      isNegative(p.qty) ? 'short' : 'long',
    );
  else trackRoundTrip(k, wasFlat, p, next, fill);
  if (futures) refreshFreeMargin(k, p, next);
  k.updateRisk();
}

/**
 * Flat means nothing sellable is left: fees paid in the base asset leave dust below the lot size
 * or the minimum order value, which no order can ever sell.
 */
export function isFlat(k: Kernel, signed: Dec): boolean {
  const qty = k.s.setup.market === 'futures' ? abs(signed) : signed;
  if (!isPositive(qty)) return true;
  const f = k.s.filters;
  if (f === null) return false;
  if (isPositive(f.minQty) && lt(qty, f.minQty)) return true;
  const price = k.s.lastPrice;
  return price !== null && isPositive(f.minNotional) && lt(mul(floorToStep(qty, f.stepSize), price), f.minNotional);
}

/** Futures: the fill moved the free margin; estimate it now and read the exchange's again. */
export function refreshFreeMargin(k: Kernel, before: PositionState, after: PositionState): void {
  const leverage = k.s.setup.futures?.leverage;
  if (k.s.balances && leverage) k.s.balances = freeMarginAfterFill(k.s.balances, before, after, leverage);
  if (!k.s.reconcileInFlight) k.requestReconcile();
  else if (!k.reconcileAskedNow) k.s.marginRefreshDue = true;
}

export function trackRoundTrip(
  k: Kernel,
  wasFlat: boolean,
  before: PositionState,
  after: PositionState,
  fill: Fill,
  side: 'long' | 'short' = 'long',
): void {
  const flat = isFlat(k, after.qty);
  if (wasFlat && !flat) {
    k.s.openTrade = {
      openedAt: fill.time,
      realizedAtOpen: before.realizedPnl,
      entryQty: after.qty,
      entryCost: after.cost,
    };
    return;
  }
  const open = k.s.openTrade;
  if (!open) return;
  if (!flat && gt(after.qty, before.qty)) {
    k.s.openTrade = {
      ...open,
      entryQty: add(open.entryQty, sub(after.qty, before.qty)),
      entryCost: add(open.entryCost, sub(after.cost, before.cost)),
    };
    return;
  }
  if (flat) {
    const pnl = sub(after.realizedPnl, open.realizedAtOpen);
    const exitValue = perpExitValue(open.entryCost, pnl, side);
    const trip: RoundTrip = {
      openedAt: open.openedAt,
      closedAt: fill.time,
      entryQty: open.entryQty,
      avgEntryPrice: isPositive(open.entryQty)
        ? str(d(open.entryCost).dividedBy(open.entryQty).toDecimalPlaces(8))
        : '0',
      avgExitPrice: isPositive(open.entryQty) ? str(d(exitValue).dividedBy(open.entryQty).toDecimalPlaces(8)) : '0',
      pnl,
    };
    k.s.trades = [...k.s.trades, trip].slice(-MAX_TRADES_KEPT);
    k.s.stats = {
      ...k.s.stats,
      roundTrips: k.s.stats.roundTrips + 1,
      wins: k.s.stats.wins + (isPositive(pnl) ? 1 : 0),
    };
    k.s.openTrade = null;
    const limit = k.s.setup.risk.stopAfterTrades;
    if (limit !== undefined && k.s.stats.roundTrips >= limit)
      k.beginStop(`completed ${k.s.stats.roundTrips} trade(s) (stopAfterTrades ${limit})`);
  }
}

/** A position after one fill: average cost in, realised PnL out, fees counted in their asset. */
export function positionAfterFill(
  p: PositionState,
  side: 'BUY' | 'SELL',
  fill: Fill,
  assets: { base: string; quote: string },
): PositionState {
  const baseFee = fill.commissionAsset === assets.base ? fill.commission : '0';
  const quoteFee = fill.commissionAsset === assets.quote ? fill.commission : '0';
  const fees = isPositive(fill.commission)
    ? { ...p.fees, [fill.commissionAsset]: add(p.fees[fill.commissionAsset] ?? '0', fill.commission) }
    : p.fees;
  if (side === 'BUY') {
    const qty = sub(add(p.qty, fill.qty), baseFee);
    const cost = add(add(p.cost, fill.quoteQty), quoteFee);
    return {
      ...p,
      qty,
      cost,
      avgEntryPrice: isPositive(qty) ? str(d(cost).dividedBy(qty).toDecimalPlaces(12)) : '0',
      fees,
    };
  }
  const sold = add(fill.qty, baseFee);
  // The cost leaving the position: all of it when the holding is sold out, else its share
  // (rounded to 8 decimals, the quote precision) — so a full exit's PnL is exactly proceeds - cost.
  const costOfSold = !isPositive(p.qty)
    ? '0'
    : lt(sold, p.qty)
      ? str(d(p.cost).times(sold).dividedBy(p.qty).toDecimalPlaces(8))
      : p.cost;
  const proceeds = sub(fill.quoteQty, quoteFee);
  const qty = sub(p.qty, sold);
  const flatNow = !isPositive(qty);
  return {
    ...p,
    qty,
    cost: flatNow ? '0' : sub(p.cost, costOfSold),
    avgEntryPrice: flatNow ? '0' : p.avgEntryPrice,
    realizedPnl: add(p.realizedPnl, sub(proceeds, costOfSold)),
    fees,
  };
}

/** Unrealised PnL of the position at a price. */
export function unrealizedPnl(position: PositionView, price: Dec): Dec {
  return isPositive(position.qty) ? mul(position.qty, sub(price, position.avgEntryPrice)) : '0';
}
