/**
 * The backtest engine: the bot kernel (core/engine.ts) and the strategy, unchanged, driven over
 * candles in-process against the spot venue simulator (core/venue) — the same matching, fees and
 * filters the paper exchange uses, so a backtest and a paper run of the same candles place the same
 * orders and get the same fills.
 *
 * One candle, in the order the paper exchange replaying a file produces things:
 *   1. the venue plays the candle's price path (core/venue/path.ts): resting orders fill, stops
 *      trigger; price watches (`watch` intents) are checked on the same path points;
 *   2. those executions reach the kernel as stream `orderUpdate` events, and the watches that fired
 *      as `trigger` events, in time order;
 *   3. timers and reconciliation that came due are run (`wake`);
 *   4. the closed candle reaches the kernel (`candle`).
 * After each event the kernel's commands run against the venue at the candle's close (orders
 * placed in reaction to the path trade from the close on), and their outcomes come back as
 * `orderPlaced` / `orderListPlaced` / `orderRejected` / `orderUpdate` / `reconciled` / `data`
 * events, until nothing is left to do.
 *
 * Pure apart from the optional progress callback: no I/O, no clock.
 */
import { type Dec, add, d, isPositive, mul, str, sub, toFloat } from '../core/decimal';
import {
  type BotEvent,
  type BotSetup,
  type BotState,
  type Command,
  type ReconcileTiming,
  type StopPolicy,
  DEFAULT_RECONCILE_TIMING,
  createBotState,
  nextWakeAt,
  stepInPlace,
} from '../core/kernel';
import type { Candle, CandleInterval, SymbolFilters } from '../core/market';
import type { OrderRequest, OrderSnapshot } from '../core/orders';
import { type RiskConfig, riskConfigSchema } from '../core/risk/guard';
import type { AnyStrategy, DataRequest, Json } from '../core/strategy';
import { splitSymbol } from '../core/symbols';
import {
  DEFAULT_SYMBOLS,
  type FillView,
  type VenueEvent,
  type VenueSymbol,
  Venue,
  candlePricePath,
  toOrderSnapshot,
  venueSymbol,
} from '../venue';
import { type BacktestMetrics, MetricsRecorder } from './metrics';

export const BACKTEST_ACCOUNT = 'backtest';

/**
 * Reconciliation in a backtest only refreshes the balances the strategy sees (the simulated
 * stream never loses an event), so the "stale stream" mode, which polls every 15 s when no event
 * came for 3 minutes, is switched off: with hourly candles it would poll 200 times per candle.
 */
export const BACKTEST_RECONCILE_TIMING: ReconcileTiming = {
  ...DEFAULT_RECONCILE_TIMING,
  staleAfterMs: Number.MAX_SAFE_INTEGER,
};

export interface BacktestOptions {
  readonly strategy: AnyStrategy;
  /** Strategy params, validated (and defaulted) with the strategy's schema here. */
  readonly params: unknown;
  readonly candles: readonly Candle[];
  /** Default: the candles' symbol and interval. */
  readonly symbol?: string;
  readonly interval?: CandleInterval;
  /** Exchange filters of the symbol; default: the venue's default for it, else derived from the candles. */
  readonly filters?: SymbolFilters;
  /** Starting balances of the account; default 10,000 of the quote asset. */
  readonly balances?: Readonly<Record<string, Dec>>;
  readonly makerFee?: Dec;
  readonly takerFee?: Dec;
  /** Share of each price point's volume our resting orders may take (partial fills); null: all. */
  readonly participation?: Dec | null;
  /** Synthetic order book for taker orders (spread, depth), see core/venue/types.ts BookModel. */
  readonly book?: {
    readonly spreadTicks?: number;
    readonly levels?: number;
    readonly levelStepTicks?: number;
    readonly levelQty?: Dec | null;
  };
  readonly risk?: RiskConfig;
  readonly onStop?: StopPolicy;
  readonly name?: string;
  readonly timing?: ReconcileTiming;
  /** Called every `progressEvery` candles with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly progressEvery?: number;
  /** Equity points kept in the result (downsampled); default 2,000. */
  readonly equityPoints?: number;
}

export interface BacktestFill {
  readonly time: number;
  readonly clientOrderId: string;
  readonly tag: string;
  readonly purpose: 'entry' | 'exit';
  readonly side: 'BUY' | 'SELL';
  readonly price: Dec;
  readonly qty: Dec;
  readonly quoteQty: Dec;
  readonly commission: Dec;
  readonly commissionAsset: string;
  readonly isMaker: boolean;
}

