/**
 * The loop every backtest shares, spot (engine.ts) and futures (futures-run.ts): the bot kernel
 * (core/kernel/) and the strategy, unchanged, driven over candles in-process against a simulated
 * exchange. What differs between markets — how a candle's path reaches the kernel, how a command
 * is executed, what equity and the result's balances are — is the SimulatedVenue given to it.
 *
 * One candle:
 *   1. the venue plays the candle's price path and hands what happened on it to the kernel
 *      (stream executions and fired watches on spot, order lookups on futures);
 *   2. timers and reconciliation that came due are run (`wake`);
 *   3. the closed candle reaches the kernel (`candle`).
 * After each event the kernel's commands run against the venue at the candle's close, and their
 * outcomes come back as events, until nothing is left to do. Data requests for candles are
 * answered from the loaded candles, never from the future.
 *
 * Pure apart from the optional progress callback: no I/O, no clock.
 */
import type { Dec } from '../core/decimal';
import {
  type BotEvent,
  type BotSetup,
  type BotState,
  type Command,
  createBotState,
  nextWakeAt,
  stepInPlace,
} from '../core/kernel';
import type { Candle, CandleInterval, SymbolFilters } from '../core/market';
import type { OrderRequest } from '../core/orders';
import { riskConfigSchema } from '../core/risk/guard';
import type { DataRequest, Json } from '../core/strategy';
import { MetricsRecorder } from './metrics';
import {
  BACKTEST_ACCOUNT,
  BACKTEST_RECONCILE_TIMING,
  type BacktestFill,
  type BacktestOptions,
  type BacktestOrder,
  type BacktestResult,
  BacktestError,
} from './types';

/** Safety net against a strategy and the venue answering each other forever within one event. */
const MAX_COMMANDS_PER_EVENT = 100_000;
const MAX_NOTIFICATIONS = 1_000;

/** What the venue sees of the run while it plays a candle or executes a command. */
export interface RunContext {
  readonly state: BotState;
  /** The time of the events it answers with: the close of the candle being played. */
  readonly now: number;
  /** Every order the strategy sent, for the report (the venue may add the kernel's refusals). */
  readonly orders: Map<string, BacktestOrder>;
  readonly symbol: string;
  dispatch(event: BotEvent): void;
  /** Record an order as it is sent to the venue, with the kernel's tag, purpose and reason. */
  remember(clientOrderId: string, request: OrderRequest, listClientOrderId?: string): void;
}

/** The commands the venue executes; the driver answers data requests and notifications itself. */
export type VenueCommand = Exclude<Command, { type: 'fetch' | 'notify' }>;

/** Fields of the result the driver fills in; the venue gives the others. */
type DriverFields =
  | 'strategy'
  | 'params'
  | 'symbol'
  | 'interval'
  | 'from'
  | 'to'
  | 'candles'
  | 'botStatus'
  | 'stopReason'
  | 'position'
  | 'realizedPnl'
  | 'fees'
  | 'metrics'
  | 'orders'
  | 'roundTrips'
  | 'notifications';

export interface VenueOutcome<R extends BacktestResult> {
  /** Filters, balances, fills, trades, unrealised PnL and whatever the market adds. */
  readonly part: Omit<R, DriverFields>;
  readonly initialEquity: Dec;
  readonly finalEquity: Dec;
  readonly lastPrice: Dec;
}

/** A simulated exchange as the driver uses it: the market-specific half of a backtest. */
export interface SimulatedVenue<R extends BacktestResult> {
  /** The filters the kernel starts with (what the live runtime would read from the exchange). */
  readonly filters: SymbolFilters;
  /** What the bot definition adds to the setup on this market (futures: market and leverage). */
  readonly setup?: Pick<BotSetup, 'market' | 'futures'>;
  /** Before the kernel starts: the account opened, the first price set. */
  open(first: Candle): void;
  /** Play the candle's price path and hand what happened on it to the kernel (`run.now` is its close). */
  playCandle(candle: Candle, run: RunContext): void;
  execute(command: VenueCommand, run: RunContext): BotEvent[];
  /** Account equity at `price` (floats: a chart and ratios, not money). */
  equity(price: Dec): number;
  inPosition(state: BotState): boolean;
  /** Free balances of a symbol's assets, for `balances` data requests; absent: not simulated. */
  balances?(symbol: string): { base: Dec; quote: Dec };
  /** After each kernel step, with the realised PnL and the rejection count before it. */
  afterStep?(event: BotEvent, before: { realizedPnl: Dec; ordersRejected: number }, run: RunContext): void;
  /** The venue's own final status of an order the kernel has no record of. */
  finalStatus?(clientOrderId: string): string | undefined;
  finish(last: Candle, run: RunContext): VenueOutcome<R>;
}

