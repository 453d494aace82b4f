/**
 * The simulated USDⓈ-M perpetual: a small facade over its parts (see index.ts for the model).
 *
 * - create.ts: settings and contracts; ledger.ts: wallets, positions, incomes (money only);
 * - views.ts: margins and liquidation prices; account-settings.ts: transfers, leverage, margin type;
 * - matching.ts: regular orders against the synthetic book, resting orders against prices;
 * - algo.ts: conditional orders and their triggers; execution.ts: fills, final statuses, events;
 * - lookup.ts / history.ts: orders by id, history windows;
 * - risk.ts: funding, margin calls, liquidation; snapshot.ts: persistence.
 *
 * Pure: no I/O, no clock (time is an argument), exact decimals for every amount.
 */
import { type Dec, d, str } from '../../core/decimal';
import type { Candle } from '../../core/market';
import { candlePricePath } from '../path';
import * as settingsOps from './account-settings';
import { cancelAlgo, checkAlgos, placeAlgo } from './algo';
import { createCore } from './create';
import { PerpErrors } from './errors';
import * as history from './history';
import type { Window } from './history';
import { newCtx, openAccount, settingsOf } from './ledger';
import { findAlgo, findOrder } from './lookup';
import { cancelRegular, matchResting, placeRegular } from './matching';
import { checkRisk, settleFunding } from './risk';
import { type PerpSnapshot, restoreSnapshot, takeSnapshot } from './snapshot';
import { type AlgoRec, type PerpCore, algoView, isFinal, orderView } from './state';
import type {
  AccountView,
  AlgoRef,
  AlgoView,
  FundingView,
  IncomeRecord,
  MarginType,
  OrderRef,
  PerpAlgoRequest,
  PerpConfig,
  PerpEvent,
  PerpFillView,
  PerpOrderRequest,
  PerpOrderView,
  PerpResult,
  PerpSymbol,
  PlaceAlgoResult,
  PlaceOrderResult,
  PositionView,
  PricePoint,
  SymbolMarketView,
} from './types';
import { accountView, markOf, positionView } from './views';

export type { PerpSnapshot } from './snapshot';

const NONE: readonly PerpEvent[] = Object.freeze([]);

export class Perpetual {
  private readonly core: PerpCore;

  constructor(config: PerpConfig, snapshot?: PerpSnapshot) {
    this.core = createCore(config);
    if (snapshot) restoreSnapshot(this.core, snapshot);
  }

  // ---- symbols and prices ------------------------------------------------------------------

  symbols(): PerpSymbol[] {
    return [...this.core.symbols.values()].map((s) => s.spec);
  }

  symbol(name: string): PerpSymbol | undefined {
    return this.core.symbols.get(name)?.spec;
  }

  settings(): PerpCore['settings'] {
    return this.core.settings;
  }

  lastPrice(symbol: string): Dec | null {
    return this.core.symbols.get(symbol)?.lastPrice ?? null;
  }

  markPrice(symbol: string): Dec | null {
    return markOf(this.core.symbols.get(symbol));
  }

  bookSeq(symbol: string): number {
    return this.core.symbols.get(symbol)?.bookSeq ?? 0;
  }

  market(symbol: string): SymbolMarketView | null {
    const s = this.core.symbols.get(symbol);
    if (!s) return null;
    return {
      symbol,
      lastPrice: s.lastPrice,
      markPrice: markOf(s),
      markPinned: s.markPinned,
      fundingRate: s.fundingRate,
      nextFundingTime: s.nextFundingTime,
    };
  }

  /** Set the contract price without matching (initial price, restore). */
  setLastPrice(symbol: string, price: Dec): void {
    const s = this.core.symbols.get(symbol);
    if (s) s.lastPrice = price;
  }

  setFundingRate(symbol: string, rate: Dec): void {
    const s = this.core.symbols.get(symbol);
    if (s) s.fundingRate = str(rate);
  }

  /** Pin the mark price (null: it follows the contract price again). Triggers MARK_PRICE orders and liquidations. */
  setMarkPrice(symbol: string, price: Dec | null, time: number): readonly PerpEvent[] {
    const s = this.core.symbols.get(symbol);
    if (!s) return NONE;
    const ctx = newCtx(time);
    settleFunding(this.core, ctx, s, time);
    s.markPinned = price !== null;
    s.markPrice = price;
    checkAlgos(this.core, ctx, s, 'MARK_PRICE', false);
    checkRisk(this.core, ctx, s);
    return ctx.events;
  }

