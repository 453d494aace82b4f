/**
 * The backtest of a futures bot (`market: "futures"`): the bot kernel and the strategy, unchanged,
 * on the simulated USDⓈ-M perpetual (backtest/perpetual.ts → venue/perpetual, the engine the paper
 * exchange's futures side runs). The kernel's futures logic runs as live: a signed position,
 * reduce-only exits, the protective closePosition STOP_MARKET on the algo endpoint (triggered by
 * the mark price, as activities/futures-orders.ts sends it).
 *
 * The runtime around the kernel does what the live futures runtime does (workflows/venue-acts.ts):
 * a live futures bot learns of executions by looking its orders up by client id (no user stream),
 * so here, after each candle's path, every open order of the kernel is looked up and a change is
 * delivered as a `reconcile` orderUpdate built by the live activities' own mapping
 * (activities/futures-mapping.ts); `reconcile` answers the signed position and the free margin as
 * futuresReconcile does. Pure apart from the optional progress callback.
 */
import { type Dec, add, d, isPositive, str, toFloat } from '../core/decimal';
import {
  type BotEvent,
  type BotSetup,
  type BotState,
  type Command,
  createBotState,
  nextWakeAt,
  stepInPlace,
} from '../core/kernel';
import { type FuturesConfig, resolveFuturesSetup } from '../core/futures/setup';
import type { Candle, CandleInterval, SymbolFilters } from '../core/market';
import { type OrderSnapshot, isFinalStatus } from '../core/orders';
import { riskConfigSchema } from '../core/risk/guard';
import type { DataRequest, Json } from '../core/strategy';
import { isAlgoRequest, snapshotFromAlgo, snapshotFromFuturesOrder } from '../activities/futures-mapping';
import { DEFAULT_PERP_SYMBOLS, type PerpFillView, type PerpSymbol } from '../venue/perpetual';
import {
  BACKTEST_ACCOUNT,
  BACKTEST_RECONCILE_TIMING,
  type BacktestFill,
  type BacktestOptions,
  type BacktestOrder,
  type BacktestResult,
  type BacktestTrade,
  BacktestError,
} from './engine';
import { MetricsRecorder } from './metrics';
import { BacktestPerpetual, contractFor } from './perpetual';
import { futuresTrades } from './futures-trades';

export interface FuturesBacktestOptions extends BacktestOptions {
  /** The bot definition's `futures` block (leverage, margin type, protective stop distance). */
  readonly futures?: FuturesConfig;
  /** Funding settings of the simulated perpetual (default 0.01 % every 8 h). */
  readonly fundingRate?: Dec;
  readonly fundingIntervalMs?: number;
}

/** What a futures run adds to the result: the wallet, the funding paid or received, liquidations. */
export interface FuturesBacktestResult extends BacktestResult {
  /** Each fill with the PnL the exchange realised on it (fees not included), as userTrades says. */
  readonly fills: readonly (BacktestFill & { readonly realizedPnl: Dec })[];
  readonly futures: {
    readonly leverage: number;
    readonly marginType: string;
    readonly walletBalance: Dec;
    readonly funding: Dec;
    readonly fundingPayments: readonly { readonly time: number; readonly income: Dec }[];
    readonly liquidations: number;
    readonly exchangePosition: { readonly positionAmt: Dec; readonly entryPrice: Dec };
  };
}

const MAX_COMMANDS_PER_EVENT = 100_000;
const MAX_NOTIFICATIONS = 1_000;

/** The contract: the paper exchange's for a symbol it lists, else one from the given filters. */
function contractOf(symbol: string, filters?: SymbolFilters): PerpSymbol {
  const known = DEFAULT_PERP_SYMBOLS.find((s) => s.filters.symbol === symbol);
  if (known) return filters ? { ...known, filters } : known;
  if (!filters)
    throw new BacktestError(
      `futures: no perpetual contract for ${symbol} (known: ${DEFAULT_PERP_SYMBOLS.map((s) => s.filters.symbol).join(', ')}); give its filters`,
    );
  return contractFor(filters);
}

export function runFuturesBacktest(o: FuturesBacktestOptions): FuturesBacktestResult {
  return new FuturesRun(o).run();
}

class FuturesRun {
  private readonly symbol: string;
  private readonly interval: CandleInterval;
  private readonly params: Json;
  private readonly contract: PerpSymbol;
  /** The filters a live bot gets from futuresSymbolFilters (MIN_NOTIONAL's notional, no max). */
  private readonly filters: SymbolFilters;
  private readonly wallet: Dec;
  private readonly quote: string;
  private bt!: BacktestPerpetual;
  private state!: BotState;
  private readonly queue: Command[] = [];
  private now = 0;
  private readonly metrics: MetricsRecorder;
  private readonly orders = new Map<string, BacktestOrder>();
  private readonly notifications: { time: number; level: string; message: string }[] = [];

