/**
 * What the kernel unit tests share: BTCUSDT filters, the clock's origin, one-minute candles, fills
 * and snapshots, the setup of a bot in a lineage (tag and branch, as a reset test needs), and a
 * driver that steps the kernel one event at a time and keeps the commands of the last step.
 */
import { type BotEvent, type BotSetup, type BotState, type Command, createBotState, step } from '../../core/kernel';
import type { Candle, SymbolFilters } from '../../core/market';
import type { Fill, OrderSnapshot } from '../../core/orders';
import type { Json } from '../../core/json';
import type { AnyStrategy } from '../../core/strategy';
import { BTCUSDT_SPOT_FILTERS } from '../../venue/symbols';

/** BTCUSDT with a 0.0001 step (a separate market lot filter alike) and no maximum notional. */
export const KERNEL_FILTERS: SymbolFilters = {
  ...BTCUSDT_SPOT_FILTERS,
  stepSize: '0.0001',
  minQty: '0.0001',
  maxQty: '1000',
  marketStepSize: '0.0001',
  marketMinQty: '0.0001',
  marketMaxQty: '100',
  maxNotional: '0',
};

/** BTCUSDT as Binance lists it today (a 0.00001 step, no separate market lot filter), with a 0.1 USDT minimum notional and none at most. */
export const FINE_FILTERS: SymbolFilters = { ...BTCUSDT_SPOT_FILTERS, minNotional: '0.1', maxNotional: '0' };

export const T0 = Date.UTC(2026, 0, 1);
/** The lineage tag of the reset tests' bot (its client order ids are `${TAG}-${branch}${seq}`). */
export const TAG = 'k_AAAAABBBB';

/** The i-th one-minute candle from T0, flat at `close`. */
export const candle = (i: number, close = '100'): Candle => ({
  symbol: 'BTCUSDT',
  interval: '1m',
  openTime: T0 + i * 60_000,
  closeTime: T0 + i * 60_000 + 59_999,
  open: close,
  high: close,
  low: close,
  close,
  volume: '1',
});

/** A taker fill without commission. */
export const fill = (tradeId: number, qty: string, price: string, time = T0): Fill => ({
  tradeId,
  price,
  qty,
  quoteQty: String(Number(qty) * Number(price)),
  commission: '0',
  commissionAsset: 'USDT',
  time,
  isMaker: false,
});

/** A buy of 0.002 BTC at 100 filled, its fee taken in BTC (0.1 %, Binance's default): the lot holds 0.001998. */
export const boughtWithBaseFee = (clientOrderId: string, time: number, tradeId = 1): OrderSnapshot => ({
  clientOrderId,
  symbol: 'BTCUSDT',
  status: 'FILLED',
  executedQty: '0.002',
  cumulativeQuoteQty: '0.2',
  updateTime: time,
  fills: [
    {
      tradeId,
      price: '100',
      qty: '0.002',
      quoteQty: '0.2',
      commission: '0.000002',
      commissionAsset: 'BTC',
      time,
      isMaker: false,
    },
  ],
});

/** An order resting untouched on the book. */
export const resting = (clientOrderId: string, time: number): OrderSnapshot => ({
  clientOrderId,
  symbol: 'BTCUSDT',
  status: 'NEW',
  executedQty: '0',
  cumulativeQuoteQty: '0',
  updateTime: time,
});

export type PlaceOrder = Extract<Command, { type: 'placeOrder' }>;
export const placeOrders = (commands: readonly Command[]): PlaceOrder[] =>
  commands.filter((c): c is PlaceOrder => c.type === 'placeOrder');

/** A BTCUSDT 1m bot named `k`, cancelling its orders on stop. */
export const kernelSetup = (strategy: string, params: Json): BotSetup => ({
  name: 'k',
  strategy,
  symbol: 'BTCUSDT',
  interval: '1m',
  account: 'paper',
  params,
  onStop: 'cancel-orders',
  risk: {},
});

/** A fresh state in the lineage TAG, branch CCCCC (the branch a reset discards). */
export function lineageState(strategy: AnyStrategy, params: Json): BotState {
  return createBotState(kernelSetup(strategy.id, params), strategy, T0, undefined, { tag: TAG, branch: 'CCCCC' });
}

/** Steps the kernel one event at a time; `last` holds the commands of the last step. */
export class KernelBot {
  last: Command[] = [];
  constructor(
    public state: BotState,
    readonly strategy: AnyStrategy,
  ) {}
  send(event: BotEvent): Command[] {
    const r = step(this.state, event, this.strategy);
    this.state = r.state;
    this.last = [...r.commands];
    return this.last;
  }
  /** Started on `filters` and reconciled with these balances, as a fresh run begins. */
  begin(filters: SymbolFilters, balances: { base: string; quote: string }): this {
    this.send({ type: 'start', now: T0, filters, fresh: true });
    this.send({ type: 'reconciled', now: T0, balances, orphans: [], missing: [] });
    return this;
  }
  placements(): PlaceOrder[] {
    return placeOrders(this.last);
  }
}