/** What every run reads from its options before the venue is built. */
export interface PreparedRun {
  readonly symbol: string;
  readonly interval: CandleInterval;
  /** The strategy's params, validated and defaulted with its schema. */
  readonly params: Json;
}

/** Check the options every run needs and read the symbol, interval and params. Throws BacktestError. */
export function prepareRun(o: BacktestOptions): PreparedRun {
  if (o.candles.length === 0) throw new BacktestError('no candles to backtest');
  const parsed = o.strategy.params.safeParse(o.params ?? {});
  if (!parsed.success) {
    throw new BacktestError(
      `invalid params for ${o.strategy.id}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`,
    );
  }
  return {
    symbol: o.symbol ?? o.candles[0]!.symbol,
    interval: o.interval ?? o.candles[0]!.interval,
    params: parsed.data as Json,
  };
}

/** Run one backtest on the venue `venueFor` builds. */
export function runOnVenue<R extends BacktestResult>(
  o: BacktestOptions,
  venueFor: (run: PreparedRun) => SimulatedVenue<R>,
): R {
  const prepared = prepareRun(o);
  return new KernelDriver(o, prepared, venueFor(prepared)).run();
}

/** A fill for the report, with the tag and purpose of the order it belongs to (`purpose` if unknown). */
export function fillRecord(
  f: Omit<BacktestFill, 'tag' | 'purpose'>,
  orders: ReadonlyMap<string, BacktestOrder>,
  purpose: BacktestFill['purpose'],
): BacktestFill {
  const order = orders.get(f.clientOrderId);
  return {
    time: f.time,
    clientOrderId: f.clientOrderId,
    tag: order?.tag ?? '?',
    purpose: order?.purpose ?? purpose,
    side: f.side,
    price: f.price,
    qty: f.qty,
    quoteQty: f.quoteQty,
    commission: f.commission,
    commissionAsset: f.commissionAsset,
    isMaker: f.isMaker,
  };
}

class KernelDriver<R extends BacktestResult> implements RunContext {
  readonly symbol: string;
  private readonly candles: readonly Candle[];
  private readonly metrics: MetricsRecorder;
  private readonly queue: Command[] = [];
  private readonly notifications: { time: number; level: string; message: string }[] = [];
  readonly orders = new Map<string, BacktestOrder>();
  state!: BotState;
  now = 0;

  constructor(
    private readonly o: BacktestOptions,
    private readonly prepared: PreparedRun,
    private readonly venue: SimulatedVenue<R>,
  ) {
    this.symbol = prepared.symbol;
    this.candles = o.candles;
    this.metrics = new MetricsRecorder(o.candles.length, o.equityPoints ?? 2_000);
  }

  run(): R {
    const first = this.candles[0]!;
    const startAt = first.openTime;
    this.now = startAt;
    const setup: BotSetup = {
      name: this.o.name ?? `backtest-${this.o.strategy.id}`,
      strategy: this.o.strategy.id,
      symbol: this.symbol,
      interval: this.prepared.interval,
      account: BACKTEST_ACCOUNT,
      params: this.prepared.params,
      onStop: this.o.onStop ?? 'cancel-orders',
      risk: riskConfigSchema.parse(this.o.risk ?? {}),
      ...this.venue.setup,
    };
    this.venue.open(first);
    this.state = createBotState(setup, this.o.strategy, startAt, this.o.timing ?? BACKTEST_RECONCILE_TIMING);
    this.dispatch({ type: 'start', now: startAt, filters: this.venue.filters, fresh: true });
    this.metrics.start(startAt, this.venue.equity(first.open));

    const total = this.candles.length;
    const every = this.o.progressEvery ?? 65_536;
    let last = first;
    for (let i = 0; i < total; i++) {
      const candle = this.candles[i]!;
      last = candle;
      this.now = candle.closeTime;
      this.venue.playCandle(candle, this);
      const wakeAt = nextWakeAt(this.state);
      if (wakeAt !== null && wakeAt <= candle.closeTime) this.dispatch({ type: 'wake', now: candle.closeTime });
      this.dispatch({ type: 'candle', now: candle.closeTime, candle });
      this.metrics.record(candle.closeTime, this.venue.equity(candle.close), this.venue.inPosition(this.state));
      if (this.o.onProgress && (i + 1) % every === 0) this.o.onProgress(i + 1, total);
      if (this.state.status === 'STOPPED') break;
    }
    this.o.onProgress?.(total, total);
    return this.result(last);
  }

