/**
 * `npm run eval [-- --data DIR --model DIR --out DIR]`: scores the validation splits with the
 * bundle's model.onnx through onnxruntime-node (what serving runs), at the thresholds in its
 * model.json, and writes eval/REPORT.md, eval/metrics.json and PNG plots (precision-recall
 * curve and score histogram per output).
 */
process.env.ORT_DISABLE_TELEMETRY = '1';

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadBundle } from '../src/model/bundle';
import { createFeaturizer } from '../src/featurizer';
import { DEFAULT_DATA_DIR, DEFAULT_MODEL_DIR, parseArgs } from './cli';
import { loadDatasets } from './data/datasets';
import { evaluate, headline, TARGETS, type DatasetMetrics, type Headline } from './evaluation';
import { OUTPUT_NAMES } from './labels';
import { comparisonTable, headlineTable } from './model-card';
import { openSession, scoreTexts } from './onnx/session';
import { roundHeadline, roundMetrics } from './pipeline';
import { histogramSpec, prCurveSpec, renderPng } from './report/plots';

export interface EvalOptions {
  dataDir: string;
  modelDir: string;
  outDir?: string;
  /** Skip the PNGs (tests). */
  plots?: boolean;
  limit?: number;
}

export interface EvalResult {
  metrics: DatasetMetrics[];
  headline: Headline;
  reportPath: string;
  pngs: string[];
}

