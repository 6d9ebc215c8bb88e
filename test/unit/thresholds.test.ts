import { resolveThresholds } from '../../src/moderation/thresholds';
import { loadBundle } from '../../src/model/bundle';
import { DEFAULT_MODEL } from '../support/harness';

const { manifest } = loadBundle(DEFAULT_MODEL);

describe('thresholds', () => {
  it('come from the manifest by default', () => {
    const t = resolveThresholds(manifest, {});
    expect(Array.from(t.labels)).toEqual(manifest.labels.map((l) => l.threshold));
    expect(t.overall).toBe(manifest.overall.threshold);
  });

  it('can be overridden per label and for the overall score', () => {
    const first = manifest.labels[0]!.name;
    const t = resolveThresholds(manifest, { [first]: 0.99, overall: 0.42 });
    expect(t.labels[0]).toBe(0.99);
    expect(t.overall).toBe(0.42);
    expect(Array.from(t.labels.slice(1))).toEqual(manifest.labels.slice(1).map((l) => l.threshold));
  });

  it('reject an override for a label the model does not have, naming the key', () => {
    expect(() => resolveThresholds(manifest, { toxicity: 0.5 })).toThrow("'classifier.thresholds.toxicity'");
  });
});
