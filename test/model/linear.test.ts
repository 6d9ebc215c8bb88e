import * as ort from 'onnxruntime-node';
import { createFeaturizer, GROUPS } from '../../src/featurizer';
import { FEATURIZER_SPEC } from '../../training/config';
import { extractFeatures } from '../../training/model/features';
import { fitLinear, withLinear, type LinearFit } from '../../training/model/linear';
import { fitLogistic } from '../../training/util/logistic';
import { allocateParams, feedsToSparse, forwardBatch, linearTextScale, type NetworkParams } from '../../training/model/network';
import { buildClassifierOnnx, readClassifierOnnx, storedParams } from '../../training/onnx/classifier';
import { Rng } from '../../training/util/rng';

const BUCKETS = 4096;
const OUTPUTS = 4;
const spec = { ...FEATURIZER_SPEC, buckets: BUCKETS };
const featurizer = createFeaturizer(spec);
const TEXTS = ['', '?!', 'you are an idiot', 'have a nice day', 'I will find you and hurt you', 'free entry!! text WIN to 80086 now', 'ok'];

function randomNetwork(seed: number): NetworkParams {
  const rng = new Rng(seed);
  const p = allocateParams({ buckets: BUCKETS, dim: 4, groups: GROUPS, hidden: 5, outputs: OUTPUTS, skip: false });
  for (const a of [p.emb, p.w1, p.b1, p.w2, p.b2]) for (let i = 0; i < a.length; i++) a[i] = rng.normal() * 0.5;
  return p;
}

function randomFit(seed: number, outputs: number[]): LinearFit {
  const rng = new Rng(seed);
  const table = Float32Array.from({ length: BUCKETS * outputs.length }, () => rng.normal());
  return { outputs, table, bias: Float32Array.from(outputs, () => rng.normal()), groupWeights: Float32Array.from([40, 20]) };
}

const logit = (p: number) => Math.log(p / (1 - p));

