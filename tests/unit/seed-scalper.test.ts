/**
 * Seed 001 (model-entry scalper): the feature table against values worked out by hand and against
 * an independent implementation, and every trading rule driven through the real kernel.
 */
import { describe, expect, it } from 'vitest';
import {
  FEATURE_COLUMNS,
  type FeatureCandle,
  type FeatureConfig,
  FeatureWindowError,
  SEED_001_FEATURES,
  dropNaRows,
  featureWindow,
  indicatorTable,
} from '../../core/analysis/scalper-features';
import { type ModelScalperState, modelScalper } from '../../core/strategies/model-scalper';
import { T0, createBot, feed, fetches, fillLast, placements, start, strategyState } from '../support/seed-harness';

const col = (name: (typeof FEATURE_COLUMNS)[number]) => FEATURE_COLUMNS.indexOf(name);

// closes chosen non-linear so every indicator is exercised; high/low = close +/- 1 so TP = close
// and (H + L) / 2 = close (which makes the EVM hand computation short).
const closes = [10, 11, 13, 12, 15, 14, 16, 18];
const volumes = [100, 200, 100, 400, 200, 100, 300, 200];
const small: FeatureCandle[] = closes.map((c, t) => ({
  open: c - 0.5,
  high: c + 1,
  low: c - 1,
  close: c,
  volume: volumes[t]!,
  trades: 5 + t,
}));
const smallCfg: FeatureConfig = { cci: 3, evm: 2, sma: 3, ewma: 3, bbands: 3, forceIndex: 1, roc: 2, window: 4 };

describe('seed 001 feature table, worked by hand (row t = 2: closes 10, 11, 13)', () => {
  const table = indicatorTable(small, smallCfg);
  const row = table[2]!;

  it('SMA = Close.rolling(3).mean() = 34 / 3', () => {
    expect(row[col('SMA')]).toBeCloseTo(34 / 3, 10);
  });

  it('CCI = (TP - mean) / (0.015 * sample std): (13 - 11.3333) / (0.015 * 1.527525) = 72.7393', () => {
    // sample std of (10, 11, 13): squares of deviations 16/9 + 1/9 + 25/9 = 42/9, / (n - 1) = 7/3
    const std = Math.sqrt(7 / 3);
    expect(row[col('CCI')]).toBeCloseTo((13 - 34 / 3) / (0.015 * std), 9);
    expect(row[col('CCI')]).toBeCloseTo(72.7393, 3);
  });

  it('Bollinger bands = MA +/- 2 sample SD', () => {
    expect(row[col('UpperBB')]).toBeCloseTo(34 / 3 + 2 * Math.sqrt(7 / 3), 10);
    expect(row[col('LowerBB')]).toBeCloseTo(34 / 3 - 2 * Math.sqrt(7 / 3), 10);
  });

  it('EWMA(span 3, adjust=True) = (13 + 11/2 + 10/4) / (1 + 1/2 + 1/4) = 12', () => {
    expect(row[col('EWMA')]).toBeCloseTo(12, 12);
    // min_periods = span - 1 = 2: defined from the second row on
    expect(table[0]![col('EWMA')]).toBeNaN();
    expect(table[1]![col('EWMA')]).toBeCloseTo((11 + 10 / 2) / 1.5, 12);
  });

  it('Force Index(1) = Close.diff(1) * Volume = 2 * 100', () => {
    expect(row[col('ForceIndex')]).toBe(200);
  });

  it('ROC(2) = Close.diff(2) / Close.shift(2) = 3 / 10', () => {
    expect(row[col('ROC')]).toBeCloseTo(0.3, 12);
  });

  it('EVM(2): dm = 1 and 2, br = (V / 1e8) / 2, EVM = dm / br, mean of the last 2 = 2.5e6', () => {
    // t=1: 1 / ((200 / 1e8) / 2) = 1e6 ; t=2: 2 / ((100 / 1e8) / 2) = 4e6
    expect(row[col('EVM')]).toBeCloseTo(2.5e6, 3);
    expect(table[1]![col('EVM')]).toBeNaN(); // the shifted row 0 is NaN and poisons the first window
  });

  it('keeps Open, High, Low, Close, Volume and the trade count as the first six columns', () => {
    expect(row.slice(0, 6)).toEqual([12.5, 14, 12, 13, 100, 7]);
  });

  it('drops the warm-up rows (any NaN) and normalises each column by its L2 norm', () => {
    expect(dropNaRows(table)).toHaveLength(6); // rows t = 2..7
    const w = featureWindow(small, smallCfg);
    expect(w.usableRows).toBe(6);
    expect(w.rows).toHaveLength(4); // the last `window` rows: t = 4..7
    // Close over t = 4..7 is 15, 14, 16, 18: norm sqrt(1001)
    expect(w.rows[0]![col('Close')]).toBeCloseTo(15 / Math.sqrt(1001), 12);
    for (let j = 0; j < FEATURE_COLUMNS.length; j++) {
      const norm = Math.sqrt(w.rows.reduce((acc, r) => acc + r[j]! ** 2, 0));
      expect(norm).toBeCloseTo(1, 12);
    }
    expect(w.lastRaw.Close).toBe(18);
  });
});

