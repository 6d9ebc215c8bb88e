/**
 * Per-dataset, per-output metrics on the validation split, threshold selection, and the
 * headline numbers (targets) the model card and the report carry.
 */
import type { Example } from './data/datasets';
import { DATASETS, type DatasetName } from './data/datasets';
import { OUTPUT_NAMES, OUTPUTS, PRIMARY_OUTPUT } from './labels';
import { averagePrecision, chooseThreshold, countsAt, f1Positive, macroF1, rocAuc } from './metrics';

export interface OutputMetrics {
  output: string;
  n: number;
  positives: number;
  roc_auc: number;
  auprc: number;
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  macro_f1: number;
}

export interface DatasetMetrics {
  dataset: string;
  rows: number;
  outputs: OutputMetrics[];
}

export interface Headline {
  jigsaw_mean_roc_auc: number;
  tweeteval_offensive_macro_f1: number;
  tweeteval_hate_macro_f1: number;
  edos_sexism_macro_f1: number;
  sms_spam_f1: number;
  davidson_toxic_macro_f1: number;
}

export const TARGETS = { jigsaw_mean_roc_auc: 0.95, tweeteval_offensive_macro_f1: 0.75, tweeteval_hate_macro_f1: 0.5 } as const;

/** (scores, targets) of one output on the rows of one dataset that supervise it. */
export function column(examples: readonly Example[], probs: Float32Array, k: number, filter?: (e: Example) => boolean) {
  const s: number[] = [];
  const y: number[] = [];
  examples.forEach((e, i) => {
    if (!e.known[k] || (filter && !filter(e))) return;
    s.push(probs[i * OUTPUTS + k]);
    y.push(e.y[k]);
  });
  return { s, y };
}

function hasBothClasses(y: number[]): boolean {
  let pos = 0;
  for (const v of y) pos += v;
  return pos > 0 && pos < y.length;
}

/** Mean ROC-AUC over every (dataset, output) pair with both classes: the early-stopping score. */
export function meanAuc(examples: readonly Example[], probs: Float32Array): number {
  let sum = 0;
  let count = 0;
  for (const ds of DATASETS) {
    for (let k = 0; k < OUTPUTS; k++) {
      const { s, y } = column(examples, probs, k, (e) => e.dataset === ds);
      if (!hasBothClasses(y)) continue;
      sum += rocAuc(s, y);
      count++;
    }
  }
  return count ? sum / count : 0;
}

/** Thresholds per output by the rule in metrics.ts (mean per-dataset macro-F1 on validation). */
export function chooseThresholds(examples: readonly Example[], probs: Float32Array): number[] {
  const out: number[] = [];
  for (let k = 0; k < OUTPUTS; k++) {
    const sets = DATASETS.map((ds) => column(examples, probs, k, (e) => e.dataset === ds)).filter((c) => c.y.length > 0);
    out.push(chooseThreshold(sets).threshold);
  }
  return out;
}

export function evaluate(examples: readonly Example[], probs: Float32Array, thresholds: readonly number[]): DatasetMetrics[] {
  const result: DatasetMetrics[] = [];
  const datasets = [...new Set(examples.map((e) => e.dataset))];
  const groups: { name: string; filter: (e: Example) => boolean }[] = [];
  for (const ds of DATASETS) {
    if (!datasets.includes(ds)) continue;
    groups.push({ name: ds, filter: (e) => e.dataset === ds });
    if (ds === 'jigsaw-toxic-subset') {
      groups.push({ name: 'jigsaw-toxic-subset (natural-distribution rows)', filter: (e) => e.dataset === ds && e.natural === true });
    }
  }
  for (const g of groups) {
    const rows = examples.filter(g.filter).length;
    if (!rows) continue;
    const outputs: OutputMetrics[] = [];
    for (let k = 0; k < OUTPUTS; k++) {
      const { s, y } = column(examples, probs, k, g.filter);
      if (!hasBothClasses(y)) continue;
      const c = countsAt(s, y, thresholds[k]);
      outputs.push({
        output: OUTPUT_NAMES[k],
        n: y.length,
        positives: y.reduce((a, b) => a + b, 0),
        roc_auc: rocAuc(s, y),
        auprc: averagePrecision(s, y),
        threshold: thresholds[k],
        precision: c.tp + c.fp ? c.tp / (c.tp + c.fp) : 0,
        recall: c.tp + c.fn ? c.tp / (c.tp + c.fn) : 0,
        f1: f1Positive(c),
        macro_f1: macroF1(c),
      });
    }
    result.push({ dataset: g.name, rows, outputs });
  }
  return result;
}

function find(metrics: DatasetMetrics[], dataset: DatasetName, output: string): OutputMetrics | undefined {
  return metrics.find((m) => m.dataset === dataset)?.outputs.find((o) => o.output === output);
}

export function headline(metrics: DatasetMetrics[]): Headline {
  const jig = PRIMARY_OUTPUT['jigsaw-toxic-subset'].map((l) => find(metrics, 'jigsaw-toxic-subset', l)?.roc_auc ?? NaN);
  return {
    jigsaw_mean_roc_auc: jig.reduce((a, b) => a + b, 0) / jig.length,
    tweeteval_offensive_macro_f1: find(metrics, 'tweeteval-offensive', 'offensive')?.macro_f1 ?? NaN,
    tweeteval_hate_macro_f1: find(metrics, 'tweeteval-hate', 'identity_hate')?.macro_f1 ?? NaN,
    edos_sexism_macro_f1: find(metrics, 'edos-sexism', 'sexism')?.macro_f1 ?? NaN,
    sms_spam_f1: find(metrics, 'sms-spam-collection', 'spam')?.f1 ?? NaN,
    davidson_toxic_macro_f1: find(metrics, 'davidson-hate-offensive', 'toxic')?.macro_f1 ?? NaN,
  };
}
