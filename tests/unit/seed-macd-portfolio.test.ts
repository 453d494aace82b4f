/**
 * Seed 002 (MACD daily portfolio): a crossing day against an independent MACD, the k-means levels
 * on known series (and against brute force), the risk manager's amount worked by hand, the
 * balancer's scaling, and the daily cycle through the kernel (00:00 UTC timer, per-symbol candle
 * requests, test orders in dry run, live orders on the bot's symbol).
 */
import { describe, expect, it } from 'vitest';
import { kmeans1d } from '../../core/analysis/kmeans';
import { type SymbolAnalysis, analyzeDaily, balanceAmounts, riskAmount } from '../../core/analysis/macd-portfolio';
import type { Candle } from '../../core/market';
import {
  DAY_MS,
  type MacdPortfolioState,
  macdPortfolio,
  macdPortfolioParams,
  nextMidnight,
  planDay,
} from '../../core/strategies/macd-portfolio';
import {
  BTC_FILTERS,
  T0,
  createBot,
  feed,
  fetches,
  filled,
  filtersFor,
  placements,
  start,
  strategyState,
} from '../support/seed-harness';

const CFG = { fast: 12, slow: 26, signal: 9, atrPeriod: 14, clusters: 5, mode: 'cross' as const };

function daily(symbol: string, closes: readonly number[], firstDay = T0 - closes.length * DAY_MS): Candle[] {
  return closes.map((c, i) => ({
    symbol,
    interval: '1d',
    openTime: firstDay + i * DAY_MS,
    closeTime: firstDay + (i + 1) * DAY_MS - 1,
    open: String(c),
    high: String(c + 1),
    low: String(c - 1),
    close: String(c),
    volume: '1000',
  }));
}

// 60 flat days, 10 days down 2 a day, then up 3 a day
const closes = [
  ...Array.from({ length: 60 }, () => 100),
  ...Array.from({ length: 10 }, (_, i) => 98 - 2 * i),
  ...Array.from({ length: 30 }, (_, i) => 83 + 3 * i),
];

/** MACD written out independently: SMA-seeded EMAs, then the signal EMA over the MACD values. */
function referenceMacd(xs: readonly number[]): { macd: (number | null)[]; signal: (number | null)[] } {
  const emaOf = (values: readonly (number | null)[], n: number): (number | null)[] => {
    const out: (number | null)[] = [];
    let prev: number | null = null;
    const seen: number[] = [];
    for (const v of values) {
      if (v === null) {
        out.push(null);
        continue;
      }
      if (prev === null) {
        seen.push(v);
        if (seen.length === n) prev = seen.reduce((a, b) => a + b, 0) / n;
        out.push(prev);
        continue;
      }
      prev = v * (2 / (n + 1)) + prev * (1 - 2 / (n + 1));
      out.push(prev);
    }
    return out;
  };
  const fast = emaOf(xs, 12);
  const slow = emaOf(xs, 26);
  const macd = xs.map((_, i) => (fast[i] != null && slow[i] != null ? fast[i] - slow[i] : null));
  return { macd, signal: emaOf(macd, 9) };
}

