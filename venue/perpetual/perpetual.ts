/**
 * The simulated USDⓈ-M perpetual: a small facade over its parts (see index.ts for the model).
 *
 * - ledger.ts: wallets, positions, incomes (money only); views.ts: margins and liquidation prices;
 * - matching.ts: regular orders against the synthetic book, resting orders against prices;
 * - algo.ts: conditional orders and their triggers; execution.ts: fills, final statuses, events;
 * - risk.ts: funding, margin calls, liquidation; snapshot.ts: persistence.
 *
 * Pure: no I/O, no clock (time is an argument), exact decimals for every amount.
 */
import { type Dec, d, str } from '../../core/decimal';
import type { Candle } from '../../core/market';
import { candlePricePath } from '../path';
import { cancelAlgo, checkAlgos, placeAlgo } from './algo';
import { PerpErrors } from './errors';
import { DEFAULT_MAKER_FEE, DEFAULT_TAKER_FEE } from './fees';
import { DEFAULT_FUNDING_RATE, EIGHT_HOURS_MS } from './funding';
import { type Ctx, accountEvent, addIncome, newCtx, openAccount, positionOf, setSettings, settingsOf } from './ledger';
import { maxLeverage, maxNotional } from './margin';
import { cancelRegular, matchResting, placeRegular } from './matching';
import { checkRisk, settleFunding } from './risk';
import { type PerpSnapshot, restoreSnapshot, takeSnapshot } from './snapshot';
import { bookSymbol } from './symbols';
import {
  type AlgoRec,
  type OrderRec,
  type PerpCore,
  type SymbolRec,
  algoView,
  clientKey,
  isFinal,
  orderView,
} from './state';
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

interface Window {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit?: number;
}

function windowed<T extends { time: number }>(xs: readonly T[], w: Window, defaultLimit = 500): T[] {
  const picked = xs.filter(
    (x) => (w.startTime === undefined || x.time >= w.startTime) && (w.endTime === undefined || x.time <= w.endTime),
  );
  const limit = w.limit ?? defaultLimit;
  return w.startTime !== undefined ? picked.slice(0, limit) : picked.slice(-limit);
}

export class Perpetual {
  private readonly core: PerpCore;

