/**
 * Seed 004 on the USDⓈ-M perpetual: the book's sign gives the side (long on a bid-heavy book, short
 * on an ask-heavy one), "3% for trade with max allowed leverage" and the 90 % cap worked by hand,
 * and the futures exits (reduce-only LIMIT take-profit, reduce-only STOP_MARKET stop-loss, never an
 * OCO) through the real kernel, next to the kernel's closePosition protective stop.
 */
import { describe, expect, it } from 'vitest';
import type { BookSummary } from '../../core/analysis/book';
import { resolveFuturesSetup } from '../../core/futures/setup';
import { type BotSetup, type Command, createBotState } from '../../core/kernel';
import { riskConfigSchema } from '../../core/risk/guard';
import { perpTradeSize } from '../../core/strategies/book-imbalance-perp';
import {
  type BookImbalanceState,
  type BookTrade,
  bookImbalance,
  bookImbalanceParams,
  planTrade,
} from '../../core/strategies/book-imbalance';
import type { Json } from '../../core/strategy';
import {
  type Bot,
  T0,
  accepted,
  feed,
  fetches,
  filled,
  filtersFor,
  placements,
  strategyState,
} from '../support/seed-harness';

const FILTERS = filtersFor('BTCUSDT', 'BTC', 'USDT', '0.01', '0.001');
const P = bookImbalanceParams.parse({ precentagePerTrade: '0.03', enableShort: true, leverage: 50, feeRate: '0.0005' });

/** A book summary around 100.00 / 100.01 with a bid peak at 99.90 and an ask peak at 100.10. */
const summary = (askShare: number, time = T0): BookSummary => ({
  symbol: 'BTCUSDT',
  time,
  levels: { bids: 20, asks: 20 },
  bestBid: '100',
  bestAsk: '100.01',
  bidVolume: 1 - askShare,
  askVolume: askShare,
  askShare,
  bidPeaks: [{ price: '99.9', volume: 8, prominence: 6, level: 10 }],
  askPeaks: [{ price: '100.1', volume: 9, prominence: 8, level: 9 }],
  thresholds: { bid: 1, ask: 1 },
});

const plan = (askShare: number) => {
  const r = planTrade(summary(askShare), P);
  if (!r.ok) throw new Error(r.why);
  return r.plan;
};

const trade = (id: number, side: 'long' | 'short', notional: string): BookTrade => ({
  id,
  side,
  phase: 'open',
  entry: '100',
  tp: String(90 + id),
  sl: '120',
  qty: '1',
  notional,
  filledQty: '1',
  fillPrice: '100',
  candlesWaiting: 0,
  openedAt: 0,
});

describe('seed 004 futures sizing: 3 % of the capital as margin at the leverage, fee kept out, 90 % cap', () => {
  it('free margin 1000 at 50×: margin 30, qty = 30 / (100 × (1/50 + 0.0005)) = 14.634146… → 14.634', () => {
    const r = perpTradeSize(plan(0.8), [], '1000', P, FILTERS);
    // capital = min(10000, 1000 free + 0 held) = 1000; 0.03 × 1000 = 30; 30 / 2.05 = 14.6341…
    expect(r).toMatchObject({ ok: true, qty: '14.634', notional: '1463.4', margin: '30', capital: '1000' });
  });

  it('the capital param bounds it: capital 500 with 1000 free → margin 15, qty 7.317', () => {
    const r = perpTradeSize(plan(0.8), [], '1000', { ...P, capital: '500' }, FILTERS);
    expect(r).toMatchObject({ ok: true, qty: '7.317', margin: '15', capital: '500' });
  });

  it('the margin held by all trades stays within 90 % of the capital', () => {
    const wide = { ...P, precentagePerTrade: '0.3', maxConcurrentTrades: 10 };
    // Two shorts hold 15000 / 50 = 300 each; 700 free: capital 1300, margin 390, qty 190.243
    // (notional 19024.3, margin 380.486): held 980.486 <= 1170 = 0.9 × 1300.
    const two = [trade(1, 'short', '15000'), trade(2, 'short', '15000')];
    expect(perpTradeSize(plan(0.8), two, '700', wide, FILTERS)).toMatchObject({ ok: true, qty: '190.243' });
    // Three hold 900, 400 free: capital 1300 again, but 900 + 380.486 = 1280.486 > 1170.
    const three = [...two, trade(3, 'short', '15000')];
    expect(perpTradeSize(plan(0.8), three, '400', wide, FILTERS)).toEqual({
      ok: false,
      reason: 'margin held would be 1280.486, above 1170 (0.9 of capital 1300)',
    });
  });

  it('no margin known, or too little for the lot: no trade, with the reason', () => {
    expect(perpTradeSize(plan(0.8), [], null, P, FILTERS)).toEqual({
      ok: false,
      reason: 'the available margin is unknown or zero',
    });
    expect(perpTradeSize(plan(0.8), [], '0.05', P, FILTERS)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/opens no short at 100$/),
    });
  });
});

