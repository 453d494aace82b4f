/**
 * The spot half of a backtest: the venue simulator (venue/) — the same matching, fees and filters
 * the paper exchange uses, so a backtest and a paper run of the same candles place the same orders
 * and get the same fills — behind the driver's SimulatedVenue (driver.ts).
 *
 * A candle's path, in the order the paper exchange replaying a file produces things: the venue
 * plays the path (venue/path.ts): resting orders fill, stops trigger; price watches (`watch`
 * intents) are checked on the same path points; then the executions reach the kernel as stream
 * `orderUpdate` events, and the watches that fired as `trigger` events, in time order. Orders
 * placed in reaction trade from the candle's close on. Pure.
 */
import { type Dec, add, d, isPositive, mul, str, sub, toFloat } from '../core/decimal';
import type { BotEvent, BotState } from '../core/kernel';
import type { Candle, SymbolFilters } from '../core/market';
import type { OrderRequest, OrderSnapshot } from '../core/orders';
import { splitSymbol } from '../core/symbols';
import { type VenueEvent, type VenueSymbol, Venue, candlePricePath, toOrderSnapshot } from '../venue';
import { type RunContext, type SimulatedVenue, type VenueCommand, type VenueOutcome, fillRecord } from './driver';
import { creditPnl, recordRejections, spotTrades } from './spot-report';
import { spotSymbolOf } from './spot-symbol';
import { BACKTEST_ACCOUNT, type BacktestFill, type BacktestOptions, type BacktestResult, BacktestError } from './types';

type Trigger = { time: number; id: string; price: Dec };

export class SpotVenue implements SimulatedVenue<BacktestResult> {
  readonly filters: SymbolFilters;
  private readonly spec: VenueSymbol;
  private readonly venue: Venue;
  private readonly base: string;
  private readonly quote: string;
  private readonly initialBalances: Record<string, Dec>;
  private readonly minQty: number;
  private firstOpen: Dec = '0';
  private readonly fills: BacktestFill[] = [];
  private readonly pnlByOrder = new Map<string, Dec>();
  private balancesDirty = true;
  private baseTotal = 0;
  private quoteTotal = 0;

  constructor(
    private readonly symbol: string,
    o: BacktestOptions,
  ) {
    this.spec = spotSymbolOf(symbol, o);
    this.filters = this.spec.filters;
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
  }

  open(first: Candle): void {
    this.firstOpen = first.open;
    this.venue.addAccount(BACKTEST_ACCOUNT, this.initialBalances, first.openTime);
    this.venue.setLastPrice(this.symbol, first.open);
  }

  // ---- one candle ----------------------------------------------------------------------------

  playCandle(candle: Candle, run: RunContext): void {
    let watching = false;
    for (const _ in run.state.watches) {
      watching = true;
      break;
    }
    const events = this.venue.onCandle(this.symbol, candle);
    if (events.length > 0 || watching) this.deliverPath(run, events, watching ? this.triggersOf(run, candle) : []);
  }

