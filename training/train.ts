/**
 * `npm run train [-- --data DIR --out DIR --seed N]`: trains the default model and writes the
 * bundle (model.onnx, model.json, MODEL_CARD.md, eval/baseline.json). Smoke run:
 * `npm run train -- --limit 300 --epochs 1 --members 1 --buckets 4096 --no-baseline --out /tmp/x`.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';

import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DATA_DIR, DEFAULT_MODEL_DIR, intArg, parseArgs } from './cli';
import { DEFAULT_SEED } from './config';
import { runTraining } from './pipeline';
import { TARGETS } from './evaluation';

async function main(): Promise<void> {
  const { values, flags } = parseArgs(
    process.argv.slice(2),
    {
      values: {
        data: `dataset folder (default ${path.relative(process.cwd(), DEFAULT_DATA_DIR) || DEFAULT_DATA_DIR})`,
        out: 'bundle folder to write (default models/default)',
        seed: `training seed (default ${DEFAULT_SEED})`,
        limit: 'use at most N rows of each dataset file (smoke runs)',
        epochs: 'override the epoch budget of each member',
        members: 'override the ensemble size',
        buckets: 'override the featurizer hash buckets (smoke runs)',
      },
      flags: { 'no-baseline': 'skip the TF-IDF + LR baseline', quiet: 'no progress output' },
    },
    'Usage: npm run train -- [options]',
  );
  const dataDir = path.resolve(values.data ?? DEFAULT_DATA_DIR);
  const outDir = path.resolve(values.out ?? DEFAULT_MODEL_DIR);
  const options = {
    dataDir,
    outDir,
    seed: intArg(values, 'seed') ?? DEFAULT_SEED,
    limit: intArg(values, 'limit', 1),
    epochs: intArg(values, 'epochs', 1),
    members: intArg(values, 'members', 1),
    buckets: intArg(values, 'buckets', 1),
    baseline: !flags.has('no-baseline'),
    quiet: flags.has('quiet'),
  };
  // Minutes of training must not end in "cannot write": check the folder first.
  try {
    mkdirSync(outDir, { recursive: true });
    accessSync(outDir, constants.W_OK);
  } catch (err) {
    throw new Error(`--out ${outDir}: not a writable folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const started = Date.now();
  const outcome = await runTraining(options);
  const h = outcome.headline;
  const b = outcome.baseline?.headline;
  const line = (name: string, v: number, target?: number, base?: number) =>
    `  ${name.padEnd(32)} ${v.toFixed(4)}${target !== undefined ? `  (target >= ${target})${v >= target ? ' ok' : ' MISSED'}` : ''}${base !== undefined ? `  baseline ${base.toFixed(4)}` : ''}`;
  console.log(`\nwrote ${outDir} (model.onnx, model.json, MODEL_CARD.md)`);
  console.log('validation (onnxruntime on model.onnx):');
  console.log(line('jigsaw mean ROC-AUC', h.jigsaw_mean_roc_auc, TARGETS.jigsaw_mean_roc_auc, b?.jigsaw_mean_roc_auc));
  console.log(line('tweeteval offensive macro-F1', h.tweeteval_offensive_macro_f1, TARGETS.tweeteval_offensive_macro_f1, b?.tweeteval_offensive_macro_f1));
  console.log(line('tweeteval hate macro-F1', h.tweeteval_hate_macro_f1, TARGETS.tweeteval_hate_macro_f1, b?.tweeteval_hate_macro_f1));
  console.log(line('edos sexism macro-F1', h.edos_sexism_macro_f1, undefined, b?.edos_sexism_macro_f1));
  console.log(line('sms spam F1', h.sms_spam_f1, undefined, b?.sms_spam_f1));
  const s = outcome.seconds;
  console.log(`parity TS vs onnxruntime: max |diff| ${outcome.parityMaxDiff.toExponential(2)}`);
  console.log(`time: ${s.total.toFixed(0)} s (features ${s.features.toFixed(0)} s, training ${s.training.toFixed(0)} s, linear branch ${s.linear.toFixed(0)} s, baseline ${s.baseline.toFixed(0)} s)`);
  // The one file that changes between identical runs: wall-clock timings.
  mkdirSync(path.join(outDir, 'eval'), { recursive: true });
  writeFileSync(
    path.join(outDir, 'eval', 'training-run.json'),
    `${JSON.stringify({ wall_seconds: Math.round((Date.now() - started) / 1000), seconds: outcome.seconds, best_epochs: outcome.bestEpochs, node: process.version, cpus: require('node:os').cpus().length }, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