export async function runEvaluation(opts: EvalOptions): Promise<EvalResult> {
  const bundle = loadBundle(opts.modelDir);
  const { manifest } = bundle;
  const outDir = opts.outDir ?? path.join(opts.modelDir, 'eval');
  mkdirSync(outDir, { recursive: true });
  const names = [...manifest.labels.map((l) => l.name), 'overall'];
  if (names.join() !== OUTPUT_NAMES.join()) throw new Error(`this evaluation knows outputs ${OUTPUT_NAMES.join(', ')}; the bundle has ${names.join(', ')}`);
  const featurizer = createFeaturizer(manifest.featurizer);
  const data = loadDatasets(opts.dataDir, { normalize: (t) => featurizer.normalize(t), limit: opts.limit });
  const session = await openSession(bundle.onnxPath);
  const probs = await scoreTexts(session, featurizer, data.val.map((e) => e.text), manifest.labels.length);
  await session.release();
  const thresholds = [...manifest.labels.map((l) => l.threshold), manifest.overall.threshold];
  const metrics = evaluate(data.val, probs, thresholds);
  const head = headline(metrics);

  const baselineFile = path.join(opts.modelDir, 'eval', 'baseline.json');
  const baseline = existsSync(baselineFile)
    ? (JSON.parse(readFileSync(baselineFile, 'utf8')) as { headline: Headline; metrics: DatasetMetrics[] })
    : undefined;

  const pngs: string[] = [];
  const sections: string[] = [];
  if (opts.plots !== false) {
    for (let k = 0; k < names.length; k++) {
      const parts: string[] = [];
      const pr = prCurveSpec(data.val, probs, k, names[k], thresholds[k]);
      if (pr) {
        const file = `pr-${names[k]}.png`;
        writeFileSync(path.join(outDir, file), await renderPng(pr));
        pngs.push(file);
        parts.push(`![precision-recall ${names[k]}](${file})`);
      }
      const hist = histogramSpec(data.val, probs, k, names[k], thresholds[k]);
      if (hist) {
        const file = `hist-${names[k]}.png`;
        writeFileSync(path.join(outDir, file), await renderPng(hist));
        pngs.push(file);
        parts.push(`![score histogram ${names[k]}](${file})`);
      }
      if (parts.length) sections.push(`### ${names[k]}\n\n${parts.join('\n')}`);
    }
  }

  const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
  // Outputs a dataset supervises with negatives only (e.g. spam on tweets): no ROC-AUC, but the false-positive rate counts.
  const fprRows: string[] = [];
  for (const ds of [...new Set(data.val.map((e) => e.dataset))]) {
    for (let k = 0; k < names.length; k++) {
      let n = 0;
      let pos = 0;
      let fp = 0;
      data.val.forEach((e, i) => {
        if (e.dataset !== ds || !e.known[k]) return;
        n++;
        pos += e.y[k];
        if (!e.y[k] && probs[i * names.length + k] >= thresholds[k]) fp++;
      });
      if (n > 0 && pos === 0) fprRows.push(`| ${ds} | ${names[k]} | ${n} | ${fp} | ${(fp / n).toFixed(4)} |`);
    }
  }
  const perDataset = metrics
    .map((m) => {
      const rows = m.outputs.map(
        (o) => `| ${o.output} | ${o.n} | ${o.positives} | ${f3(o.roc_auc)} | ${f3(o.auprc)} | ${o.threshold.toFixed(2)} | ${f3(o.precision)} | ${f3(o.recall)} | ${f3(o.f1)} | ${f3(o.macro_f1)} |`,
      );
      return `### ${m.dataset} (${m.rows} validation rows)\n\n| output | n | positives | ROC-AUC | AUPRC | threshold | precision | recall | F1 | macro-F1 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n${rows.join('\n')}`;
    })
    .join('\n\n');
  const macro = metrics
    .map((m) => {
      const mf = m.outputs.map((o) => o.macro_f1);
      return `| ${m.dataset} | ${m.outputs.map((o) => o.output).join(', ')} | ${f3(mf.reduce((a, b) => a + b, 0) / mf.length)} |`;
    })
    .join('\n');

  const report = `# Evaluation report: ${manifest.name} ${manifest.version}

Validation splits of the training datasets (see MODEL_CARD.md for how they are made), scored by
onnxruntime-node on \`${path.basename(bundle.onnxPath)}\` at the thresholds in \`model.json\`. Written by \`npm run eval\`
(\`training/evaluate.ts\`). Thresholds were chosen on these same rows, so F1 figures are optimistic;
ROC-AUC and AUPRC are threshold-free.

## Targets

${headlineTable(head, baseline?.headline)}

Targets: Jigsaw mean ROC-AUC >= ${TARGETS.jigsaw_mean_roc_auc}, TweetEval offensive macro-F1 >= ${TARGETS.tweeteval_offensive_macro_f1},
TweetEval hate macro-F1 >= ${TARGETS.tweeteval_hate_macro_f1}. The baseline column is the TF-IDF + logistic-regression floor trained by
\`npm run train\` on the same rows (\`eval/baseline.json\`).

## Model vs baseline on each dataset's own task

${comparisonTable(metrics, baseline?.metrics)}

## Macro-F1 at the chosen thresholds, per dataset

Mean over the outputs the dataset supervises with both classes present (binary macro-F1 per output).

| dataset | outputs | mean macro-F1 |
|---|---|---:|
${macro}

## Per dataset and output

${perDataset}

## False positives where a dataset has negatives only

Rows that a dataset rules out for an output (e.g. \`spam\` on tweets, \`toxic\` on SMS) but the model
flags at the chosen threshold.

| dataset | output | rows | flagged | false-positive rate |
|---|---|---:|---:|---:|
${fprRows.join('\n')}

## Plots

Precision-recall curves (one line per validation dataset that supervises the output; the dot is the
chosen threshold) and score histograms (all validation rows that supervise the output; share of
each class per bin; dashed line = threshold).

${sections.join('\n\n')}
`;
  const reportPath = path.join(outDir, 'REPORT.md');
  writeFileSync(reportPath, report);
  writeFileSync(
    path.join(outDir, 'metrics.json'),
    `${JSON.stringify({ model: `${manifest.name}@${manifest.version}`, split: 'validation', thresholds, headline: roundHeadline(head), metrics: roundMetrics(metrics) }, null, 2)}\n`,
  );
  return { metrics, headline: head, reportPath, pngs };
}

async function main(): Promise<void> {
  const { values } = parseArgs(
    process.argv.slice(2),
    {
      values: {
        data: 'dataset folder (default ../shared/data)',
        model: 'bundle folder (default models/default)',
        out: 'report folder (default <model>/eval)',
      },
    },
    'Usage: npm run eval -- [options]',
  );
  const res = await runEvaluation({
    dataDir: path.resolve(values.data ?? DEFAULT_DATA_DIR),
    modelDir: path.resolve(values.model ?? DEFAULT_MODEL_DIR),
    outDir: values.out ? path.resolve(values.out) : undefined,
  });
  console.log(`wrote ${res.reportPath} and ${res.pngs.length} plots`);
  for (const [k, v] of Object.entries(res.headline)) console.log(`  ${k.padEnd(30)} ${v.toFixed(4)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
