/**
 * The training pipeline behind `npm run train` (and the CI smoke test):
 * data -> features (the serving featurizer) -> ensemble members -> merged network ->
 * linear branch mixed in -> model.onnx -> validation scores from onnxruntime (what serving computes) -> thresholds ->
 * metrics -> TF-IDF + LR baseline -> model.json + MODEL_CARD.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFeaturizer, type HashedNgramsSpec } from '../src/featurizer';
import { GROUPS } from '../src/featurizer';
import { manifestSchema, type ModelManifest } from '../src/model/manifest';
import { DEFAULT_SEED, MODEL_NAME, MODEL_VERSION, RECIPE, type Recipe } from './config';
import { DATASET_META, DATASETS, loadDatasets, type Example, type LoadedData } from './data/datasets';
import { chooseThresholds, evaluate, headline, meanAuc, TARGETS, type DatasetMetrics, type Headline } from './evaluation';
import { LABEL_DESCRIPTIONS, LABELS, OUTPUT_NAMES, OUTPUTS, OVERALL, OVERALL_DESCRIPTION, LABEL_MAPPING } from './labels';
import { extractFeatures } from './model/features';
import { fitLinear, withLinear } from './model/linear';
import { mergeEnsemble, type NetworkParams } from './model/network';
import { predict, train, type TrainSet } from './model/trainer';
import { buildClassifierOnnx, OUTPUT_OVERALL, OUTPUT_SCORES, storedParams } from './onnx/classifier';
import { openSession, scoreTexts } from './onnx/session';
import { predictTfidf, trainTfidfBaseline } from './baseline/tfidf-lr';
import { THRESHOLD_RULE, writeModelCard } from './model-card';

export interface TrainOptions {
  dataDir: string;
  outDir: string;
  seed?: number;
  /** Rows per dataset file (smoke runs). */
  limit?: number;
  /** Override the members' epoch budget. */
  epochs?: number;
  members?: number;
  /** Override the featurizer's bucket count (smoke runs). */
  buckets?: number;
  /** Train and report the TF-IDF + LR baseline (default true). */
  baseline?: boolean;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface TrainOutcome {
  manifest: ModelManifest;
  metrics: DatasetMetrics[];
  headline: Headline;
  baseline?: { metrics: DatasetMetrics[]; headline: Headline; thresholds: number[] };
  /** Max |TS forward - onnxruntime| over the validation probabilities. */
  parityMaxDiff: number;
  seconds: { total: number; features: number; training: number; linear: number; baseline: number };
  bestEpochs: string[];
}

export function datasetMatrices(examples: readonly Example[]): { y: Float32Array; known: Uint8Array } {
  const y = new Float32Array(examples.length * OUTPUTS);
  const known = new Uint8Array(examples.length * OUTPUTS);
  examples.forEach((e, i) => {
    y.set(e.y, i * OUTPUTS);
    known.set(e.known, i * OUTPUTS);
  });
  return { y, known };
}

function round(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function roundMetrics(metrics: DatasetMetrics[]) {
  return metrics.map((m) => ({
    dataset: m.dataset,
    rows: m.rows,
    outputs: m.outputs.map((o) => ({
      output: o.output,
      n: o.n,
      positives: o.positives,
      roc_auc: round(o.roc_auc),
      auprc: round(o.auprc),
      threshold: o.threshold,
      precision: round(o.precision),
      recall: round(o.recall),
      f1: round(o.f1),
      macro_f1: round(o.macro_f1),
    })),
  }));
}

export function roundHeadline(h: Headline): Record<string, number> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, round(v)]));
}

function supervisedOutputs(data: LoadedData, dataset: string): string[] {
  const seen = new Set<number>();
  for (const e of data.train) if (e.dataset === dataset) e.known.forEach((k, i) => k && seen.add(i));
  return [...seen].sort((a, b) => a - b).map((i) => OUTPUT_NAMES[i]);
}

