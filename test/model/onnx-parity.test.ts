import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadBundle } from '../../src/model/bundle';
import { ModelSession } from '../../src/model/model-session';
import { createFeaturizer, parseFeaturizerSpec } from '../../src/featurizer';
import { feedsToSparse, forwardBatch } from '../../training/model/network';
import { IR_VERSION, OPSET, readClassifierOnnx } from '../../training/onnx/classifier';
import { MODEL_DIR, sampleTexts } from './support';

describe('models/default/model.onnx', () => {
  const bundle = loadBundle(MODEL_DIR);
  const { manifest } = bundle;
  const bytes = readFileSync(bundle.onnxPath);
  const read = readClassifierOnnx(bytes);
  let session: ort.InferenceSession;

  beforeAll(async () => {
    session = await ort.InferenceSession.create(bundle.onnxPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  });
  afterAll(async () => {
    await session.release();
  });

  it('is opset 17 / IR 8 with the inputs of its featurizer and the outputs named in model.json', () => {
    expect(read.opset).toBe(OPSET);
    expect(read.irVersion).toBe(IR_VERSION);
    expect(OPSET).toBe(17);
    expect(IR_VERSION).toBe(8);
    const featurizer = createFeaturizer(manifest.featurizer);
    expect([...session.inputNames].sort()).toEqual([...featurizer.inputNames].sort());
    expect(session.outputNames).toContain(manifest.outputs.scores.name);
    expect('name' in manifest.outputs.overall && session.outputNames.includes(manifest.outputs.overall.name)).toBe(true);
    expect(read.params.shape.outputs).toBe(manifest.labels.length + 1);
    expect(read.params.shape.buckets).toBe(parseFeaturizerSpec(manifest.featurizer).buckets);
  });

  it('matches the trainer forward pass (weights read back from the file) on a few hundred texts', async () => {
    const featurizer = createFeaturizer(manifest.featurizer);
    const texts = sampleTexts(320);
    const L = manifest.labels.length;
    let maxDiff = 0;
    for (let start = 0; start < texts.length; start += 64) {
      const batch = texts.slice(start, start + 64);
      const feeds = featurizer.featurize(batch);
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(feeds)) tensors[name] = new ort.Tensor(f.type, f.data, f.dims);
      const out = await session.run(tensors);
      const scores = out[manifest.outputs.scores.name];
      const overall = out[(manifest.outputs.overall as { name: string }).name];
      expect(scores.dims).toEqual([batch.length, L]);
      expect(overall.dims).toEqual([batch.length, 1]);
      const { ids, segments, scale } = parseFeaturizerSpec(manifest.featurizer).inputs;
      const ref = forwardBatch(read.params, feedsToSparse(feeds[ids].data as Int32Array, feeds[segments].data as BigInt64Array, feeds[scale].data as Float32Array));
      const s = scores.data as Float32Array;
      const o = overall.data as Float32Array;
      for (let r = 0; r < batch.length; r++) {
        for (let k = 0; k < L; k++) maxDiff = Math.max(maxDiff, Math.abs(s[r * L + k] - ref[r * (L + 1) + k]));
        maxDiff = Math.max(maxDiff, Math.abs(o[r] - ref[r * (L + 1) + L]));
      }
    }
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('gives the same scores through ModelSession, whose featurizer reuses its feed buffers, batch after batch', async () => {
    const model = await ModelSession.open(ort, bundle);
    const featurizer = createFeaturizer(manifest.featurizer);
    const texts = sampleTexts(300);
    const L = manifest.labels.length;
    for (const [from, to] of [[0, 64], [64, 66], [100, 300], [5, 6], [200, 264]]) {
      const batch = texts.slice(from, to);
      const got = await model.classify(batch);
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(featurizer.featurize(batch))) tensors[name] = new ort.Tensor(f.type, f.data, f.dims);
      const out = await session.run(tensors);
      const scores = out[manifest.outputs.scores.name].data as Float32Array;
      const overall = out[(manifest.outputs.overall as { name: string }).name].data as Float32Array;
      expect(got.scores.length).toBe(batch.length * L);
      for (let i = 0; i < scores.length; i++) expect(Math.abs(got.scores[i] - scores[i])).toBeLessThan(1e-6);
      for (let i = 0; i < overall.length; i++) expect(Math.abs(got.overall[i] - overall[i])).toBeLessThan(1e-6);
    }
  });

  it('gives a text the same scores alone as inside a batch', async () => {
    const featurizer = createFeaturizer(manifest.featurizer);
    const texts = sampleTexts(40);
    const run = async (batch: string[]) => {
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(featurizer.featurize(batch))) tensors[name] = new ort.Tensor(f.type, f.data, f.dims);
      return (await session.run(tensors))[manifest.outputs.scores.name].data as Float32Array;
    };
    const all = await run(texts);
    const L = manifest.labels.length;
    for (const i of [0, 5, 39]) {
      const alone = await run([texts[i]]);
      for (let k = 0; k < L; k++) expect(Math.abs(alone[k] - all[i * L + k])).toBeLessThan(1e-6);
    }
  });
});

describe('committed bundle files', () => {
  it('keeps model.onnx at or under 20 MB and the report PNGs small', () => {
    const size = readFileSync(path.join(MODEL_DIR, 'model.onnx')).length;
    // The "<= 20 MB", read strictly (decimal megabytes).
    expect(size).toBeLessThanOrEqual(20 * 1000 * 1000);
    const report = readFileSync(path.join(MODEL_DIR, 'eval', 'REPORT.md'), 'utf8');
    const pngs = [...report.matchAll(/\]\(([^)]+\.png)\)/g)].map((m) => m[1]);
    expect(pngs.length).toBeGreaterThanOrEqual(9);
    for (const png of pngs) expect(readFileSync(path.join(MODEL_DIR, 'eval', png)).length).toBeLessThan(100 * 1024);
  });

  it('has a model card that carries the validation numbers of model.json', () => {
    const card = readFileSync(path.join(MODEL_DIR, 'MODEL_CARD.md'), 'utf8');
    const { manifest } = loadBundle(MODEL_DIR);
    const head = (manifest.metrics as { headline: Record<string, number> }).headline;
    expect(card).toContain(head.jigsaw_mean_roc_auc.toFixed(3));
    expect(card).toContain(head.tweeteval_offensive_macro_f1.toFixed(3));
    expect(card).toContain(head.tweeteval_hate_macro_f1.toFixed(3));
    for (const label of manifest.labels) expect(card).toContain(`\`${label.name}\``);
  });
});
