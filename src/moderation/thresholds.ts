/** The key in a model's `thresholds` that overrides the overall-score threshold. */
export const OVERALL_KEY = 'overall';

export interface Thresholds {
  /** Per label, in model label order. */
  labels: Float64Array;
  overall: number;
}

/** A label and its threshold as the model ships it. */
export interface LabelDefault {
  name: string;
  threshold: number;
}

/**
 * The model's thresholds with config overrides applied. `key` is where the overrides are in the
 * config (`models.1.thresholds`). An override for a label the model does not have is an error
 * naming the key (a typo would otherwise silently keep the default), as is one for a benign label
 * (those are never flagged: their threshold is 1).
 */
export function resolveThresholds(
  labels: readonly LabelDefault[],
  overallThreshold: number,
  overrides: Record<string, number>,
  key: string,
  benign: readonly string[] = [],
): Thresholds {
  const names = labels.map((l) => l.name);
  for (const name of Object.keys(overrides)) {
    if (name !== OVERALL_KEY && !names.includes(name)) {
      throw new Error(`'${key}.${name}': the model has no label '${name}' (labels: ${names.join(', ')}; '${OVERALL_KEY}' for the overall score)`);
    }
    if (benign.includes(name)) throw new Error(`'${key}.${name}': '${name}' is one of the model's benign_labels, which are never flagged`);
  }
  return {
    labels: Float64Array.from(labels, (l) => (benign.includes(l.name) ? 1 : (overrides[l.name] ?? l.threshold))),
    overall: overrides[OVERALL_KEY] ?? overallThreshold,
  };
}
