/**
 * Model inference for the seed-001 scalper, as a data handler the worker plugs into the `fetchData`
 * activity (activities/market.ts `dataHandlers.inference`). Native code (onnxruntime-node) never
 * runs in the workflow sandbox: the bot sends a small `inference` request, this fetches the last
 * `lookback` closed candles, builds the seed's feature window (core/analysis/scalper-features.ts),
 * runs the ONNX model and returns only the prediction and the indicator values behind it.
 *
 * Errors that retrying cannot fix (missing file, wrong input shape, not enough clean rows) are
 * thrown as the class `InvalidRequest`, a type the runtime's retry policy does not retry;
 * the bot then receives them as a `data` event `{ error }` and stops with that message.
 */
import { stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DataRequest, Json } from '../core/strategy';
import { MODELS_FOLDER, modelPathProblem } from '../core/model-files';
import {
  FEATURE_COLUMNS,
  type FeatureCandle,
  type FeatureConfig,
  FeatureWindowError,
  SEED_001_FEATURES,
  featureWindow,
} from '../core/analysis/scalper-features';

/**
 * A refusal retrying will not fix. Temporal takes an activity error's type from its class name,
 * and the runtime's retry policy does not retry the type `InvalidRequest`: hence the class name.
 */
export class InvalidRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequest';
  }
}

export interface LoadedModel {
  readonly path: string;
  readonly session: ort.InferenceSession;
  readonly inputName: string;
  readonly outputName: string;
  /** The input shape the model declares, e.g. ["batch", 250, 14]. */
  readonly inputShape: readonly (number | string)[];
}

const sessions = new Map<string, Promise<LoadedModel>>();

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Load (once per file version) and check a model: one float32 input of rank 3 whose step and
 * feature dimensions match what the bot feeds, one output whose last dimension is the two
 * classes of the seed's CrossEntropyLoss. A model of another shape is refused with a message
 * saying what the bot feeds.
 */
export async function loadModel(
  modelPath: string,
  expected: { readonly window: number; readonly features: number },
): Promise<LoadedModel> {
  const resolved = path.resolve(modelPath);
  let mtime: number;
  try {
    mtime = (await stat(resolved)).mtimeMs;
  } catch {
    throw new InvalidRequest(
      `model file ${resolved} not found (generate the demo model with: npx tsx scripts/make-model.ts)`,
    );
  }
  const key = `${resolved}@${mtime}@${expected.window}x${expected.features}`;
  let loading = sessions.get(key);
  if (!loading) {
    loading = openAndCheck(resolved, expected);
    sessions.set(key, loading);
    // A failed load is not cached: the file may be fixed and the request retried.
    loading.catch(() => sessions.delete(key));
  }
  return loading;
}

async function openAndCheck(
  resolved: string,
  expected: { readonly window: number; readonly features: number },
): Promise<LoadedModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(resolved);
  } catch (err) {
    throw new InvalidRequest(`model ${resolved} cannot be loaded by onnxruntime: ${(err as Error).message}`);
  }
  const feeds = `[1, ${expected.window}, ${expected.features}] float32 (a ${expected.window}-step window of the columns ${FEATURE_COLUMNS.join(', ')})`;
  if (session.inputMetadata.length !== 1 || session.outputMetadata.length < 1) {
    await session.release();
    throw new InvalidRequest(
      `model ${resolved} has ${session.inputMetadata.length} inputs and ${session.outputMetadata.length} outputs; the scalper feeds one input ${feeds} and reads one output of 2 class scores`,
    );
  }
  const input = session.inputMetadata[0]!;
  const output = session.outputMetadata[0]!;
  const problems: string[] = [];
  if (!input.isTensor) problems.push(`its input "${input.name}" is not a tensor`);
  else {
    const shape = input.shape;
    if (input.type !== 'float32') problems.push(`its input "${input.name}" is ${input.type}, not float32`);
    if (shape.length !== 3)
      problems.push(`its input "${input.name}" has shape ${describeShape(shape)} (rank ${shape.length}, expected 3)`);
    else {
      const [batch, steps, width] = shape;
      if (typeof batch === 'number' && batch !== 1) problems.push(`its batch dimension is ${batch}, not 1 or symbolic`);
      if (typeof steps === 'number' && steps !== expected.window)
        problems.push(`it expects ${steps} time steps, the bot feeds ${expected.window}`);
      if (typeof width === 'number' && width !== expected.features)
        problems.push(`it expects ${width} features per step, the bot feeds ${expected.features}`);
    }
  }
  if (output.isTensor) {
    const last = output.shape[output.shape.length - 1];
    if (typeof last === 'number' && last !== 2)
      problems.push(
        `its output "${output.name}" has ${last} values per sample, expected 2 class scores (prediction = argmax)`,
      );
  }
  if (problems.length > 0) {
    await session.release();
    const declared = input.isTensor ? describeShape(input.shape) : 'non-tensor';
    throw new InvalidRequest(
      `model ${resolved} refused: ${problems.join('; ')}. Model input is ${declared}; the scalper feeds ${feeds}.`,
    );
  }
  return {
    path: resolved,
    session,
    inputName: input.name,
    outputName: output.name,
    inputShape: input.isTensor ? input.shape : [],
  };
}