  constructor(config: PerpConfig, snapshot?: PerpSnapshot) {
    const settings = {
      makerFee: config.makerFee ?? DEFAULT_MAKER_FEE,
      takerFee: config.takerFee ?? DEFAULT_TAKER_FEE,
      book: { spreadTicks: 0, levels: 1, levelStepTicks: 1, levelQty: null, ...config.book },
      fundingIntervalMs: config.fundingIntervalMs ?? EIGHT_HOURS_MS,
      fundingRate: config.fundingRate ?? DEFAULT_FUNDING_RATE,
      defaultLeverage: config.defaultLeverage ?? 20,
      marginCallRatio: config.marginCallRatio ?? '0.8',
      retention: config.retention ?? { unfilledMs: 3 * 86_400_000, allMs: 90 * 86_400_000 },
    };
    if (!Number.isSafeInteger(settings.fundingIntervalMs) || settings.fundingIntervalMs < 1000)
      throw new RangeError(`fundingIntervalMs must be a whole number of ms ≥ 1000, got ${settings.fundingIntervalMs}`);
    if (!Number.isInteger(settings.defaultLeverage) || settings.defaultLeverage < 1)
      throw new RangeError(`defaultLeverage must be a whole number ≥ 1, got ${settings.defaultLeverage}`);
    const symbols = new Map<string, SymbolRec>();
    for (const spec of config.symbols) {
      const book = bookSymbol(spec);
      symbols.set(spec.filters.symbol, {
        spec,
        book,
        lastPrice: null,
        markPrice: null,
        markPinned: false,
        fundingRate: settings.fundingRate,
        nextFundingTime: 0,
        open: [],
        algos: [],
        holders: [],
        tradeSeq: 0,
        bookSeq: 0,
        funding: [],
      });
    }
    this.core = {
      settings,
      symbols,
      accounts: new Map(),
      orders: new Map(),
      byClientId: new Map(),
      algos: new Map(),
      algoByClientId: new Map(),
      fills: [],
      incomes: [],
      counters: { orderId: (config.firstOrderId ?? 1) - 1, algoId: (config.firstAlgoId ?? 1) - 1, tranId: 0, mint: 0 },
    };
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
    const f = this.core.symbols.get(symbol)?.funding ?? [];
    return windowed(
      f.map((x) => ({ ...x, time: x.fundingTime })),
      w,
      100,
    ).map(({ time: _t, ...x }) => x);
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
    const acc = this.core.accounts.get(id);
    if (!acc) return { ok: false, ...PerpErrors.unknownAccount() };
    if (
      d(amount).isNegative() &&
      d(amount)
        .negated()
        .greaterThan(accountView(this.core, acc, asset).maxWithdrawAmount)
    )
      return { ok: false, ...PerpErrors.withdrawTooMuch() };
    const ctx = newCtx(time);
    const income = addIncome(
      this.core,
      ctx,
      acc,
      asset,
      '',
      'TRANSFER',
      d(amount),
      d(amount).isNegative() ? 'WITHDRAW' : 'DEPOSIT',
      null,
    );
    accountEvent(this.core, ctx, acc, d(amount).isNegative() ? 'WITHDRAW' : 'DEPOSIT', [], [income], (s) =>
      this.markPrice(s),
    );
    return { ok: true, events: ctx.events };
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
    const sym = this.core.symbols.get(symbol);
    if (!sym) return { ok: false, ...PerpErrors.invalidSymbol() };
    const acc = this.core.accounts.get(id);
    if (!acc) return { ok: false, ...PerpErrors.unknownAccount() };
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > maxLeverage(sym.spec.brackets))
      return { ok: false, ...PerpErrors.invalidLeverage(leverage) };
    const cap = maxNotional(sym.spec.brackets, leverage);
    const pos = positionOf(acc, symbol);
    if (
      d(pos.amount)
        .abs()
        .times(markOf(sym) ?? pos.entryPrice)
        .greaterThan(cap)
    )
      return { ok: false, ...PerpErrors.maxPosition() };
    setSettings(acc, symbol, { ...settingsOf(this.core, acc, symbol), leverage });
    const events: PerpEvent[] = [{ kind: 'config', accountId: id, time, symbol, leverage }];
    return { ok: true, leverage, maxNotionalValue: str(cap), events };
  }

  setMarginType(
    id: string,
    symbol: string,
    marginType: MarginType,
    time: number,
  ): PerpResult<{ events: readonly PerpEvent[] }> {
    const sym = this.core.symbols.get(symbol);
    if (!sym) return { ok: false, ...PerpErrors.invalidSymbol() };
    const acc = this.core.accounts.get(id);
    if (!acc) return { ok: false, ...PerpErrors.unknownAccount() };
    const current = settingsOf(this.core, acc, symbol);
    if (current.marginType === marginType) return { ok: false, ...PerpErrors.noNeedMarginType() };
    if (sym.open.some((o) => o.accountId === id) || sym.algos.some((a) => a.accountId === id))
      return { ok: false, ...PerpErrors.marginTypeOpenOrders() };
    if (positionOf(acc, symbol).amount !== '0') return { ok: false, ...PerpErrors.marginTypePosition() };
    setSettings(acc, symbol, { ...current, marginType });
    void time;
    return { ok: true, events: NONE };
  }

  /** One-way mode only: asking for hedge mode is refused, asking for one-way mode is "no need". */
  setPositionMode(id: string, dualSidePosition: boolean): PerpResult<Record<never, never>> {
    if (!this.core.accounts.has(id)) return { ok: false, ...PerpErrors.unknownAccount() };
    return { ok: false, ...(dualSidePosition ? PerpErrors.hedgeModeUnsupported() : PerpErrors.noNeedPositionSide()) };
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

  private findOrder(id: string, symbol: string, ref: OrderRef, time: number | undefined): OrderRec | null {
    let o: OrderRec | undefined;
    if (ref.orderId !== undefined) {
      o = this.core.orders.get(ref.orderId);
      if (o && ref.origClientOrderId !== undefined && o.clientOrderId !== ref.origClientOrderId) return null;
    } else if (ref.origClientOrderId !== undefined) {
      const oid = this.core.byClientId.get(clientKey(id, ref.origClientOrderId));
      o = oid !== undefined ? this.core.orders.get(oid) : undefined;
    }
    if (!o || o.accountId !== id || o.symbol !== symbol) return null;
    if (time !== undefined) {
      const { unfilledMs, allMs } = this.core.settings.retention;
      if (o.time + allMs < time) return null;
      if ((o.status === 'CANCELED' || o.status === 'EXPIRED') && o.executedQty === '0' && o.time + unfilledMs < time)
        return null;
    }
    return o;
  }

  getOrder(id: string, symbol: string, ref: OrderRef, time?: number): PerpResult<{ order: PerpOrderView }> {
    if (!this.core.symbols.has(symbol)) return { ok: false, ...PerpErrors.invalidSymbol() };
    const o = this.findOrder(id, symbol, ref, time);
    return o ? { ok: true, order: orderView(o) } : { ok: false, ...PerpErrors.noSuchOrder() };
  }

  cancelOrder(
    id: string,
    symbol: string,
    ref: OrderRef,
    time: number,
  ): PerpResult<{ order: PerpOrderView; events: readonly PerpEvent[] }> {
    if (!this.core.symbols.has(symbol)) return { ok: false, ...PerpErrors.invalidSymbol() };
    const o = this.findOrder(id, symbol, ref, time);
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
    const mine = [...this.core.orders.values()].filter(
      (o) => o.accountId === id && o.symbol === symbol && (opts.orderId === undefined || o.orderId >= opts.orderId),
    );
    const list = opts.orderId !== undefined ? mine.slice(0, opts.limit ?? 500) : windowed(mine, opts);
    return list.map(orderView);
  }

  trades(id: string, symbol: string, opts: Window & { orderId?: number; fromId?: number } = {}): PerpFillView[] {
    const mine = this.core.fills.filter(
      (f) =>
        f.accountId === id &&
        f.symbol === symbol &&
        (opts.orderId === undefined || f.orderId === opts.orderId) &&
        (opts.fromId === undefined || f.tradeId >= opts.fromId),
    );
    return opts.fromId !== undefined ? mine.slice(0, opts.limit ?? 500) : windowed(mine, opts);
  }

  incomes(id: string, opts: Window & { symbol?: string; incomeType?: string } = {}): IncomeRecord[] {
    const mine = this.core.incomes.filter(
      (i) =>
        i.accountId === id &&
        (opts.symbol === undefined || i.symbol === opts.symbol) &&
        (opts.incomeType === undefined || i.incomeType === opts.incomeType),
    );
    return windowed(mine, opts, 100);
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

  private findAlgo(id: string, ref: AlgoRef): AlgoRec | null {
    const aid =
      ref.algoId ??
      (ref.clientAlgoId !== undefined ? this.core.algoByClientId.get(clientKey(id, ref.clientAlgoId)) : undefined);
    const a = aid !== undefined ? this.core.algos.get(aid) : undefined;
    if (!a || a.accountId !== id) return null;
    if (ref.clientAlgoId !== undefined && a.clientAlgoId !== ref.clientAlgoId) return null;
    return a;
  }

  getAlgo(id: string, ref: AlgoRef): PerpResult<{ algo: AlgoView }> {
    const a = this.findAlgo(id, ref);
    return a ? { ok: true, algo: this.algoOut(a) } : { ok: false, ...PerpErrors.noSuchOrder() };
  }

  cancelAlgo(id: string, ref: AlgoRef, time: number): PerpResult<{ algo: AlgoView; events: readonly PerpEvent[] }> {
    const a = this.findAlgo(id, ref);
    if (!a || a.status !== 'NEW') return { ok: false, ...PerpErrors.unknownOrder() };
    const ctx: Ctx = newCtx(time);
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
    const mine = [...this.core.algos.values()]
      .filter(
        (a) => a.accountId === id && a.symbol === symbol && (opts.algoId === undefined || a.algoId >= opts.algoId),
      )
      .map((a) => ({ a, time: a.createTime }));
    return windowed(mine, opts).map((x) => this.algoOut(x.a));
  }

  // ---- persistence -------------------------------------------------------------------------

  snapshot(): PerpSnapshot {
    return takeSnapshot(this.core);
  }
}