function futuresBot(params: Record<string, unknown> = {}): Bot {
  const parsed = bookImbalance.params.parse({ ...P, ...params }) as Json;
  const setup: BotSetup = {
    name: 'minerva-perp',
    strategy: bookImbalance.id,
    symbol: 'BTCUSDT',
    interval: '1m',
    account: 'paper',
    params: parsed,
    onStop: 'cancel-orders',
    risk: riskConfigSchema.parse({}),
    market: 'futures',
    futures: resolveFuturesSetup({ marginType: 'ISOLATED' }, parsed),
  };
  const bot: Bot = { state: createBotState(setup, bookImbalance, T0), commands: [], strategy: bookImbalance };
  feed(bot, { type: 'start', now: T0, filters: FILTERS, fresh: true });
  feed(bot, { type: 'reconciled', now: T0, balances: { base: '0', quote: '1000' }, orphans: [], missing: [] });
  return bot;
}

const candleAt = (i: number) => ({
  symbol: 'BTCUSDT',
  interval: '1m' as const,
  openTime: T0 + i * 60_000,
  closeTime: T0 + (i + 1) * 60_000 - 1,
  open: '100',
  high: '100',
  low: '100',
  close: '100',
  volume: '1',
});

/** One candle closes, the bot asks for the book, the summary comes back: the commands of the answer. */
function readBook(bot: Bot, i: number, askShare: number): Command[] {
  const now = T0 + (i + 1) * 60_000;
  const req = fetches(feed(bot, { type: 'candle', now, candle: candleAt(i) }))[0]!;
  expect(req.request).toMatchObject({ kind: 'custom', name: 'bookSummary', input: { market: 'futures', limit: 500 } });
  return feed(bot, { type: 'data', now: now + 1, requestId: req.requestId, result: summary(askShare, now) as never });
}