  constructor(private readonly o: FuturesBacktestOptions) {
    if (o.candles.length === 0) throw new BacktestError('no candles to backtest');
    this.symbol = o.symbol ?? o.candles[0]!.symbol;
    this.interval = o.interval ?? o.candles[0]!.interval;
    const parsed = o.strategy.params.safeParse(o.params ?? {});
    if (!parsed.success)
      throw new BacktestError(
        `invalid params for ${o.strategy.id}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`,
      );
    this.params = parsed.data as Json;
    this.contract = contractOf(this.symbol, o.filters);
    this.filters = { ...this.contract.filters, maxNotional: '0' };
    this.quote = this.contract.marginAsset;
    const extra = Object.keys(o.balances ?? {}).filter((a) => a !== this.quote);
    if (extra.length > 0)
      throw new BacktestError(
        `futures: the wallet holds ${this.quote} only (margin asset of ${this.symbol}); --balance ${extra.join(', ')} is not a futures balance`,
      );
    this.wallet = o.balances?.[this.quote] ?? '10000';
    this.metrics = new MetricsRecorder(o.candles.length, o.equityPoints ?? 2_000);
  }

  run(): FuturesBacktestResult {
    const candles = this.o.candles;
    const first = candles[0]!;
    this.now = first.openTime;
    const setup: BotSetup = {
      name: this.o.name ?? `backtest-${this.o.strategy.id}`,
      strategy: this.o.strategy.id,
      symbol: this.symbol,
      interval: this.interval,
      account: BACKTEST_ACCOUNT,
      params: this.params,
      onStop: this.o.onStop ?? 'cancel-orders',
      risk: riskConfigSchema.parse(this.o.risk ?? {}),
      market: 'futures',
      futures: resolveFuturesSetup(this.o.futures, this.params),
    };
    const fut = setup.futures!;
    this.bt = new BacktestPerpetual(
      this.contract,
      this.wallet,
      {
        leverage: fut.leverage,
        marginType: fut.marginType,
        ...(this.o.takerFee !== undefined ? { takerFee: this.o.takerFee } : {}),
        ...(this.o.makerFee !== undefined ? { makerFee: this.o.makerFee } : {}),
        ...(this.o.fundingRate !== undefined ? { fundingRate: this.o.fundingRate } : {}),
        ...(this.o.fundingIntervalMs !== undefined ? { fundingIntervalMs: this.o.fundingIntervalMs } : {}),
      },
      first.openTime,
    );
    this.bt.setPrice(first.open, first.openTime);
    this.state = createBotState(setup, this.o.strategy, first.openTime, this.o.timing ?? BACKTEST_RECONCILE_TIMING);
    this.dispatch({ type: 'start', now: first.openTime, filters: this.filters, fresh: true });
    this.metrics.start(first.openTime, this.equity());

    const every = this.o.progressEvery ?? 65_536;
    let last = first;
    for (let i = 0; i < candles.length; i++) {
      const candle = candles[i]!;
      last = candle;
      this.bt.onCandle(candle);
      this.now = candle.closeTime;
      this.deliverChanges();
      const wakeAt = nextWakeAt(this.state);
      if (wakeAt !== null && wakeAt <= candle.closeTime) this.dispatch({ type: 'wake', now: candle.closeTime });
      this.dispatch({ type: 'candle', now: candle.closeTime, candle });
      this.metrics.record(candle.closeTime, this.equity(), this.bt.position().positionAmt !== '0');
      if (this.o.onProgress && (i + 1) % every === 0) this.o.onProgress(i + 1, candles.length);
      if (this.state.status === 'STOPPED') break;
    }
    this.o.onProgress?.(candles.length, candles.length);
    return this.result(last);
  }

