/**
 * A simulated USDⓈ-M perpetual account for backtests of strategies that go short (seed 003's short
 * side; seed 004 with shorts). Linear contract, one-way mode, one symbol, cross margin:
 *
 * - the wallet holds quote (USDT); a position has a side, a quantity and an average entry price;
 * - opening or adding needs initial margin = notional / leverage out of the available margin
 *   (equity minus the margin already locked); the seed sizes a short as "taille_max =
 *   marge_disponible × 10", which `maxQuantity` computes;
 * - taker fees on the notional, paid from the wallet; realised PnL on every reduction;
 * - liquidation when equity falls to the maintenance margin (notional x rate), checked on the
 *   candle's adverse extreme (high for a short, low for a long), settled at that price.
 *
 * This file is the account model and an executor with the kernel's shapes (an order request in, an
 * OrderSnapshot with its fill out; balances for reconciliation out), so the backtest engine can
 * route a futures bot's orders here instead of the spot venue. Pure: decimal strings, JSON state.
 */
import { type Dec, add, d, floorToStep, gt, isPositive, isZero, lt, min, mul, str, sub } from '../core/decimal';
import type { OrderRequest, OrderSnapshot } from '../core/orders';

export interface PerpetualConfig {
  /** The seed's "x10 pour le contrat BTC Perp". */
  readonly leverage: number;
  /** Taker fee rate (Binance USDⓈ-M base tier: 0.0005). */
  readonly takerFee: Dec;
  /** Maintenance margin rate (Binance BTCUSDT first bracket: 0.004). */
  readonly maintenanceMarginRate: Dec;
  /** Quantity step for `maxQuantity`. */
  readonly stepSize: Dec;
}

export const DEFAULT_PERPETUAL: PerpetualConfig = { leverage: 10, takerFee: '0.0005', maintenanceMarginRate: '0.004', stepSize: '0.001' };

export interface PerpetualPosition {
  readonly side: 'LONG' | 'SHORT';
  readonly qty: Dec;
  readonly entryPrice: Dec;
}

export interface PerpetualState {
  readonly config: PerpetualConfig;
  /** Wallet balance: deposits + realised PnL - fees. */
  readonly wallet: Dec;
  readonly position: PerpetualPosition | null;
  readonly realizedPnl: Dec;
  readonly fees: Dec;
  readonly liquidations: number;
  readonly nextTradeId: number;
}

export function createPerpetual(wallet: Dec, config: PerpetualConfig = DEFAULT_PERPETUAL): PerpetualState {
  if (!Number.isInteger(config.leverage) || config.leverage < 1 || config.leverage > 125) throw new RangeError(`leverage must be 1..125, got ${config.leverage}`);
  return { config, wallet: str(wallet), position: null, realizedPnl: '0', fees: '0', liquidations: 0, nextTradeId: 1 };
}

export function unrealizedPnl(s: PerpetualState, price: Dec): Dec {
  const p = s.position;
  if (!p) return '0';
  const perUnit = p.side === 'LONG' ? d(price).minus(p.entryPrice) : d(p.entryPrice).minus(price);
  return str(perUnit.times(p.qty));
}

export function equity(s: PerpetualState, price: Dec): Dec {
  return add(s.wallet, unrealizedPnl(s, price));
}

/** Margin locked by the open position (at its entry price). */
export function initialMargin(s: PerpetualState): Dec {
  const p = s.position;
  return p ? str(d(p.qty).times(p.entryPrice).dividedBy(s.config.leverage)) : '0';
}

/** The seed's "marge disponible": equity minus the margin already locked, never negative. */
export function availableMargin(s: PerpetualState, price: Dec): Dec {
  const free = sub(equity(s, price), initialMargin(s));
  return isPositive(free) ? free : '0';
}

/** "taille_max = marge_disponible × 10": the largest new position at `price`, fees included, on the step. */
export function maxQuantity(s: PerpetualState, price: Dec): Dec {
  const perUnit = d(price).dividedBy(s.config.leverage).plus(d(price).times(s.config.takerFee));
  return floorToStep(str(d(availableMargin(s, price)).dividedBy(perUnit)), s.config.stepSize);
}

export type FillOutcome =
  | { readonly ok: true; readonly state: PerpetualState; readonly fee: Dec; readonly realized: Dec; readonly tradeId: number }
  | { readonly ok: false; readonly state: PerpetualState; readonly reason: string };

