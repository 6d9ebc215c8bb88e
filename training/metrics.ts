/** Binary classification metrics (no dependencies). `y` holds 0/1, `s` the scores. */

export type Scores = ArrayLike<number>;
export type Targets = ArrayLike<number>;

/** ROC-AUC (Mann-Whitney U with average ranks for ties); NaN when a class is missing. */
export function rocAuc(s: Scores, y: Targets): number {
  const n = s.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a] - s[b]);
  let pos = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && s[order[j + 1]] === s[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[order[k]]) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision (area under the step-wise precision-recall curve, as scikit-learn computes it). */
export function averagePrecision(s: Scores, y: Targets): number {
  const curve = precisionRecallCurve(s, y);
  if (!curve.length) return NaN;
  let ap = 0;
  let prevRecall = 0;
  for (const p of curve) {
    ap += (p.recall - prevRecall) * p.precision;
    prevRecall = p.recall;
  }
  return ap;
}

export interface PrPoint {
  threshold: number;
  precision: number;
  recall: number;
}

/** Precision/recall at every distinct score, from the highest threshold down. */
export function precisionRecallCurve(s: Scores, y: Targets): PrPoint[] {
  const n = s.length;
  let totalPos = 0;
  for (let i = 0; i < n; i++) if (y[i]) totalPos++;
  if (totalPos === 0) return [];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[b] - s[a]);
  const out: PrPoint[] = [];
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < n) {
    const t = s[order[i]];
    while (i < n && s[order[i]] === t) {
      if (y[order[i]]) tp++;
      else fp++;
      i++;
    }
    out.push({ threshold: t, precision: tp / (tp + fp), recall: tp / totalPos });
  }
  return out;
}

export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function countsAt(s: Scores, y: Targets, threshold: number): BinaryCounts {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < s.length; i++) {
    const p = s[i] >= threshold;
    if (y[i]) p ? c.tp++ : c.fn++;
    else p ? c.fp++ : c.tn++;
  }
  return c;
}

function f1(tp: number, fp: number, fn: number): number {
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** F1 of the positive class. */
export function f1Positive(c: BinaryCounts): number {
  return f1(c.tp, c.fp, c.fn);
}

/** Macro-F1 over the two classes (the TweetEval metric). */
export function macroF1(c: BinaryCounts): number {
  return (f1(c.tp, c.fp, c.fn) + f1(c.tn, c.fn, c.fp)) / 2;
}

/** Candidate thresholds: 0.01, 0.02, ..., 0.99. */
export const THRESHOLD_GRID: readonly number[] = Array.from({ length: 99 }, (_, i) => Math.round((i + 1)) / 100);

/**
 * The threshold rule: for one output, the grid threshold that maximises the mean, over the
 * validation sets that supervise it with both classes present, of that set's binary macro-F1.
 * Ties go to the smaller threshold. Returns 0.5 when no set qualifies.
 */
export function chooseThreshold(sets: { s: Scores; y: Targets }[]): { threshold: number; objective: number } {
  const usable = sets.filter(({ y }) => {
    let pos = 0;
    for (let i = 0; i < y.length; i++) pos += y[i] ? 1 : 0;
    return pos > 0 && pos < y.length;
  });
  if (!usable.length) return { threshold: 0.5, objective: NaN };
  let best = { threshold: 0.5, objective: -1 };
  for (const t of THRESHOLD_GRID) {
    let sum = 0;
    for (const { s, y } of usable) sum += macroF1(countsAt(s, y, t));
    const obj = sum / usable.length;
    if (obj > best.objective + 1e-12) best = { threshold: t, objective: obj };
  }
  return best;
}