describe('seed 004 on futures through the kernel', () => {
  it('a bid-heavy book (ask share 0.2) goes long: LIMIT buy at the best ask, sized from the margin', () => {
    const bot = futuresBot();
    const placed = placements(readBook(bot, 0, 0.2));
    expect(placed).toHaveLength(1);
    // 30 / (100.01 × 0.0205) = 14.6326… → 14.632
    expect(placed[0]!.request).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      price: '100.01',
      quantity: '14.632',
      timeInForce: 'GTC',
    });
    expect(strategyState<BookImbalanceState>(bot).decisions.at(-1)).toMatchObject({
      action: 'enter-long',
      facts: { margin: '30', leverage: 50, capital: '1000' },
    });
  });

  it('an ask-heavy book (ask share 0.8) goes short; the fill brings a reduce-only TP LIMIT, a reduce-only STOP_MARKET and the protective stop; the TP fill closes it and cancels the stop-loss', () => {
    const bot = futuresBot();
    const entry = placements(readBook(bot, 0, 0.8))[0]!;
    expect(entry.request).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      price: '100',
      quantity: '14.634',
      timeInForce: 'GTC',
    });
    const afterFill = feed(bot, {
      type: 'orderPlaced',
      now: T0 + 60_002,
      snapshot: filled(entry.clientOrderId, 'BTCUSDT', '100', '14.634', T0 + 60_002, '0.7317'),
    });
    expect(afterFill.some((c) => c.type === 'placeOco')).toBe(false);
    const exits = placements(afterFill).map((c) => c.request);
    expect(exits).toEqual([
      // The strategy's: take-profit at the bid peak, stop-loss beyond the ask peak + 0.2, both reduce-only.
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        price: '99.9',
        quantity: '14.634',
        timeInForce: 'GTC',
        reduceOnly: true,
      },
      { symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_MARKET', stopPrice: '100.3', quantity: '14.634', reduceOnly: true },
      // The kernel's: closePosition 1 % (50 / 50×) above the entry.
      { symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_MARKET', stopPrice: '101', closePosition: true },
    ]);
    expect(bot.state.position.qty).toBe('-14.634');
    const [tp, sl] = placements(afterFill);
    feed(bot, { type: 'orderPlaced', now: T0 + 60_003, snapshot: accepted(tp!.clientOrderId, 'BTCUSDT', T0 + 60_003) });
    feed(bot, { type: 'orderPlaced', now: T0 + 60_004, snapshot: accepted(sl!.clientOrderId, 'BTCUSDT', T0 + 60_004) });
    const closing = feed(bot, {
      type: 'orderUpdate',
      now: T0 + 90_000,
      snapshot: filled(tp!.clientOrderId, 'BTCUSDT', '99.9', '14.634', T0 + 90_000, '0.29238'),
      source: 'stream',
    });
    const cancels = closing.filter((c) => c.type === 'cancelOrder').map((c) => c.clientOrderId);
    expect(cancels).toContain(sl!.clientOrderId);
    const s = strategyState<BookImbalanceState>(bot);
    expect(s.trades).toEqual({});
    // (100 - 99.9) × 14.634 = 1.4634 (fees are the exchange's, in the position's realised PnL).
    expect(s.closed[0]).toMatchObject({ side: 'short', exit: 'take-profit', exitPrice: '99.9', pnl: '1.4634' });
    expect(bot.state.position.qty).toBe('0');
  });

  it('one-way mode: a long signal while a short is open is skipped, not netted', () => {
    const bot = futuresBot();
    const entry = placements(readBook(bot, 0, 0.8))[0]!;
    feed(bot, {
      type: 'orderPlaced',
      now: T0 + 60_002,
      snapshot: filled(entry.clientOrderId, 'BTCUSDT', '100', '14.634', T0 + 60_002),
    });
    expect(placements(readBook(bot, 1, 0.2))).toEqual([]);
    expect(strategyState<BookImbalanceState>(bot).decisions.at(-1)!.reason).toMatch(
      /^one-way mode: a long would close short #1/,
    );
  });

  it('a stop-loss the exchange refuses (-2021, would trigger at once) closes at market, reduce-only, and cancels the TP', () => {
    const bot = futuresBot();
    const entry = placements(readBook(bot, 0, 0.8))[0]!;
    const [tp, sl] = placements(
      feed(bot, {
        type: 'orderPlaced',
        now: T0 + 60_002,
        snapshot: filled(entry.clientOrderId, 'BTCUSDT', '100', '14.634', T0 + 60_002),
      }),
    );
    feed(bot, { type: 'orderPlaced', now: T0 + 60_003, snapshot: accepted(tp!.clientOrderId, 'BTCUSDT', T0 + 60_003) });
    const cmds = feed(bot, {
      type: 'orderRejected',
      now: T0 + 60_004,
      clientOrderId: sl!.clientOrderId,
      code: '-2021',
      message: 'Order would immediately trigger.',
    });
    expect(placements(cmds).map((c) => c.request)).toEqual([
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '14.634', reduceOnly: true },
    ]);
    expect(cmds.filter((c) => c.type === 'cancelOrder').map((c) => c.clientOrderId)).toContain(tp!.clientOrderId);
  });

  it('shorts disabled: an ask-heavy book is no trade on futures either', () => {
    const bot = futuresBot({ enableShort: false });
    expect(placements(readBook(bot, 0, 0.8))).toEqual([]);
  });
});