describe('seed 002 MACD decision on daily candles', () => {
  const ref = referenceMacd(closes);
  const crossUp = ref.macd.findIndex(
    (m, i) =>
      i > 0 &&
      m !== null &&
      ref.signal[i] != null &&
      ref.macd[i - 1] != null &&
      ref.signal[i - 1] != null &&
      ref.macd[i - 1]! <= ref.signal[i - 1]! &&
      m > ref.signal[i],
  );

  it('the independent MACD crosses above its signal during the rise', () => {
    expect(crossUp).toBeGreaterThan(70);
  });

  it('buy exactly on the crossing day, hold the day before and the day after', () => {
    const upTo = (i: number) => analyzeDaily('BTCUSDT', daily('BTCUSDT', closes.slice(0, i + 1)), CFG);
    const day = upTo(crossUp);
    expect(day.action).toBe('buy');
    expect(day.cross).toBe('up');
    expect(day.macd).toBeCloseTo(ref.macd[crossUp]!, 6);
    expect(day.signal).toBeCloseTo(ref.signal[crossUp]!, 6);
    expect(upTo(crossUp - 1).action).toBe('hold');
    expect(upTo(crossUp + 1).action).toBe('hold');
  });

  it('sell on the first day of the decline (MACD drops below a flat signal)', () => {
    expect(analyzeDaily('BTCUSDT', daily('BTCUSDT', closes.slice(0, 61)), CFG)).toMatchObject({
      action: 'sell',
      cross: 'down',
    });
    expect(analyzeDaily('BTCUSDT', daily('BTCUSDT', closes.slice(0, 60)), CFG).action).toBe('hold');
  });

  it('trend mode: buy while MACD is above its signal, sell while below', () => {
    expect(
      analyzeDaily('BTCUSDT', daily('BTCUSDT', closes.slice(0, crossUp + 2)), { ...CFG, mode: 'trend' }).action,
    ).toBe('buy');
    expect(analyzeDaily('BTCUSDT', daily('BTCUSDT', closes.slice(0, 65)), { ...CFG, mode: 'trend' }).action).toBe(
      'sell',
    );
  });

  it('too few candles: hold, saying why', () => {
    expect(analyzeDaily('BTCUSDT', daily('BTCUSDT', closes.slice(0, 20)), CFG)).toMatchObject({
      action: 'hold',
      why: expect.stringContaining('not enough daily candles'),
    });
  });
});

describe('seed 002 k-means support/resistance levels', () => {
  it('three well separated groups give their means as levels', () => {
    const r = kmeans1d([21, 1, 12, 2, 20, 3, 10, 22, 11], 3);
    expect(r.clusters.map((c) => c.center)).toEqual([2, 11, 21]);
    expect(r.clusters.map((c) => [c.min, c.max, c.size])).toEqual([
      [1, 3, 3],
      [10, 12, 3],
      [20, 22, 3],
    ]);
    expect(r.inertia).toBeCloseTo(6, 12); // each group: 1 + 0 + 1
  });

  it('matches brute force over every split of a sorted series', () => {
    const xs = [5, 1, 9, 7, 3, 15, 14, 2, 8, 30];
    const sorted = [...xs].sort((a, b) => a - b);
    const sse = (g: number[]) => {
      const m = g.reduce((a, b) => a + b, 0) / g.length;
      return g.reduce((a, b) => a + (b - m) ** 2, 0);
    };
    let best = Infinity;
    for (let i = 1; i < sorted.length; i++)
      for (let j = i + 1; j < sorted.length; j++)
        best = Math.min(best, sse(sorted.slice(0, i)) + sse(sorted.slice(i, j)) + sse(sorted.slice(j)));
    expect(kmeans1d(xs, 3).inertia).toBeCloseTo(best, 9);
  });

  it('k larger than the distinct values collapses to one level per value', () => {
    expect(kmeans1d([5, 5, 7], 4).clusters.map((c) => c.center)).toEqual([5, 7]);
  });

  it('the analysis takes the support as the highest level under the close', () => {
    // closes around 50, 100 and 150; the last close, 151, sits just above the 150.95 level
    const series = [
      ...Array.from({ length: 20 }, (_, i) => 50 + (i % 3)),
      ...Array.from({ length: 20 }, (_, i) => 100 + (i % 3)),
      ...Array.from({ length: 20 }, (_, i) => 150 + (i % 3)),
    ];
    const a = analyzeDaily('ETHUSDT', daily('ETHUSDT', series), { ...CFG, clusters: 3 });
    expect(a.levels).toEqual([50.95, 100.95, 150.95]);
    expect(a.close).toBe('151');
    expect(a.support).toBe(150.95);
    expect(a.resistance).toBeNull();
  });
});

