/**
 * Seed 004 (order-book imbalance): scipy find_peaks semantics on fixed arrays, the book summary and
 * the pressure measure on fixed books, the trade plan and risk rules, the depth recording format,
 * the activity, and the trade cycle through the kernel.
 */
import { describe, expect, it } from 'vitest';
import { type BookSummary, summarizeBook } from '../../core/analysis/book';
import {
  DepthRecordingError,
  depthRecordingLine,
  parseDepthRecording,
  snapshotAt,
} from '../../core/analysis/book-replay';
import { findPeaks, localMaxima } from '../../core/analysis/peaks';
import type { BookSnapshot } from '../../core/market';
import {
  type BookImbalanceState,
  type BookTrade,
  bookImbalance,
  bookImbalanceParams,
  planTrade,
  riskCheck,
} from '../../core/strategies/book-imbalance';
import { bookSummary, depthWeight } from '../../activities/book';
import {
  T0,
  accepted,
  createBot,
  feed,
  fetches,
  filled,
  placements,
  start,
  strategyState,
} from '../support/seed-harness';

describe('find_peaks semantics (scipy.signal)', () => {
  it('local maxima: neighbours compared, edges never peaks, a plateau counts once at its middle (rounded down)', () => {
    expect(localMaxima([1, 3, 2, 5, 4, 6, 5])).toEqual([1, 3, 5]);
    expect(localMaxima([3, 1, 2])).toEqual([]);
    expect(localMaxima([0, 2, 2, 2, 0])).toEqual([2]);
    expect(localMaxima([0, 2, 2, 0])).toEqual([1]);
    expect(localMaxima([0, 1, 1])).toEqual([]); // a plateau running into the edge is not a peak
  });

  it('threshold is the smaller drop to the two immediate neighbours (0 on a plateau)', () => {
    const x = [1, 3, 2, 5, 4, 6, 5];
    expect(findPeaks(x, { threshold: 1 }).map((p) => p.index)).toEqual([1, 3, 5]);
    expect(findPeaks(x, { threshold: 1.5 }).map((p) => p.index)).toEqual([]);
    expect(findPeaks([0, 2, 2, 2, 0], { threshold: 0.1 })).toEqual([]);
  });

  it('prominence: height above the higher of the two lowest points before a higher sample', () => {
    const x = [0, 10, 2, 6, 1, 8, 0];
    // 10: both sides run out -> 10 - 0; 6: left stops at 10 (min 2), right stops at 8 (min 1) -> 6 - 2;
    // 8: left stops at 10 (min 1), right min 0 -> 8 - 1
    expect(findPeaks(x).map((p) => [p.index, p.prominence])).toEqual([
      [1, 10],
      [3, 4],
      [5, 7],
    ]);
    expect(findPeaks(x, { prominence: 5 }).map((p) => p.index)).toEqual([1, 5]);
    expect(findPeaks([1, 3, 2, 5, 4, 6, 5], { prominence: 2 })).toEqual([]);
  });

  it('distance removes the smaller peaks first', () => {
    const x = [0, 5, 0, 4, 0, 6, 0];
    expect(findPeaks(x, { distance: 3 }).map((p) => p.index)).toEqual([1, 5]);
    expect(findPeaks(x, { distance: 5 }).map((p) => p.index)).toEqual([5]);
  });

  it('height keeps peaks at or above it', () => {
    expect(findPeaks([0, 5, 0, 4, 0], { height: 5 }).map((p) => p.index)).toEqual([1]);
  });
});

/** 20 levels a side around 100.00 / 100.01, walls where the test says. */
function book(bidQty: readonly number[], askQty: readonly number[], time = T0): BookSnapshot {
  return {
    symbol: 'BTCUSDT',
    time,
    bids: bidQty.map((q, i) => [(100 - i * 0.01).toFixed(2), String(q)] as const),
    asks: askQty.map((q, i) => [(100.01 + i * 0.01).toFixed(2), String(q)] as const),
  };
}

const bids = Array.from({ length: 20 }, (_, i) => (i === 3 ? 8 : i === 8 ? 12 : 2));
const asks = Array.from({ length: 20 }, (_, i) => (i === 4 ? 9 : 0.5));
const cfg = { limit: 20, relativeThreshold: 10, prominence: 5, height: 0, peakDistanceDivisor: 10, maxPeaks: 10 };

