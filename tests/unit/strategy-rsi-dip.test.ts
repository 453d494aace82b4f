/**
 * The worked example of docs/writing-a-strategy.md, `rsi-dip`: in the backtester on hand-built
 * candles (fees 0.1 % in the asset received), through the kernel for the warm-up and pause, its
 * params, and the guide's bot definition checked as a bot config.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBotDefinition } from '../../core/bot-definition';
import type { Candle } from '../../core/market';
import { type RsiDipState, rsiDip, rsiDipParams } from '../../core/strategies/rsi-dip';
import { backtest, fillLines, orderLines } from '../support/fixtures/backtest';
import { flat } from '../support/fixtures/market';
import { Wilder, createBot, feed, fetches, placements, start, strategyState } from '../support/seed-harness';

const params = {
  rsiPeriod: 3,
  oversold: 30,
  sizing: { mode: 'base', quantity: '1' },
  exits: { takeProfits: [{ pct: '2', share: '100' }], stopLoss: { pct: '5' } },
};

/** RSI(3) of a close series, computed independently (Wilder's formula in the test harness). */
function rsiOf(closes: readonly number[]): number | null {
  const w = new Wilder(3);
  for (const c of closes) w.push(c);
  return w.value;
}

describe('rsi-dip in the backtester', () => {
  // Rising to 103, then 99 (RSI 33.3) and 96 (RSI 19): the dip. Trade 1 sells at its +2 % target on
  // the next candle; trade 2 buys at 94 and is stopped out at 89.3 (−5 %) on the way down to 86,
  // where trade 3 buys again.
  const closes = [100, 101, 102, 103, 99, 96, 98, 97, 94, 92, 87];
  const rows = [
    flat(100),
    flat(101),
    flat(102),
    flat(103),
    flat(99),
    flat(96),
    [96, 98, 96, 98],
    flat(97),
    flat(94),
    flat(92),
    [92, 93, 86, 87],
  ] as const;
  const r = backtest(rsiDip, params, [...rows], { balances: { USDT: '1000' } });

  it('buys each close with the RSI under 30, and sells with the exits: take-profit or stop-loss', () => {
    expect(rsiOf(closes.slice(0, 5))).toBeGreaterThan(30);
    expect(rsiOf(closes.slice(0, 6))).toBeLessThan(30);
    expect(orderLines(r)).toEqual([
      'buy-1 BUY MARKET 1 → FILLED',
      // 0.999 BTC after the fee; an OCO: target 96 × 1.02, stop 96 × 0.95.
      'x1-1 SELL LIMIT_MAKER 0.999@97.92 → FILLED',
      'x1-1 SELL STOP_LOSS 0.999 stop:91.2 → EXPIRED',
      'buy-2 BUY MARKET 1 → FILLED',
      'x2-1 SELL LIMIT_MAKER 0.999@95.88 → EXPIRED',
      'x2-1 SELL STOP_LOSS 0.999 stop:89.3 → FILLED',
      'buy-3 BUY MARKET 1 → FILLED',
      'x3-1 SELL LIMIT_MAKER 0.999@88.74 → NEW',
      'x3-1 SELL STOP_LOSS 0.999 stop:82.65 → NEW',
    ]);
    expect(fillLines(r)).toEqual([
      'buy-1 BUY 1@96 fee 0.001 BTC',
      'x1-1 SELL 0.999@97.92 fee 0.09782208 USDT',
      'buy-2 BUY 1@94 fee 0.001 BTC',
      'x2-1 SELL 0.999@89.3 fee 0.0892107 USDT',
      'buy-3 BUY 1@87 fee 0.001 BTC',
    ]);
    expect(r.orders[0]!.reason).toMatch(/^dip: RSI 19\.\d+ < 30$/);
    expect(r.botStatus).toBe('RUNNING');
  });

  it('no history in the backtest before its first candle: the warm-up says so, and the RSI warms on live candles', () => {
    expect(r.notifications.map((n) => n.message)).toEqual([
      'RSI warm-up failed; deciding once enough live candles have closed',
    ]);
  });

  it('without repeat, the bot stops once the first trade is closed', () => {
    const once = backtest(rsiDip, { ...params, repeat: false }, [...rows], { balances: { USDT: '1000' } });
    expect(orderLines(once)).toHaveLength(3);
    expect(once.stopReason).toBe('rsi-dip: trade 1 closed');
  });

  it('an entry the balance cannot pay for is skipped, not sent', () => {
    const poor = backtest(rsiDip, params, [...rows], { balances: { USDT: '50' } });
    expect(poor.orders).toEqual([]);
  });
});

