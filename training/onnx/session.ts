/** Runs an exported model.onnx with onnxruntime-node (what serving runs) over a list of texts. */
process.env.ORT_DISABLE_TELEMETRY = '1';

import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Featurizer } from '../../src/featurizer';
import { OUTPUT_OVERALL, OUTPUT_SCORES } from './classifier';

type Ort = typeof import('onnxruntime-node');

export function loadOrt(): Ort {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('onnxruntime-node') as Ort;
}

export async function openSession(onnxPath: string): Promise<InferenceSession> {
  const ort = loadOrt();
  return ort.InferenceSession.create(onnxPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

export function toFeeds(featurizer: Featurizer, texts: readonly string[]): Record<string, Tensor> {
  const ort = loadOrt();
  const feeds: Record<string, Tensor> = {};
  for (const [name, f] of Object.entries(featurizer.featurize(texts))) feeds[name] = new ort.Tensor(f.type, f.data, f.dims);
  return feeds;
}

/** Probabilities [n, labels + 1] (the labels, then overall) from the ONNX session. */
export async function scoreTexts(session: InferenceSession, featurizer: Featurizer, texts: readonly string[], labels: number, batch = 256): Promise<Float32Array> {
  const K = labels + 1;
  const out = new Float32Array(texts.length * K);
  for (let i = 0; i < texts.length; i += batch) {
    const chunk = texts.slice(i, i + batch);
    const res = await session.run(toFeeds(featurizer, chunk), [OUTPUT_SCORES, OUTPUT_OVERALL]);
    const scores = res[OUTPUT_SCORES].data as Float32Array;
    const overall = res[OUTPUT_OVERALL].data as Float32Array;
    for (let r = 0; r < chunk.length; r++) {
      for (let k = 0; k < labels; k++) out[(i + r) * K + k] = scores[r * labels + k];
      out[(i + r) * K + labels] = overall[r];
    }
  }
  return out;
}
