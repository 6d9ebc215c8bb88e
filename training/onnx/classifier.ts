/**
 * ONNX export of the embedding-bag classifier (network.ts), and the reverse: reading its
 * weights back from a model.onnx (for the parity test and the evaluation).
 *
 * Graph (opset 17), inputs from the featurizer (src/featurizer/index.ts), G = 2 groups per text:
 *   ids int32 [N], segments int64 [N, 1] (= G * row + group), scale float32 [batch, G]
 *   float32 table: rows = Gather(emb, ids)                                      [N, D]
 *   float16 table: rows = Cast(Gather(emb_h, ids), to float)
 *   int8 table:    rows = Cast(Gather(emb_q, ids), to float), the column scales folded into the
 *                  weights that read the sums (network.ts foldColumnInt8), so the rest is unchanged
 *   s      = Reshape(scale, [-1, 1])                                            [batch * G, 1]
 *   sums   = ScatterND(zeros [batch * G, D], segments, rows, reduction=add)     [batch * G, D]
 *   pooled = Reshape(sums * s, [-1, G * D])                                     [batch, G * D]
 *   hidden = Relu(Gemm(pooled, W1, b1, transB))                                 [batch, H]
 *   probs  = Sigmoid(Gemm(hidden, W2, b2, transB) [+ Gemm(pooled, Ws, transB)])   [batch, K]
 *   scores = probs[:, :K-1]   overall = probs[:, K-1:]                          [batch, K-1], [batch, 1]
 * With a linear branch (network.ts, linear.ts) the table has D + L columns; the bags read the first
 * D, and the last L are summed over both groups of a text and added to the logits before Sigmoid:
 *   n      = Where(scale > 0, 1 / scale^2, 0)   (ids per group, from sqrt pooling)  [batch, G]
 *   c      = Pow(Max(1, n . m), -1/2)                                               [batch, 1]
 *   linear = c * Gemm(Reshape(sums[:, D:], [-1, G * L]), [Wl ... Wl], transB)       [batch, K]
 */
import { DataType, GraphBuilder, IR_VERSION, OPSET } from './builder';
import { modelType } from './schema';
import {
  foldColumnInt8,
  fromFloat16Table,
  toFloat16Table,
  type LinearBranch,
  type NetworkParams,
  type NetworkShape,
  type TableStorage,
} from '../model/network';

export const OUTPUT_SCORES = 'scores';
export const OUTPUT_OVERALL = 'overall';

export interface ClassifierExport {
  params: NetworkParams;
  /** How the embedding table is stored (float16 / int8 halve / quarter the file; see `storedParams`). */
  storage: TableStorage;
  inputs: { ids: string; segments: string; scale: string };
  /** The featurizer's pooling: the linear branch recovers the id counts from the scales. */
  pooling: 'sqrt' | 'mean';
  labels: readonly string[];
  producerVersion: string;
  doc: string;
  metadata?: Record<string, string>;
}