/** Execute a market order of `qty` on `side` at `price`: open, add, reduce, close or flip. */
export function fill(s: PerpetualState, side: 'BUY' | 'SELL', qty: Dec, price: Dec): FillOutcome {
  if (!isPositive(qty)) return { ok: false, state: s, reason: `quantity ${qty} must be positive` };
  const dir: PerpetualPosition['side'] = side === 'BUY' ? 'LONG' : 'SHORT';
  const fee = str(d(qty).times(price).times(s.config.takerFee));
  const p = s.position;
  let wallet = d(s.wallet).minus(fee);
  let realized = d(0);
  let position: PerpetualPosition | null = p;
  let opening: Dec = qty;
  if (p && p.side !== dir) {
    const closing = min(qty, p.qty);
    const perUnit = p.side === 'LONG' ? d(price).minus(p.entryPrice) : d(p.entryPrice).minus(price);
    realized = perUnit.times(closing);
    wallet = wallet.plus(realized);
    const left = sub(p.qty, closing);
    position = isZero(left) ? null : { ...p, qty: left };
    opening = sub(qty, closing);
  }
  if (isPositive(opening)) {
    const needed = d(opening).times(price).dividedBy(s.config.leverage);
    const before: PerpetualState = { ...s, wallet: str(wallet), position };
    const available = availableMargin(before, price);
    if (needed.greaterThan(available)) {
      return { ok: false, state: s, reason: `margin is insufficient: ${str(needed.toDecimalPlaces(8))} needed at ${s.config.leverage}x, ${available} available` };
    }
    position =
      position && position.side === dir
        ? { side: dir, qty: add(position.qty, opening), entryPrice: str(d(position.qty).times(position.entryPrice).plus(d(opening).times(price)).dividedBy(add(position.qty, opening)).toDecimalPlaces(12)) }
        : { side: dir, qty: opening, entryPrice: price };
  }
  const tradeId = s.nextTradeId;
  return {
    ok: true,
    fee,
    realized: str(realized),
    tradeId,
    state: { ...s, wallet: str(wallet), position, realizedPnl: add(s.realizedPnl, str(realized)), fees: add(s.fees, fee), nextTradeId: tradeId + 1 },
  };
}

/**
 * Liquidation check on one candle: at the adverse extreme (high for a short, low for a long), if
 * equity is at or below the maintenance margin the position is closed there (the wallet keeps
 * what is left, never below zero).
 */
export function checkLiquidation(s: PerpetualState, candle: { readonly high: Dec; readonly low: Dec }): { state: PerpetualState; liquidatedAt: Dec | null } {
  const p = s.position;
  if (!p) return { state: s, liquidatedAt: null };
  const worst = p.side === 'SHORT' ? candle.high : candle.low;
  const maintenance = mul(mul(p.qty, worst), s.config.maintenanceMarginRate);
  if (gt(equity(s, worst), maintenance)) return { state: s, liquidatedAt: null };
  const loss = unrealizedPnl(s, worst);
  const wallet = add(s.wallet, loss);
  return {
    state: { ...s, wallet: lt(wallet, 0) ? '0' : wallet, position: null, realizedPnl: add(s.realizedPnl, loss), liquidations: s.liquidations + 1 },
    liquidatedAt: worst,
  };
}

// ---- the executor the backtest engine calls for a futures bot ------------------------------------

export type ExecuteOutcome = { readonly ok: true; readonly state: PerpetualState; readonly snapshot: OrderSnapshot } | { readonly ok: false; readonly state: PerpetualState; readonly reason: string };

/**
 * A kernel `placeOrder` command on the perpetual: MARKET orders (quantity in base) fill at `price`;
 * anything else is refused with a reason (the seed-003 short side needs only market orders).
 */
export function executeOrder(s: PerpetualState, clientOrderId: string, request: OrderRequest, price: Dec, time: number): ExecuteOutcome {
  if (request.type !== 'MARKET') return { ok: false, state: s, reason: `the simulated perpetual fills MARKET orders only (got ${request.type})` };
  if (request.quantity === undefined) return { ok: false, state: s, reason: 'the simulated perpetual needs a base quantity (no quoteOrderQty)' };
  const r = fill(s, request.side, request.quantity, price);
  if (!r.ok) return r;
  const quoteQty = mul(request.quantity, price);
  return {
    ok: true,
    state: r.state,
    snapshot: {
      clientOrderId,
      symbol: request.symbol,
      exchangeOrderId: r.tradeId,
      status: 'FILLED',
      executedQty: request.quantity,
      cumulativeQuoteQty: quoteQty,
      updateTime: time,
      fills: [{ tradeId: r.tradeId, price, qty: request.quantity, quoteQty, commission: r.fee, commissionAsset: 'USDT', time, isMaker: false }],
    },
  };
}

/** What a reconciliation reports to the kernel: the available margin as the free quote. */
export function reconcileBalances(s: PerpetualState, price: Dec): { base: Dec; quote: Dec } {
  const p = s.position;
  return { base: p ? (p.side === 'LONG' ? p.qty : str(d(p.qty).negated())) : '0', quote: availableMargin(s, price) };
}