/** An independent implementation (explicit weights, textbook formulas, no shared helpers). */
function reference(candles: readonly FeatureCandle[], cfg: FeatureConfig, t: number): Record<string, number> {
  const close = candles.map((c) => c.close);
  const window = (xs: number[], n: number) => xs.slice(t - n + 1, t + 1);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]) => {
    const m = mean(xs);
    return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  };
  const tp = candles.map((c) => (c.high + c.low + c.close) / 3);
  const alpha = 2 / (cfg.ewma + 1);
  let num = 0;
  let den = 0;
  for (let i = 0; i <= t; i++) {
    const w = (1 - alpha) ** i;
    num += w * close[t - i]!;
    den += w;
  }
  const evmRaw = (i: number) => {
    const c = candles[i]!;
    const p = candles[i - 1]!;
    return ((c.high + c.low) / 2 - (p.high + p.low) / 2) / (c.volume / 1e8 / (c.high - c.low));
  };
  const evmValues: number[] = [];
  for (let i = t - cfg.evm + 1; i <= t; i++) evmValues.push(evmRaw(i));
  return {
    CCI: (tp[t]! - mean(window(tp, cfg.cci))) / (0.015 * sd(window(tp, cfg.cci))),
    EVM: mean(evmValues),
    SMA: mean(window(close, cfg.sma)),
    EWMA: num / den,
    UpperBB: mean(window(close, cfg.bbands)) + 2 * sd(window(close, cfg.bbands)),
    LowerBB: mean(window(close, cfg.bbands)) - 2 * sd(window(close, cfg.bbands)),
    ForceIndex: (close[t]! - close[t - cfg.forceIndex]!) * candles[t]!.volume,
    ROC: (close[t]! - close[t - cfg.roc]!) / close[t - cfg.roc]!,
  };
}

function randomWalk(n: number, seed: number, drift = 0): (FeatureCandle & { openTime: number })[] {
  let x = seed;
  const rand = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  let price = 20000;
  const out: (FeatureCandle & { openTime: number })[] = [];
  for (let i = 0; i < n; i++) {
    const open = price;
    price = price + (rand() - 0.5) * 20 + drift;
    const high = Math.max(open, price) + rand() * 5;
    const low = Math.min(open, price) - rand() * 5;
    out.push({
      openTime: T0 + i * 60_000,
      open,
      high,
      low,
      close: price,
      volume: 1 + rand() * 10,
      trades: 100 + Math.floor(rand() * 50),
    });
  }
  return out;
}

