/**
 * The classifier: bags of hashed n-gram embeddings (one bag per feature group: words, chars)
 * -> (optional) ReLU hidden layer -> one sigmoid per output (the labels, then the overall
 * "breaks any policy" head).
 *
 *   pooled_g = scale_g * sum_{i in group g} E[ids[i]]              (D each)
 *   pooled   = [pooled_0, pooled_1]                               (G * D)
 *   hidden   = relu(W1 pooled + b1)                               (H; skipped when H = 0)
 *   probs    = sigmoid(W2 hidden + Ws pooled + b2 [+ linear])     (K = labels + 1; Ws only with `skip`)
 *
 * The optional linear branch (linear.ts) adds Wl (c * sum_i T[ids[i]]) to the logits: T has one
 * column per linear model, summed over both groups of the text, and
 * c = 1 / sqrt(max(1, sum_g m_g n_g)) with n_g the group's id count (see `linearTextScale`).
 *
 * `forward` is the reference (TypeScript) forward pass that training uses and that the ONNX
 * export must reproduce.
 */

export interface NetworkShape {
  readonly buckets: number;
  readonly dim: number;
  /** Feature groups pooled separately and concatenated (the featurizer's GROUPS). */
  readonly groups: number;
  readonly hidden: number;
  readonly outputs: number;
  /** A linear skip connection from the pooled vector to the logits (Ws). */
  readonly skip: boolean;
}

export interface NetworkParams {
  readonly shape: NetworkShape;
  /** [buckets, dim] row-major. */
  readonly emb: Float32Array;
  /** [hidden, groups * dim] (empty when hidden = 0). */
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  /** [outputs, hidden || groups * dim]. */
  readonly w2: Float32Array;
  readonly b2: Float32Array;
  /** [outputs, groups * dim] (empty without skip). */
  readonly ws: Float32Array;
  /** A linear model on the same ids, mixed into the logits (absent: none). */
  readonly linear?: LinearBranch;
}

export interface LinearBranch {
  /** Number of linear models (extra table columns). */
  readonly cols: number;
  /** [buckets, cols] row-major: each model's weight of a bucket, times the bucket's idf. */
  readonly table: Float32Array;
  /** [groups]: m_g, the weight of a group's id count in the per-text scale. */
  readonly groupWeights: Float32Array;
  /** [outputs, cols]: what each linear model's logit adds to each output's logit (its mix weight). */
  readonly mix: Float32Array;
}

/** c = 1 / sqrt(max(1, sum_g m_g n_g)) for the text whose G segments start at `seg`. */
export function linearTextScale(offsets: Int32Array, seg: number, groupWeights: Float32Array): number {
  let t = 0;
  for (let g = 0; g < groupWeights.length; g++) t += groupWeights[g] * (offsets[seg + g + 1] - offsets[seg + g]);
  return 1 / Math.sqrt(Math.max(1, t));
}

export function pooledSize(shape: NetworkShape): number {
  return shape.groups * shape.dim;
}

export function innerSize(shape: NetworkShape): number {
  return shape.hidden > 0 ? shape.hidden : pooledSize(shape);
}

export function allocateParams(shape: NetworkShape): NetworkParams {
  const inner = innerSize(shape);
  return {
    shape,
    emb: new Float32Array(shape.buckets * shape.dim),
    w1: new Float32Array(shape.hidden * pooledSize(shape)),
    b1: new Float32Array(shape.hidden),
    w2: new Float32Array(shape.outputs * inner),
    b2: new Float32Array(shape.outputs),
    ws: new Float32Array(shape.skip ? shape.outputs * pooledSize(shape) : 0),
  };
}

export function cloneParams(p: NetworkParams): NetworkParams {
  return { shape: p.shape, emb: p.emb.slice(), w1: p.w1.slice(), b1: p.b1.slice(), w2: p.w2.slice(), b2: p.b2.slice(), ws: p.ws.slice(), linear: p.linear };
}

/**
 * int8 storage, one scale per table column (s_c = max |column c| / 127), with the scales folded into
 * what reads the pooled sums: a column scale commutes with sum pooling, so E[r][c] = q[r][c] * s_c can
 * be served as the integer table q (int8 in the graph) with W1 (or W2 without a hidden layer) and Ws
 * times s_c on the inputs that read column c, and the linear branch's mix times s_c. The returned
 * parameters are exactly what the int8 graph computes with: their tables hold the integers.
 */