const analysis = (symbol: string, over: Partial<SymbolAnalysis> = {}): SymbolAnalysis => ({
  symbol,
  day: T0,
  close: '100',
  candles: 200,
  macd: 1,
  signal: 0.5,
  histogram: 0.5,
  cross: 'up',
  action: 'buy',
  atr: 5,
  levels: [90, 120],
  support: 90,
  resistance: 120,
  why: 'MACD crossed above its signal',
  ...over,
});

describe('seed 002 risk manager and balancer', () => {
  it('risk amount: close 100, support 90, ATR 5: the price may fall 15 (15 %); risking 1 % of 1000 -> 66.66 USDT', () => {
    const r = riskAmount(analysis('BTCUSDT'), '1000', '0.01');
    expect(r).toMatchObject({ ok: true, amount: '66.66', stopDistance: '15', stopPct: '15' });
  });

  it('a close under every level falls back on the ATR alone', () => {
    const r = riskAmount(analysis('BTCUSDT', { support: 100 }), '1000', '0.01');
    expect(r).toMatchObject({ ok: true, amount: '200', stopDistance: '5' }); // 10 / 0.05
  });

  it('the balancer scales every buy by free / total when the total exceeds the free USDT', () => {
    const b = balanceAmounts({ BTCUSDT: '600', ETHUSDT: '400', BNBUSDT: '1000' }, '1000');
    expect(b).toEqual({ scale: '0.5', total: '2000', amounts: { BTCUSDT: '300', ETHUSDT: '200', BNBUSDT: '500' } });
    expect(balanceAmounts({ BTCUSDT: '600', ETHUSDT: '400' }, '3000').scale).toBe('1');
    // rounding down to cents after scaling: 1000 / 3000 of 100 = 33.333... -> 33.33
    expect(balanceAmounts({ A1USDT: '100', B1USDT: '2900' }, '1000').amounts).toEqual({
      A1USDT: '33.33',
      B1USDT: '966.66',
    });
  });

  it('planDay: sells close holdings only, buys are risk-sized then balanced, small buys skipped', () => {
    const p = macdPortfolioParams.parse({ symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'XRPUSDT'], risk: '0.1' });
    const plan = planDay(
      {
        BTCUSDT: analysis('BTCUSDT'), // 1000 x 0.1 / 0.15 = 666.66
        ETHUSDT: analysis('ETHUSDT', { support: 95 }), // fall 5 + ATR 5 = 10 %: 1000 x 0.1 / 0.1 = 1000
        BNBUSDT: analysis('BNBUSDT', { action: 'sell', cross: 'down' }),
        XRPUSDT: analysis('XRPUSDT', { action: 'sell', cross: 'down' }),
      },
      { BNBUSDT: '3.5' },
      '1000',
      p,
    );
    expect(plan.requested).toEqual({ BTCUSDT: '666.66', ETHUSDT: '1000' });
    expect(plan.scale).toBe('0.600002400009'); // 1000 / 1666.66, rounded down
    expect(plan.orders).toEqual([
      { symbol: 'BNBUSDT', side: 'SELL', quantity: '3.5', why: expect.stringContaining('sell closes the holding') },
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        quoteOrderQty: '399.99',
        why: expect.stringContaining('balancer scaled by 0.600002400009'),
      }, // 399.9976
      { symbol: 'ETHUSDT', side: 'BUY', quoteOrderQty: '600', why: expect.stringContaining('balancer scaled') }, // 600.0024
    ]);
  });
});