/** One sell order that filled (in part or whole): what it closed and what that earned. */
export interface BacktestTrade {
  readonly clientOrderId: string;
  readonly tag: string;
  readonly reason: string;
  readonly openedAt: number | null;
  readonly closedAt: number;
  readonly qty: Dec;
  /** Average cost (fees included) of what was sold, and the average sale price. */
  readonly entryPrice: Dec;
  readonly exitPrice: Dec;
  /** Realised PnL, net of fees. */
  readonly pnl: Dec;
}

export interface BacktestOrder {
  readonly clientOrderId: string;
  readonly tag: string;
  readonly purpose: 'entry' | 'exit';
  readonly reason: string;
  readonly time: number;
  readonly request: OrderRequest;
  readonly listClientOrderId?: string;
  /** For a sell: the cost per unit of the lot it closes, when the strategy names it (grid cells). */
  readonly entryPrice?: Dec;
  /** Final status, or the last known one when the run ended. */
  status: string;
  rejectReason?: string;
}

export interface BacktestResult {
  readonly strategy: string;
  readonly params: Json;
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly from: number;
  readonly to: number;
  readonly candles: number;
  readonly filters: SymbolFilters;
  readonly initialBalances: Readonly<Record<string, Dec>>;
  readonly finalBalances: Readonly<Record<string, { free: Dec; locked: Dec }>>;
  readonly botStatus: BotState['status'];
  readonly stopReason: string | null;
  readonly position: { readonly qty: Dec; readonly avgEntryPrice: Dec };
  readonly realizedPnl: Dec;
  readonly unrealizedPnl: Dec;
  readonly fees: Readonly<Record<string, Dec>>;
  readonly metrics: BacktestMetrics;
  readonly orders: readonly BacktestOrder[];
  readonly fills: readonly BacktestFill[];
  readonly trades: readonly BacktestTrade[];
  readonly roundTrips: { readonly count: number; readonly wins: number };
  readonly notifications: readonly { readonly time: number; readonly level: string; readonly message: string }[];
}

export class BacktestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestError';
  }
}

/** Safety net against a strategy and the venue answering each other forever within one event. */
const MAX_COMMANDS_PER_EVENT = 100_000;
const MAX_NOTIFICATIONS = 1_000;

/** Default filters for a symbol: the venue's known symbols, else loose filters from the prices. */
export function defaultVenueSymbol(symbol: string, candles: readonly Candle[]): VenueSymbol {
  const known = DEFAULT_SYMBOLS.find((s) => s.filters.symbol === symbol);
  if (known) return known;
  const { base, quote } = splitSymbol(symbol);
  let decimals = 2;
  for (const c of candles.slice(0, 500))
    for (const p of [c.open, c.high, c.low, c.close])
      decimals = Math.max(decimals, (p.split('.')[1] ?? '').replace(/0+$/, '').length);
  const tick = decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
  return venueSymbol({
    symbol,
    baseAsset: base,
    quoteAsset: quote,
    tickSize: tick,
    minPrice: tick,
    maxPrice: '100000000',
    stepSize: '0.00001',
    minQty: '0.00001',
    maxQty: '100000000',
    marketStepSize: '0',
    marketMinQty: '0',
    marketMaxQty: '100000000',
    minNotional: '1',
    maxNotional: '0',
    maxNumOrders: 200,
  });
}

/** Run one backtest. Throws BacktestError for bad input; the strategy's own errors propagate. */
export function runBacktest(options: BacktestOptions): BacktestResult {
  return new BacktestRun(options).run();
}

class BacktestRun {
  private readonly strategy: AnyStrategy;
  private readonly candles: readonly Candle[];
  private readonly symbol: string;
  private readonly interval: CandleInterval;
  private readonly spec: VenueSymbol;
  private readonly venue: Venue;
  private readonly base: string;
  private readonly quote: string;
  private readonly params: Json;
  private readonly initialBalances: Record<string, Dec>;
  private readonly minQty: number;
  private state!: BotState;
  private readonly queue: Command[] = [];
  private now = 0;
  private balancesDirty = true;
  private readonly metrics: MetricsRecorder;
  private readonly orders = new Map<string, BacktestOrder>();
  private readonly fills: BacktestFill[] = [];
  private readonly pnlByOrder = new Map<string, Dec>();
  private readonly notifications: { time: number; level: string; message: string }[] = [];

