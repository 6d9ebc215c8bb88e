/**
 * L2-regularised logistic regression on sparse rows, shared by the model's linear branch
 * (model/linear.ts) and the TF-IDF baseline (baseline/tfidf-lr.ts).
 */
import { lbfgs } from './lbfgs';

/** Sparse rows: row t holds indices[indptr[t] .. indptr[t + 1]) with their values. */
export interface Csr {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/**
 * Minimises C * sum_r logloss(y_r, w . x_r + b) + ||w||^2 / 2 over the given rows. The rows are
 * turned into columns over the features they use, so each pass reads them in memory order.
 * Returns the weights over all `features` (0 where unused) and the bias last.
 */
export function fitLogistic(X: Csr, rows: readonly number[], y: ArrayLike<number>, features: number, C: number, iterations: number): Float64Array {
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