describe('seed 002 daily cycle through the kernel', () => {
  const symbols = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
  const now = T0 + 5 * 3_600_000; // 05:00 UTC

  it('arms a timer for the next 00:00 UTC and, when it fires, asks each symbol for closed daily candles', () => {
    const bot = createBot(macdPortfolio, { symbols }, { interval: '1d' });
    start(bot, now);
    expect(bot.state.timers).toEqual({ daily: T0 + DAY_MS });
    expect(nextMidnight(T0)).toBe(T0 + DAY_MS); // exactly midnight: the next one
    const cmds = feed(bot, { type: 'wake', now: T0 + DAY_MS });
    expect(fetches(cmds).map((f) => f.request)).toEqual(
      symbols.map((symbol) => ({ kind: 'candles', symbol, interval: '1d', limit: 200, endTime: T0 + DAY_MS - 1 })),
    );
    expect(bot.state.timers).toEqual({ daily: T0 + 2 * DAY_MS });
  });

  it('dry run: decides once every symbol answered and sends test orders, never real ones', () => {
    const bot = createBot(macdPortfolio, { symbols, runOnStart: true }, { interval: '1d' });
    const reqs = fetches(start(bot, now));
    feed(bot, { type: 'reconciled', now, balances: { base: '0', quote: '1000' }, orphans: [], missing: [] });
    const ref = referenceMacd(closes);
    const crossUp = ref.macd.findIndex(
      (m, i) =>
        i > 0 &&
        m !== null &&
        ref.signal[i] != null &&
        ref.macd[i - 1] != null &&
        ref.signal[i - 1] != null &&
        ref.macd[i - 1]! <= ref.signal[i - 1]! &&
        m > ref.signal[i],
    );
    const answers: Record<string, Candle[]> = {
      BTCUSDT: daily('BTCUSDT', closes.slice(0, crossUp + 1)), // crossing today: buy
      ETHUSDT: daily('ETHUSDT', closes.slice(0, 50)), // flat: hold
      BNBUSDT: daily('BNBUSDT', closes.slice(0, 61)), // crossing down: sell, nothing held
    };
    let last: ReturnType<typeof feed> = [];
    for (const r of reqs) {
      const symbol = (r.request as { symbol: string }).symbol;
      expect(strategyState<MacdPortfolioState>(bot).reports).toHaveLength(0); // waits for all
      last = feed(bot, { type: 'data', now: now + 1, requestId: r.requestId, result: answers[symbol] as never });
    }
    expect(placements(last)).toHaveLength(0);
    const tests = fetches(last);
    expect(tests).toHaveLength(1);
    expect(tests[0]!.request).toMatchObject({
      kind: 'custom',
      name: 'testOrder',
      input: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' },
    });
    const report = strategyState<MacdPortfolioState>(bot).reports.at(-1)!;
    expect(report.actions).toMatchObject({
      BTCUSDT: { action: 'buy' },
      ETHUSDT: { action: 'hold' },
      BNBUSDT: { action: 'sell' },
    });
    feed(bot, { type: 'data', now: now + 2, requestId: tests[0]!.requestId, result: {} });
    expect(Object.values(strategyState<MacdPortfolioState>(bot).reports.at(-1)!.tests)).toEqual(['ok']);
  });

  it('dryRun off over several symbols: live orders on each symbol, positions kept per symbol', () => {
    const bot = createBot(
      macdPortfolio,
      { symbols: ['BTCUSDT', 'ETHUSDT'], dryRun: false, runOnStart: true },
      { interval: '1d' },
    );
    feed(bot, {
      type: 'start',
      now,
      filters: BTC_FILTERS,
      fresh: true,
      otherFilters: { ETHUSDT: filtersFor('ETHUSDT', 'ETH', 'USDT', '0.01', '0.0001') },
    });
    const reqs = fetches(
      feed(bot, { type: 'reconciled', now, balances: { base: '0', quote: '1000' }, orphans: [], missing: [] }),
    );
    expect(reqs.map((r) => (r.request as { symbol: string }).symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    const ref = referenceMacd(closes);
    const crossUp = ref.macd.findIndex(
      (m, i) =>
        i > 0 &&
        m !== null &&
        ref.signal[i] != null &&
        ref.macd[i - 1] != null &&
        ref.signal[i - 1] != null &&
        ref.macd[i - 1]! <= ref.signal[i - 1]! &&
        m > ref.signal[i],
    );
    const btc = reqs.find((r) => (r.request as { symbol: string }).symbol === 'BTCUSDT')!;
    const eth = reqs.find((r) => (r.request as { symbol: string }).symbol === 'ETHUSDT')!;
    feed(bot, {
      type: 'data',
      now: now + 1,
      requestId: btc.requestId,
      result: daily('BTCUSDT', closes.slice(0, crossUp)) as never,
    });
    const placed = placements(
      feed(bot, {
        type: 'data',
        now: now + 1,
        requestId: eth.requestId,
        result: daily('ETHUSDT', closes.slice(0, crossUp + 1)) as never,
      }),
    );
    expect(placed).toHaveLength(1);
    expect(placed[0]!.request).toMatchObject({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET' });
    feed(bot, {
      type: 'orderPlaced',
      now: now + 2,
      snapshot: filled(placed[0]!.clientOrderId, 'ETHUSDT', '110', '0.5', now + 2),
    });
    expect(bot.state.otherPositions?.ETHUSDT?.qty).toBe('0.5');
    expect(bot.state.position.qty).toBe('0');
    expect(strategyState<MacdPortfolioState>(bot).holdings).toEqual({ ETHUSDT: '0.5' });
  });

  it('live on the bot symbol: market buy with the sized amount, holding recorded, later sold on the down-cross', () => {
    const bot = createBot(macdPortfolio, { symbols: ['BTCUSDT'], dryRun: false, runOnStart: true }, { interval: '1d' });
    const req = fetches(start(bot, now))[0]!;
    feed(bot, { type: 'reconciled', now, balances: { base: '0', quote: '1000' }, orphans: [], missing: [] });
    const ref = referenceMacd(closes);
    const crossUp = ref.macd.findIndex(
      (m, i) =>
        i > 0 &&
        m !== null &&
        ref.signal[i] != null &&
        ref.macd[i - 1] != null &&
        ref.signal[i - 1] != null &&
        ref.macd[i - 1]! <= ref.signal[i - 1]! &&
        m > ref.signal[i],
    );
    const placed = placements(
      feed(bot, {
        type: 'data',
        now: now + 1,
        requestId: req.requestId,
        result: daily('BTCUSDT', closes.slice(0, crossUp + 1)) as never,
      }),
    );
    expect(placed).toHaveLength(1);
    expect(placed[0]!.request).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' });
    const amount = placed[0]!.request.quoteOrderQty!;
    expect(Number(amount)).toBeGreaterThan(10);
    feed(bot, {
      type: 'orderPlaced',
      now: now + 2,
      snapshot: filled(placed[0]!.clientOrderId, 'BTCUSDT', '110', '0.5', now + 2),
    });
    expect(strategyState<MacdPortfolioState>(bot).holdings).toEqual({ BTCUSDT: '0.5' });
    // next midnight: a series that crosses down today
    const next = fetches(feed(bot, { type: 'wake', now: T0 + DAY_MS }))[0]!;
    const down = [...closes.slice(0, crossUp + 1), ...Array.from({ length: 40 }, () => 60)];
    const downRef = referenceMacd(down);
    const crossDown = downRef.macd.findIndex(
      (m, i) =>
        i > crossUp &&
        m !== null &&
        downRef.signal[i] != null &&
        downRef.macd[i - 1]! >= downRef.signal[i - 1]! &&
        m < downRef.signal[i],
    );
    const sell = placements(
      feed(bot, {
        type: 'data',
        now: T0 + DAY_MS + 1,
        requestId: next.requestId,
        result: daily('BTCUSDT', down.slice(0, crossDown + 1)) as never,
      }),
    );
    expect(sell[0]!.request).toMatchObject({ side: 'SELL', type: 'MARKET', quantity: '0.5' });
  });
});