export function buildClassifierOnnx(x: ClassifierExport): Uint8Array {
  const { shape } = x.params;
  const { buckets, dim, hidden, outputs, groups } = shape;
  if (outputs !== x.labels.length + 1) throw new Error(`network has ${outputs} outputs for ${x.labels.length} labels + overall`);
  // int8: the graph computes with the folded parameters (integer tables, scaled weights).
  const params = x.storage === 'int8' ? foldColumnInt8(x.params) : x.params;
  const g = new GraphBuilder('moderator_embedding_bag');
  const ids = g.input(x.inputs.ids, DataType.INT32, ['ngrams']);
  const segments = g.input(x.inputs.segments, DataType.INT64, ['ngrams', 1]);
  const scale = g.input(x.inputs.scale, DataType.FLOAT, ['batch', groups]);
  const axis1 = g.int64s('axis_1', [1]);

  const lin = params.linear;
  const width = dim + (lin?.cols ?? 0);
  const table = lin ? withColumns(params.emb, dim, lin.table, lin.cols) : params.emb;
  let rows: string;
  if (x.storage === 'int8') {
    g.initializer('emb_q', DataType.INT8, [buckets, width], Int8Array.from(table));
    const q = g.node('Gather', ['emb_q', ids], 'rows_q', { axis: 0 });
    rows = g.node('Cast', [q], 'rows', { to: DataType.FLOAT });
  } else if (x.storage === 'float16') {
    g.initializer('emb_h', DataType.FLOAT16, [buckets, width], toFloat16Table(table));
    const h = g.node('Gather', ['emb_h', ids], 'rows_half', { axis: 0 });
    rows = g.node('Cast', [h], 'rows', { to: DataType.FLOAT });
  } else {
    g.initializer('emb', DataType.FLOAT, [buckets, width], table);
    rows = g.node('Gather', ['emb', ids], 'rows', { axis: 0 });
  }
  g.initializer('zero_row', DataType.FLOAT, [1, width], new Float32Array(width));
  const segScale = g.node('Reshape', [scale, g.int64s('segment_column', [-1, 1])], 'segment_scale');
  const zeros = g.node('Mul', [segScale, 'zero_row'], 'zeros');
  const allSums = g.node('ScatterND', [zeros, segments, rows], lin ? 'sums_all' : 'sums', { reduction: 'add' });
  // With a linear branch: the bags' columns, then the linear models' columns.
  const sums = lin ? g.node('Split', [allSums, g.int64s('split_sizes', [dim, lin.cols])], ['sums', 'lin_segment_sums'], { axis: 1 }) : allSums;
  const pooledSeg = g.node('Mul', [sums, segScale], 'pooled_segments');
  const pooled = g.node('Reshape', [pooledSeg, g.int64s('pooled_shape', [-1, groups * dim])], 'pooled');
  let inner = pooled;
  if (hidden > 0) {
    g.initializer('w1', DataType.FLOAT, [hidden, groups * dim], params.w1);
    g.initializer('b1', DataType.FLOAT, [hidden], params.b1);
    const z1 = g.node('Gemm', [inner, 'w1', 'b1'], 'hidden_pre', { transB: 1 });
    inner = g.node('Relu', [z1], 'hidden');
  }
  const innerDim = hidden > 0 ? hidden : groups * dim;
  g.initializer('w2', DataType.FLOAT, [outputs, innerDim], params.w2);
  g.initializer('b2', DataType.FLOAT, [outputs], params.b2);
  let logits = g.node('Gemm', [inner, 'w2', 'b2'], shape.skip || lin ? 'logits_hidden' : 'logits', { transB: 1 });
  if (shape.skip) {
    g.initializer('ws', DataType.FLOAT, [outputs, groups * dim], params.ws);
    const sk = g.node('Gemm', [pooled, 'ws'], 'logits_skip', { transB: 1 });
    logits = g.node('Add', [logits, sk], shape.skip && lin ? 'logits_bags' : 'logits');
  }
  if (lin) logits = g.node('Add', [logits, linearLogits(g, x.pooling, scale, 'lin_segment_sums', groups, outputs, lin)], 'logits');
  const probs = g.node('Sigmoid', [logits], 'probs');
  const labels = x.labels.length;
  g.node('Slice', [probs, g.int64s('scores_start', [0]), g.int64s('scores_end', [labels]), axis1], OUTPUT_SCORES);
  g.node('Slice', [probs, g.int64s('overall_start', [labels]), g.int64s('overall_end', [labels + 1]), axis1], OUTPUT_OVERALL);
  g.output(OUTPUT_SCORES, DataType.FLOAT, ['batch', labels]);
  g.output(OUTPUT_OVERALL, DataType.FLOAT, ['batch', 1]);
  return g.encode({ producer: 'content-moderator/training', version: x.producerVersion, doc: x.doc, metadata: x.metadata });
}

