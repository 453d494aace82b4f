/**
 * Each seed strategy in the backtester (backtest/engine.ts, unchanged) on a fixture, with its
 * report. The backtester answers only its own symbol's candle requests; the data the other seeds
 * ask for (model predictions, order-book summaries, other symbols' daily candles, test orders) is
 * answered in-process by core/strategies/seed/local-data.ts from fixture data:
 *
 * - rsi-sniper: the January 2024 BTCUSDT 1h klines, nothing else;
 * - model-scalper: the same klines; the generated ONNX model (window 50) run ahead of time over
 *   every candle, the first 300 candles serving as history;
 * - book-imbalance: the same klines and a depth recording generated from them in the recording
 *   format the paper exchange writes (core/analysis/book-replay.ts);
 * - macd-portfolio: 400 days of synthetic daily candles for three symbols.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { predictFromCandles } from '../../activities/inference';
import { type BacktestResult, runBacktest } from '../../backtest/engine';
import { parseKlines } from '../../backtest/data';
import { recordedBookResolver } from '../../backtest/depth-data';
import { summaryText } from '../../backtest/report';
import { parseDepthRecording } from '../../core/analysis/book-replay';
import { SEED_001_FEATURES } from '../../core/analysis/scalper-features';
import type { Candle } from '../../core/market';
import { bookImbalance } from '../../core/strategies/book-imbalance';
import { DAY_MS, macdPortfolio } from '../../core/strategies/macd-portfolio';
import { modelScalper } from '../../core/strategies/model-scalper';
import { rsiSniper } from '../../core/strategies/rsi-sniper';
import { type LocalResolver, withLocalData } from '../../core/strategies/seed/local-data';
import type { Json } from '../../core/strategy';
import { DEFAULT_SPEC, buildModel } from '../../scripts/make-model';
import { wallsRecordingLines } from '../support/fixtures/depth';

const FIXTURE = path.resolve(__dirname, '../support/fixtures/klines/BTCUSDT-1h-2024-01.csv');
const text = readFileSync(FIXTURE, 'utf8');
const { candles } = parseKlines(text, { symbol: 'BTCUSDT' });
/** The CSV's num_trades column (the seed-001 Count feature); the Candle type does not carry it. */
const tradeCounts = new Map(
  text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','))
    .map((cells) => [Number(cells[0]), Number(cells[8])] as const),
);

/** The orders with their reasons: what the report's trade table does not show. */
function orderReasons(r: BacktestResult): string {
  return r.orders
    .map(
      (o) =>
        `  ${new Date(o.time).toISOString().slice(0, 16)} ${o.tag} ${o.request.side} ${o.request.type} -> ${o.status}: ${o.reason.slice(0, 160)}`,
    )
    .join('\n');
}

function report(title: string, r: BacktestResult): void {
  console.log(`\n===== ${title} =====\n${summaryText(r)}\norders and why:\n${orderReasons(r)}`);
}

/** Candles that had closed by `now`, from a series. */
function closedBy(series: readonly Candle[], now: number): Candle[] {
  return series.filter((c) => c.closeTime <= now);
}