export interface Prediction {
  /** argmax of the two class scores: 1 = enter (the seed's `predictions[0] == 1`). */
  readonly prediction: 0 | 1;
  /** softmax probability of class 1. */
  readonly probability: number;
  readonly logits: readonly number[];
}

export async function predict(model: LoadedModel, rows: readonly (readonly number[])[]): Promise<Prediction> {
  const steps = rows.length;
  const width = rows[0]?.length ?? 0;
  const data = new Float32Array(steps * width);
  rows.forEach((row, t) => row.forEach((v, j) => (data[t * width + j] = v)));
  let result: ort.InferenceSession.ReturnType;
  try {
    result = await model.session.run({ [model.inputName]: new ort.Tensor('float32', data, [1, steps, width]) });
  } catch (err) {
    throw new InvalidRequest(`model ${model.path} failed on input [1, ${steps}, ${width}]: ${(err as Error).message}`);
  }
  const out = result[model.outputName];
  const logits = out ? Array.from(out.data as Float32Array).slice(0, 2) : [];
  if (logits.length !== 2 || logits.some((v) => !Number.isFinite(v))) {
    throw new InvalidRequest(`model ${model.path} returned ${JSON.stringify(logits)}; expected 2 finite class scores`);
  }
  const [a, b] = logits as [number, number];
  const m = Math.max(a, b);
  const probability = Math.exp(b - m) / (Math.exp(a - m) + Math.exp(b - m));
  return { prediction: b > a ? 1 : 0, probability, logits };
}

/**
 * Optional sidecar `<model>.json` with the indicator periods the model was trained with, e.g.
 * `{ "periods": { "cci": 20, "evm": 14 } }`; missing entries keep the seed's values.
 */
export function featureConfigFor(modelPath: string, window: number): FeatureConfig {
  const sidecar = `${path.resolve(modelPath)}.json`;
  let periods: Partial<Record<keyof FeatureConfig, unknown>> = {};
  try {
    periods = (JSON.parse(readFileSync(sidecar, 'utf8')) as { periods?: typeof periods }).periods ?? {};
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new InvalidRequest(`model sidecar ${sidecar} is not valid JSON: ${(err as Error).message}`);
  }
  const cfg: Record<string, number> = { ...SEED_001_FEATURES, window };
  for (const [k, v] of Object.entries(periods)) {
    if (!(k in SEED_001_FEATURES) || k === 'window')
      throw new InvalidRequest(`model sidecar ${sidecar}: unknown period "${k}"`);
    if (!Number.isInteger(v) || (v as number) < 1)
      throw new InvalidRequest(`model sidecar ${sidecar}: period "${k}" must be a positive integer`);
    cfg[k] = v as number;
  }
  return cfg as unknown as FeatureConfig;
}

export interface InferenceAnswer {
  readonly prediction: 0 | 1;
  readonly probability: number;
  readonly logits: number[];
  /** Open time of the newest candle in the window: the decision is "as of its close". */
  readonly candleOpenTime: number;
  readonly close: number;
  readonly candles: number;
  readonly usableRows: number;
  /** The newest row's indicator values before normalisation (the decision's facts). */
  readonly facts: Record<string, number>;
}

