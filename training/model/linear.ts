/**
 * The model's linear branch: one L2-regularised logistic regression per chosen output, on the very
 * hashed ids the embedding bags read, its logit mixed into the network's as
 * (1 - a) * network + a * linear. A model of another kind ranks differently, and the mix raises
 * ROC-AUC where the network alone falls short (the model card's "How it got here", round 9).
 *
 * Features of text t, over both groups together: x_t[j] = c_t * idf[j] * (occurrences of bucket j),
 * with c_t = 1 / sqrt(max(1, sum_g m_g * n_g(t))), n_g(t) the number of ids of group g and m_g the
 * mean idf^2 of group g's ids in the training texts. c_t stands in for the l2 norm of the
 * idf-weighted vector, but depends on the id counts only: the graph recovers those from the
 * pooling scales, so serving needs no idf table. The logit w . x_t + b equals
 * c_t * sum over the text's ids of u[id] + b with u = w * idf: u becomes extra columns of the
 * embedding table, summed by the same Gather and ScatterND as the bags.
 */
import { lbfgs } from '../util/lbfgs';
import type { FeaturizedCorpus } from './features';
import { linearTextScale, type NetworkParams } from './network';

export interface LinearConfig {
  /** Output indices that get a linear model. */
  readonly outputs: readonly number[];
  /** Inverse regularisation strength: loss = C * sum of log-losses + ||w||^2 / 2. */
  readonly C: number;
  /** a: the linear logit's share in the mixed logit. */
  readonly mix: number;
  /** L-BFGS iteration budget per output. */
  readonly iterations: number;
}

export interface LinearFit {
  readonly outputs: readonly number[];
  /** [buckets, outputs.length]: w * idf per bucket. */
  readonly table: Float32Array;
  readonly bias: Float32Array;
  readonly groupWeights: Float32Array;
}

/** Smooth idf per bucket: log((1 + n) / (1 + df)) + 1, df = number of texts holding the bucket. */
export function bucketIdf(f: FeaturizedCorpus, buckets: number, groups: number): Float64Array {
  const df = new Float64Array(buckets);
  const lastSeen = new Int32Array(buckets).fill(-1);
  for (let t = 0; t < f.count; t++) {
    for (let i = f.offsets[t * groups], to = f.offsets[t * groups + groups]; i < to; i++) {
      const j = f.ids[i];
      if (lastSeen[j] !== t) {
        lastSeen[j] = t;
        df[j]++;
      }
    }
  }
  const idf = new Float64Array(buckets);
  for (let j = 0; j < buckets; j++) idf[j] = Math.log((1 + f.count) / (1 + df[j])) + 1;
  return idf;
}

/** m_g: the mean idf^2 of the ids of group g over the corpus. */
export function groupIdfWeights(f: FeaturizedCorpus, idf: Float64Array, groups: number): Float32Array {
  const sum = new Float64Array(groups);
  const count = new Float64Array(groups);
  for (let s = 0; s < f.count * groups; s++) {
    const g = s % groups;
    for (let i = f.offsets[s]; i < f.offsets[s + 1]; i++) sum[g] += idf[f.ids[i]] ** 2;
    count[g] += f.offsets[s + 1] - f.offsets[s];
  }
  return Float32Array.from(sum, (x, g) => (count[g] ? x / count[g] : 1));
}