describe('linear branch', () => {
  it('fits the L2 logistic regression to its optimum (gradient ~ 0)', () => {
    const rng = new Rng(3);
    const rows = 200;
    const features = 30;
    const indptr = new Int32Array(rows + 1);
    const indices: number[] = [];
    const values: number[] = [];
    const y: number[] = [];
    for (let t = 0; t < rows; t++) {
      let z = -0.5;
      for (let j = 0; j < features; j++) {
        if (rng.next() < 0.2) {
          const v = rng.next();
          indices.push(j);
          values.push(v);
          z += (j % 3 === 0 ? 2 : -1) * v;
        }
      }
      indptr[t + 1] = indices.length;
      y.push(rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
    }
    const X = { indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) };
    // Every other row: the fit must use only the rows it is given.
    const used = [...Array(rows).keys()].filter((t) => t % 2 === 0);
    const C = 2;
    const w = fitLogistic(X, used, used.map((t) => y[t]), features, C, 500);
    const grad = new Float64Array(features + 1);
    for (let j = 0; j < features; j++) grad[j] = w[j];
    for (const t of used) {
      let z = w[features];
      for (let q = indptr[t]; q < indptr[t + 1]; q++) z += w[indices[q]] * values[q];
      const dz = C * (1 / (1 + Math.exp(-z)) - y[t]);
      grad[features] += dz;
      for (let q = indptr[t]; q < indptr[t + 1]; q++) grad[indices[q]] += dz * values[q];
    }
    expect(Math.max(...grad.map(Math.abs))).toBeLessThan(1e-3);
    // The weights learnt the signs that generated the labels.
    expect(w[0]).toBeGreaterThan(0);
    expect(w[1]).toBeLessThan(0);
  });

  it('mixes (1 - a) * network + a * linear into the chosen outputs only', () => {
    const nn = randomNetwork(1);
    const fit = randomFit(2, [0, 2]);
    const a = 0.4;
    const mixed = withLinear(nn, fit, a);
    const f = extractFeatures(featurizer, TEXTS);
    const plain = forwardBatch(nn, f);
    const both = forwardBatch(mixed, f);
    TEXTS.forEach((_, t) => {
      const c = linearTextScale(f.offsets, t * GROUPS, fit.groupWeights);
      for (let k = 0; k < OUTPUTS; k++) {
        const col = fit.outputs.indexOf(k);
        let expected = logit(plain[t * OUTPUTS + k]);
        if (col >= 0) {
          let sum = 0;
          for (let i = f.offsets[t * GROUPS]; i < f.offsets[t * GROUPS + GROUPS]; i++) sum += fit.table[f.ids[i] * fit.outputs.length + col];
          expected = (1 - a) * expected + a * (c * sum + fit.bias[col]);
        }
        expect(logit(both[t * OUTPUTS + k])).toBeCloseTo(expected, 4);
      }
    });
    // c = 1 / sqrt(max(1, m . n)) from each group's id count.
    TEXTS.forEach((_, t) => {
      const n = [f.offsets[t * GROUPS + 1] - f.offsets[t * GROUPS], f.offsets[t * GROUPS + 2] - f.offsets[t * GROUPS + 1]];
      expect(linearTextScale(f.offsets, t * GROUPS, fit.groupWeights)).toBeCloseTo(1 / Math.sqrt(Math.max(1, 40 * n[0] + 20 * n[1])), 12);
    });
    expect(linearTextScale(Int32Array.from([0, 0, 0]), 0, fit.groupWeights)).toBe(1);
  });

  it.each(['float32', 'float16', 'int8'] as const)('exports to ONNX (%s table) that onnxruntime runs as the forward pass does, and reads back', async (storage) => {
    const mixed = withLinear(randomNetwork(5), randomFit(6, [1, 2, 3]), 0.6);
    const bytes = buildClassifierOnnx({
      params: mixed,
      storage,
      inputs: spec.inputs,
      pooling: spec.pooling,
      labels: ['a', 'b', 'c'],
      producerVersion: 'test',
      doc: 'test',
    });
    const read = readClassifierOnnx(bytes);
    const stored = storedParams(mixed, storage);
    expect(read.params.linear?.cols).toBe(3);
    expect(read.storage).toBe(storage);
    expect(read.params.emb).toEqual(stored.emb);
    expect(read.params.linear?.table).toEqual(stored.linear?.table);
    expect(read.params.w1).toEqual(stored.w1);
    expect(read.params.linear?.mix).toEqual(stored.linear?.mix);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    try {
      const feeds = featurizer.featurize(TEXTS);
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, x] of Object.entries(feeds)) tensors[name] = new ort.Tensor(x.type, x.data, x.dims);
      const out = await session.run(tensors);
      const { ids, segments, scale } = spec.inputs;
      const ref = forwardBatch(read.params, feedsToSparse(feeds[ids].data as Int32Array, feeds[segments].data as BigInt64Array, feeds[scale].data as Float32Array));
      const scores = out.scores.data as Float32Array;
      const overall = out.overall.data as Float32Array;
      let maxDiff = 0;
      TEXTS.forEach((_, t) => {
        for (let k = 0; k < 3; k++) maxDiff = Math.max(maxDiff, Math.abs(scores[t * 3 + k] - ref[t * OUTPUTS + k]));
        maxDiff = Math.max(maxDiff, Math.abs(overall[t] - ref[t * OUTPUTS + 3]));
      });
      expect(maxDiff).toBeLessThan(1e-5);
      // Without the branch the scores differ: the graph really adds it.
      const plain = forwardBatch(storedParams(randomNetwork(5), storage), feedsToSparse(feeds[ids].data as Int32Array, feeds[segments].data as BigInt64Array, feeds[scale].data as Float32Array));
      expect(Math.abs(scores[2 * 3 + 1] - plain[2 * OUTPUTS + 1])).toBeGreaterThan(1e-3);
    } finally {
      await session.release();
    }
  });

  it('fits one model per configured output on the rows that supervise it', () => {
    const texts = ['idiot', 'you idiot', 'stupid idiot', 'nice day', 'have a nice day', 'lovely day', 'idiot day', 'nice'];
    const f = extractFeatures(featurizer, texts);
    const y = new Float32Array(texts.length * OUTPUTS);
    const known = new Uint8Array(texts.length * OUTPUTS);
    texts.forEach((text, t) => {
      y[t * OUTPUTS + 1] = text.includes('idiot') ? 1 : 0;
      known[t * OUTPUTS + 1] = 1;
    });
    const fit = fitLinear(f, y, known, OUTPUTS, { outputs: [1], C: 10, mix: 0.5, iterations: 200 }, { buckets: BUCKETS, groups: GROUPS });
    expect(fit.table.length).toBe(BUCKETS);
    const score = (text: string) => {
      const g = extractFeatures(featurizer, [text]);
      let sum = 0;
      for (let i = 0; i < g.ids.length; i++) sum += fit.table[g.ids[i]];
      return linearTextScale(g.offsets, 0, fit.groupWeights) * sum + fit.bias[0];
    };
    expect(score('what an idiot')).toBeGreaterThan(0);
    expect(score('what a nice day')).toBeLessThan(0);
    // group weights are mean idf^2 per group: >= 1 (idf >= 1)
    for (const m of fit.groupWeights) expect(m).toBeGreaterThanOrEqual(1);
  });
});
