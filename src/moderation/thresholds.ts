import type { ModelManifest } from '../model/manifest';

/** The key in `classifier.thresholds` that overrides the overall-score threshold. */
export const OVERALL_KEY = 'overall';

export interface Thresholds {
  /** Per label, in manifest label order. */
  labels: Float64Array;
  overall: number;
}

/**
 * Manifest thresholds with config overrides applied. An override for a label the model does not
 * have is an error naming the key (a typo would otherwise silently keep the default).
 */
export function resolveThresholds(manifest: ModelManifest, overrides: Record<string, number>): Thresholds {
  const names = manifest.labels.map((l) => l.name);
  for (const key of Object.keys(overrides)) {
    if (key !== OVERALL_KEY && !names.includes(key)) {
      throw new Error(
        `'classifier.thresholds.${key}': the model has no label '${key}' (labels: ${names.join(', ')}; '${OVERALL_KEY}' for the overall score)`,
      );
    }
  }
  return {
    labels: Float64Array.from(manifest.labels, (l) => overrides[l.name] ?? l.threshold),
    overall: overrides[OVERALL_KEY] ?? manifest.overall.threshold,
  };
}