interface Csr {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** x_t as sparse rows, buckets ascending within a row. */
function featureRows(f: FeaturizedCorpus, idf: Float64Array, groupWeights: Float32Array, groups: number): Csr {
  const indptr = new Int32Array(f.count + 1);
  let nnz = 0;
  const scratch: number[] = [];
  const rows: { ids: Int32Array; counts: Int32Array }[] = [];
  for (let t = 0; t < f.count; t++) {
    const sorted = f.ids.slice(f.offsets[t * groups], f.offsets[t * groups + groups]).sort();
    scratch.length = 0;
    const counts: number[] = [];
    for (let i = 0; i < sorted.length; i++) {
      if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]++;
      else {
        scratch.push(sorted[i]);
        counts.push(1);
      }
    }
    rows.push({ ids: Int32Array.from(scratch), counts: Int32Array.from(counts) });
    nnz += scratch.length;
    indptr[t + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  rows.forEach((r, t) => {
    const c = linearTextScale(f.offsets, t * groups, groupWeights);
    const at = indptr[t];
    indices.set(r.ids, at);
    for (let q = 0; q < r.ids.length; q++) values[at + q] = c * idf[r.ids[q]] * r.counts[q];
  });
  return { indptr, indices, values };
}

/**
 * Minimises C * sum_r logloss(y_r, w . x_r + b) + ||w||^2 / 2 over the given rows. The rows are
 * turned into columns over the features they use, so each pass reads them in memory order.
 * Returns the weights over all `features` (0 where unused) and the bias last.
 */
export function fitLogisticRows(X: Csr, rows: readonly number[], y: ArrayLike<number>, features: number, C: number, iterations: number): Float64Array {
  const R = rows.length;
  const used = new Int32Array(features).fill(-1);
  const colCount: number[] = [];
  for (const t of rows) {
    for (let q = X.indptr[t]; q < X.indptr[t + 1]; q++) {
      const j = X.indices[q];
      if (used[j] < 0) {
        used[j] = colCount.length;
        colCount.push(0);
      }
      colCount[used[j]]++;
    }
  }
  const nf = colCount.length;
  const colptr = new Int32Array(nf + 1);
  for (let c = 0; c < nf; c++) colptr[c + 1] = colptr[c] + colCount[c];
  const fill = colptr.slice(0, nf);
  const rowOf = new Int32Array(colptr[nf]);
  const val = new Float64Array(colptr[nf]);
  rows.forEach((t, r) => {
    for (let q = X.indptr[t]; q < X.indptr[t + 1]; q++) {
      const at = fill[used[X.indices[q]]]++;
      rowOf[at] = r;
      val[at] = X.values[q];
    }
  });
  const yr = Float64Array.from(rows, (_, r) => y[r]);
  const z = new Float64Array(R);
  const dz = new Float64Array(R);
  const objective = (w: Float64Array, g: Float64Array): number => {
    z.fill(w[nf]);
    for (let c = 0; c < nf; c++) {
      const wc = w[c];
      for (let q = colptr[c]; q < colptr[c + 1]; q++) z[rowOf[q]] += wc * val[q];
    }
    let loss = 0;
    let gb = 0;
    for (let r = 0; r < R; r++) {
      // log(1 + exp(-s z)) with s = +-1, computed stably.
      const m = yr[r] ? -z[r] : z[r];
      loss += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      dz[r] = C * (1 / (1 + Math.exp(-z[r])) - yr[r]);
      gb += dz[r];
    }
    loss *= C;
    for (let c = 0; c < nf; c++) {
      let a = 0;
      for (let q = colptr[c]; q < colptr[c + 1]; q++) a += dz[rowOf[q]] * val[q];
      g[c] = a + w[c];
      loss += 0.5 * w[c] * w[c];
    }
    g[nf] = gb;
    return loss;
  };
  const wc = lbfgs(objective, new Float64Array(nf + 1), iterations);
  const w = new Float64Array(features + 1);
  for (let j = 0; j < features; j++) if (used[j] >= 0) w[j] = wc[used[j]];
  w[features] = wc[nf];
  return w;
}

/** Fits one logistic regression per configured output, each on the rows that supervise it. */
export function fitLinear(
  f: FeaturizedCorpus,
  y: Float32Array,
  known: Uint8Array,
  outputs: number,
  cfg: LinearConfig,
  shape: { buckets: number; groups: number },
  log?: (line: string) => void,
): LinearFit {
  const { buckets, groups } = shape;
  const idf = bucketIdf(f, buckets, groups);
  const groupWeights = groupIdfWeights(f, idf, groups);
  const X = featureRows(f, idf, groupWeights, groups);
  const cols = cfg.outputs.length;
  const table = new Float32Array(buckets * cols);
  const bias = new Float32Array(cols);
  cfg.outputs.forEach((k, c) => {
    const started = performance.now();
    const rows: number[] = [];
    const yk: number[] = [];
    for (let t = 0; t < f.count; t++) {
      if (known[t * outputs + k]) {
        rows.push(t);
        yk.push(y[t * outputs + k]);
      }
    }
    const w = fitLogisticRows(X, rows, yk, buckets, cfg.C, cfg.iterations);
    for (let j = 0; j < buckets; j++) table[j * cols + c] = w[j] * idf[j];
    bias[c] = w[buckets];
    log?.(`linear model for output ${k}: ${rows.length} rows, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
  return { outputs: cfg.outputs, table, bias, groupWeights };
}

/**
 * The network with the linear models mixed in: for each output k with a linear model,
 * logit_k = (1 - a) * network_k + a * linear_k. The network's W2, Ws and b2 rows are scaled by
 * (1 - a), the linear bias folded into b2, and the rest kept as the linear branch.
 */
export function withLinear(nn: NetworkParams, fit: LinearFit, mix: number): NetworkParams {
  if (nn.linear) throw new Error('the network already has a linear branch');
  const K = nn.shape.outputs;
  const cols = fit.outputs.length;
  const w2 = nn.w2.slice();
  const b2 = nn.b2.slice();
  const ws = nn.ws.slice();
  const mixW = new Float32Array(K * cols);
  const inner = w2.length / K;
  const P = ws.length / K;
  fit.outputs.forEach((k, c) => {
    for (let j = 0; j < inner; j++) w2[k * inner + j] *= 1 - mix;
    for (let j = 0; j < P; j++) ws[k * P + j] *= 1 - mix;
    b2[k] = (1 - mix) * b2[k] + mix * fit.bias[c];
    mixW[k * cols + c] = mix;
  });
  return { ...nn, w2, b2, ws, linear: { cols, table: fit.table, groupWeights: fit.groupWeights, mix: mixW } };
}
