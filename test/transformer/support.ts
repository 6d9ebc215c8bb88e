import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { TransformerModelEntry } from '../../src/config/schema';
import { readTransformerFolder, transformerSpec } from '../../src/model/hf-folder';
import { TransformerSession } from '../../src/model/transformer-session';
import type { TransformerSpec } from '../../src/model/worker-protocol';
import { ROOT } from '../support/harness';

/** The untrained DistilBERT fixture (../shared/models, PROVENANCE.md there): WordPiece, int64, softmax. */
export const DISTILBERT = path.resolve(ROOT, '../shared/models/tiny-distilbert-sst2-onnx');

export function tmpDir(prefix = 'transformer-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A model entry as app_conf.yml would give it, defaults filled in. */
export function entry(dir: string, extra: Partial<TransformerModelEntry> = {}): TransformerModelEntry {
  return { kind: 'hf-transformer', path: dir, thresholds: {}, long_texts: 'window', benign_labels: [], ...extra };
}

/** What a worker would load for the folder: the spec the runtime builds, with test-sized batches. */
export function specFor(dir: string, extra: Partial<TransformerModelEntry> = {}, runs: Partial<Pick<TransformerSpec, 'maxBatchTokens' | 'maxBatchSize'>> = {}): TransformerSpec {
  const e = entry(dir, extra);
  return transformerSpec(readTransformerFolder(dir, e, 'models.0'), e, { maxBatchTokens: 16_384, maxBatchSize: 64, ...runs });
}

export function openSession(spec: TransformerSpec): Promise<TransformerSession> {
  return TransformerSession.open(ort, spec);
}