describe('seed 004 book summary on a fixed book', () => {
  const s = summarizeBook(book(bids, asks), cfg);

  it('finds the bid walls at levels 3 and 8 and the ask wall at level 4', () => {
    // bids: threshold 10 % of 12 = 1.2; wall 8 drops 6 to both neighbours, prominence 6; wall 12 prominence 10
    expect(s.bidPeaks).toEqual([
      { price: '99.97', volume: 8, prominence: 6, level: 3 },
      { price: '99.92', volume: 12, prominence: 10, level: 8 },
    ]);
    expect(s.askPeaks).toEqual([{ price: '100.05', volume: 9, prominence: 8.5, level: 4 }]);
    expect(s.thresholds).toEqual({ bid: 1.2, ask: 0.9 });
  });

  it('measures the one-sidedness as ask volume / (bid + ask volume)', () => {
    // bids 18 x 2 + 8 + 12 = 56 ; asks 19 x 0.5 + 9 = 18.5 ; 18.5 / 74.5
    expect(s.bidVolume).toBe(56);
    expect(s.askVolume).toBe(18.5);
    expect(s.askShare).toBeCloseTo(18.5 / 74.5, 10);
    expect(s.bestBid).toBe('100');
    expect(s.bestAsk).toBe('100.01');
  });

  it('a wall below the prominence (5) is not a peak', () => {
    const low = summarizeBook(
      book(
        bids.map((q, i) => (i === 3 ? 6.9 : q)),
        asks,
      ),
      cfg,
    );
    expect(low.bidPeaks.map((p) => p.level)).toEqual([8]); // 6.9 - 2 = 4.9 < 5
  });

  it('the distance rule (levels / divisor) removes smaller walls near larger ones, largest first', () => {
    const close = bids.map((q, i) => (i === 5 ? 10 : q)); // walls at 3 (8), 5 (10) and 8 (12)
    // distance 20 / 5 = 4: the 12 at level 8 goes first and removes the 10 at level 5 (3 levels
    // away); the 8 at level 3 is then 5 levels from the 12 and stays (scipy's greedy order)
    expect(summarizeBook(book(close, asks), { ...cfg, peakDistanceDivisor: 5 }).bidPeaks.map((p) => p.level)).toEqual([
      3, 8,
    ]);
    expect(summarizeBook(book(close, asks), { ...cfg, peakDistanceDivisor: 0 }).bidPeaks.map((p) => p.level)).toEqual([
      3, 5, 8,
    ]);
  });
});

const P = bookImbalanceParams.parse({});
const summary = (askShare: number): BookSummary => ({
  symbol: 'BTCUSDT',
  time: T0,
  levels: { bids: 20, asks: 20 },
  bestBid: '100',
  bestAsk: '100.01',
  bidVolume: 1,
  askVolume: 1,
  askShare,
  bidPeaks: [{ price: '99.97', volume: 8, prominence: 6, level: 3 }],
  askPeaks: [{ price: '100.05', volume: 9, prominence: 8.5, level: 4 }],
  thresholds: { bid: 1, ask: 1 },
});

describe('seed 004 pressure, entry, TP and SL', () => {
  it('ask share <= long_pressure (0.25) goes long: limit at the best ask, TP at the ask peak, SL under the bid peak - 0.2', () => {
    const r = planTrade(summary(0.25), P);
    expect(r.ok && r.plan).toMatchObject({ side: 'long', entry: '100.01', tp: '100.05', sl: '99.77' });
  });
  it('just above 0.25 and just below 0.75 the book counts as balanced', () => {
    expect(planTrade(summary(0.2501), P)).toMatchObject({ ok: false, why: expect.stringContaining('balanced') });
    expect(planTrade(summary(0.7499), P)).toMatchObject({ ok: false, why: expect.stringContaining('balanced') });
  });
  it('ask share >= short_pressure (0.75) goes short when shorts are enabled: sell at the best bid, TP at the bid peak, SL above the ask peak + 0.2', () => {
    expect(planTrade(summary(0.75), P)).toMatchObject({
      ok: false,
      why: expect.stringContaining('shorts are disabled'),
    });
    const r = planTrade(summary(0.75), { ...P, enableShort: true });
    expect(r.ok && r.plan).toMatchObject({ side: 'short', entry: '100', tp: '99.97', sl: '100.25' });
  });
  it('no peak beyond the entry: no trade', () => {
    expect(planTrade({ ...summary(0.1), askPeaks: [] }, P)).toMatchObject({
      ok: false,
      why: expect.stringContaining('take-profit'),
    });
    expect(planTrade({ ...summary(0.1), bidPeaks: [] }, P)).toMatchObject({
      ok: false,
      why: expect.stringContaining('stop-loss'),
    });
  });
});