  // ---- kernel and commands -------------------------------------------------------------------

  dispatch(event: BotEvent): void {
    this.step(event);
    let done = 0;
    while (this.queue.length > 0) {
      if (++done > MAX_COMMANDS_PER_EVENT)
        throw new BacktestError(
          `more than ${MAX_COMMANDS_PER_EVENT} commands after one event: the strategy and the venue keep answering each other`,
        );
      for (const answer of this.execute(this.queue.shift()!)) this.step(answer);
    }
  }

  private step(event: BotEvent): void {
    const before = { realizedPnl: this.state.position.realizedPnl, ordersRejected: this.state.stats.ordersRejected };
    // In place: the backtest keeps no earlier state, and a copy per candle would dominate the run.
    const r = stepInPlace(this.state, event, this.o.strategy);
    this.state = r.state;
    if (r.commands.length > 0) for (const c of r.commands) this.queue.push(c);
    this.venue.afterStep?.(event, before, this);
  }

  private execute(command: Command): BotEvent[] {
    switch (command.type) {
      case 'fetch':
        return [this.answer(command.requestId, command.request)];
      case 'notify':
        if (this.notifications.length < MAX_NOTIFICATIONS)
          this.notifications.push({ time: this.now, level: command.level, message: command.message });
        return [];
      default:
        return this.venue.execute(command, this);
    }
  }

  /** Data requests: candles come from the loaded data, never from the future; the rest is not simulated. */
  private answer(requestId: string, request: DataRequest): BotEvent {
    const now = this.now;
    if (request.kind === 'balances' && this.venue.balances)
      return { type: 'data', now, requestId, result: this.venue.balances(request.symbol) };
    if (request.kind !== 'candles')
      return { type: 'dataFailed', now, requestId, message: `${request.kind} requests are not available in backtests` };
    const { interval } = this.prepared;
    if (request.symbol !== this.symbol || request.interval !== interval) {
      return { type: 'dataFailed', now, requestId, message: `backtest data has ${this.symbol} ${interval} only` };
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

  remember(clientOrderId: string, request: OrderRequest, listClientOrderId?: string): void {
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

  // ---- result --------------------------------------------------------------------------------

  private result(last: Candle): R {
    const s = this.state;
    for (const [id, order] of this.orders) {
      const record = s.orders[id];
      order.status = record?.status ?? this.venue.finalStatus?.(id) ?? order.status;
      if (record?.rejectReason) order.rejectReason = record.rejectReason;
    }
    const { part, initialEquity, finalEquity, lastPrice } = this.venue.finish(last, this);
    const { filters, initialBalances, finalBalances, unrealizedPnl, fills, trades, ...extra } = part as Omit<
      BacktestResult,
      DriverFields
    >;
    const first = this.candles[0]!;
    const result: BacktestResult = {
      strategy: this.o.strategy.id,
      params: this.prepared.params,
      symbol: this.symbol,
      interval: this.prepared.interval,
      from: first.openTime,
      to: last.closeTime,
      candles: this.metrics.count,
      filters,
      initialBalances,
      finalBalances,
      botStatus: s.status,
      stopReason: s.stopReason,
      position: { qty: s.position.qty, avgEntryPrice: s.position.avgEntryPrice },
      realizedPnl: s.position.realizedPnl,
      unrealizedPnl,
      fees: s.position.fees,
      metrics: this.metrics.finish({ initialEquity, finalEquity, trades, firstPrice: first.open, lastPrice }),
      orders: [...this.orders.values()],
      fills,
      trades,
      roundTrips: { count: s.stats.roundTrips, wins: s.stats.wins },
      notifications: this.notifications,
      ...extra,
    };
    return result as R;
  }
}
