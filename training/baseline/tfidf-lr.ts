/**
 * The floor: a plain TF-IDF + logistic-regression model trained on the same rows, masks and
 * outputs as the default model, the way scikit-learn's defaults would do it:
 * lower-cased text, tokens = /\b\w\w+\b/u, word 1-2-grams with min_df = 2, sublinear tf,
 * smooth idf, l2-normalised rows; one L2-regularised logistic regression per output (C = 1,
 * i.e. loss = sum of log-losses + ||w||^2 / 2) fitted with L-BFGS on the rows that supervise it.
 * No normalisation, no character n-grams, no hashing: it shares nothing with the model under test.
 */
import { OUTPUTS } from '../labels';
import { fitLogistic, type Csr } from '../util/logistic';

const TOKEN_RE = /\b\w\w+\b/gu;

function tokens(text: string): string[] {
  const words = text.toLowerCase().match(TOKEN_RE) ?? [];
  const out = words.slice();
  for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]} ${words[i + 1]}`);
  return out;
}

export interface TfidfModel {
  vocab: Map<string, number>;
  idf: Float64Array;
  /** [OUTPUTS][features + 1] (last = bias). */
  weights: Float64Array[];
}

function vectorize(texts: readonly string[], vocab: Map<string, number>, idf: Float64Array): Csr {
  const indptr = new Int32Array(texts.length + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let t = 0; t < texts.length; t++) {
    const counts = new Map<number, number>();
    for (const tok of tokens(texts[t])) {
      const j = vocab.get(tok);
      if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
    }
    const entries = [...counts.entries()].sort((a, b) => a[0] - b[0]);
    let norm = 0;
    const vals = entries.map(([j, c]) => {
      const v = (1 + Math.log(c)) * idf[j];
      norm += v * v;
      return v;
    });
    norm = Math.sqrt(norm) || 1;
    entries.forEach(([j], i) => {
      idx.push(j);
      val.push(vals[i] / norm);
    });
    indptr[t + 1] = idx.length;
  }
  return { indptr, indices: Int32Array.from(idx), values: Float64Array.from(val) };
}

export function trainTfidfBaseline(
  texts: readonly string[],
  y: Float32Array,
  known: Uint8Array,
  opts: { minDf?: number; C?: number } = {},
): TfidfModel {
  const minDf = opts.minDf ?? 2;
  const C = opts.C ?? 1;
  const df = new Map<string, number>();
  for (const t of texts) for (const tok of new Set(tokens(t))) df.set(tok, (df.get(tok) ?? 0) + 1);
  const terms = [...df.entries()].filter(([, c]) => c >= minDf).map(([t]) => t).sort();
  const vocab = new Map(terms.map((t, i) => [t, i]));
  const n = texts.length;
  const idf = new Float64Array(terms.length);
  terms.forEach((t, i) => (idf[i] = Math.log((1 + n) / (1 + df.get(t)!)) + 1));
  const X = vectorize(texts, vocab, idf);
  const weights: Float64Array[] = [];
  for (let k = 0; k < OUTPUTS; k++) {
    const rows: number[] = [];
    const yk: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!known[i * OUTPUTS + k]) continue;
      rows.push(i);
      yk.push(y[i * OUTPUTS + k]);
    }
    weights.push(fitLogistic(X, rows, yk, terms.length, C, 300));
  }
  return { vocab, idf, weights };
}

/** Probabilities [n, OUTPUTS]. */
export function predictTfidf(model: TfidfModel, texts: readonly string[]): Float32Array {
  const X = vectorize(texts, model.vocab, model.idf);
  const F = model.idf.length;
  const out = new Float32Array(texts.length * OUTPUTS);
  for (let t = 0; t < texts.length; t++) {
    for (let k = 0; k < OUTPUTS; k++) {
      const w = model.weights[k];
      let z = w[F];
      for (let p = X.indptr[t]; p < X.indptr[t + 1]; p++) z += w[X.indices[p]] * X.values[p];
      out[t * OUTPUTS + k] = 1 / (1 + Math.exp(-z));
    }
  }
  return out;
}