export function foldColumnInt8(p: NetworkParams): NetworkParams {
  const { dim, groups, hidden } = p.shape;
  const cols = p.linear?.cols ?? 0;
  const columnScales = (table: Float32Array, width: number): Float32Array => {
    const s = new Float32Array(width);
    for (let i = 0; i < table.length; i++) s[i % width] = Math.max(s[i % width], Math.abs(table[i]));
    for (let c = 0; c < width; c++) s[c] = s[c] > 0 ? Math.fround(s[c] / 127) : 1;
    return s;
  };
  const quantize = (table: Float32Array, s: Float32Array): Float32Array => {
    const w = s.length;
    const q = new Float32Array(table.length);
    for (let i = 0; i < table.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(table[i] / s[i % w]))) || 0; // no -0: the int8 file has none
    return q;
  };
  const s = columnScales(p.emb, dim);
  // Every matrix whose columns are the pooled vector [group 0: dim, group 1: dim, ...].
  const foldPooled = (w: Float32Array): Float32Array => {
    const out = w.slice();
    const P = groups * dim;
    for (let i = 0; i < out.length; i++) out[i] *= s[(i % P) % dim];
    return out;
  };
  let linear = p.linear;
  if (linear) {
    const ls = columnScales(linear.table, cols);
    const mix = linear.mix.slice();
    for (let i = 0; i < mix.length; i++) mix[i] *= ls[i % cols];
    linear = { ...linear, table: quantize(linear.table, ls), mix };
  }
  return {
    ...p,
    emb: quantize(p.emb, s),
    w1: hidden > 0 ? foldPooled(p.w1) : p.w1,
    w2: hidden > 0 ? p.w2 : foldPooled(p.w2),
    ws: p.ws.length ? foldPooled(p.ws) : p.ws,
    linear,
  };
}

/** Scratch buffers for one forward pass. */
export interface ForwardState {
  readonly pooled: Float64Array;
  readonly hidden: Float64Array;
  readonly logits: Float64Array;
}

export function forwardState(shape: NetworkShape): ForwardState {
  return { pooled: new Float64Array(pooledSize(shape)), hidden: new Float64Array(shape.hidden), logits: new Float64Array(shape.outputs) };
}

/**
 * Forward pass for one text: its G segments are ids[offsets[seg + g] .. offsets[seg + g + 1])
 * with pooling scales scale[seg + g], seg = G * row. Fills state.pooled / hidden / logits
 * (probabilities = sigmoid(logits)).
 */
export function forwardOne(p: NetworkParams, ids: Int32Array, offsets: Int32Array, scale: Float32Array, seg: number, s: ForwardState): void {
  const { dim, hidden, outputs, groups } = p.shape;
  const { pooled, logits } = s;
  pooled.fill(0);
  const emb = p.emb;
  for (let g = 0; g < groups; g++) {
    const off = g * dim;
    for (let i = offsets[seg + g], to = offsets[seg + g + 1]; i < to; i++) {
      const base = ids[i] * dim;
      for (let d = 0; d < dim; d++) pooled[off + d] += emb[base + d];
    }
    const sc = scale[seg + g];
    for (let d = 0; d < dim; d++) pooled[off + d] *= sc;
  }
  const P = groups * dim;
  let inner: Float64Array = pooled;
  if (hidden > 0) {
    const h = s.hidden;
    const w1 = p.w1;
    for (let j = 0; j < hidden; j++) {
      let z = p.b1[j];
      const row = j * P;
      for (let d = 0; d < P; d++) z += w1[row + d] * pooled[d];
      h[j] = z > 0 ? z : 0;
    }
    inner = h;
  }
  const n = inner.length;
  const w2 = p.w2;
  const ws = p.ws;
  for (let k = 0; k < outputs; k++) {
    let z = p.b2[k];
    const row = k * n;
    for (let j = 0; j < n; j++) z += w2[row + j] * inner[j];
    if (ws.length) {
      const srow = k * P;
      for (let d = 0; d < P; d++) z += ws[srow + d] * pooled[d];
    }
    logits[k] = z;
  }
  if (p.linear) addLinear(p.linear, ids, offsets, seg, groups, outputs, logits);
}