export async function runTraining(opts: TrainOptions): Promise<TrainOutcome> {
  const started = performance.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const seed = opts.seed ?? DEFAULT_SEED;
  const recipe: Recipe = {
    ...RECIPE,
    featurizer: { ...RECIPE.featurizer, buckets: opts.buckets ?? RECIPE.featurizer.buckets },
    member: { ...RECIPE.member, epochs: opts.epochs ?? RECIPE.member.epochs },
    members: opts.members ?? RECIPE.members,
  };
  const spec: HashedNgramsSpec = recipe.featurizer;
  const featurizer = createFeaturizer(spec);

  // Data and features.
  const tData = performance.now();
  const cache = new Map<string, string>();
  const normalize = (t: string) => {
    let n = cache.get(t);
    if (n === undefined) cache.set(t, (n = featurizer.normalize(t)));
    return n;
  };
  const data = loadDatasets(opts.dataDir, { normalize, limit: opts.limit });
  cache.clear();
  if (!opts.quiet) {
    for (const [name, s] of Object.entries(data.stats)) {
      log(`${name}: ${s.rows} rows -> train ${s.train}, validation ${s.val}, dropped as duplicates of validation ${s.leaks_dropped}`);
    }
  }
  const trainTexts = data.train.map((e) => e.text);
  const valTexts = data.val.map((e) => e.text);
  const trainFeatures = extractFeatures(featurizer, trainTexts);
  const valFeatures = extractFeatures(featurizer, valTexts);
  const { y, known } = datasetMatrices(data.train);
  const source = Uint8Array.from(data.train, (e) => DATASETS.indexOf(e.dataset));
  const trainSet: TrainSet = { features: trainFeatures, y, known, weight: new Float32Array(data.train.length).fill(1), source };
  const featureSeconds = (performance.now() - tData) / 1000;
  if (!opts.quiet) log(`features: ${(trainFeatures.ids.length / data.train.length).toFixed(0)} ids per training text, ${featureSeconds.toFixed(1)} s`);

  // Ensemble members, each early-stopped on the validation split.
  const tTrain = performance.now();
  const members: NetworkParams[] = [];
  const bestEpochs: string[] = [];
  for (let m = 0; m < recipe.members; m++) {
    if (!opts.quiet) log(`member ${m + 1}/${recipe.members} (seed ${seed + m})`);
    const res = train(
      { buckets: spec.buckets, outputs: OUTPUTS, groups: GROUPS },
      { ...recipe.member, seed: seed + m },
      trainSet,
      (p) => meanAuc(data.val, predict(p, valFeatures)),
      { quiet: opts.quiet, log },
    );
    members.push(res.params);
    bestEpochs.push(`${res.bestEpoch}${res.averaged ? ' (averaged)' : ''}`);
  }
  const merged = mergeEnsemble(members);
  const trainSeconds = (performance.now() - tTrain) / 1000;

  // The linear branch: logistic regressions on the same ids, mixed into chosen outputs' logits.
  const tLinear = performance.now();
  let model = merged;
  if (recipe.linear) {
    if (!opts.quiet) log(`linear branch: ${recipe.linear.outputs.map((k) => OUTPUT_NAMES[k]).join(', ')} (C = ${recipe.linear.C}, mix ${recipe.linear.mix})`);
    const fit = fitLinear(trainFeatures, y, known, OUTPUTS, recipe.linear, { buckets: spec.buckets, groups: GROUPS }, opts.quiet ? undefined : log);
    model = withLinear(merged, fit, recipe.linear.mix);
  }
  const linearSeconds = (performance.now() - tLinear) / 1000;

  // Export, then score validation with onnxruntime: thresholds and metrics come from what serving runs.
  mkdirSync(opts.outDir, { recursive: true });
  const onnxPath = path.join(opts.outDir, 'model.onnx');
  const bytes = buildClassifierOnnx({
    params: model,
    storage: recipe.storage,
    inputs: spec.inputs,
    pooling: spec.pooling,
    labels: LABELS,
    producerVersion: MODEL_VERSION,
    doc: `${MODEL_NAME} ${MODEL_VERSION}: hashed n-gram embedding-bag classifier; outputs '${OUTPUT_SCORES}' [batch, ${LABELS.length}] (${LABELS.join(', ')}) and '${OUTPUT_OVERALL}' [batch, 1].`,
    metadata: { name: MODEL_NAME, version: MODEL_VERSION, labels: LABELS.join(','), featurizer: `${spec.type}@${spec.version}` },
  });
  writeFileSync(onnxPath, bytes);
  const session = await openSession(onnxPath);
  const probs = await scoreTexts(session, featurizer, valTexts, LABELS.length);
  await session.release();
  const reference = predict(storedParams(model, recipe.storage), valFeatures);
  let parityMaxDiff = 0;
  for (let i = 0; i < probs.length; i++) parityMaxDiff = Math.max(parityMaxDiff, Math.abs(probs[i] - reference[i]));
  if (!(parityMaxDiff < 1e-4)) throw new Error(`ONNX export does not match the trainer's forward pass (max diff ${parityMaxDiff})`);

  const thresholds = chooseThresholds(data.val, probs);
  const metrics = evaluate(data.val, probs, thresholds);
  const head = headline(metrics);

  // The floor: TF-IDF + logistic regression on the same rows.
  let baseline: TrainOutcome['baseline'];
  const tBase = performance.now();
  if (opts.baseline !== false) {
    if (!opts.quiet) log('baseline: TF-IDF + logistic regression');
    const model = trainTfidfBaseline(trainTexts, y, known);
    const bProbs = predictTfidf(model, valTexts);
    const bThresholds = chooseThresholds(data.val, bProbs);
    const bMetrics = evaluate(data.val, bProbs, bThresholds);
    baseline = { metrics: bMetrics, headline: headline(bMetrics), thresholds: bThresholds };
    mkdirSync(path.join(opts.outDir, 'eval'), { recursive: true });
    writeFileSync(
      path.join(opts.outDir, 'eval', 'baseline.json'),
      `${JSON.stringify({ model: 'tfidf-word-1-2gram + logistic-regression (C=1)', thresholds: bThresholds, headline: roundHeadline(baseline.headline), metrics: roundMetrics(bMetrics) }, null, 2)}\n`,
    );
  }
  const baselineSeconds = (performance.now() - tBase) / 1000;

  // Manifest.
  const manifest = manifestSchema.parse({
    format: 1,
    name: MODEL_NAME,
    version: MODEL_VERSION,
    description:
      'Default moderation model: hashed word and character n-gram embedding bags (fastText style, two pooled groups) -> ReLU layer -> ' +
      `sigmoid per label and an overall "breaks any policy" head; ensemble of ${recipe.members} members merged into one graph. ` +
      'Trained in TypeScript on public datasets; see MODEL_CARD.md.',
    onnx: 'model.onnx',
    featurizer: spec,
    outputs: { scores: { name: OUTPUT_SCORES, activation: 'none' }, overall: { name: OUTPUT_OVERALL } },
    labels: LABELS.map((name, k) => ({ name, description: LABEL_DESCRIPTIONS[name], threshold: thresholds[k] })),
    overall: { threshold: thresholds[OVERALL], description: OVERALL_DESCRIPTION },
    training: {
      datasets: Object.keys(data.stats).map((name) => {
        const meta = DATASET_META[name as keyof typeof DATASET_META];
        return { name, licence: meta.licence, source: meta.source, rows: data.stats[name].train, labels: supervisedOutputs(data, name) };
      }),
      seed,
      limit_rows_per_file: opts.limit ?? null,
      validation: Object.fromEntries(Object.keys(data.stats).map((name) => [name, { rule: DATASET_META[name as keyof typeof DATASET_META].validation, rows: data.stats[name].val, train_rows_dropped_as_duplicates: data.stats[name].leaks_dropped }])),
      label_mapping: LABEL_MAPPING,
      threshold_rule: THRESHOLD_RULE,
      early_stopping: 'per member: the epoch with the best mean validation ROC-AUC over every (dataset, output) pair with both classes',
      recipe: { members: recipe.members, storage: recipe.storage, member: recipe.member, best_epochs: bestEpochs, linear: recipe.linear && { ...recipe.linear, outputs: recipe.linear.outputs.map((k) => OUTPUT_NAMES[k]) } },
    },
    metrics: {
      split: 'validation',
      computed_with: 'onnxruntime-node on model.onnx',
      targets: TARGETS,
      headline: roundHeadline(head),
      baseline_tfidf_lr: baseline ? roundHeadline(baseline.headline) : null,
      per_dataset: roundMetrics(metrics),
    },
  });
  writeFileSync(path.join(opts.outDir, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeModelCard(path.join(opts.outDir, 'MODEL_CARD.md'), { manifest, metrics, head, baseline, data, recipe, bytes: bytes.length });

  const total = (performance.now() - started) / 1000;
  return {
    manifest,
    metrics,
    headline: head,
    baseline,
    parityMaxDiff,
    seconds: { total, features: featureSeconds, training: trainSeconds, linear: linearSeconds, baseline: baselineSeconds },
    bestEpochs,
  };
}
