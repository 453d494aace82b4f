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
 * futuresReconcile does. The loop around it is the driver's (driver.ts), shared with the spot run.
 * Pure apart from the optional progress callback.
 */
import { type Dec, add, d, isPositive, str, toFloat } from '../core/decimal';
import type { BotEvent, BotSetup, BotState } from '../core/kernel';
import { type FuturesConfig, resolveFuturesSetup } from '../core/futures/setup';
import type { Candle, SymbolFilters } from '../core/market';
import { type OrderSnapshot, isFinalStatus } from '../core/orders';
import { isAlgoRequest, snapshotFromAlgo, snapshotFromFuturesOrder } from '../activities/futures-mapping';
import { toFill } from '../venue';
import { DEFAULT_PERP_SYMBOLS, type PerpFillView, type PerpSymbol } from '../venue/perpetual';
import {
  type PreparedRun,
  type RunContext,
  type SimulatedVenue,
  type VenueCommand,
  type VenueOutcome,
  fillRecord,
  runOnVenue,
} from './driver';
import { futuresTrades } from './futures-trades';
import { BacktestPerpetual, contractFor } from './perpetual';
import {
  BACKTEST_ACCOUNT,
  type BacktestFill,
  type BacktestOptions,
  type BacktestOrder,
  type BacktestResult,
  BacktestError,
} from './types';

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
  return runOnVenue(o, (run) => new FuturesVenue(run, o));
}

class FuturesVenue implements SimulatedVenue<FuturesBacktestResult> {
  private readonly symbol: string;
  private readonly contract: PerpSymbol;
  /** The filters a live bot gets from futuresSymbolFilters (MIN_NOTIONAL's notional, no max). */
  readonly filters: SymbolFilters;
  readonly setup: Pick<BotSetup, 'market' | 'futures'>;
  private readonly wallet: Dec;
  private readonly quote: string;
  private bt!: BacktestPerpetual;

  constructor(
    run: PreparedRun,
    private readonly o: FuturesBacktestOptions,
  ) {
    this.symbol = run.symbol;
    this.contract = contractOf(this.symbol, o.filters);
    this.filters = { ...this.contract.filters, maxNotional: '0' };
    this.quote = this.contract.marginAsset;
    const extra = Object.keys(o.balances ?? {}).filter((a) => a !== this.quote);
    if (extra.length > 0)
      throw new BacktestError(
        `futures: the wallet holds ${this.quote} only (margin asset of ${this.symbol}); --balance ${extra.join(', ')} is not a futures balance`,
      );
    this.wallet = o.balances?.[this.quote] ?? '10000';
    this.setup = { market: 'futures', futures: resolveFuturesSetup(o.futures, run.params) };
  }

  open(first: Candle): void {
    const fut = this.setup.futures!;
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
  }

  /** The path plays on the perpetual; then what a live reconcile would find reaches the kernel. */
  playCandle(candle: Candle, run: RunContext): void {
    this.bt.onCandle(candle);
    // Every open order of the kernel whose state changed.
    for (const [id, known] of Object.entries(run.state.orders)) {
      if (isFinalStatus(known.status) || known.status === 'SUBMITTING') continue;
      const found = this.lookup(id, isAlgoRequest(known.request), run.now);
      if (!found || (found.status === known.status && found.executedQty === known.executedQty)) continue;
      run.dispatch({ type: 'orderUpdate', now: run.now, snapshot: found, source: 'reconcile' });
    }
  }

  /** An order by client id as the live lookup (futuresLookup) maps it, with its fills. */
  private lookup(clientOrderId: string, algo: boolean, now: number): OrderSnapshot | null {
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
    const r = perp.getOrder(BACKTEST_ACCOUNT, this.symbol, { origClientOrderId: clientOrderId }, now);
    if (!r.ok) return null;
    return snapshotFromFuturesOrder(r.order, isPositive(r.order.executedQty) ? this.fillsOf(r.order.orderId) : []);
  }

  /** The final status of an order the kernel no longer keeps (the result's order list), as a lookup maps it. */
  finalStatus(clientOrderId: string): string | undefined {
    const perp = this.bt.perp;
    const r = perp.getOrder(BACKTEST_ACCOUNT, this.symbol, { origClientOrderId: clientOrderId });
    if (r.ok) return snapshotFromFuturesOrder(r.order, []).status;
    const a = perp.getAlgo(BACKTEST_ACCOUNT, { clientAlgoId: clientOrderId });
    if (!a.ok) return undefined;
    const algo = a.algo;
    return snapshotFromAlgo(
      { ...algo, algoStatus: algo.status, algoId: algo.algoId, actualOrderId: String(algo.actualOrderId ?? 0) },
      [],
    ).status;
  }

  private fillsOf(orderId: number): OrderSnapshot['fills'] & object {
    return this.bt.perp.trades(BACKTEST_ACCOUNT, this.symbol, { orderId }).map(toFill);
  }