describe('seed 004 risk: similar trades, max_concurrent_trades, 90 % of capital', () => {
  const plan = (planTrade(summary(0.1), P) as { plan: Parameters<typeof riskCheck>[0] }).plan;
  const trade = (id: number, tp = '101', notional = '1800'): BookTrade => ({
    id,
    side: 'long',
    phase: 'open',
    entry: '100',
    tp,
    sl: '99',
    qty: '18',
    notional,
    filledQty: '18',
    fillPrice: '100',
    candlesWaiting: 0,
    openedAt: 0,
  });
  it('a trade with the same side, TP and SL is already open: refused', () => {
    expect(riskCheck(plan, [{ ...trade(1), tp: plan.tp, sl: plan.sl }], '1800', P)).toMatch(/already open/);
  });
  it('5 trades open: the 6th is refused', () => {
    expect(
      riskCheck(
        plan,
        [1, 2, 3, 4].map((i) => trade(i, '1', '100')),
        '1800',
        P,
      ),
    ).toBeNull();
    expect(
      riskCheck(
        plan,
        [1, 2, 3, 4, 5].map((i) => trade(i, '1', '100')),
        '1800',
        P,
      ),
    ).toMatch(/5 trades open, the maximum is 5/);
  });
  it('0.18 of 10000 per trade fits 5 times under 90 % (9000); a 6th slot would not', () => {
    const wide = { ...P, maxConcurrentTrades: 10 };
    expect(
      riskCheck(
        plan,
        [1, 2, 3, 4].map((i) => trade(i, String(i))),
        '1800',
        wide,
      ),
    ).toBeNull(); // 7200 + 1800 = 9000
    expect(
      riskCheck(
        plan,
        [1, 2, 3, 4, 5].map((i) => trade(i, String(i))),
        '1800',
        wide,
      ),
    ).toMatch(/above 9000/);
  });
});

describe('seed 004 through the kernel', () => {
  it('reads the book each candle, enters with a limit at the ask, then one OCO for TP and SL; TP fill closes the trade', () => {
    const bot = createBot(bookImbalance, {});
    start(bot);
    const c = {
      symbol: 'BTCUSDT',
      interval: '1m' as const,
      openTime: T0,
      closeTime: T0 + 59_999,
      open: '100',
      high: '100',
      low: '100',
      close: '100',
      volume: '1',
    };
    const req = fetches(feed(bot, { type: 'candle', now: T0 + 60_000, candle: c }))[0]!;
    expect(req.request).toEqual({
      kind: 'custom',
      name: 'bookSummary',
      input: {
        symbol: 'BTCUSDT',
        limit: 500,
        relativeThreshold: 10,
        prominence: 5,
        height: 0,
        peakDistanceDivisor: 10,
      },
    });
    const placed = placements(
      feed(bot, {
        type: 'data',
        now: T0 + 60_001,
        requestId: req.requestId,
        result: summarizeBook(book(bids, asks), cfg) as never,
      }),
    );
    // 0.18 x 10000 = 1800 quote at 100.01 -> 17.99820017..., floored to the 0.00001 step
    expect(placed[0]!.request).toMatchObject({
      side: 'BUY',
      type: 'LIMIT',
      price: '100.01',
      quantity: '17.9982',
      timeInForce: 'GTC',
    });
    const decision = strategyState<BookImbalanceState>(bot).decisions.at(-1)!;
    expect(decision.action).toBe('enter-long');
    expect(decision.facts).toMatchObject({ tp: '100.05', sl: '99.77', askShare: 0.2483 });

    const cmds = feed(bot, {
      type: 'orderPlaced',
      now: T0 + 60_002,
      snapshot: filled(placed[0]!.clientOrderId, 'BTCUSDT', '100.01', '17.9982', T0 + 60_002),
    });
    const oco = cmds.find((x) => x.type === 'placeOco');
    expect(oco && oco.type === 'placeOco' && oco.request).toMatchObject({
      side: 'SELL',
      quantity: '17.9982',
      above: { type: 'LIMIT_MAKER', price: '100.05' },
      below: { type: 'STOP_LOSS', stopPrice: '99.77' },
    });
    if (!oco || oco.type !== 'placeOco') throw new Error('no OCO');
    feed(bot, {
      type: 'orderListPlaced',
      now: T0 + 60_003,
      listClientOrderId: oco.listClientOrderId,
      snapshots: [
        accepted(oco.aboveClientOrderId, 'BTCUSDT', T0 + 60_003),
        accepted(oco.belowClientOrderId, 'BTCUSDT', T0 + 60_003),
      ],
    });
    feed(bot, {
      type: 'orderUpdate',
      now: T0 + 61_000,
      snapshot: filled(oco.aboveClientOrderId, 'BTCUSDT', '100.05', '17.9982', T0 + 61_000),
      source: 'stream',
    });
    const s = strategyState<BookImbalanceState>(bot);
    expect(s.trades).toEqual({});
    expect(s.closed[0]).toMatchObject({
      side: 'long',
      exit: 'take-profit',
      entryPrice: '100.01',
      exitPrice: '100.05',
      pnl: '0.719928',
    });
  });

  it('an entry still unfilled after one more candle is cancelled', () => {
    const bot = createBot(bookImbalance, {});
    start(bot);
    const mk = (t: number) => ({
      symbol: 'BTCUSDT',
      interval: '1m' as const,
      openTime: t,
      closeTime: t + 59_999,
      open: '100',
      high: '100',
      low: '100',
      close: '100',
      volume: '1',
    });
    const req = fetches(feed(bot, { type: 'candle', now: T0 + 60_000, candle: mk(T0) }))[0]!;
    const placed = placements(
      feed(bot, {
        type: 'data',
        now: T0 + 60_001,
        requestId: req.requestId,
        result: summarizeBook(book(bids, asks), cfg) as never,
      }),
    )[0]!;
    feed(bot, {
      type: 'orderPlaced',
      now: T0 + 60_002,
      snapshot: accepted(placed.clientOrderId, 'BTCUSDT', T0 + 60_002),
    });
    const cmds = feed(bot, { type: 'candle', now: T0 + 120_000, candle: mk(T0 + 60_000) });
    expect(cmds).toContainEqual({ type: 'cancelOrder', clientOrderId: placed.clientOrderId, symbol: 'BTCUSDT' });
  });

  it('a spot bot with shorts enabled refuses to start', () => {
    expect(
      bookImbalance.checkEnvironment!(bookImbalanceParams.parse({ enableShort: true }), { market: 'spot' }),
    ).toMatch(/enableShort needs a futures account/);
    expect(bookImbalance.checkEnvironment!(bookImbalanceParams.parse({}), { market: 'spot' })).toBeNull();
  });
});

