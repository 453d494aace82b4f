/**
 * Generate the small ONNX model the project ships for the seed-001 scalper (tests and the demo),
 * without Python: the ONNX protobuf is encoded by hand below (a few message types are enough).
 *
 *   npx tsx scripts/make-model.ts [out=models/momentum-lstm.onnx]
 *
 * The graph has the shape a PyTorch `nn.LSTM(batch_first=True)` + `nn.Linear(hidden, 2)` exports
 * to (see docs/seed-strategies.md): input `features` float32 [batch, 250, 14] (the seed's 250-step
 * window of 14 normalised columns, core/analysis/scalper-features.ts), Transpose to time-major, one
 * ONNX `LSTM` node, the last hidden state reshaped to [batch, hidden], a `Gemm` to two logits
 * (the seed trains with CrossEntropyLoss over 2 classes; prediction = argmax).
 *
 * It is NOT a trained model. Its weights are set by hand so the demo is explainable: hidden unit 0
 * is an integrator whose cell state sums tanh(5 * ROC) over the window (input, forget and output
 * gates held open), and the classifier says 1 when that sum is positive, i.e. "the window's Rate of
 * Change was positive on balance" (a momentum toy). The other hidden units carry small
 * deterministic pseudo-random weights and do not reach the output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { seededRandom } from '../core/random';
import path from 'node:path';

// ---- a minimal protobuf writer (wire types 0 = varint, 2 = length-delimited, 5 = 32-bit) ----------

class Writer {
  private readonly parts: number[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.parts.push(byte);
    } while (v !== 0n);
    return this;
  }

  private key(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    return this.key(field, 0).varint(value);
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2).varint(data.length);
    for (const b of data) this.parts.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  float(field: number, value: number): this {
    const buf = new DataView(new ArrayBuffer(4));
    buf.setFloat32(0, value, true);
    this.key(field, 5);
    for (let i = 0; i < 4; i++) this.parts.push(buf.getUint8(i));
    return this;
  }

  /** Packed repeated int64. */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

// ---- ONNX message builders (field numbers from onnx/onnx.proto) ------------------------------------

const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;
const ATTR_INTS = 7;

interface Tensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: typeof FLOAT | typeof INT64;
  readonly values: readonly number[];
}

function tensor(w: Writer, t: Tensor): void {
  w.packedInts(1, t.dims); // dims
  w.int(2, t.type); // data_type
  w.string(8, t.name); // name
  // raw_data (9): little-endian, the most compact encoding.
  const size = t.type === FLOAT ? 4 : 8;
  const view = new DataView(new ArrayBuffer(t.values.length * size));
  t.values.forEach((v, i) =>
    t.type === FLOAT ? view.setFloat32(i * size, v, true) : view.setBigInt64(i * size, BigInt(v), true),
  );
  w.bytes(9, new Uint8Array(view.buffer));
}

type Dim = number | string;