/** The whole pipeline on candles already at hand (the backtester calls this directly). */
export async function predictFromCandles(
  modelPath: string,
  candles: readonly (FeatureCandle & { readonly openTime: number })[],
  cfg: FeatureConfig,
): Promise<InferenceAnswer> {
  const model = await loadModel(modelPath, { window: cfg.window, features: FEATURE_COLUMNS.length });
  let window;
  try {
    window = featureWindow(candles, cfg);
  } catch (err) {
    if (err instanceof FeatureWindowError) throw new InvalidRequest(err.message);
    throw err;
  }
  const p = await predict(model, window.rows);
  const last = candles[candles.length - 1]!;
  const facts = Object.fromEntries(Object.entries(window.lastRaw).map(([k, v]) => [k, Number(v.toPrecision(8))]));
  return {
    prediction: p.prediction,
    probability: Number(p.probability.toFixed(6)),
    logits: p.logits.map((v) => Number(v.toFixed(6))),
    candleOpenTime: last.openTime,
    close: last.close,
    candles: candles.length,
    usableRows: window.usableRows,
    facts,
  };
}

const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * The model file a request names, resolved inside `<root>/models/`: a bot definition is user
 * input, and the worker must never open a file outside that folder (the params schema refuses such
 * paths already; this is the worker's own check, after resolving symlink-free `..` tricks).
 */
export function modelFileOnWorker(root: string, modelPath: string): string {
  const problem = modelPathProblem(modelPath);
  if (problem) throw new InvalidRequest(`modelPath ${problem}`);
  const folder = path.resolve(root, MODELS_FOLDER);
  const resolved = path.resolve(root, modelPath);
  if (!resolved.startsWith(folder + path.sep)) throw new InvalidRequest(`modelPath must be inside ${folder}`);
  return resolved;
}

/** What the handler needs from an exchange account: binance-api-node's `candles` call. */
export interface CandleSource {
  call<T>(
    what: string,
    weight: number,
    fn: (rest: { candles(p: Record<string, string | number>): Promise<readonly RawKline[]> }) => Promise<T>,
  ): Promise<T>;
}

interface RawKline {
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly trades?: number;
}

/**
 * The `inference` data handler: `dataHandlers: { inference: createInferenceHandler() }`. Fetches
 * `lookback + 1` klines (the exchange includes the candle still forming, which is dropped: the
 * bot decides on closed candles, so a backtest sees exactly what live saw).
 */
export function createInferenceHandler(opts: { readonly now?: () => number; readonly root?: string } = {}) {
  const now = opts.now ?? Date.now;
  const root = opts.root ?? PROJECT_ROOT;
  return async (request: DataRequest, account: CandleSource): Promise<Json> => {
    if (request.kind !== 'inference') throw new InvalidRequest(`inference handler got a "${request.kind}" request`);
    const { symbol, interval, lookback, window } = request;
    const modelPath = modelFileOnWorker(root, request.modelPath);
    if (lookback > 1000)
      throw new InvalidRequest(
        `lookback ${lookback} exceeds the 1000 klines Binance returns in one call (the seed's own remark)`,
      );
    const cfg = featureConfigFor(modelPath, window);
    const t = now();
    const raw = await account.call('klines', 2, (rest) =>
      rest.candles({ symbol, interval: interval, limit: lookback + 1 }),
    );
    const closed = raw.filter((c) => Number(c.closeTime) < t).slice(-lookback);
    const candles = closed.map((c) => {
      if (c.trades === undefined) throw new InvalidRequest("klines carry no trade count (the seed's Count column)");
      return {
        openTime: Number(c.openTime),
        open: Number(c.open),
        high: Number(c.high),
        low: Number(c.low),
        close: Number(c.close),
        volume: Number(c.volume),
        trades: Number(c.trades),
      };
    });
    return (await predictFromCandles(modelPath, candles, cfg)) as unknown as Json;
  };
}