describe('rsi-dip through the kernel', () => {
  const candle = (i: number, close: number): Candle => {
    const c = String(close);
    return {
      symbol: 'BTCUSDT',
      interval: '1h',
      openTime: i * 3_600_000,
      closeTime: (i + 1) * 3_600_000 - 1,
      open: c,
      high: c,
      low: c,
      close: c,
      volume: '10',
    };
  };

  it('warms up on the history it asks for at start, then decides on the first live candle', () => {
    const bot = createBot(rsiDip, params, { interval: '1h', now: 10 * 3_600_000 });
    const req = fetches(start(bot, 10 * 3_600_000, undefined, { base: '0', quote: '1000' }))[0]!;
    expect(req).toMatchObject({ requestId: 'rsi-dip-warmup', request: { kind: 'candles', interval: '1h', limit: 30 } });
    feed(bot, {
      type: 'data',
      now: 10 * 3_600_000,
      requestId: req.requestId,
      result: [100, 101, 102, 103, 99].map((c, i) => candle(i, c)) as never,
    });
    expect(strategyState<RsiDipState>(bot).decisions.at(-1)).toMatchObject({
      action: 'warm',
      reason: 'RSI warmed on 5 closed candles',
    });
    const placed = placements(feed(bot, { type: 'candle', now: 6 * 3_600_000, candle: candle(5, 96) }));
    expect(placed.map((p) => [p.request.side, p.request.type, p.request.quantity])).toEqual([['BUY', 'MARKET', '1']]);
    expect(strategyState<RsiDipState>(bot)).toMatchObject({ phase: 'buying', trade: 1 });
  });

  it('paused: the dip is recorded as skipped and nothing is placed', () => {
    const bot = createBot(rsiDip, params, { interval: '1h', now: 10 * 3_600_000 });
    const req = fetches(start(bot, 10 * 3_600_000, undefined, { base: '0', quote: '1000' }))[0]!;
    feed(bot, {
      type: 'data',
      now: 10 * 3_600_000,
      requestId: req.requestId,
      result: [100, 101, 102, 103, 99].map((c, i) => candle(i, c)) as never,
    });
    feed(bot, { type: 'pause', now: 10 * 3_600_000 });
    expect(placements(feed(bot, { type: 'candle', now: 6 * 3_600_000, candle: candle(5, 96) }))).toEqual([]);
    expect(strategyState<RsiDipState>(bot).decisions.at(-1)!.reason).toMatch(
      /^RSI 19\.\d+ < 30 but the bot is paused$/,
    );
  });
});

describe('rsi-dip params', () => {
  it('has defaults for everything, and refuses what makes no sense', () => {
    expect(rsiDipParams.parse({})).toMatchObject({
      rsiPeriod: 14,
      oversold: 30,
      sizing: { mode: 'percent', percent: '10' },
      repeat: true,
    });
    const bad = (p: unknown) => rsiDipParams.safeParse(p).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(bad({ oversold: 0 })).toEqual(['oversold: must be an RSI level from 1 to 99']);
    expect(bad({ exits: { takeProfits: [{ pct: '1', share: '60' }] } })).toEqual([
      'exits.takeProfits: shares add up to 60, not 100',
    ]);
    expect(bad({ rsiPeriod: 14.5 })?.[0]).toMatch(/^rsiPeriod: /);
  });

  it('the bot definition of docs/writing-a-strategy.md is a valid bot config', () => {
    const guide = readFileSync(path.resolve(__dirname, '../../docs/writing-a-strategy.md'), 'utf8');
    const block = /```json bots\.rsi-dip\.json\n([\s\S]*?)```/.exec(guide);
    expect(block, 'the guide has a ```json bots.rsi-dip.json block').not.toBeNull();
    const bots = JSON.parse(block![1]!) as unknown[];
    for (const bot of bots) expect(checkBotDefinition(bot)).toMatchObject({ ok: true });
  });
});
