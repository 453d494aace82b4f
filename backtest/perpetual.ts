/**
 * The backtester's USDⓈ-M perpetual: one account on venue/perpetual's engine — the same code the
 * paper exchange's futures side runs — with the kernel's shapes around it: a kernel order
 * request in, an OrderSnapshot with its fills out; the signed position and the available margin
 * out for reconciliation. Seed 003's short side and seed 004's shorts run here.
 *
 * Candles play through the shared price path (venue/path.ts): resting orders, conditional
 * orders, funding every 8 h at the mark and liquidation at the maintenance margin happen on the
 * same points as on the paper exchange. Pure: decimal strings, no clock.
 */
import { type Dec, Decimal, d, floorToStep, str } from '../core/decimal';
import type { Candle, SymbolFilters } from '../core/market';
import type { OrderRequest, OrderSnapshot } from '../core/orders';
import {
  BTCUSDT_BRACKETS,
  DEFAULT_MAKER_FEE,
  DEFAULT_TAKER_FEE,
  type LeverageBracket,
  type MarginType,
  Perpetual,
  type PerpEvent,
  type PerpFillView,
  type PerpSymbol,
  perpSymbol,
} from '../venue/perpetual';
import { decimals } from '../venue/perpetual/validate';
import { toFill } from '../venue';

export interface PerpetualConfig {
  /** The seed's "x10 pour le contrat BTC Perp". */
  readonly leverage: number;
  readonly marginType?: MarginType;
  /** Default: Binance USDⓈ-M base tier (venue/perpetual/fees.ts). */
  readonly takerFee?: Dec;
  readonly makerFee?: Dec;
  /** Default: Binance's BTCUSDT brackets (0.4 % maintenance below 50,000 notional). */
  readonly brackets?: readonly LeverageBracket[];
  readonly fundingRate?: Dec;
  readonly fundingIntervalMs?: number;
}

export const DEFAULT_PERPETUAL: PerpetualConfig = {
  leverage: 10,
  takerFee: DEFAULT_TAKER_FEE,
  makerFee: DEFAULT_MAKER_FEE,
};

const ACCOUNT = 'backtest';

/** A perpetual contract with the bot's symbol filters (precisions from the tick and the step). */
export function contractFor(
  filters: SymbolFilters,
  brackets: readonly LeverageBracket[] = BTCUSDT_BRACKETS,
): PerpSymbol {
  return perpSymbol(filters, {
    pricePrecision: decimals(filters.tickSize),
    quantityPrecision: decimals(filters.stepSize),
    brackets,
  });
}

export type ExecuteOutcome =
  | { readonly ok: true; readonly snapshot: OrderSnapshot }
  | { readonly ok: false; readonly code: number; readonly reason: string };

export class BacktestPerpetual {
  readonly perp: Perpetual;
  readonly symbol: string;
  /** Liquidations seen so far. */
  liquidations = 0;

  constructor(
    readonly contract: PerpSymbol,
    wallet: Dec,
    readonly config: PerpetualConfig = DEFAULT_PERPETUAL,
    startTime = 0,
  ) {
    this.symbol = contract.filters.symbol;
    this.perp = new Perpetual({
      symbols: [contract],
      takerFee: config.takerFee ?? DEFAULT_TAKER_FEE,
      makerFee: config.makerFee ?? DEFAULT_MAKER_FEE,
      ...(config.fundingRate !== undefined ? { fundingRate: config.fundingRate } : {}),
      ...(config.fundingIntervalMs !== undefined ? { fundingIntervalMs: config.fundingIntervalMs } : {}),
    });
    this.perp.addAccount(ACCOUNT, { [contract.marginAsset]: wallet }, startTime);
    if (config.marginType === 'ISOLATED') this.perp.setMarginType(ACCOUNT, this.symbol, 'ISOLATED', startTime);
    const lev = this.perp.setLeverage(ACCOUNT, this.symbol, config.leverage, startTime);
    if (!lev.ok) throw new RangeError(`leverage ${config.leverage}: ${lev.msg}`);
  }