describe('seed 001 feature table against an independent implementation', () => {
  it('matches on every complete row of a 60-candle random walk with periods 5..20', () => {
    const candles = randomWalk(60, 7);
    const cfg: FeatureConfig = { cci: 20, evm: 14, sma: 10, ewma: 12, bbands: 15, forceIndex: 3, roc: 5, window: 30 };
    const table = indicatorTable(candles, cfg);
    for (let t = 20; t < 60; t++) {
      const ref = reference(candles, cfg, t);
      for (const [name, value] of Object.entries(ref)) {
        expect(table[t]![col(name as (typeof FEATURE_COLUMNS)[number])]! / value, `${name} at ${t}`).toBeCloseTo(1, 9);
      }
    }
  });

  it('with the seed defaults, 500 candles give exactly 250 rows after the warm-up (250 eaten, 250 fed)', () => {
    const w = featureWindow(randomWalk(500, 3), SEED_001_FEATURES);
    expect(w.usableRows).toBe(250);
    expect(w.rows).toHaveLength(250);
    expect(w.rows[0]).toHaveLength(14);
  });

  it('499 candles are one row short, and a NaN (zero volume, zero range) knocks out the EVM window', () => {
    expect(() => featureWindow(randomWalk(499, 3), SEED_001_FEATURES)).toThrow(FeatureWindowError);
    const candles = randomWalk(500, 3);
    candles[400] = { ...candles[400]!, high: 20000, low: 20000, volume: 0 };
    expect(() => featureWindow(candles, SEED_001_FEATURES)).toThrow(/only \d+ complete rows/);
  });
});

// ---- the trading rules, through the kernel ------------------------------------------------------

const params = { quantity: '0.01', numTrades: 2 };
const answer = (prediction: number, extra: Record<string, unknown> = {}) => ({
  prediction,
  probability: prediction,
  candleOpenTime: T0,
  close: 20000,
  facts: { CCI: 12.5, ROC: 0.001 },
  ...extra,
});

function boughtAt(price: string) {
  const bot = createBot(modelScalper, params);
  const startCommands = start(bot);
  const req = fetches(startCommands)[0]!;
  feed(bot, { type: 'data', now: T0 + 1, requestId: req.requestId, result: answer(1) });
  fillLast(bot, price, T0 + 2);
  return bot;
}