  constructor(private readonly o: BacktestOptions) {
    if (o.candles.length === 0) throw new BacktestError('no candles to backtest');
    this.strategy = o.strategy;
    this.candles = o.candles;
    this.symbol = o.symbol ?? o.candles[0]!.symbol;
    this.interval = o.interval ?? o.candles[0]!.interval;
    const parsed = o.strategy.params.safeParse(o.params ?? {});
    if (!parsed.success) {
      throw new BacktestError(
        `invalid params for ${o.strategy.id}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`,
      );
    }
    this.params = parsed.data as Json;
    const known = DEFAULT_SYMBOLS.find((s) => s.filters.symbol === this.symbol);
    this.spec = o.filters
      ? { ...(known ?? venueSymbol(o.filters)), filters: o.filters }
      : defaultVenueSymbol(this.symbol, o.candles);
    this.base = this.spec.filters.baseAsset;
    this.minQty = Math.max(Number(this.spec.filters.minQty), Number.MIN_VALUE);
    this.quote = this.spec.filters.quoteAsset;
    this.venue = new Venue({
      symbols: [this.spec],
      ...(o.makerFee !== undefined ? { makerFee: o.makerFee } : {}),
      ...(o.takerFee !== undefined ? { takerFee: o.takerFee } : {}),
      ...(o.book ? { book: o.book } : {}),
      participation: o.participation ?? null,
    });
    this.initialBalances = { ...(o.balances ?? { [this.quote]: '10000' }) };
    this.metrics = new MetricsRecorder(o.candles.length, o.equityPoints ?? 2_000);
  }

  run(): BacktestResult {
    const first = this.candles[0]!;
    const startAt = first.openTime;
    this.now = startAt;
    this.venue.addAccount(BACKTEST_ACCOUNT, this.initialBalances, startAt);
    this.venue.setLastPrice(this.symbol, first.open);
    const risk = riskConfigSchema.parse(this.o.risk ?? {});
    const setup: BotSetup = {
      name: this.o.name ?? `backtest-${this.strategy.id}`,
      strategy: this.strategy.id,
      symbol: this.symbol,
      interval: this.interval,
      account: BACKTEST_ACCOUNT,
      params: this.params,
      onStop: this.o.onStop ?? 'cancel-orders',
      risk,
    };
    this.state = createBotState(setup, this.strategy, startAt, this.o.timing ?? BACKTEST_RECONCILE_TIMING);
    this.dispatch({ type: 'start', now: startAt, filters: this.spec.filters, fresh: true });
    this.metrics.start(startAt, this.equityOf(first.open));

    const total = this.candles.length;
    const every = this.o.progressEvery ?? 65_536;
    let last = first;
    for (let i = 0; i < total; i++) {
      const candle = this.candles[i]!;
      last = candle;
      this.playCandle(candle);
      // In a position as the kernel counts it: at least the minimum quantity (dust is flat).
      const qty = this.state.position.qty;
      const inPosition = qty !== '0' && Number(qty) >= this.minQty;
      this.metrics.record(candle.closeTime, this.equityOf(candle.close), inPosition);
      if (this.o.onProgress && (i + 1) % every === 0) this.o.onProgress(i + 1, total);
      if (this.state.status === 'STOPPED') break;
    }
    this.o.onProgress?.(total, total);
    return this.result(last);
  }

  // ---- one candle ----------------------------------------------------------------------------

  private playCandle(candle: Candle): void {
    let watching = false;
    for (const _ in this.state.watches) {
      watching = true;
      break;
    }
    const events = this.venue.onCandle(this.symbol, candle);
    this.now = candle.closeTime;
    if (events.length > 0 || watching) this.deliverPath(events, watching ? this.triggersOf(candle) : []);
    const wakeAt = nextWakeAt(this.state);
    if (wakeAt !== null && wakeAt <= candle.closeTime) this.dispatch({ type: 'wake', now: candle.closeTime });
    this.dispatch({ type: 'candle', now: candle.closeTime, candle });
  }