describe('seed 004 depth recordings (paper exchange -> file -> backtester)', () => {
  const a = book(bids, asks, T0);
  const b = book(bids, asks, T0 + 60_000);
  const text = `# recorded by the paper exchange\n${depthRecordingLine({ ...a, lastUpdateId: 1 })}\n\n${depthRecordingLine(b)}\n`;

  it('round-trips snapshots and finds the one in force at a time', () => {
    const snaps = parseDepthRecording(text);
    expect(snaps).toHaveLength(2);
    expect(snaps[0]).toMatchObject({ symbol: 'BTCUSDT', time: T0, lastUpdateId: 1 });
    expect(snaps[0]!.bids[3]).toEqual(['99.97', '8']);
    expect(snapshotAt(snaps, 'BTCUSDT', T0 - 1)).toBeNull();
    expect(snapshotAt(snaps, 'BTCUSDT', T0 + 59_999)!.time).toBe(T0);
    expect(snapshotAt(snaps, 'BTCUSDT', T0 + 60_000)!.time).toBe(T0 + 60_000);
  });

  it('refuses bad lines with the line number', () => {
    expect(() => parseDepthRecording(`${depthRecordingLine(b)}\n${depthRecordingLine(a)}`, 'rec.jsonl')).toThrow(
      /rec\.jsonl:2: time .* goes back/,
    );
    const unordered = { ...a, asks: [a.asks[1]!, a.asks[0]!] };
    expect(() => parseDepthRecording(depthRecordingLine(unordered))).toThrow(DepthRecordingError);
    expect(() => parseDepthRecording('{"symbol":"BTCUSDT","time":1,"bids":[[1,2]],"asks":[]}')).toThrow(
      /decimal strings/,
    );
  });
});

describe('seed 004 book activity', () => {
  it('fetches the depth with the right weight and returns only the summary', async () => {
    let asked: unknown;
    let weight = 0;
    const raw = book(bids, asks);
    const account = {
      call: async <T>(
        _what: string,
        w: number,
        fn: (rest: {
          book(
            p: Record<string, string | number>,
          ): Promise<{ bids: { price: string; quantity: string }[]; asks: { price: string; quantity: string }[] }>;
        }) => Promise<T>,
      ) => {
        weight = w;
        return fn({
          book: async (p) => {
            asked = p;
            // binance-api-node zips levels into objects
            return {
              bids: raw.bids.map(([price, quantity]) => ({ price, quantity })),
              asks: raw.asks.map(([price, quantity]) => ({ price, quantity })),
            };
          },
        });
      },
    };
    const s = await bookSummary({ symbol: 'BTCUSDT', limit: 20, peakDistanceDivisor: 10 }, account, () => T0);
    expect(asked).toEqual({ symbol: 'BTCUSDT', limit: 20 });
    expect(weight).toBe(5);
    expect(depthWeight(500)).toBe(25);
    expect(s.bidPeaks.map((p) => p.price)).toEqual(['99.97', '99.92']);
    expect(JSON.stringify(s).length).toBeLessThan(1000);
    await expect(bookSummary({ symbol: 'btc' }, account)).rejects.toThrow(/bookSummary input/);
  });
});