  /** The contract traded at `point.price`: funding due first, then resting orders, triggers, liquidations. */
  onPrice(symbol: string, point: PricePoint): readonly PerpEvent[] {
    const s = this.core.symbols.get(symbol);
    if (!s) return NONE;
    s.bookSeq += 1;
    const quiet = s.open.length === 0 && s.algos.length === 0 && s.holders.length === 0;
    if (quiet && s.nextFundingTime !== 0 && point.time < s.nextFundingTime) {
      s.lastPrice = point.price;
      return NONE;
    }
    const ctx = newCtx(point.time);
    settleFunding(this.core, ctx, s, point.time);
    s.lastPrice = point.price;
    matchResting(this.core, ctx, s, point);
    checkAlgos(this.core, ctx, s, 'CONTRACT_PRICE', point.sweep);
    if (!s.markPinned) checkAlgos(this.core, ctx, s, 'MARK_PRICE', point.sweep);
    checkRisk(this.core, ctx, s);
    return ctx.events.length === 0 ? NONE : ctx.events;
  }

  /** Play one candle through the shared price path (venue/path.ts). */
  onCandle(
    symbol: string,
    candle: Pick<Candle, 'open' | 'high' | 'low' | 'close' | 'volume' | 'openTime' | 'closeTime'>,
  ): readonly PerpEvent[] {
    const events: PerpEvent[] = [];
    for (const point of candlePricePath(candle, false)) for (const e of this.onPrice(symbol, point)) events.push(e);
    return events;
  }

  /** Time passed without a trade: settle the funding due on every symbol. */
  advance(time: number): readonly PerpEvent[] {
    const ctx = newCtx(time);
    for (const s of this.core.symbols.values()) {
      settleFunding(this.core, ctx, s, time);
      if (ctx.events.length > 0) checkRisk(this.core, ctx, s);
    }
    return ctx.events;
  }

  fundingHistory(symbol: string, w: Window = {}): FundingView[] {
    return history.fundingHistory(this.core, symbol, w);
  }

  // ---- accounts ----------------------------------------------------------------------------

  hasAccount(id: string): boolean {
    return this.core.accounts.has(id);
  }

  accountIds(): string[] {
    return [...this.core.accounts.keys()];
  }

  /** Create an account (idempotent) and deposit the given balances. */
  addAccount(id: string, balances: Readonly<Record<string, Dec>> = {}, time = 0): readonly PerpEvent[] {
    openAccount(this.core, id, time);
    const events: PerpEvent[] = [];
    for (const [asset, amount] of Object.entries(balances)) {
      if (d(amount).isZero()) continue;
      const r = this.deposit(id, asset, amount, time);
      if (r.ok) events.push(...r.events);
    }
    return events;
  }

  /** Transfer in (positive) or out (negative, at most maxWithdrawAmount). */
  deposit(id: string, asset: string, amount: Dec, time: number): PerpResult<{ events: readonly PerpEvent[] }> {
    return settingsOps.deposit(this.core, id, asset, amount, time);
  }

  account(id: string, asset = 'USDT'): AccountView | null {
    const acc = this.core.accounts.get(id);
    return acc ? accountView(this.core, acc, asset) : null;
  }

  /** Every symbol's position of the account (flat ones included, like positionRisk), or one. */
  positions(id: string, symbol?: string): PositionView[] {
    const acc = this.core.accounts.get(id);
    if (!acc) return [];
    const names = symbol !== undefined ? [symbol] : [...this.core.symbols.keys()];
    return names.map((s) => positionView(this.core, acc, s)).filter((p): p is PositionView => p !== null);
  }

  symbolSettings(id: string, symbol: string): { leverage: number; marginType: MarginType } {
    const acc = this.core.accounts.get(id);
    return acc
      ? settingsOf(this.core, acc, symbol)
      : { leverage: this.core.settings.defaultLeverage, marginType: 'CROSSED' };
  }

  setLeverage(
    id: string,
    symbol: string,
    leverage: number,
    time: number,
  ): PerpResult<{ leverage: number; maxNotionalValue: Dec; events: readonly PerpEvent[] }> {
    return settingsOps.setLeverage(this.core, id, symbol, leverage, time);
  }

  setMarginType(
    id: string,
    symbol: string,
    marginType: MarginType,
    _time: number,
  ): PerpResult<{ events: readonly PerpEvent[] }> {
    return settingsOps.setMarginType(this.core, id, symbol, marginType);
  }

  /** One-way mode only: asking for hedge mode is refused, asking for one-way mode is "no need". */
  setPositionMode(id: string, dualSidePosition: boolean): PerpResult<Record<never, never>> {
    return settingsOps.setPositionMode(this.core, id, dualSidePosition);
  }

  // ---- regular orders ----------------------------------------------------------------------

  placeOrder(req: PerpOrderRequest): PerpResult<PlaceOrderResult> {
    const ctx = newCtx(req.time);
    const r = placeRegular(this.core, ctx, req);
    if (!r.ok) return r;
    return { ok: true, order: orderView(r.order), fills: r.fills, events: ctx.events };
  }

  /** Validate like a real order without placing it. */
  testOrder(req: PerpOrderRequest): PerpResult<Record<never, never>> {
    const r = placeRegular(this.core, newCtx(req.time), req, { dryRun: true });
    return r.ok ? { ok: true } : r;
  }