/** [rows, a] and [rows, b] side by side: [rows, a + b]. */
function withColumns(left: Float32Array, a: number, right: Float32Array, b: number): Float32Array {
  const rows = left.length / a;
  const out = new Float32Array(rows * (a + b));
  for (let r = 0; r < rows; r++) {
    out.set(left.subarray(r * a, (r + 1) * a), r * (a + b));
    out.set(right.subarray(r * b, (r + 1) * b), r * (a + b) + a);
  }
  return out;
}

/**
 * The linear branch's logits [batch, K] from its columns of the unscaled segment sums [batch * G, L]
 * (see the header). Few nodes: at batch 1 each costs about as much as the arithmetic. Wl is
 * repeated per group so one Gemm also sums the groups, and c multiplies the K logits instead of
 * the L sums.
 */
function linearLogits(g: GraphBuilder, pooling: 'sqrt' | 'mean', scale: string, linSums: string, groups: number, outputs: number, lin: LinearBranch): string {
  const L = lin.cols;
  const wl = new Float32Array(outputs * groups * L);
  for (let k = 0; k < outputs; k++) for (let gr = 0; gr < groups; gr++) wl.set(lin.mix.subarray(k * L, (k + 1) * L), (k * groups + gr) * L);
  g.initializer('wl', DataType.FLOAT, [outputs, groups * L], wl);
  g.initializer('lin_group_weights', DataType.FLOAT, [groups, 1], lin.groupWeights);
  g.initializer('lin_zero', DataType.FLOAT, [], new Float32Array([0]));
  g.initializer('lin_one', DataType.FLOAT, [], new Float32Array([1]));
  g.initializer('lin_power', DataType.FLOAT, [], new Float32Array([-0.5]));
  const perText = g.node('Reshape', [linSums, g.int64s('lin_shape', [-1, groups * L])], 'lin_text_sums');
  const raw = g.node('Gemm', [perText, 'wl'], 'lin_logits_unscaled', { transB: 1 });
  const perId = pooling === 'sqrt' ? g.node('Mul', [scale, scale], 'lin_scale_sq') : scale;
  const nonEmpty = g.node('Greater', [scale, 'lin_zero'], 'lin_nonempty');
  const counts = g.node('Where', [nonEmpty, g.node('Reciprocal', [perId], 'lin_counts_raw'), 'lin_zero'], 'lin_counts');
  const weighted = g.node('MatMul', [counts, 'lin_group_weights'], 'lin_norm_sq');
  const c = g.node('Pow', [g.node('Max', [weighted, 'lin_one'], 'lin_norm_sq_1'), 'lin_power'], 'lin_text_scale');
  return g.node('Mul', [raw, c], 'logits_linear');
}

/** The parameters the exported graph actually computes with (the tables rounded to their storage type). */
export function storedParams(params: NetworkParams, storage: TableStorage): NetworkParams {
  if (storage === 'float32') return params;
  if (storage === 'int8') return foldColumnInt8(params);
  const emb = fromFloat16Table(toFloat16Table(params.emb));
  const linear = params.linear && { ...params.linear, table: fromFloat16Table(toFloat16Table(params.linear.table)) };
  return { ...params, emb, linear };
}

// ---------------------------------------------------------------------------------------------

interface DecodedTensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

function typed<T>(raw: Uint8Array, ctor: { new (buf: ArrayBuffer): T }): T {
  const copy = new Uint8Array(raw); // aligned copy
  return new ctor(copy.buffer);
}

export interface ReadClassifier {
  params: NetworkParams;
  /** int8: the weights come back folded (integer table, see foldColumnInt8), as the graph computes. */
  storage: TableStorage;
  opset: number;
  irVersion: number;
  inputs: string[];
  outputs: string[];
  metadata: Record<string, string>;
}