describe('seed strategies in the backtester', () => {
  it('seed 003 rsi-sniper on BTCUSDT 1h (January 2024): trades on its rules, every order says which', () => {
    const r = runBacktest({ strategy: rsiSniper, params: {}, candles, balances: { USDT: '10000' } });
    report('seed 003 rsi-sniper', r);
    expect(r.orders.length).toBeGreaterThan(0);
    for (const o of r.orders)
      expect(o.reason).toMatch(/^(long1 entry|long2 entry|exit long1|exit long2|stop-loss long1|stop-loss long2)/);
    expect(r.roundTrips.count).toBe(r.orders.filter((o) => o.purpose === 'exit' && o.status === 'FILLED').length);
  });

  it('seed 001 model-scalper with the generated ONNX model: predictions precomputed, exits on the candle path', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'seed-bt-'));
    const model = path.join(dir, 'momentum-w50.onnx');
    writeFileSync(model, buildModel({ ...DEFAULT_SPEC, window: 50 }));
    const lookback = 300;
    const cfg = { ...SEED_001_FEATURES, window: 50 };
    const withCounts = candles.map((c) => ({
      openTime: c.openTime,
      open: Number(c.open),
      high: Number(c.high),
      low: Number(c.low),
      close: Number(c.close),
      volume: Number(c.volume),
      trades: tradeCounts.get(c.openTime)!,
    }));
    // The model's answer as of each candle's close, computed ahead (onnxruntime is asynchronous).
    const answers = new Map<number, Json>();
    for (let i = lookback - 1; i < withCounts.length; i++) {
      answers.set(
        candles[i]!.closeTime,
        (await predictFromCandles(model, withCounts.slice(i - lookback + 1, i + 1), cfg)) as unknown as Json,
      );
    }
    const resolve: LocalResolver = (request, { now }) => {
      if (request.kind !== 'inference') return undefined;
      const last = closedBy(candles, now).at(-1);
      return (last && answers.get(last.closeTime)) ?? { error: 'no prediction before the history is long enough' };
    };
    const r = runBacktest({
      strategy: withLocalData(modelScalper, resolve),
      params: { modelPath: 'models/momentum-w50.onnx', quantity: '0.01', numTrades: 5, lookback, window: 50 }, // answered by the resolver above
      candles: candles.slice(lookback),
      balances: { USDT: '10000' },
    });
    report('seed 001 model-scalper', r);
    const predictions = [...answers.values()].map((a) => (a as { prediction: number }).prediction);
    console.log(
      `predictions: ${predictions.filter((p) => p === 1).length} x 1, ${predictions.filter((p) => p === 0).length} x 0`,
    );
    expect(r.orders.filter((o) => o.tag.startsWith('buy-')).length).toBeGreaterThan(0);
    for (const o of r.orders.filter((x) => x.tag.startsWith('sell-')))
      expect(o.reason).toMatch(/^(stop-loss|trailing exit)/);
    expect(r.roundTrips.count).toBeLessThanOrEqual(5);
  });

  it('seed 004 book-imbalance on recorded depth snapshots (one per candle, generated from the klines)', () => {
    // A deterministic book around each close: thin or heavy asks by turns, walls a few levels out.
    const lines = wallsRecordingLines(candles);
    const recording = parseDepthRecording(lines.join('\n'), 'generated');
    // The same resolver `npm run backtest -- --depth` uses.
    const r = runBacktest({
      strategy: withLocalData(bookImbalance, recordedBookResolver(recording)),
      params: { entryTimeoutCandles: 2 },
      candles,
      balances: { USDT: '10000' },
    });
    report('seed 004 book-imbalance', r);
    const entries = r.orders.filter((o) => o.tag.startsWith('entry-'));
    expect(entries.length).toBeGreaterThan(0);
    for (const o of entries) {
      expect(o.request).toMatchObject({ side: 'BUY', type: 'LIMIT' });
      expect(o.reason).toMatch(/^ask share 0\.\d+ <= long pressure 0\.25: long at/);
    }
    const exits = r.orders.filter((o) => o.tag.startsWith('exit-') && o.status === 'FILLED');
    console.log(
      `exits: ${exits.filter((o) => o.request.type === 'LIMIT_MAKER').length} take-profit, ${exits.filter((o) => o.request.type === 'STOP_LOSS').length} stop-loss`,
    );
    expect(exits.some((o) => o.request.type === 'LIMIT_MAKER')).toBe(true);
    expect(exits.some((o) => o.request.type === 'STOP_LOSS')).toBe(true);
  });

  it('seed 002 macd-portfolio: three symbols in dry run (test orders), and live on the bot symbol', () => {
    // 400 days of daily candles per symbol: deterministic waves so MACD crosses now and then.
    const daily = (symbol: string, base: number, phase: number): Candle[] =>
      Array.from({ length: 400 }, (_, i) => {
        const close = base * (1 + 0.25 * Math.sin((i + phase) / 23) + 0.08 * Math.sin((i + phase) / 5) + i / 2000);
        const openTime = Date.UTC(2023, 0, 1) + i * DAY_MS;
        return {
          symbol,
          interval: '1d' as const,
          openTime,
          closeTime: openTime + DAY_MS - 1,
          open: (close * 0.995).toFixed(2),
          high: (close * 1.02).toFixed(2),
          low: (close * 0.98).toFixed(2),
          close: close.toFixed(2),
          volume: '1000',
        };
      });
    const data: Record<string, Candle[]> = {
      BTCUSDT: daily('BTCUSDT', 30000, 0),
      ETHUSDT: daily('ETHUSDT', 2000, 40),
      BNBUSDT: daily('BNBUSDT', 300, 80),
    };
    const tests: string[] = [];
    const resolve: LocalResolver = (request, { now }) => {
      if (request.kind === 'candles') {
        const series = data[request.symbol];
        if (!series) return undefined;
        return closedBy(series, Math.min(now, request.endTime ?? now)).slice(-request.limit) as unknown as Json;
      }
      if (request.kind === 'custom' && request.name === 'testOrder') {
        tests.push(JSON.stringify(request.input));
        return {};
      }
      return undefined;
    };
    const run = (params: Record<string, unknown>) =>
      runBacktest({
        strategy: withLocalData(macdPortfolio, resolve),
        params: { ...params, historyDays: 200 },
        candles: data.BTCUSDT!.slice(200),
        balances: { USDT: '10000' },
      });

    const dry = run({ symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] });
    report('seed 002 macd-portfolio, dry run over 3 symbols', dry);
    console.log(`test orders sent: ${tests.length}; the first: ${tests[0]}`);
    expect(dry.orders).toHaveLength(0); // dry run: the test endpoint only
    expect(tests.length).toBeGreaterThan(0);
    expect(new Set(tests.map((t) => (JSON.parse(t) as { symbol: string }).symbol)).size).toBeGreaterThan(1);

    const live = run({ symbols: ['BTCUSDT'], dryRun: false });
    report('seed 002 macd-portfolio, live on BTCUSDT', live);
    expect(live.orders.length).toBeGreaterThan(0);
    for (const o of live.orders) expect(o.reason).toMatch(/MACD crossed (above|below) its signal/);
    expect(live.fills.length).toBe(live.orders.filter((o) => o.status === 'FILLED').length);
  });
});