  /** The market traded at `price` now (a jump: e.g. the open of the next candle). */
  setPrice(price: Dec, time: number): readonly PerpEvent[] {
    return this.watch(this.perp.onPrice(this.symbol, { price, time, qty: null, sweep: false }));
  }

  /** Play one candle: fills, triggers, funding and liquidation on its path. */
  onCandle(
    candle: Pick<Candle, 'open' | 'high' | 'low' | 'close' | 'volume' | 'openTime' | 'closeTime'>,
  ): readonly PerpEvent[] {
    return this.watch(this.perp.onCandle(this.symbol, candle));
  }

  private watch(events: readonly PerpEvent[]): readonly PerpEvent[] {
    for (const e of events) if (e.kind === 'order' && e.executionType === 'CALCULATED') this.liquidations++;
    return events;
  }

  /** A kernel `placeOrder` (MARKET or LIMIT, base quantity) as a futures order with the bot's client id. */
  executeOrder(
    clientOrderId: string,
    request: OrderRequest,
    time: number,
    opts: { reduceOnly?: boolean } = {},
  ): ExecuteOutcome {
    if (request.type !== 'MARKET' && request.type !== 'LIMIT')
      return {
        ok: false,
        code: -1116,
        reason: `the perpetual takes MARKET and LIMIT orders here, not ${request.type}`,
      };
    if (request.quantity === undefined)
      return { ok: false, code: -1102, reason: 'a futures order needs a base quantity (quoteOrderQty is spot only)' };
    const r = this.perp.placeOrder({
      accountId: ACCOUNT,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      quantity: request.quantity,
      ...(request.type === 'LIMIT' ? { price: request.price, timeInForce: request.timeInForce ?? 'GTC' } : {}),
      ...(opts.reduceOnly ? { reduceOnly: true } : {}),
      newClientOrderId: clientOrderId,
      time,
    });
    if (!r.ok) return { ok: false, code: r.code, reason: r.msg };
    this.watch(r.events);
    return { ok: true, snapshot: toSnapshot(r.order, r.fills) };
  }

  /** Signed position (short < 0) and the available margin, for the kernel's reconciliation. */
  reconcileBalances(): { base: Dec; quote: Dec } {
    return { base: this.position().positionAmt, quote: this.available() };
  }

  position() {
    return this.perp.positions(ACCOUNT, this.symbol)[0] as NonNullable<ReturnType<Perpetual['positions']>[number]>;
  }

  account() {
    return this.perp.account(ACCOUNT, this.contract.marginAsset) as NonNullable<ReturnType<Perpetual['account']>>;
  }

  available(): Dec {
    const a = d(this.account().availableBalance);
    return a.isPositive() ? str(a) : '0';
  }

  /** "taille_max = marge_disponible × levier": the largest new position at `price`, taker fee included, on the step. */
  maxQuantity(price: Dec): Dec {
    const lev = this.perp.symbolSettings(ACCOUNT, this.symbol).leverage;
    const perUnit = d(price).dividedBy(lev).plus(d(price).times(this.perp.settings().takerFee));
    return floorToStep(
      str(d(this.available()).dividedBy(perUnit).toDecimalPlaces(12, Decimal.ROUND_DOWN)),
      this.contract.filters.stepSize,
    );
  }

  fills(): readonly PerpFillView[] {
    return this.perp.allFills();
  }
}

function toSnapshot(
  order: {
    clientOrderId: string;
    symbol: string;
    orderId: number;
    status: string;
    executedQty: Dec;
    cumQuote: Dec;
    updateTime: number;
  },
  fills: readonly PerpFillView[],
): OrderSnapshot {
  return {
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    exchangeOrderId: order.orderId,
    status: order.status as OrderSnapshot['status'],
    executedQty: order.executedQty,
    cumulativeQuoteQty: order.cumQuote,
    updateTime: order.updateTime,
    fills: fills.map(toFill),
  };
}
