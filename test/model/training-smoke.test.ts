import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadBundle } from '../../src/model/bundle';
import { createFeaturizer } from '../../src/featurizer';
import { manifestSchema } from '../../src/model/manifest';
import { runEvaluation } from '../../training/evaluate';
import { runTraining, type TrainOptions } from '../../training/pipeline';
import { readClassifierOnnx } from '../../training/onnx/classifier';
import { requireData } from './support';

/**
 * The whole pipeline end to end on a small slice of the real data (CI smoke test: seconds, not the
 * full training): load + split + featurize + train + export ONNX + score with onnxruntime +
 * thresholds + model.json + card, then the evaluation report.
 */
describe('training pipeline (smoke, small slice)', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'moderator-train-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const smoke = (outDir: string, seed = 7): TrainOptions => ({
    dataDir: requireData(),
    outDir,
    seed,
    limit: 150,
    epochs: 1,
    members: 2,
    buckets: 4096,
    baseline: false,
    quiet: true,
  });

  let first: string;

  it('trains, exports a loadable ONNX model and a valid model.json', async () => {
    first = tmp();
    const outcome = await runTraining(smoke(first));
    expect(outcome.parityMaxDiff).toBeLessThan(1e-5);

    const raw = JSON.parse(readFileSync(path.join(first, 'model.json'), 'utf8'));
    expect(manifestSchema.safeParse(raw).success).toBe(true);
    const bundle = loadBundle(first);
    expect(bundle.manifest.labels.map((l) => l.name)).toEqual(
      expect.arrayContaining(['toxic', 'severe_toxic', 'obscene', 'threat', 'insult', 'identity_hate', 'sexism', 'spam']),
    );
    expect(readFileSync(path.join(first, 'MODEL_CARD.md'), 'utf8')).toContain('## Metrics (validation)');

    const session = await ort.InferenceSession.create(bundle.onnxPath);
    try {
      const featurizer = createFeaturizer(bundle.manifest.featurizer);
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(featurizer.featurize(['hello there', 'you idiot', '']))) tensors[name] = new ort.Tensor(f.type, f.data, f.dims);
      const out = await session.run(tensors);
      expect(out.scores.dims).toEqual([3, bundle.manifest.labels.length]);
      expect(out.overall.dims).toEqual([3, 1]);
      for (const v of out.scores.data as Float32Array) expect(v >= 0 && v <= 1).toBe(true);
    } finally {
      await session.release();
    }
    const read = readClassifierOnnx(readFileSync(bundle.onnxPath));
    expect([read.opset, read.irVersion]).toEqual([17, 8]);
  }, 60_000);

  it('is deterministic given the seed: a second run writes identical bytes', async () => {
    const second = tmp();
    await runTraining(smoke(second));
    for (const file of ['model.onnx', 'model.json', 'MODEL_CARD.md']) {
      expect(readFileSync(path.join(second, file)).equals(readFileSync(path.join(first, file)))).toBe(true);
    }
    // A different seed gives different weights.
    const third = tmp();
    await runTraining(smoke(third, 8));
    expect(readFileSync(path.join(third, 'model.onnx')).equals(readFileSync(path.join(first, 'model.onnx')))).toBe(false);
  }, 60_000);

  it('evaluates the bundle into a report', async () => {
    const res = await runEvaluation({ dataDir: requireData(), modelDir: first, limit: 150, plots: false });
    const report = readFileSync(res.reportPath, 'utf8');
    expect(report).toContain('## Targets');
    expect(report).toContain('jigsaw-toxic-subset');
    expect(res.headline.jigsaw_mean_roc_auc).toBeGreaterThan(0.5);
  }, 60_000);
});
