/**
 * Seed 001 inference activity: the generated ONNX model loads in onnxruntime-node, answers as
 * designed (momentum toy), a model of the wrong shape is refused with a clear message, and the
 * handler drops the still-forming candle.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_001_FEATURES } from '../../core/analysis/scalper-features';
import { InvalidRequest, createInferenceHandler, loadModel, predictFromCandles } from '../../activities/inference';
import { DEFAULT_SPEC, buildModel } from '../../scripts/make-model';

const dir = mkdtempSync(path.join(os.tmpdir(), 'seed-model-'));
mkdirSync(path.join(dir, 'models'));
const goodModel = path.join(dir, 'models', 'good.onnx');
writeFileSync(goodModel, buildModel());
const wrongModel = path.join(dir, 'wrong.onnx');
writeFileSync(wrongModel, buildModel({ ...DEFAULT_SPEC, window: 100 }));

/** 500 one-minute candles trending by `drift` per minute, with deterministic noise. */
function trend(drift: number, n = 500) {
  const out = [];
  let price = 20000;
  for (let i = 0; i < n; i++) {
    const open = price;
    price += drift + Math.sin(i * 1.7) * 3;
    out.push({
      openTime: i * 60_000,
      closeTime: i * 60_000 + 59_999,
      open,
      high: Math.max(open, price) + 2,
      low: Math.min(open, price) - 2,
      close: price,
      volume: 5 + (i % 7),
      trades: 100 + (i % 13),
    });
  }
  return out;
}

describe('seed 001 ONNX model and inference activity', () => {
  it('the committed demo model is exactly what scripts/make-model.ts generates', () => {
    expect(Buffer.from(readFileSync('models/momentum-lstm.onnx')).equals(Buffer.from(buildModel()))).toBe(true);
  });

  it('loads with input [batch, 250, 14] and predicts 1 on a rising market, 0 on a falling one', async () => {
    const model = await loadModel(goodModel, { window: 250, features: 14 });
    expect(model.inputShape).toEqual(['batch', 250, 14]);
    const up = await predictFromCandles(goodModel, trend(4), SEED_001_FEATURES);
    expect(up.prediction).toBe(1);
    expect(up.usableRows).toBe(250);
    expect(up.facts.ROC).toBeGreaterThan(0);
    const down = await predictFromCandles(goodModel, trend(-4), SEED_001_FEATURES);
    expect(down.prediction).toBe(0);
  });

  it('refuses a model whose window does not match, saying what the bot feeds', async () => {
    const err = await loadModel(wrongModel, { window: 250, features: 14 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequest);
    expect((err as Error).constructor.name).toBe('InvalidRequest'); // Temporal's failure type: non-retryable for the runtime
    expect((err as Error).message).toContain('it expects 100 time steps, the bot feeds 250');
    expect((err as Error).message).toContain('[1, 250, 14] float32');
  });

  it('refuses a missing model file with the command that generates the demo model', async () => {
    await expect(loadModel(path.join(dir, 'missing.onnx'), { window: 250, features: 14 })).rejects.toThrow(
      /not found.*make-model/,
    );
  });

  it('the handler fetches lookback + 1 klines and drops the one still forming', async () => {
    const klines = trend(4, 501).map((c) => ({
      ...c,
      open: String(c.open),
      high: String(c.high),
      low: String(c.low),
      close: String(c.close),
      volume: String(c.volume),
    }));
    let asked: Record<string, string | number> | undefined;
    const account = {
      call: async <T>(
        _what: string,
        _weight: number,
        fn: (rest: { candles(p: Record<string, string | number>): Promise<typeof klines> }) => Promise<T>,
      ) =>
        fn({
          candles: async (p) => {
            asked = p;
            return klines;
          },
        }),
    };
    // "now" is inside the last candle: it is still forming
    const handler = createInferenceHandler({ now: () => 500 * 60_000 + 30_000, root: dir });
    const result = (await handler(
      {
        kind: 'inference',
        modelPath: 'models/good.onnx',
        symbol: 'BTCUSDT',
        interval: '1m',
        lookback: 500,
        window: 250,
      },
      account,
    )) as { candleOpenTime: number; candles: number };
    expect(asked).toEqual({ symbol: 'BTCUSDT', interval: '1m', limit: 501 });
    expect(result.candles).toBe(500);
    expect(result.candleOpenTime).toBe(499 * 60_000);
  });

  it('the handler opens model files inside the models folder only', async () => {
    const handler = createInferenceHandler({ now: () => 0, root: dir });
    const account = {
      call: async () => {
        throw new Error('never asked: the path is refused first');
      },
    };
    for (const modelPath of [
      '/etc/passwd',
      'models/../../etc/passwd',
      '../models/good.onnx',
      'models/good.txt',
      goodModel,
    ]) {
      await expect(
        handler(
          { kind: 'inference', modelPath, symbol: 'BTCUSDT', interval: '1m', lookback: 500, window: 250 },
          account as never,
        ),
      ).rejects.toBeInstanceOf(InvalidRequest);
    }
  });
});