  /** What a live reconcile would find: every open order of the kernel whose state changed. */
  private deliverChanges(): void {
    for (const [id, known] of Object.entries(this.state.orders)) {
      if (isFinalStatus(known.status) || known.status === 'SUBMITTING') continue;
      const found = this.lookup(id, isAlgoRequest(known.request));
      if (!found || (found.status === known.status && found.executedQty === known.executedQty)) continue;
      this.dispatch({ type: 'orderUpdate', now: this.now, snapshot: found, source: 'reconcile' });
    }
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
      for (const answer of this.execute(this.queue.shift()!)) this.step(answer);
    }
  }

  private step(event: BotEvent): void {
    const r = stepInPlace(this.state, event, this.o.strategy);
    this.state = r.state;
    for (const c of r.commands) this.queue.push(c);
  }

  /** An order by client id as the live lookup (futuresLookup) maps it, with its fills. */
  private lookup(clientOrderId: string, algo: boolean): OrderSnapshot | null {
    const perp = this.bt.perp;
    if (algo) {
      const r = perp.getAlgo(BACKTEST_ACCOUNT, { clientAlgoId: clientOrderId });
      if (!r.ok) return null;
      const a = r.algo;
      const fills = a.actualOrderId !== null && isPositive(a.executedQty) ? this.fillsOf(a.actualOrderId) : [];
      return snapshotFromAlgo(
        { ...a, algoStatus: a.status, algoId: a.algoId, actualOrderId: String(a.actualOrderId ?? 0) },
        fills,
      );
    }
    const r = perp.getOrder(BACKTEST_ACCOUNT, this.symbol, { origClientOrderId: clientOrderId }, this.now);
    if (!r.ok) return null;
    return snapshotFromFuturesOrder(r.order, isPositive(r.order.executedQty) ? this.fillsOf(r.order.orderId) : []);
  }

  private fillsOf(orderId: number): OrderSnapshot['fills'] & object {
    return this.bt.perp.trades(BACKTEST_ACCOUNT, this.symbol, { orderId }).map((f) => ({
      tradeId: f.tradeId,
      price: f.price,
      qty: f.qty,
      quoteQty: f.quoteQty,
      commission: f.commission,
      commissionAsset: f.commissionAsset,
      time: f.time,
      isMaker: f.isMaker,
    }));
  }

  private execute(command: Command): BotEvent[] {
    const now = this.now;
    switch (command.type) {
      case 'placeOrder': {
        const { request: req, clientOrderId } = command;
        this.remember(clientOrderId, command);
        const perp = this.bt.perp;
        let code: number | null = null;
        let msg = '';
        if (isAlgoRequest(req)) {
          // As futuresOrderParams sends it: closePosition, triggered by the mark price.
          const r = perp.placeAlgo({
            accountId: BACKTEST_ACCOUNT,
            symbol: req.symbol,
            side: req.side,
            type: 'STOP_MARKET',
            ...(req.stopPrice !== undefined ? { triggerPrice: req.stopPrice } : {}),
            ...(req.closePosition
              ? { closePosition: true }
              : req.quantity !== undefined
                ? { quantity: req.quantity }
                : {}),
            ...(!req.closePosition && req.reduceOnly ? { reduceOnly: true } : {}),
            workingType: 'MARK_PRICE',
            clientAlgoId: clientOrderId,
            time: now,
          });
          if (!r.ok) ({ code, msg } = r);
        } else if (req.type !== 'MARKET' && req.type !== 'LIMIT') {
          code = -1116;
          msg = `Invalid orderType: the futures runtime places MARKET, LIMIT and STOP_MARKET, not ${req.type}`;
        } else {
          const r = this.bt.executeOrder(clientOrderId, req, now, req.reduceOnly ? { reduceOnly: true } : {});
          if (!r.ok) ({ code, reason: msg } = r);
        }
        if (code !== null) return [{ type: 'orderRejected', now, clientOrderId, code: String(code), message: msg }];
        const snapshot = this.lookup(clientOrderId, isAlgoRequest(req));
        if (!snapshot) throw new BacktestError(`futures order ${clientOrderId} was accepted but cannot be found`);
        return [{ type: 'orderPlaced', now, snapshot }];
      }
      case 'cancelOrder': {
        const algo = isAlgoRequest(this.state.orders[command.clientOrderId]?.request ?? { type: 'MARKET' });
        const perp = this.bt.perp;
        if (algo) perp.cancelAlgo(BACKTEST_ACCOUNT, { clientAlgoId: command.clientOrderId }, now);
        else perp.cancelOrder(BACKTEST_ACCOUNT, command.symbol, { origClientOrderId: command.clientOrderId }, now);
        // Cancelled, or it had already ended: the lookup says which (as futuresCancelOrder does).
        const found = this.lookup(command.clientOrderId, algo);
        if (found) return [{ type: 'orderUpdate', now, snapshot: found, source: 'cancel' }];
        return [
          { type: 'cancelRejected', now, clientOrderId: command.clientOrderId, message: '-2011: Unknown order sent.' },
        ];
      }
      case 'reconcile': {
        const events: BotEvent[] = [];
        const missing: string[] = [];
        for (const id of command.clientOrderIds) {
          const known = this.state.orders[id];
          const found = this.lookup(id, known !== undefined && isAlgoRequest(known.request));
          if (!found) missing.push(id);
          else events.push({ type: 'orderUpdate', now, snapshot: found, source: 'reconcile' });
        }
        events.push({ type: 'reconciled', now, balances: this.bt.reconcileBalances(), orphans: [], missing });
        return events;
      }
      case 'placeOco':
        return [command.aboveClientOrderId, command.belowClientOrderId].map(
          (clientOrderId) =>
            ({ type: 'orderRejected', now, clientOrderId, code: '-1116', message: 'OCO lists are spot only' }) as const,
        );
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

  /** Candles from the loaded data, never from the future; other data is not simulated. */
  private answer(requestId: string, request: DataRequest): BotEvent {
    const now = this.now;
    if (request.kind !== 'candles')
      return { type: 'dataFailed', now, requestId, message: `${request.kind} requests are not available in backtests` };
    if (request.symbol !== this.symbol || request.interval !== this.interval)
      return { type: 'dataFailed', now, requestId, message: `backtest data has ${this.symbol} ${this.interval} only` };
    const end = Math.min(request.endTime ?? now, now);
    const closed = this.o.candles.filter((c) => c.closeTime <= end);
    return { type: 'data', now, requestId, result: closed.slice(-request.limit) as unknown as Json };
  }

  private remember(clientOrderId: string, command: Extract<Command, { type: 'placeOrder' }>): void {
    const record = this.state.orders[clientOrderId];
    this.orders.set(clientOrderId, {
      clientOrderId,
      tag: record?.tag ?? '?',
      purpose: record?.purpose ?? 'entry',
      reason: record?.reason ?? '',
      time: this.now,
      request: command.request,
      status: 'SUBMITTING',
    });
  }

  /** Margin balance (wallet + unrealised PnL), floats: a chart and ratios, not money. */
  private equity(): number {
    return toFloat(this.bt.account().marginBalance);
  }

  private result(last: Candle): FuturesBacktestResult {
    const s = this.state;
    for (const [id, order] of this.orders) {
      const record = s.orders[id];
      if (record) order.status = record.status;
      if (record?.rejectReason) order.rejectReason = record.rejectReason;
    }
    const fills = this.bt.fills().map((f) => this.fillOf(f));
    const trades: BacktestTrade[] = futuresTrades(this.bt.fills(), this.orders);
    const account = this.bt.account();
    const position = this.bt.position();
    const funding = this.bt.perp
      .incomes(BACKTEST_ACCOUNT, { incomeType: 'FUNDING_FEE', limit: 1000 })
      .map((r) => ({ time: r.time, income: r.income }));
    const lastPrice = this.bt.perp.lastPrice(this.symbol) ?? last.close;
    return {
      strategy: this.o.strategy.id,
      params: this.params,
      symbol: this.symbol,
      interval: this.interval,
      from: this.o.candles[0]!.openTime,
      to: last.closeTime,
      candles: this.metrics.count,
      filters: this.filters,
      initialBalances: { [this.quote]: this.wallet },
      finalBalances: {
        [this.quote]: {
          free: this.bt.available(),
          locked: str(d(account.marginBalance).minus(this.bt.available()).toDecimalPlaces(8)),
        },
      },
      botStatus: s.status,
      stopReason: s.stopReason,
      position: { qty: s.position.qty, avgEntryPrice: s.position.avgEntryPrice },
      realizedPnl: s.position.realizedPnl,
      unrealizedPnl: position.unRealizedProfit,
      fees: s.position.fees,
      metrics: this.metrics.finish({
        initialEquity: this.wallet,
        finalEquity: account.marginBalance,
        trades,
        firstPrice: this.o.candles[0]!.open,
        lastPrice,
      }),
      orders: [...this.orders.values()],
      fills,
      trades,
      roundTrips: { count: s.stats.roundTrips, wins: s.stats.wins },
      notifications: this.notifications,
      futures: {
        leverage: s.setup.futures!.leverage,
        marginType: s.setup.futures!.marginType,
        walletBalance: account.walletBalance,
        funding: funding.reduce((sum, r) => add(sum, r.income), '0'),
        fundingPayments: funding,
        liquidations: this.bt.liquidations,
        exchangePosition: { positionAmt: position.positionAmt, entryPrice: position.entryPrice },
      },
    };
  }

  private fillOf(f: PerpFillView): BacktestFill & { realizedPnl: Dec } {
    // An order a protective stop placed when triggered carries the stop's client id.
    const order = this.orders.get(f.clientOrderId);
    return {
      time: f.time,
      clientOrderId: f.clientOrderId,
      tag: order?.tag ?? '?',
      purpose: order?.purpose ?? (f.realizedPnl !== '0' ? 'exit' : 'entry'),
      side: f.side,
      price: f.price,
      qty: f.qty,
      quoteQty: f.quoteQty,
      commission: f.commission,
      commissionAsset: f.commissionAsset,
      isMaker: f.isMaker,
      realizedPnl: f.realizedPnl,
    };
  }
}