function addLinear(l: LinearBranch, ids: Int32Array, offsets: Int32Array, seg: number, groups: number, outputs: number, logits: Float64Array): void {
  const { cols, table, mix } = l;
  const sums = new Float64Array(cols);
  for (let i = offsets[seg], to = offsets[seg + groups]; i < to; i++) {
    const base = ids[i] * cols;
    for (let c = 0; c < cols; c++) sums[c] += table[base + c];
  }
  const scale = linearTextScale(offsets, seg, l.groupWeights);
  for (let k = 0; k < outputs; k++) for (let c = 0; c < cols; c++) logits[k] += mix[k * cols + c] * scale * sums[c];
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** A batch in CSR form: segment s (= G * row + group) holds ids[offsets[s] .. offsets[s + 1]). */
export interface SparseBatch {
  readonly ids: Int32Array;
  readonly offsets: Int32Array;
  /** One pooling scale per segment. */
  readonly scale: Float32Array;
}

/** The featurizer's flat feeds (ids, segments, scale) as CSR; checks the segments are ascending and in range. */
export function feedsToSparse(ids: Int32Array, segments: BigInt64Array, scale: Float32Array): SparseBatch {
  const segs = scale.length;
  const offsets = new Int32Array(segs + 1);
  const seg32 = new Int32Array(segments.buffer, segments.byteOffset, segments.length * 2);
  let prev = 0;
  for (let i = 0; i < ids.length; i++) {
    const s = seg32[2 * i];
    if (seg32[2 * i + 1] !== 0 || s < prev || s >= segs) throw new Error(`segment ${i} out of range or not ascending`);
    prev = s;
    offsets[s + 1]++;
  }
  for (let s = 0; s < segs; s++) offsets[s + 1] += offsets[s];
  return { ids, offsets, scale };
}

/** Probabilities for a batch: [batch, outputs] row-major. */
export function forwardBatch(p: NetworkParams, b: SparseBatch): Float32Array {
  const s = forwardState(p.shape);
  const G = p.shape.groups;
  const batch = b.scale.length / G;
  const K = p.shape.outputs;
  const out = new Float32Array(batch * K);
  for (let t = 0; t < batch; t++) {
    forwardOne(p, b.ids, b.offsets, b.scale, G * t, s);
    for (let k = 0; k < K; k++) out[t * K + k] = sigmoid(s.logits[k]);
  }
  return out;
}

/**
 * Merges independently trained members into one network that computes the mean of their
 * logits: embedding rows are concatenated, W1 becomes block-diagonal, W2 / Ws / b2 are averaged.
 * (An ensemble is a wider network with a block structure, so serving cost equals one model of
 * the summed width.)
 */
export function mergeEnsemble(members: readonly NetworkParams[]): NetworkParams {
  if (members.length === 1) return members[0];
  const first = members[0].shape;
  for (const m of members) {
    const s = m.shape;
    if (s.buckets !== first.buckets || s.groups !== first.groups || s.outputs !== first.outputs || s.skip !== first.skip || (s.hidden > 0) !== (first.hidden > 0)) {
      throw new Error('ensemble members must share buckets, groups, outputs, skip and have hidden layers alike');
    }
  }
  const M = members.length;
  const G = first.groups;
  const K = first.outputs;
  const D = members.reduce((a, m) => a + m.shape.dim, 0);
  const H = members.reduce((a, m) => a + m.shape.hidden, 0);
  const shape: NetworkShape = { buckets: first.buckets, dim: D, groups: G, hidden: H, outputs: K, skip: first.skip };
  const out = allocateParams(shape);
  const P = G * D;
  let dOff = 0;
  let hOff = 0;
  for (const m of members) {
    const { dim: d, hidden: h } = m.shape;
    const Pm = G * d;
    for (let r = 0; r < shape.buckets; r++) out.emb.set(m.emb.subarray(r * d, (r + 1) * d), r * D + dOff);
    const col = (g: number, i: number) => g * D + dOff + i; // merged pooled index of member column g*d + i
    for (let j = 0; j < h; j++) {
      for (let g = 0; g < G; g++) for (let i = 0; i < d; i++) out.w1[(hOff + j) * P + col(g, i)] = m.w1[j * Pm + g * d + i];
      out.b1[hOff + j] = m.b1[j];
    }
    const inner = h > 0 ? h : Pm;
    const innerOut = H > 0 ? H : P;
    for (let k = 0; k < K; k++) {
      if (h > 0) for (let j = 0; j < h; j++) out.w2[k * innerOut + hOff + j] = m.w2[k * inner + j] / M;
      else for (let g = 0; g < G; g++) for (let i = 0; i < d; i++) out.w2[k * innerOut + col(g, i)] = m.w2[k * inner + g * d + i] / M;
      out.b2[k] += m.b2[k] / M;
      if (shape.skip) for (let g = 0; g < G; g++) for (let i = 0; i < d; i++) out.ws[k * P + col(g, i)] = m.ws[k * Pm + g * d + i] / M;
    }
    dOff += d;
    hOff += h;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// float16 storage of the embedding table (half the bytes; ONNX Gather + Cast restores float32).

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** IEEE 754 binary16 bits of `value`, round to nearest even (as ONNX Cast / numpy do). */
export function toFloat16Bits(value: number): number {
  F32[0] = value;
  const x = U32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

export function toFloat16Table(emb: Float32Array): Uint16Array {
  const out = new Uint16Array(emb.length);
  for (let i = 0; i < emb.length; i++) out[i] = toFloat16Bits(emb[i]);
  return out;
}

export function fromFloat16Table(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = fromFloat16Bits(bits[i]);
  return out;
}

export type TableStorage = 'float32' | 'float16' | 'int8';
