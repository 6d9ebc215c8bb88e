/**
 * Training-side feature extraction: runs the very featurizer serving uses
 * (src/featurizer/index.ts, `featurize`) over a corpus and keeps its feeds in CSR form.
 */
import type { Featurizer } from '../../src/featurizer';
import { feedsToSparse, type SparseBatch } from './network';

export interface FeaturizedCorpus extends SparseBatch {
  readonly count: number;
}

/** Featurises `texts` in chunks through `featurizer.featurize`; the result is the concatenated CSR (GROUPS segments per text). */
export function extractFeatures(featurizer: Featurizer, texts: readonly string[], chunk = 512): FeaturizedCorpus {
  const { ids: idsName, segments: segName, scale: scaleName } = (featurizer.spec as { inputs: { ids: string; segments: string; scale: string } }).inputs;
  const parts: SparseBatch[] = [];
  let total = 0;
  for (let i = 0; i < texts.length; i += chunk) {
    const feeds = featurizer.featurize(texts.slice(i, i + chunk));
    const part = feedsToSparse(feeds[idsName].data as Int32Array, feeds[segName].data as BigInt64Array, feeds[scaleName].data as Float32Array);
    parts.push(part);
    total += part.ids.length;
  }
  const segs = parts.reduce((a, p) => a + p.scale.length, 0);
  const ids = new Int32Array(total);
  const offsets = new Int32Array(segs + 1);
  const scale = new Float32Array(segs);
  let at = 0;
  let seg = 0;
  for (const p of parts) {
    ids.set(p.ids, at);
    const n = p.scale.length;
    for (let r = 0; r < n; r++) offsets[seg + r + 1] = at + p.offsets[r + 1];
    scale.set(p.scale, seg);
    at += p.ids.length;
    seg += n;
  }
  return { ids, offsets, scale, count: texts.length };
}