/** Reads the classifier's weights back from model.onnx bytes (the graph shape is the one written above). */
export function readClassifierOnnx(bytes: Uint8Array): ReadClassifier {
  const Model = modelType();
  const m = Model.toObject(Model.decode(bytes), { longs: Number, bytes: Uint8Array as unknown as typeof String, defaults: true }) as {
    ir_version: number;
    opset_import: { domain: string; version: number }[];
    metadata_props: { key: string; value: string }[];
    graph: { initializer: DecodedTensor[]; input: { name: string }[]; output: { name: string }[] };
  };
  const inits = new Map(m.graph.initializer.map((t) => [t.name, t]));
  const get = (name: string): DecodedTensor | undefined => inits.get(name);
  const f32 = (name: string) => {
    const t = get(name);
    if (!t) throw new Error(`model.onnx has no initializer '${name}'`);
    if (t.data_type !== DataType.FLOAT) throw new Error(`initializer ${name} is not float`);
    return { dims: t.dims.map(Number), data: typed(t.raw_data, Float32Array) };
  };
  const w2 = f32('w2');
  const b2 = f32('b2');
  const hasHidden = inits.has('w1');
  const w1 = hasHidden ? f32('w1') : { dims: [0, 0], data: new Float32Array(0) };
  const b1 = hasHidden ? f32('b1') : { dims: [0], data: new Float32Array(0) };
  let emb: Float32Array;
  let storage: TableStorage = 'float32';
  let buckets: number;
  let dim: number;
  if (inits.has('emb_q')) {
    const q = get('emb_q')!;
    if (q.data_type !== DataType.INT8) throw new Error('initializer emb_q is not int8');
    [buckets, dim] = q.dims.map(Number);
    emb = Float32Array.from(new Int8Array(q.raw_data.buffer, q.raw_data.byteOffset, q.raw_data.byteLength));
    storage = 'int8';
  } else if (inits.has('emb_h')) {
    const h = get('emb_h')!;
    if (h.data_type !== DataType.FLOAT16) throw new Error('initializer emb_h is not float16');
    [buckets, dim] = h.dims.map(Number);
    emb = fromFloat16Table(typed(h.raw_data, Uint16Array));
    storage = 'float16';
  } else {
    const e = f32('emb');
    [buckets, dim] = e.dims;
    emb = e.data;
  }
  let linear: LinearBranch | undefined;
  if (inits.has('wl')) {
    const wl = f32('wl');
    const groupWeights = f32('lin_group_weights').data;
    const cols = wl.dims[1] / groupWeights.length;
    // Wl repeats the mix per group (one Gemm sums the groups): keep the first group's copy.
    const mix = new Float32Array(wl.dims[0] * cols);
    for (let k = 0; k < wl.dims[0]; k++) mix.set(wl.data.subarray(k * wl.dims[1], k * wl.dims[1] + cols), k * cols);
    const width = dim;
    dim = width - cols;
    const table = new Float32Array(buckets * cols);
    const bags = new Float32Array(buckets * dim);
    for (let r = 0; r < buckets; r++) {
      bags.set(emb.subarray(r * width, r * width + dim), r * dim);
      table.set(emb.subarray(r * width + dim, (r + 1) * width), r * cols);
    }
    emb = bags;
    linear = { cols, table, groupWeights, mix };
  }
  const pooledShape = get('pooled_shape');
  if (!pooledShape) throw new Error("model.onnx has no initializer 'pooled_shape'");
  const pooledWidth = Number(typed(pooledShape.raw_data, BigInt64Array)[1]);
  const skip = inits.has('ws');
  const shape: NetworkShape = { buckets, dim, groups: pooledWidth / dim, hidden: hasHidden ? w1.dims[0] : 0, outputs: w2.dims[0], skip };
  return {
    params: { shape, emb, w1: w1.data, b1: b1.data, w2: w2.data, b2: b2.data, ws: skip ? f32('ws').data : new Float32Array(0), linear },
    storage,
    opset: m.opset_import.find((o) => o.domain === '')?.version ?? 0,
    irVersion: m.ir_version,
    inputs: m.graph.input.map((i) => i.name),
    outputs: m.graph.output.map((o) => o.name),
    metadata: Object.fromEntries(m.metadata_props.map((p) => [p.key, p.value])),
  };
}

export { OPSET, IR_VERSION };