function valueInfo(w: Writer, name: string, dims: readonly Dim[]): void {
  w.string(1, name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, FLOAT); // elem_type
      tensorType.message(2, (shape) => {
        for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

interface Attr {
  readonly name: string;
  readonly int?: number;
  readonly ints?: readonly number[];
}

interface Node {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: readonly Attr[];
}

function node(w: Writer, n: Node): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.op);
  for (const a of n.attrs ?? []) {
    w.message(5, (attr) => {
      attr.string(1, a.name);
      if (a.int !== undefined) attr.int(3, a.int).int(20, ATTR_INT);
      if (a.ints !== undefined) {
        for (const v of a.ints) attr.int(8, v);
        attr.int(20, ATTR_INTS);
      }
    });
  }
}

// ---- the model -----------------------------------------------------------------------------------

export interface ModelSpec {
  readonly window: number;
  readonly features: number;
  readonly hidden: number;
  /** Column of the Rate of Change in the feature table (the momentum unit reads it). */
  readonly rocColumn: number;
  readonly seed: number;
}

/** The shape the scalper feeds by default: 250 steps x 14 columns (core/analysis/scalper-features.ts). */
export const DEFAULT_SPEC: ModelSpec = { window: 250, features: 14, hidden: 8, rocColumn: 13, seed: 1 };

export function buildModel(spec: ModelSpec = DEFAULT_SPEC): Uint8Array {
  const { window, features, hidden: h } = spec;
  const rand = seededRandom(spec.seed); // byte-identical model on every run
  const small = () => (rand() - 0.5) * 0.2;
  // ONNX LSTM gate order is i, o, f, c (input, output, forget, cell).
  const W = new Array<number>(4 * h * features).fill(0);
  const R = new Array<number>(4 * h * h).fill(0);
  const B = new Array<number>(8 * h).fill(0);
  for (let gate = 0; gate < 4; gate++) {
    for (let unit = 1; unit < h; unit++) {
      for (let k = 0; k < features; k++) W[(gate * h + unit) * features + k] = small();
      for (let k = 0; k < h; k++) R[(gate * h + unit) * h + k] = small();
    }
  }
  // Unit 0: input, output and forget gates saturated open (bias 20 => sigmoid ~ 1), cell input 5*ROC.
  for (const gate of [0, 1, 2]) B[gate * h + 0] = 20;
  W[(3 * h + 0) * features + spec.rocColumn] = 5;
  // Classifier: logit0 = 0, logit1 = 50 * h0  => class 1 iff h0 > 0.
  const fcW = new Array<number>(2 * h).fill(0);
  fcW[1 * h + 0] = 50;
  const fcB = [0, 0];

  const w = new Writer();
  w.int(1, 8); // ir_version 8 (opset 17 era)
  w.string(2, 'durable-trading-bots/scripts/make-model.ts');
  w.string(3, '1');
  w.string(
    6,
    'Seed-001 scalper demo model: hand-weighted momentum LSTM, not trained. Input [batch, window, features], output logits [batch, 2].',
  );
  w.message(7, (g) => {
    const add = (n: Node) => g.message(1, (m) => node(m, n));
    add({
      op: 'Transpose',
      name: 'to_time_major',
      inputs: ['features'],
      outputs: ['x_tbf'],
      attrs: [{ name: 'perm', ints: [1, 0, 2] }],
    });
    add({
      op: 'LSTM',
      name: 'lstm',
      inputs: ['x_tbf', 'W', 'R', 'B'],
      outputs: ['', 'h_n'],
      attrs: [{ name: 'hidden_size', int: h }],
    });
    add({ op: 'Reshape', name: 'last_hidden', inputs: ['h_n', 'h_shape'], outputs: ['h_last'] });
    add({
      op: 'Gemm',
      name: 'classifier',
      inputs: ['h_last', 'fc_w', 'fc_b'],
      outputs: ['logits'],
      attrs: [{ name: 'transB', int: 1 }],
    });
    g.string(2, 'momentum_lstm');
    const inits: Tensor[] = [
      { name: 'W', dims: [1, 4 * h, features], type: FLOAT, values: W },
      { name: 'R', dims: [1, 4 * h, h], type: FLOAT, values: R },
      { name: 'B', dims: [1, 8 * h], type: FLOAT, values: B },
      { name: 'h_shape', dims: [2], type: INT64, values: [-1, h] },
      { name: 'fc_w', dims: [2, h], type: FLOAT, values: fcW },
      { name: 'fc_b', dims: [2], type: FLOAT, values: fcB },
    ];
    for (const t of inits) g.message(5, (m) => tensor(m, t));
    g.message(11, (m) => valueInfo(m, 'features', ['batch', window, features]));
    g.message(12, (m) => valueInfo(m, 'logits', ['batch', 2]));
  });
  w.message(8, (op) => op.string(1, '').int(2, 17)); // opset_import: default domain, opset 17
  w.message(14, (kv) => kv.string(1, 'window').string(2, String(window)));
  w.message(14, (kv) => kv.string(1, 'features').string(2, String(features)));
  return w.finish();
}

function main(): void {
  const out = path.resolve(process.argv[2] ?? 'models/momentum-lstm.onnx');
  mkdirSync(path.dirname(out), { recursive: true });
  const bytes = buildModel();
  writeFileSync(out, bytes);
  console.log(
    `wrote ${out} (${bytes.length} bytes): input features [batch, ${DEFAULT_SPEC.window}, ${DEFAULT_SPEC.features}] float32, output logits [batch, 2]`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) main();
