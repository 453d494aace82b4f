/**
 * The kernel-level risk guard shared by every strategy: it sees every entry before it reaches the
 * exchange and may refuse it (max open trades, drawdown kill-switch, ...). Configured per bot with
 * the definition's `risk` field. Pure.
 *
 * The kernel calls `updateRiskState` after every candle and fill, and `checkEntry` for every entry
 * intent; a non-null answer refuses the entry with that reason (reported to the strategy like an
 * exchange rejection). `killSwitch` returning a reason stops the bot (with its `onStop` policy, so
 * `close-position` also sells what it holds).
 *
 * Equity here is the bot's own: `capital + realised PnL + unrealised PnL of its position`, valued at
 * the last price. The account's balances are shared between bots and are not used, except to learn
 * the capital when none is configured.
 */
import { z } from 'zod';
import { type Dec, add, d, gt, isPositive, mul, str, sub } from '../decimal';
import type { OrderRecord } from '../orders';
import { percentOfWhole, positiveDecimal, positiveInt } from '../schema';
import type { Json, PositionView } from '../strategy';

export const riskConfigSchema = z
  .object({
    /**
     * At most this many trades at once: entry orders still working (the two legs of an OCO count
     * once) plus one when the bot holds a position. Unset: no limit.
     */
    maxOpenTrades: positiveInt.optional(),
    /** Stop the bot when its equity falls this much quote asset below its peak. */
    maxDrawdown: positiveDecimal.optional(),
    /** Stop the bot when its equity falls this many percent below its peak. */
    maxDrawdownPct: percentOfWhole.optional(),
    /**
     * Quote asset allotted to the bot: the base of `maxDrawdownPct`. Unset: the account's equity
     * (free quote + base valued at the last price) when the bot first learns its balances.
     */
    capital: positiveDecimal.optional(),
    /** Stop the bot (per its onStop) once it completed this many trades (seed 001: "make N trades then stop"). */
    stopAfterTrades: positiveInt.optional(),
  })
  .strict();
export type RiskConfig = z.output<typeof riskConfigSchema>;

export interface RiskView {
  readonly now: number;
  readonly position: PositionView;
  readonly lastPrice: Dec | null;
  readonly openOrders: readonly OrderRecord[];
  readonly balances: { readonly base: Dec; readonly quote: Dec } | null;
}

/** The guard's bookkeeping, stored in the bot state (plain JSON, decimal strings). */
export interface RiskState {
  /** Capital the drawdown percentage is measured against; null until known. */
  readonly capital: Dec | null;
  /** Highest equity seen (capital + PnL), or highest PnL when the capital is unknown. */
  readonly peak: Dec | null;
  /** Last equity computed; with `realized` and `qty` it lets a flat bot skip the decimal work. */
  readonly equity: Dec | null;
  readonly realized: Dec | null;
  readonly qty: Dec | null;
  /** Why the kill-switch tripped; sticky: a stopped bot does not restart on its own. */
  readonly tripped: string | null;
}

const EMPTY: RiskState = { capital: null, peak: null, equity: null, realized: null, qty: null, tripped: null };

export function initialRiskState(): Json {
  return { ...EMPTY };
}

function asRiskState(json: Json): RiskState {
  return json !== null && typeof json === 'object' && !Array.isArray(json) && 'peak' in json
    ? (json as unknown as RiskState)
    : EMPTY;
}

function watchesDrawdown(config: RiskConfig): boolean {
  return config.maxDrawdown !== undefined || config.maxDrawdownPct !== undefined;
}

/**
 * PnL of the bot at the last price: realised plus the open position valued at that price. The
 * kernel's position also carries its exact `cost` (the average entry price is rounded): use it.
 */
export function botPnl(position: PositionView & { readonly cost?: Dec }, lastPrice: Dec | null): Dec {
  if (!isPositive(position.qty) || lastPrice === null) return position.realizedPnl;
  const unrealized =
    position.cost !== undefined
      ? sub(mul(position.qty, lastPrice), position.cost)
      : mul(position.qty, sub(lastPrice, position.avgEntryPrice));
  return add(position.realizedPnl, unrealized);
}

export function updateRiskState(riskState: Json, view: RiskView, config: RiskConfig): Json {
  // Hot path (every candle of every backtest): nothing to track without a drawdown limit.
  if (!watchesDrawdown(config)) return riskState;
  const s = asRiskState(riskState);
  if (s.tripped !== null) return riskState;
  const flat = !isPositive(view.position.qty);
  // A flat bot's equity only moves with realised PnL: skip the decimal work when nothing changed.
  if (flat && s.equity !== null && s.realized === view.position.realizedPnl && s.qty === view.position.qty)
    return riskState;

  let capital = s.capital ?? config.capital ?? null;
  if (capital === null && view.balances && view.lastPrice !== null) {
    const accountEquity = add(view.balances.quote, mul(view.balances.base, view.lastPrice));
    // The bot's own PnL is already inside the account's balances: take it out to get the capital.
    if (isPositive(accountEquity)) capital = sub(accountEquity, botPnl(view.position, view.lastPrice));
  }
  const pnl = botPnl(view.position, view.lastPrice);
  const equity = capital !== null ? add(capital, pnl) : pnl;
  const peak = s.peak === null || gt(equity, s.peak) ? equity : s.peak;
  const next: RiskState = {
    capital,
    peak,
    equity,
    realized: view.position.realizedPnl,
    qty: view.position.qty,
    tripped: tripReason(capital, peak, equity, config),
  };
  return next as unknown as Json;
}

function tripReason(capital: Dec | null, peak: Dec, equity: Dec, config: RiskConfig): string | null {
  const drawdown = sub(peak, equity);
  if (!isPositive(drawdown)) return null;
  if (config.maxDrawdown !== undefined && gt(drawdown, config.maxDrawdown)) {
    return `drawdown ${round8(drawdown)} from peak equity ${round8(peak)} exceeds maxDrawdown ${config.maxDrawdown}`;
  }
  if (config.maxDrawdownPct !== undefined && capital !== null && isPositive(peak)) {
    const pct = d(drawdown).dividedBy(peak).times(100);
    if (pct.greaterThan(config.maxDrawdownPct)) {
      return `drawdown ${str(pct.toDecimalPlaces(2))}% from peak equity ${round8(peak)} exceeds maxDrawdownPct ${config.maxDrawdownPct}%`;
    }
  }
  return null;
}

const round8 = (v: Dec): Dec => str(d(v).toDecimalPlaces(8));

/** Trades open at once, as `maxOpenTrades` counts them. */
export function openTradeCount(view: RiskView): number {
  const lists = new Set<string>();
  let working = 0;
  for (const order of view.openOrders) {
    if (order.purpose !== 'entry') continue;
    if (order.listClientOrderId !== undefined) {
      if (lists.has(order.listClientOrderId)) continue;
      lists.add(order.listClientOrderId);
    }
    working++;
  }
  return working + (isPositive(view.position.qty) ? 1 : 0);
}

export function checkEntry(riskState: Json, view: RiskView, config: RiskConfig): string | null {
  const s = asRiskState(riskState);
  if (s.tripped !== null) return `kill-switch: ${s.tripped}`;
  if (config.maxOpenTrades !== undefined) {
    const open = openTradeCount(view);
    if (open >= config.maxOpenTrades) return `max open trades reached (${open} of ${config.maxOpenTrades})`;
  }
  return null;
}

export function killSwitch(riskState: Json, _view: RiskView, config: RiskConfig): string | null {
  if (!watchesDrawdown(config)) return null;
  return asRiskState(riskState).tripped;
}