describe('seed 001 rules', () => {
  it('asks for an inference over 500 candles with a 250-step window at start and on each closed candle', () => {
    const bot = createBot(modelScalper, params);
    const req = fetches(start(bot))[0]!;
    expect(req.request).toEqual({
      kind: 'inference',
      modelPath: 'models/momentum-lstm.onnx',
      symbol: 'BTCUSDT',
      interval: '1m',
      lookback: 500,
      window: 250,
    });
    feed(bot, { type: 'data', now: T0 + 1, requestId: req.requestId, result: answer(0) });
    const c = {
      symbol: 'BTCUSDT',
      interval: '1m' as const,
      openTime: T0,
      closeTime: T0 + 59_999,
      open: '20000',
      high: '20000',
      low: '20000',
      close: '20000',
      volume: '1',
    };
    expect(fetches(feed(bot, { type: 'candle', now: T0 + 60_000, candle: c }))[0]!.requestId).toBe(`infer-${T0}`);
  });

  it('prediction 0: no order, the decision is recorded with the indicator values', () => {
    const bot = createBot(modelScalper, params);
    const req = fetches(start(bot))[0]!;
    const cmds = feed(bot, { type: 'data', now: T0 + 1, requestId: req.requestId, result: answer(0) });
    expect(placements(cmds)).toHaveLength(0);
    const s = strategyState<ModelScalperState>(bot);
    expect(s.decisions.at(-1)).toMatchObject({
      action: 'hold',
      reason: 'model predicted 0',
      facts: { prediction: 0, CCI: 12.5 },
    });
  });

  it('prediction 1 with no position: market buy of the configured quantity, with the facts', () => {
    const bot = createBot(modelScalper, params);
    const req = fetches(start(bot))[0]!;
    const placed = placements(feed(bot, { type: 'data', now: T0 + 1, requestId: req.requestId, result: answer(1) }));
    expect(placed).toHaveLength(1);
    expect(placed[0]!.request).toMatchObject({ side: 'BUY', type: 'MARKET', quantity: '0.01' });
    expect(bot.state.orders[placed[0]!.clientOrderId]!.facts).toMatchObject({ prediction: 1, ROC: 0.001 });
  });

  it('prediction 1 while holding: no second buy (seed: `buy == False`)', () => {
    const bot = boughtAt('20000');
    const c = {
      symbol: 'BTCUSDT',
      interval: '1m' as const,
      openTime: T0 + 60_000,
      closeTime: T0 + 119_999,
      open: '20000',
      high: '20000',
      low: '20000',
      close: '20000',
      volume: '1',
    };
    // no inference is even asked while a position is open
    expect(fetches(feed(bot, { type: 'candle', now: T0 + 120_000, candle: c }))).toHaveLength(0);
  });

  it('a wrong model shape is refused at start: the bot stops with the model check message', () => {
    const bot = createBot(modelScalper, params);
    const req = fetches(start(bot))[0]!;
    const message = 'model /m.onnx refused: it expects 100 time steps, the bot feeds 250';
    feed(bot, { type: 'dataFailed', now: T0 + 1, requestId: req.requestId, message });
    expect(['STOPPING', 'STOPPED']).toContain(bot.state.status);
    expect(bot.state.stopReason).toContain('expects 100 time steps');
  });

  it('after the buy fills at 20000: stop trigger below 19985 and a trigger on the first rise above the entry', () => {
    const bot = boughtAt('20000');
    // one tick (0.01) beyond each level: the seed compares strictly, a trigger fires at or beyond
    expect(bot.state.watches).toEqual({
      'stop-1-0': { direction: 'below', price: '19984.99' },
      'high-1-0': { direction: 'above', price: '20000.01' },
    });
  });

  it('stop-loss: price < entry - 15 sells at market; exactly entry - 15 does not (the seed compares strictly)', () => {
    const bot = boughtAt('20000');
    expect(
      placements(feed(bot, { type: 'trigger', now: T0 + 10, id: 'stop-1-0', price: '19985', time: T0 + 10 })),
    ).toHaveLength(0);
    // watched again under fresh ids (the stream service fires an id only once)
    expect(bot.state.watches).toEqual({
      'stop-1-1': { direction: 'below', price: '19984.99' },
      'high-1-1': { direction: 'above', price: '20000.01' },
    });
    const placed = placements(
      feed(bot, { type: 'trigger', now: T0 + 11, id: 'stop-1-1', price: '19984.99', time: T0 + 11 }),
    );
    expect(placed[0]!.request).toMatchObject({ side: 'SELL', type: 'MARKET', quantity: '0.01' });
    expect(bot.state.watches).toEqual({});
    fillLast(bot, '19984.99', T0 + 12);
    const s = strategyState<ModelScalperState>(bot);
    expect(s.trades[0]).toMatchObject({ exitReason: 'stop-loss', entry: '20000', exit: '19984.99', points: '-15.01' });
  });

  it('trailing exit: after rising to 20003 it sells when the price falls one point below that high', () => {
    const bot = boughtAt('20000');
    // first rise above the entry: the trailing exit is armed one point under the high
    feed(bot, { type: 'trigger', now: T0 + 10, id: 'high-1-0', price: '20000.50000000', time: T0 + 10 });
    expect(bot.state.watches).toEqual({
      'stop-1-1': { direction: 'below', price: '19984.99' },
      'high-1-1': { direction: 'above', price: '20001.5' },
      'trail-1-1': { direction: 'below', price: '19999.5' },
    });
    // the high moves up in steps of one point
    feed(bot, { type: 'trigger', now: T0 + 20, id: 'high-1-1', price: '20003', time: T0 + 20 });
    expect(bot.state.watches).toEqual({
      'stop-1-2': { direction: 'below', price: '19984.99' },
      'high-1-2': { direction: 'above', price: '20004' },
      'trail-1-2': { direction: 'below', price: '20002' },
    });
    // a late trigger of an earlier arming is ignored
    expect(
      placements(feed(bot, { type: 'trigger', now: T0 + 21, id: 'trail-1-1', price: '19999', time: T0 + 21 })),
    ).toHaveLength(0);
    // 20002.5 is not one point below 20003 yet: a touch of the trigger without crossing does nothing
    expect(
      placements(feed(bot, { type: 'trigger', now: T0 + 25, id: 'trail-1-2', price: '20002.5', time: T0 + 25 })),
    ).toHaveLength(0);
    const placed = placements(
      feed(bot, { type: 'trigger', now: T0 + 30, id: 'trail-1-3', price: '20002', time: T0 + 30 }),
    );
    expect(placed[0]!.request).toMatchObject({ side: 'SELL', type: 'MARKET' });
    fillLast(bot, '20002', T0 + 31);
    const s = strategyState<ModelScalperState>(bot);
    expect(s.trades[0]).toMatchObject({ exitReason: 'trailing', points: '2', pnl: '0.02' });
    expect(s.phase).toBe('idle');
  });

  it('stops after the configured number of trades and reports each one', () => {
    const bot = boughtAt('20000');
    feed(bot, { type: 'trigger', now: T0 + 10, id: 'stop-1-0', price: '19980', time: T0 + 10 });
    fillLast(bot, '19980', T0 + 11);
    const c = {
      symbol: 'BTCUSDT',
      interval: '1m' as const,
      openTime: T0 + 60_000,
      closeTime: T0 + 119_999,
      open: '20000',
      high: '20000',
      low: '20000',
      close: '20000',
      volume: '1',
    };
    const req = fetches(feed(bot, { type: 'candle', now: T0 + 120_000, candle: c }))[0]!;
    feed(bot, { type: 'data', now: T0 + 120_001, requestId: req.requestId, result: answer(1) });
    fillLast(bot, '19990', T0 + 120_002);
    feed(bot, { type: 'trigger', now: T0 + 120_010, id: 'high-2-0', price: '19995', time: T0 + 120_010 });
    feed(bot, { type: 'trigger', now: T0 + 120_020, id: 'trail-2-1', price: '19994', time: T0 + 120_020 });
    const cmds = fillLast(bot, '19994', T0 + 120_021);
    expect(['STOPPING', 'STOPPED']).toContain(bot.state.status);
    expect(bot.state.stopReason).toBe('model-scalper: completed 2 trades');
    const report = cmds.find((c) => c.type === 'notify' && c.message.startsWith('2 trades'));
    expect(report && report.type === 'notify' && report.message).toContain('1 stop-loss');
    expect(report && report.type === 'notify' && report.message).toContain('+4 points');
  });

  it('an inference answer lost for more than 5 candles is given up on and asked again', () => {
    const bot = createBot(modelScalper, params);
    start(bot); // the start-up request is never answered
    const mk = (i: number) => ({
      symbol: 'BTCUSDT',
      interval: '1m' as const,
      openTime: T0 + i * 60_000,
      closeTime: T0 + i * 60_000 + 59_999,
      open: '20000',
      high: '20000',
      low: '20000',
      close: '20000',
      volume: '1',
    });
    for (let i = 0; i < 5; i++)
      expect(fetches(feed(bot, { type: 'candle', now: T0 + (i + 1) * 60_000, candle: mk(i) }))).toHaveLength(0);
    const again = fetches(feed(bot, { type: 'candle', now: T0 + 6 * 60_000 + 1, candle: mk(5) }));
    expect(again.map((f) => f.requestId)).toEqual([`infer-${T0 + 5 * 60_000}`]);
    expect(strategyState<ModelScalperState>(bot).decisions.at(-1)!.action).toBe('retry');
  });
});