  /** Price watches crossed on the candle's path, at the first point that crosses each. */
  private triggersOf(candle: Candle): { time: number; id: string; price: Dec }[] {
    const out: { time: number; id: string; price: Dec }[] = [];
    const path = candlePricePath(candle);
    for (const [id, w] of Object.entries(this.state.watches)) {
      const target = toFloat(w.price);
      for (const p of path) {
        const price = toFloat(p.price);
        if (w.direction === 'above' ? price >= target : price <= target) {
          out.push({ time: p.time, id, price: p.price });
          break;
        }
      }
    }
    return out;
  }

  /** Hand the path's executions and fired watches to the kernel, in time order. */
  private deliverPath(
    events: readonly VenueEvent[],
    triggers: readonly { time: number; id: string; price: Dec }[],
  ): void {
    const items: { event: BotEvent }[] = [];
    for (const e of events) {
      if (e.kind !== 'order' || e.accountId !== BACKTEST_ACCOUNT || e.executionType === 'NEW') continue;
      if (e.fill) this.recordFill(e.fill);
      this.balancesDirty = true;
      items.push({
        event: {
          type: 'orderUpdate',
          now: this.now,
          snapshot: toOrderSnapshot(e.order, e.fill ? [e.fill] : []),
          source: 'stream',
        },
      });
    }
    // The bot acts only once the whole path is played (as against the paper exchange, whose replay
    // plays a candle in one go): it first learns every execution, then the watches that fired, so
    // a trigger is never acted on with a stale view of the orders.
    for (const item of items) this.dispatch(item.event);
    for (const t of triggers) this.dispatch({ type: 'trigger', now: this.now, id: t.id, price: t.price, time: t.time });
  }

  // ---- kernel and commands -------------------------------------------------------------------

  private dispatch(event: BotEvent): void {
    this.step(event);
    let done = 0;
    while (this.queue.length > 0) {
      if (++done > MAX_COMMANDS_PER_EVENT)
        throw new BacktestError(
          `more than ${MAX_COMMANDS_PER_EVENT} commands after one event: the strategy and the venue keep answering each other`,
        );
      const command = this.queue.shift()!;
      for (const answer of this.execute(command)) this.step(answer);
    }
  }

  private step(event: BotEvent): void {
    const realizedBefore = this.state.position.realizedPnl;
    const rejectedBefore = this.state.stats.ordersRejected;
    // In place: the backtest keeps no earlier state, and a copy per candle would dominate the run.
    const r = stepInPlace(this.state, event, this.strategy);
    this.state = r.state;
    if (r.commands.length > 0) for (const c of r.commands) this.queue.push(c);
    if (this.state.position.realizedPnl !== realizedBefore)
      this.attributePnl(event, sub(this.state.position.realizedPnl, realizedBefore));
    if (this.state.stats.ordersRejected !== rejectedBefore) this.recordRejections();
  }

  /**
   * Orders refused by the kernel (filters, risk, a paused bot) never reach the venue, and ones the
   * venue refused end REJECTED in the kernel: the report shows both as REJECTED, with the reason.
   */
  private recordRejections(): void {
    for (const o of Object.values(this.state.orders)) {
      if (o.status !== 'REJECTED') continue;
      const known = this.orders.get(o.clientOrderId);
      if (known) {
        if (known.status !== 'REJECTED') {
          known.status = 'REJECTED';
          if (o.rejectReason !== undefined) known.rejectReason = o.rejectReason;
        }
        continue;
      }
      this.orders.set(o.clientOrderId, {
        clientOrderId: o.clientOrderId,
        tag: o.tag,
        purpose: o.purpose,
        reason: o.reason ?? '',
        time: o.createdAt,
        request: o.request,
        ...(o.listClientOrderId !== undefined ? { listClientOrderId: o.listClientOrderId } : {}),
        status: 'REJECTED',
        ...(o.rejectReason !== undefined ? { rejectReason: o.rejectReason } : {}),
      });
    }
  }

  /** Realised PnL comes from sell fills; credit it to the order the event was about. */
  private attributePnl(event: BotEvent, delta: Dec): void {
    let id: string | null = null;
    if (event.type === 'orderUpdate' || event.type === 'orderPlaced') id = event.snapshot.clientOrderId;
    else if (event.type === 'orderListPlaced')
      id =
        event.snapshots.find((s) => (s.fills?.length ?? 0) > 0)?.clientOrderId ??
        event.snapshots[0]?.clientOrderId ??
        null;
    if (id === null) return;
    this.pnlByOrder.set(id, add(this.pnlByOrder.get(id) ?? '0', delta));
  }