  execute(command: VenueCommand, run: RunContext): BotEvent[] {
    const now = run.now;
    switch (command.type) {
      case 'placeOrder': {
        const { request: req, clientOrderId } = command;
        run.remember(clientOrderId, req);
        const rejection = this.place(clientOrderId, req, now);
        if (rejection) return [{ type: 'orderRejected', now, clientOrderId, ...rejection }];
        const snapshot = this.lookup(clientOrderId, isAlgoRequest(req), now);
        if (!snapshot) throw new BacktestError(`futures order ${clientOrderId} was accepted but cannot be found`);
        return [{ type: 'orderPlaced', now, snapshot }];
      }
      case 'cancelOrder': {
        const algo = isAlgoRequest(run.state.orders[command.clientOrderId]?.request ?? { type: 'MARKET' });
        const perp = this.bt.perp;
        if (algo) perp.cancelAlgo(BACKTEST_ACCOUNT, { clientAlgoId: command.clientOrderId }, now);
        else perp.cancelOrder(BACKTEST_ACCOUNT, command.symbol, { origClientOrderId: command.clientOrderId }, now);
        // Cancelled, or it had already ended: the lookup says which (as futuresCancelOrder does).
        const found = this.lookup(command.clientOrderId, algo, now);
        if (found) return [{ type: 'orderUpdate', now, snapshot: found, source: 'cancel' }];
        return [
          { type: 'cancelRejected', now, clientOrderId: command.clientOrderId, message: '-2011: Unknown order sent.' },
        ];
      }
      case 'reconcile': {
        const events: BotEvent[] = [];
        const missing: string[] = [];
        for (const id of command.clientOrderIds) {
          const known = run.state.orders[id];
          const found = this.lookup(id, known !== undefined && isAlgoRequest(known.request), now);
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
      default: {
        const unknown: never = command;
        throw new BacktestError(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Place an order as the futures runtime sends it; the exchange's refusal, or null. */
  private place(
    clientOrderId: string,
    req: Extract<VenueCommand, { type: 'placeOrder' }>['request'],
    now: number,
  ): { code: string; message: string } | null {
    if (isAlgoRequest(req)) {
      // As futuresOrderParams sends it: closePosition, triggered by the mark price.
      const r = this.bt.perp.placeAlgo({
        accountId: BACKTEST_ACCOUNT,
        symbol: req.symbol,
        side: req.side,
        type: 'STOP_MARKET',
        ...(req.stopPrice !== undefined ? { triggerPrice: req.stopPrice } : {}),
        ...(req.closePosition ? { closePosition: true } : req.quantity !== undefined ? { quantity: req.quantity } : {}),
        ...(!req.closePosition && req.reduceOnly ? { reduceOnly: true } : {}),
        workingType: 'MARK_PRICE',
        clientAlgoId: clientOrderId,
        time: now,
      });
      return r.ok ? null : { code: String(r.code), message: r.msg };
    }
    if (req.type !== 'MARKET' && req.type !== 'LIMIT')
      return {
        code: '-1116',
        message: `Invalid orderType: the futures runtime places MARKET, LIMIT and STOP_MARKET, not ${req.type}`,
      };
    const r = this.bt.executeOrder(clientOrderId, req, now, req.reduceOnly ? { reduceOnly: true } : {});
    return r.ok ? null : { code: String(r.code), message: r.reason };
  }

  /** Margin balance (wallet + unrealised PnL), floats: a chart and ratios, not money. */
  equity(): number {
    return toFloat(this.bt.account().marginBalance);
  }

  inPosition(): boolean {
    return this.bt.position().positionAmt !== '0';
  }

  finish(last: Candle, run: RunContext): VenueOutcome<FuturesBacktestResult> {
    const s: BotState = run.state;
    const account = this.bt.account();
    const position = this.bt.position();
    const funding = this.bt.perp
      .incomes(BACKTEST_ACCOUNT, { incomeType: 'FUNDING_FEE', limit: 1000 })
      .map((r) => ({ time: r.time, income: r.income }));
    return {
      part: {
        filters: this.filters,
        initialBalances: { [this.quote]: this.wallet },
        finalBalances: {
          [this.quote]: {
            free: this.bt.available(),
            locked: str(d(account.marginBalance).minus(this.bt.available()).toDecimalPlaces(8)),
          },
        },
        unrealizedPnl: position.unRealizedProfit,
        fills: this.bt.fills().map((f) => fillOf(f, run.orders)),
        trades: futuresTrades(this.bt.fills(), run.orders),
        futures: {
          leverage: s.setup.futures!.leverage,
          marginType: s.setup.futures!.marginType,
          walletBalance: account.walletBalance,
          funding: funding.reduce((sum, r) => add(sum, r.income), '0'),
          fundingPayments: funding,
          liquidations: this.bt.liquidations,
          exchangePosition: { positionAmt: position.positionAmt, entryPrice: position.entryPrice },
        },
      },
      initialEquity: this.wallet,
      finalEquity: account.marginBalance,
      lastPrice: this.bt.perp.lastPrice(this.symbol) ?? last.close,
    };
  }
}

/** An order a protective stop placed when triggered carries the stop's client id. */
function fillOf(f: PerpFillView, orders: ReadonlyMap<string, BacktestOrder>): BacktestFill & { realizedPnl: Dec } {
  return { ...fillRecord(f, orders, f.realizedPnl !== '0' ? 'exit' : 'entry'), realizedPnl: f.realizedPnl };
}