  /** Price watches crossed on the candle's path, at the first point that crosses each. */
  private triggersOf(run: RunContext, candle: Candle): Trigger[] {
    const out: Trigger[] = [];
    const path = candlePricePath(candle);
    for (const [id, w] of Object.entries(run.state.watches)) {
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
  private deliverPath(run: RunContext, events: readonly VenueEvent[], triggers: readonly Trigger[]): void {
    const now = run.now;
    const updates: BotEvent[] = [];
    for (const e of events) {
      if (e.kind !== 'order' || e.accountId !== BACKTEST_ACCOUNT || e.executionType === 'NEW') continue;
      if (e.fill) this.fills.push(fillRecord(e.fill, run.orders, e.fill.side === 'BUY' ? 'entry' : 'exit'));
      this.balancesDirty = true;
      updates.push({
        type: 'orderUpdate',
        now,
        snapshot: toOrderSnapshot(e.order, e.fill ? [e.fill] : []),
        source: 'stream',
      });
    }
    // The bot acts only once the whole path is played (as against the paper exchange, whose replay
    // plays a candle in one go): it first learns every execution, then the watches that fired, so
    // a trigger is never acted on with a stale view of the orders.
    for (const event of updates) run.dispatch(event);
    for (const t of triggers) run.dispatch({ type: 'trigger', now, id: t.id, price: t.price, time: t.time });
  }

  // ---- commands ------------------------------------------------------------------------------

  execute(command: VenueCommand, run: RunContext): BotEvent[] {
    const now = run.now;
    switch (command.type) {
      case 'placeOrder': {
        const req = command.request;
        run.remember(command.clientOrderId, req);
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
        for (const f of r.fills) this.fills.push(fillRecord(f, run.orders, f.side === 'BUY' ? 'entry' : 'exit'));
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
        run.remember(command.aboveClientOrderId, legRequest(req.above), command.listClientOrderId);
        run.remember(command.belowClientOrderId, legRequest(req.below), command.listClientOrderId);
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
        for (const f of r.fills) this.fills.push(fillRecord(f, run.orders, f.side === 'BUY' ? 'entry' : 'exit'));
        const snapshots: OrderSnapshot[] = r.orders.map((o) =>
          toOrderSnapshot(
            o,
            r.fills.filter((f) => f.orderId === o.orderId),
          ),
        );
        return [{ type: 'orderListPlaced', now, listClientOrderId: command.listClientOrderId, snapshots }];
      }
      case 'cancelOrder':
        return this.cancel(command.symbol, command.clientOrderId, now);
      case 'reconcile':
        return this.reconcile(command.clientOrderIds, run);
      default: {
        const unknown: never = command;
        throw new BacktestError(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  }

  private cancel(symbol: string, clientOrderId: string, now: number): BotEvent[] {
    const r = this.venue.cancelOrder({
      accountId: BACKTEST_ACCOUNT,
      symbol,
      origClientOrderId: clientOrderId,
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
    const found = this.venue.getOrder(BACKTEST_ACCOUNT, symbol, { origClientOrderId: clientOrderId });
    if (found.ok) {
      const fills =
        found.order.executedQty === '0'
          ? []
          : this.venue.trades(BACKTEST_ACCOUNT, symbol, { orderId: found.order.orderId });
      return [{ type: 'orderUpdate', now, snapshot: toOrderSnapshot(found.order, fills), source: 'cancel' }];
    }
    return [{ type: 'cancelRejected', now, clientOrderId, message: `${r.code}: ${r.msg}` }];
  }

  private reconcile(clientOrderIds: readonly string[], run: RunContext): BotEvent[] {
    const now = run.now;
    const missing: string[] = [];
    const events: BotEvent[] = [];
    for (const id of clientOrderIds) {
      const found = this.venue.getOrder(BACKTEST_ACCOUNT, this.symbol, { origClientOrderId: id });
      if (!found.ok) {
        missing.push(id);
        continue;
      }
      // The simulated stream loses nothing, so the kernel is usually up to date: an unchanged
      // order (the kernel would ignore it) is not sent again; fills already came by the stream.
      const known = run.state.orders[id];
      if (known && known.status === found.order.status && known.executedQty === found.order.executedQty) continue;
      events.push({ type: 'orderUpdate', now, snapshot: toOrderSnapshot(found.order), source: 'reconcile' });
    }
    const base = this.venue.balance(BACKTEST_ACCOUNT, this.base).free;
    const quote = this.venue.balance(BACKTEST_ACCOUNT, this.quote).free;
    events.push({ type: 'reconciled', now, balances: { base, quote }, orphans: [], missing });
    return events;
  }

  balances(symbol: string): { base: Dec; quote: Dec } {
    const { base, quote } = splitSymbol(symbol);
    return {
      base: this.venue.balance(BACKTEST_ACCOUNT, base).free,
      quote: this.venue.balance(BACKTEST_ACCOUNT, quote).free,
    };
  }

  // ---- what the kernel did -------------------------------------------------------------------

  afterStep(event: BotEvent, before: { realizedPnl: Dec; ordersRejected: number }, run: RunContext): void {
    const s = run.state;
    if (s.position.realizedPnl !== before.realizedPnl)
      creditPnl(this.pnlByOrder, event, sub(s.position.realizedPnl, before.realizedPnl));
    if (s.stats.ordersRejected !== before.ordersRejected) recordRejections(s, run.orders);
  }

  // ---- equity and results --------------------------------------------------------------------

  equity(price: Dec): number {
    if (this.balancesDirty) {
      const b = this.venue.balance(BACKTEST_ACCOUNT, this.base);
      const q = this.venue.balance(BACKTEST_ACCOUNT, this.quote);
      this.baseTotal = toFloat(b.free) + toFloat(b.locked);
      this.quoteTotal = toFloat(q.free) + toFloat(q.locked);
      this.balancesDirty = false;
    }
    return this.quoteTotal + (this.baseTotal === 0 ? 0 : this.baseTotal * toFloat(price));
  }

  /** In a position as the kernel counts it: at least the minimum quantity (dust is flat). */
  inPosition(state: BotState): boolean {
    const qty = state.position.qty;
    return qty !== '0' && Number(qty) >= this.minQty;
  }

  finalStatus(clientOrderId: string): string | undefined {
    const final = this.venue.getOrder(BACKTEST_ACCOUNT, this.symbol, { origClientOrderId: clientOrderId });
    return final.ok ? final.order.status : undefined;
  }

  finish(last: Candle, run: RunContext): VenueOutcome<BacktestResult> {
    const s = run.state;
    const finalBalances: Record<string, { free: Dec; locked: Dec }> = {};
    for (const b of this.venue.balances(BACKTEST_ACCOUNT)) finalBalances[b.asset] = { free: b.free, locked: b.locked };
    const lastPrice = this.venue.lastPrice(this.symbol) ?? last.close;
    const total = (asset: string) => add(finalBalances[asset]?.free ?? '0', finalBalances[asset]?.locked ?? '0');
    return {
      part: {
        filters: this.spec.filters,
        initialBalances: this.initialBalances,
        finalBalances,
        // From the position's exact cost (its average entry price is rounded).
        unrealizedPnl: isPositive(s.position.qty)
          ? str(d(s.position.qty).times(lastPrice).minus(s.position.cost).toDecimalPlaces(8))
          : '0',
        fills: this.fills,
        trades: spotTrades(this.fills, run.orders, this.pnlByOrder, this.quote),
      },
      initialEquity: add(
        this.initialBalances[this.quote] ?? '0',
        mul(this.initialBalances[this.base] ?? '0', this.firstOpen),
      ),
      finalEquity: add(total(this.quote), mul(total(this.base), lastPrice)),
      lastPrice,
    };
  }
}
