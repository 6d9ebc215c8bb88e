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
import { fitLogistic, type Csr } from '../util/logistic';
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
    const w = fitLogistic(X, rows, yk, buckets, cfg.C, cfg.iterations);
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
