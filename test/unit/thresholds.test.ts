import { resolveThresholds } from '../../src/moderation/thresholds';
import { loadBundle } from '../../src/model/bundle';
import { DEFAULT_MODEL } from '../support/harness';

const { manifest } = loadBundle(DEFAULT_MODEL);

describe('thresholds', () => {
  it('come from the manifest by default', () => {
    const t = resolveThresholds(manifest.labels, manifest.overall.threshold, {}, 'classifier.thresholds');
    expect(Array.from(t.labels)).toEqual(manifest.labels.map((l) => l.threshold));
    expect(t.overall).toBe(manifest.overall.threshold);
  });

  it('can be overridden per label and for the overall score', () => {
    const first = manifest.labels[0]!.name;
    const t = resolveThresholds(manifest.labels, manifest.overall.threshold, { [first]: 0.99, overall: 0.42 }, 'classifier.thresholds');
    expect(t.labels[0]).toBe(0.99);
    expect(t.overall).toBe(0.42);
    expect(Array.from(t.labels.slice(1))).toEqual(manifest.labels.slice(1).map((l) => l.threshold));
  });

  it('reject an override for a label the model does not have, naming the key', () => {
    expect(() => resolveThresholds(manifest.labels, manifest.overall.threshold, { toxicity: 0.5 }, 'classifier.thresholds')).toThrow(
      "'classifier.thresholds.toxicity'",
    );
    expect(() => resolveThresholds(manifest.labels, 0.5, { toxicity: 0.5 }, 'models.2.thresholds')).toThrow("'models.2.thresholds.toxicity': the model has no label");
  });

  it('switch benign labels off, and refuse an override for one', () => {
    const labels = [
      { name: 'neutral', threshold: 0.5 },
      { name: 'toxic', threshold: 0.5 },
    ];
    expect(Array.from(resolveThresholds(labels, 0.5, { toxic: 0.7 }, 'models.1.thresholds', ['neutral']).labels)).toEqual([1, 0.7]);
    expect(() => resolveThresholds(labels, 0.5, { neutral: 0.9 }, 'models.1.thresholds', ['neutral'])).toThrow(
      "'models.1.thresholds.neutral': 'neutral' is one of the model's benign_labels",
    );
  });
});
