/**
 * Test helpers for the seed strategies: drive a strategy through the real bot kernel
 * (core/kernel/) with hand-built events, and answer its orders like an exchange would.
 */
import { type BotEvent, type BotState, type Command, createBotState, step } from '../../core/kernel';
import { type Dec, mul, str } from '../../core/decimal';
import type { Candle, CandleInterval, SymbolFilters } from '../../core/market';
import type { OrderSnapshot } from '../../core/orders';
import type { AnyStrategy, Json } from '../../core/strategy';

export const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);

export function filtersFor(
  symbol: string,
  base: string,
  quote: string,
  tick = '0.01',
  stepSize = '0.00001',
): SymbolFilters {
  return {
    symbol,
    baseAsset: base,
    quoteAsset: quote,
    tickSize: tick,
    minPrice: tick,
    maxPrice: '1000000',
    stepSize,
    minQty: stepSize,
    maxQty: '9000',
    marketStepSize: '0',
    marketMinQty: '0',
    marketMaxQty: '0',
    minNotional: '5',
    maxNotional: '0',
    maxNumOrders: 200,
  };
}

export const BTC_FILTERS = filtersFor('BTCUSDT', 'BTC', 'USDT');

export interface Bot {
  state: BotState;
  commands: Command[];
  readonly strategy: AnyStrategy;
}

export function createBot(
  strategy: AnyStrategy,
  params: Record<string, unknown>,
  opts: { symbol?: string; interval?: CandleInterval; now?: number } = {},
): Bot {
  const parsed = strategy.params.parse(params) as Json;
  const state = createBotState(
    {
      name: `t-${strategy.id}`,
      strategy: strategy.id,
      symbol: opts.symbol ?? 'BTCUSDT',
      interval: opts.interval ?? '1m',
      account: 'paper',
      params: parsed,
      onStop: 'cancel-orders',
      risk: {},
    },
    strategy,
    opts.now ?? T0,
  );
  return { state, commands: [], strategy };
}

/** Feed one event; keeps the commands of this step only. */
export function feed(bot: Bot, event: BotEvent): Command[] {
  const r = step(bot.state, event, bot.strategy);
  bot.state = r.state;
  bot.commands = [...r.commands];
  return bot.commands;
}

export function start(
  bot: Bot,
  now = T0,
  filters: SymbolFilters | null = BTC_FILTERS,
  balances: { base: Dec; quote: Dec } | null = null,
): Command[] {
  // `fresh` tells the kernel this is the bot's first run; the strategy's `start` follows the first
  // reconciliation (as live, where it brings the balances).
  const first = feed(bot, { type: 'start', now, filters, fresh: true });
  const then = feed(bot, { type: 'reconciled', now, balances, orphans: [], missing: [] });
  bot.commands = [...first, ...then];
  return bot.commands;
}

export function candle(
  symbol: string,
  interval: CandleInterval,
  openTime: number,
  ohlcv: { o: Dec; h: Dec; l: Dec; c: Dec; v: Dec },
  stepMs: number,
): Candle {
  return {
    symbol,
    interval,
    openTime,
    closeTime: openTime + stepMs - 1,
    open: ohlcv.o,
    high: ohlcv.h,
    low: ohlcv.l,
    close: ohlcv.c,
    volume: ohlcv.v,
  };
}

export function placements(commands: readonly Command[]) {
  return commands.filter((c): c is Extract<Command, { type: 'placeOrder' }> => c.type === 'placeOrder');
}

export function fetches(commands: readonly Command[]) {
  return commands.filter((c): c is Extract<Command, { type: 'fetch' }> => c.type === 'fetch');
}

let tradeId = 1;

/** The exchange accepted and fully filled an order at one price (fee in quote, 0 by default). */
export function filled(
  clientOrderId: string,
  symbol: string,
  price: Dec,
  qty: Dec,
  time: number,
  fee = '0',
  feeAsset = 'USDT',
): OrderSnapshot {
  const quoteQty = mul(price, qty);
  return {
    clientOrderId,
    symbol,
    exchangeOrderId: tradeId,
    status: 'FILLED',
    executedQty: str(qty),
    cumulativeQuoteQty: quoteQty,
    updateTime: time,
    fills: [
      { tradeId: tradeId++, price, qty, quoteQty, commission: fee, commissionAsset: feeAsset, time, isMaker: false },
    ],
  };
}

export function accepted(clientOrderId: string, symbol: string, time: number): OrderSnapshot {
  return {
    clientOrderId,
    symbol,
    exchangeOrderId: tradeId++,
    status: 'NEW',
    executedQty: '0',
    cumulativeQuoteQty: '0',
    updateTime: time,
  };
}

/** Fill the one order placed by the last step at `price` (market orders: its own quantity). */
export function fillLast(bot: Bot, price: Dec, now: number, qty?: Dec): Command[] {
  const placed = placements(bot.commands);
  if (placed.length !== 1)
    throw new Error(`expected one placement, got ${placed.length}: ${JSON.stringify(bot.commands)}`);
  const p = placed[0]!;
  const q = qty ?? p.request.quantity;
  if (!q) throw new Error('placement without quantity: pass qty');
  return feed(bot, { type: 'orderPlaced', now, snapshot: filled(p.clientOrderId, p.request.symbol, price, q, now) });
}

export function strategyState<S>(bot: Bot): S {
  return bot.state.strategy as unknown as S;
}

// ---- crafted RSI series (seed 003) ----------------------------------------------------------------

/** Wilder's RSI written out independently, plus the close that makes the next RSI hit a target. */
export class Wilder {
  private prev: number | null = null;
  private g = 0;
  private l = 0;
  private count = 0;
  value: number | null = null;
  constructor(private readonly n: number) {}

  push(close: number): void {
    if (this.prev === null) {
      this.prev = close;
      return;
    }
    const ch = close - this.prev;
    this.prev = close;
    const gain = Math.max(ch, 0);
    const loss = Math.max(-ch, 0);
    if (this.count < this.n) {
      this.g += gain / this.n;
      this.l += loss / this.n;
      this.count++;
      if (this.count < this.n) return;
    } else {
      this.g = (this.g * (this.n - 1) + gain) / this.n;
      this.l = (this.l * (this.n - 1) + loss) / this.n;
    }
    this.value = this.l === 0 ? 100 : 100 - 100 / (1 + this.g / this.l);
  }

  closeFor(target: number): number {
    const n = this.n;
    const up = (n * ((this.l * (n - 1)) / n) * target) / (100 - target) - this.g * (n - 1);
    if (up >= 0) return this.prev! + up;
    const down = this.l * (n - 1) - (n * ((this.g * (n - 1)) / n) * (100 - target)) / target;
    return this.prev! + down;
  }
}

const STEP = 15 * 60_000;

export class Market {
  readonly w = new Wilder(12);
  t = T0;
  readonly candles: Candle[] = [];
  /** A candle whose close gives the target RSI (or an explicit close), with a volume. */
  next(target: number | { close: string }, volume = '100'): Candle {
    const close = typeof target === 'number' ? this.w.closeFor(target).toFixed(8) : target.close;
    this.w.push(Number(close));
    const c: Candle = {
      symbol: 'BTCUSDT',
      interval: '15m',
      openTime: this.t,
      closeTime: this.t + STEP - 1,
      open: close,
      high: close,
      low: close,
      close,
      volume,
    };
    this.t += STEP;
    this.candles.push(c);
    return c;
  }
}