  getOrder(id: string, symbol: string, ref: OrderRef, time?: number): PerpResult<{ order: PerpOrderView }> {
    if (!this.core.symbols.has(symbol)) return { ok: false, ...PerpErrors.invalidSymbol() };
    const o = findOrder(this.core, id, symbol, ref, time);
    return o ? { ok: true, order: orderView(o) } : { ok: false, ...PerpErrors.noSuchOrder() };
  }

  cancelOrder(
    id: string,
    symbol: string,
    ref: OrderRef,
    time: number,
  ): PerpResult<{ order: PerpOrderView; events: readonly PerpEvent[] }> {
    if (!this.core.symbols.has(symbol)) return { ok: false, ...PerpErrors.invalidSymbol() };
    const o = findOrder(this.core, id, symbol, ref, time);
    if (!o || isFinal(o.status)) return { ok: false, ...PerpErrors.unknownOrder() };
    const ctx = newCtx(time);
    cancelRegular(this.core, ctx, o);
    return { ok: true, order: orderView(o), events: ctx.events };
  }

  /** Cancel every open regular order of the account on the symbol (none is not an error). */
  cancelAllOrders(id: string, symbol: string, time: number): PerpResult<{ events: readonly PerpEvent[] }> {
    const sym = this.core.symbols.get(symbol);
    if (!sym) return { ok: false, ...PerpErrors.invalidSymbol() };
    const ctx = newCtx(time);
    for (const o of [...sym.open]) if (o.accountId === id) cancelRegular(this.core, ctx, o);
    return { ok: true, events: ctx.events };
  }

  openOrders(id: string, symbol?: string): PerpOrderView[] {
    const out: PerpOrderView[] = [];
    for (const s of this.core.symbols.values()) {
      if (symbol !== undefined && s.spec.filters.symbol !== symbol) continue;
      for (const o of s.open) if (o.accountId === id) out.push(orderView(o));
    }
    return out;
  }

  allOrders(id: string, symbol: string, opts: Window & { orderId?: number } = {}): PerpOrderView[] {
    return history.allOrders(this.core, id, symbol, opts);
  }

  trades(id: string, symbol: string, opts: Window & { orderId?: number; fromId?: number } = {}): PerpFillView[] {
    return history.trades(this.core, id, symbol, opts);
  }

  incomes(id: string, opts: Window & { symbol?: string; incomeType?: string } = {}): IncomeRecord[] {
    return history.incomes(this.core, id, opts);
  }

  allFills(): readonly PerpFillView[] {
    return this.core.fills;
  }

  allIncomes(): readonly IncomeRecord[] {
    return this.core.incomes;
  }

  // ---- conditional orders ------------------------------------------------------------------

  placeAlgo(req: PerpAlgoRequest): PerpResult<PlaceAlgoResult> {
    const ctx = newCtx(req.time);
    const r = placeAlgo(this.core, ctx, req);
    return r.ok ? { ok: true, algo: this.algoOut(r.algo), events: ctx.events } : r;
  }

  private algoOut(a: AlgoRec): AlgoView {
    return algoView(a, a.actualOrderId !== null ? this.core.orders.get(a.actualOrderId) : undefined);
  }

  getAlgo(id: string, ref: AlgoRef): PerpResult<{ algo: AlgoView }> {
    const a = findAlgo(this.core, id, ref);
    return a ? { ok: true, algo: this.algoOut(a) } : { ok: false, ...PerpErrors.noSuchOrder() };
  }

  cancelAlgo(id: string, ref: AlgoRef, time: number): PerpResult<{ algo: AlgoView; events: readonly PerpEvent[] }> {
    const a = findAlgo(this.core, id, ref);
    if (!a || a.status !== 'NEW') return { ok: false, ...PerpErrors.unknownOrder() };
    const ctx = newCtx(time);
    cancelAlgo(this.core, ctx, a);
    return { ok: true, algo: this.algoOut(a), events: ctx.events };
  }

  cancelAllAlgos(id: string, symbol: string, time: number): PerpResult<{ events: readonly PerpEvent[] }> {
    const sym = this.core.symbols.get(symbol);
    if (!sym) return { ok: false, ...PerpErrors.invalidSymbol() };
    const ctx = newCtx(time);
    for (const a of [...sym.algos]) if (a.accountId === id) cancelAlgo(this.core, ctx, a);
    return { ok: true, events: ctx.events };
  }

  openAlgos(id: string, symbol?: string): AlgoView[] {
    const out: AlgoView[] = [];
    for (const s of this.core.symbols.values()) {
      if (symbol !== undefined && s.spec.filters.symbol !== symbol) continue;
      for (const a of s.algos) if (a.accountId === id) out.push(this.algoOut(a));
    }
    return out;
  }

  allAlgos(id: string, symbol: string, opts: Window & { algoId?: number } = {}): AlgoView[] {
    return history.allAlgos(this.core, id, symbol, opts).map((a) => this.algoOut(a));
  }

  // ---- persistence -------------------------------------------------------------------------

  snapshot(): PerpSnapshot {
    return takeSnapshot(this.core);
  }
}