  private execute(command: Command): BotEvent[] {
    const now = this.now;
    switch (command.type) {
      case 'placeOrder': {
        const req = command.request;
        this.rememberOrder(command.clientOrderId, req);
        const r = this.venue.placeOrder({
          accountId: BACKTEST_ACCOUNT,
          symbol: req.symbol,
          side: req.side,
          type: req.type,
          ...(req.timeInForce !== undefined ? { timeInForce: req.timeInForce } : {}),
          ...(req.quantity !== undefined ? { quantity: req.quantity } : {}),
          ...(req.quoteOrderQty !== undefined ? { quoteOrderQty: req.quoteOrderQty } : {}),
          ...(req.price !== undefined ? { price: req.price } : {}),
          ...(req.stopPrice !== undefined ? { stopPrice: req.stopPrice } : {}),
          ...(req.trailingDelta !== undefined ? { trailingDelta: req.trailingDelta } : {}),
          newClientOrderId: command.clientOrderId,
          time: now,
        });
        if (!r.ok)
          return [
            { type: 'orderRejected', now, clientOrderId: command.clientOrderId, code: String(r.code), message: r.msg },
          ];
        this.balancesDirty = true;
        for (const f of r.fills) this.recordFill(f);
        return [{ type: 'orderPlaced', now, snapshot: toOrderSnapshot(r.order, r.fills) }];
      }
      case 'placeOco': {
        const req = command.request;
        const legRequest = (leg: typeof req.above): OrderRequest => ({
          symbol: req.symbol,
          side: req.side,
          quantity: req.quantity,
          ...leg,
        });
        this.rememberOrder(command.aboveClientOrderId, legRequest(req.above), command.listClientOrderId);
        this.rememberOrder(command.belowClientOrderId, legRequest(req.below), command.listClientOrderId);
        const r = this.venue.placeOco({
          accountId: BACKTEST_ACCOUNT,
          symbol: req.symbol,
          side: req.side,
          quantity: req.quantity,
          listClientOrderId: command.listClientOrderId,
          above: { ...req.above, clientOrderId: command.aboveClientOrderId },
          below: { ...req.below, clientOrderId: command.belowClientOrderId },
          time: now,
        });
        if (!r.ok) {
          return [command.aboveClientOrderId, command.belowClientOrderId].map(
            (clientOrderId) =>
              ({ type: 'orderRejected', now, clientOrderId, code: String(r.code), message: r.msg }) as const,
          );
        }
        this.balancesDirty = true;
        for (const f of r.fills) this.recordFill(f);
        const snapshots: OrderSnapshot[] = r.orders.map((o) =>
          toOrderSnapshot(
            o,
            r.fills.filter((f) => f.orderId === o.orderId),
          ),
        );
        return [{ type: 'orderListPlaced', now, listClientOrderId: command.listClientOrderId, snapshots }];
      }
      case 'cancelOrder': {
        const r = this.venue.cancelOrder({
          accountId: BACKTEST_ACCOUNT,
          symbol: command.symbol,
          origClientOrderId: command.clientOrderId,
          time: now,
        });
        if (r.ok) {
          this.balancesDirty = true;
          const others = r.listOrders.filter((o) => o.clientOrderId !== r.order.clientOrderId);
          return [r.order, ...others].map(
            (o) => ({ type: 'orderUpdate', now, snapshot: toOrderSnapshot(o), source: 'cancel' }) as const,
          );
        }
        // "Unknown order": it already ended (an OCO leg cancelled with its sibling): learn how, as
        // the live activity does.
        const found = this.venue.getOrder(BACKTEST_ACCOUNT, command.symbol, {
          origClientOrderId: command.clientOrderId,
        });
        if (found.ok) {
          const fills =
            found.order.executedQty === '0'
              ? []
              : this.venue.trades(BACKTEST_ACCOUNT, command.symbol, { orderId: found.order.orderId });
          return [{ type: 'orderUpdate', now, snapshot: toOrderSnapshot(found.order, fills), source: 'cancel' }];
        }
        return [{ type: 'cancelRejected', now, clientOrderId: command.clientOrderId, message: `${r.code}: ${r.msg}` }];
      }
      case 'reconcile': {
        const missing: string[] = [];
        const events: BotEvent[] = [];
        for (const id of command.clientOrderIds) {
          const found = this.venue.getOrder(BACKTEST_ACCOUNT, this.symbol, { origClientOrderId: id });
          if (!found.ok) {
            missing.push(id);
            continue;
          }
          // The simulated stream loses nothing, so the kernel is usually up to date: an unchanged
          // order (the kernel would ignore it) is not sent again; fills already came by the stream.
          const known = this.state.orders[id];
          if (known && known.status === found.order.status && known.executedQty === found.order.executedQty) continue;
          events.push({ type: 'orderUpdate', now, snapshot: toOrderSnapshot(found.order), source: 'reconcile' });
        }
        const base = this.venue.balance(BACKTEST_ACCOUNT, this.base).free;
        const quote = this.venue.balance(BACKTEST_ACCOUNT, this.quote).free;
        events.push({ type: 'reconciled', now, balances: { base, quote }, orphans: [], missing });
        return events;
      }
      case 'fetch':
        return [this.answer(command.requestId, command.request)];
      case 'notify':
        if (this.notifications.length < MAX_NOTIFICATIONS)
          this.notifications.push({ time: now, level: command.level, message: command.message });
        return [];
      default: {
        const unknown: never = command;
        throw new BacktestError(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Data requests: candles come from the loaded data, never from the future; the rest is not simulated. */
  private answer(requestId: string, request: DataRequest): BotEvent {
    const now = this.now;
    if (request.kind === 'balances') {
      const { base, quote } = splitSymbol(request.symbol);
      return {
        type: 'data',
        now,
        requestId,
        result: {
          base: this.venue.balance(BACKTEST_ACCOUNT, base).free,
          quote: this.venue.balance(BACKTEST_ACCOUNT, quote).free,
        },
      };
    }
    if (request.kind !== 'candles')
      return { type: 'dataFailed', now, requestId, message: `${request.kind} requests are not available in backtests` };
    if (request.symbol !== this.symbol || request.interval !== this.interval) {
      return { type: 'dataFailed', now, requestId, message: `backtest data has ${this.symbol} ${this.interval} only` };
    }
    const end = Math.min(request.endTime ?? now, now);
    // Last candle that had closed by `end`.
    let lo = 0;
    let hi = this.candles.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.candles[mid]!.closeTime <= end) lo = mid + 1;
      else hi = mid;
    }
    const from = Math.max(0, lo - request.limit);
    return { type: 'data', now, requestId, result: this.candles.slice(from, lo) as unknown as Json };
  }

  private rememberOrder(clientOrderId: string, request: OrderRequest, listClientOrderId?: string): void {
    const record = this.state.orders[clientOrderId];
    this.orders.set(clientOrderId, {
      clientOrderId,
      tag: record?.tag ?? '?',
      purpose: record?.purpose ?? 'entry',
      reason: record?.reason ?? '',
      time: this.now,
      request,
      ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
      ...(typeof record?.facts?.entryPrice === 'string' ? { entryPrice: record.facts.entryPrice } : {}),
      status: 'SUBMITTING',
    });
  }

  private recordFill(f: FillView): void {
    const order = this.orders.get(f.clientOrderId);
    this.fills.push({
      time: f.time,
      clientOrderId: f.clientOrderId,
      tag: order?.tag ?? '?',
      purpose: order?.purpose ?? (f.side === 'BUY' ? 'entry' : 'exit'),
      side: f.side,
      price: f.price,
      qty: f.qty,
      quoteQty: f.quoteQty,
      commission: f.commission,
      commissionAsset: f.commissionAsset,
      isMaker: f.isMaker,
    });
  }

  // ---- equity and results --------------------------------------------------------------------

  private baseTotal = 0;
  private quoteTotal = 0;

  /** Account equity in quote at `price` (floats: a chart and ratios, not money). */
  private equityOf(price: Dec): number {
    if (this.balancesDirty) {
      const b = this.venue.balance(BACKTEST_ACCOUNT, this.base);
      const q = this.venue.balance(BACKTEST_ACCOUNT, this.quote);
      this.baseTotal = toFloat(b.free) + toFloat(b.locked);
      this.quoteTotal = toFloat(q.free) + toFloat(q.locked);
      this.balancesDirty = false;
    }
    return this.quoteTotal + (this.baseTotal === 0 ? 0 : this.baseTotal * toFloat(price));
  }

  private result(last: Candle): BacktestResult {
    const s = this.state;
    for (const [id, order] of this.orders) {
      const record = s.orders[id];
      const final = this.venue.getOrder(BACKTEST_ACCOUNT, this.symbol, { origClientOrderId: id });
      order.status = record?.status ?? (final.ok ? final.order.status : order.status);
      if (record?.rejectReason) order.rejectReason = record.rejectReason;
    }
    const finalBalances: Record<string, { free: Dec; locked: Dec }> = {};
    for (const b of this.venue.balances(BACKTEST_ACCOUNT)) finalBalances[b.asset] = { free: b.free, locked: b.locked };
    const lastPrice = this.venue.lastPrice(this.symbol) ?? last.close;
    const trades = this.trades();
    const initialEquity = add(
      this.initialBalances[this.quote] ?? '0',
      mul(this.initialBalances[this.base] ?? '0', this.candles[0]!.open),
    );
    const finalEquity = add(
      add(finalBalances[this.quote]?.free ?? '0', finalBalances[this.quote]?.locked ?? '0'),
      mul(add(finalBalances[this.base]?.free ?? '0', finalBalances[this.base]?.locked ?? '0'), lastPrice),
    );
    return {
      strategy: this.strategy.id,
      params: this.params,
      symbol: this.symbol,
      interval: this.interval,
      from: this.candles[0]!.openTime,
      to: last.closeTime,
      candles: this.metrics.count,
      filters: this.spec.filters,
      initialBalances: this.initialBalances,
      finalBalances,
      botStatus: s.status,
      stopReason: s.stopReason,
      position: { qty: s.position.qty, avgEntryPrice: s.position.avgEntryPrice },
      realizedPnl: s.position.realizedPnl,
      // From the position's exact cost (its average entry price is rounded).
      unrealizedPnl: isPositive(s.position.qty)
        ? str(d(s.position.qty).times(lastPrice).minus(s.position.cost).toDecimalPlaces(8))
        : '0',
      fees: s.position.fees,
      metrics: this.metrics.finish({
        initialEquity,
        finalEquity,
        trades,
        firstPrice: this.candles[0]!.open,
        lastPrice,
      }),
      orders: [...this.orders.values()],
      fills: this.fills,
      trades,
      roundTrips: { count: s.stats.roundTrips, wins: s.stats.wins },
      notifications: this.notifications,
    };
  }

  /** Trades: every sell order that filled, with the realised PnL its fills produced. */
  private trades(): BacktestTrade[] {
    const bySell = new Map<string, { qty: Dec; quote: Dec; quoteFees: Dec; first: number; last: number }>();
    for (const f of this.fills) {
      if (f.side !== 'SELL') continue;
      const t = bySell.get(f.clientOrderId) ?? { qty: '0', quote: '0', quoteFees: '0', first: f.time, last: f.time };
      const fee = f.commissionAsset === this.quote ? f.commission : '0';
      bySell.set(f.clientOrderId, {
        qty: add(t.qty, f.qty),
        quote: add(t.quote, f.quoteQty),
        quoteFees: add(t.quoteFees, fee),
        first: t.first,
        last: f.time,
      });
    }
    const trades: BacktestTrade[] = [];
    let lastBuy: number | null = null;
    const buys = this.fills.filter((f) => f.side === 'BUY');
    let b = 0;
    for (const [id, t] of [...bySell.entries()].sort((x, y) => x[1].last - y[1].last)) {
      while (b < buys.length && buys[b]!.time <= t.first) lastBuy = buys[b++]!.time;
      const order = this.orders.get(id);
      const exitPrice = str(d(t.quote).dividedBy(t.qty).toDecimalPlaces(8));
      let pnl: Dec;
      let entryPrice: Dec;
      if (order?.entryPrice !== undefined) {
        // The strategy named the lot this sell closes: its own profit.
        entryPrice = order.entryPrice;
        pnl = str(d(t.quote).minus(t.quoteFees).minus(d(t.qty).times(entryPrice)).toDecimalPlaces(8));
      } else {
        // Against the position's average cost, as the kernel realises it:
        // pnl = proceeds − quote fees − cost of what was sold.
        pnl = this.pnlByOrder.get(id) ?? '0';
        entryPrice = str(d(t.quote).minus(t.quoteFees).minus(pnl).dividedBy(t.qty).toDecimalPlaces(8));
      }
      trades.push({
        clientOrderId: id,
        tag: order?.tag ?? '?',
        reason: order?.reason ?? '',
        openedAt: lastBuy,
        closedAt: t.last,
        qty: t.qty,
        entryPrice,
        exitPrice,
        pnl,
      });
    }
    return trades;
  }
}
