import path from 'node:path';
import type { ModelSource } from '../config/load';
import { createFeaturizer } from '../featurizer';
import type { LabelDefault } from '../moderation/thresholds';
import { loadBundle } from './bundle';
import { fileDigest, readTransformerFolder, type TransformerFolder } from './hf-folder';

/** Thresholds of a Hugging Face classifier, which ships none: a label counts from probability 0.5. */
export const TRANSFORMER_DEFAULT_THRESHOLD = 0.5;

/** A model as the main thread knows it before any worker loads it (cheap: no inference session). */
export interface ModelDescription {
  name: string;
  version: string;
  kind: ModelSource['kind'];
  /** Labels in model order with the thresholds the model ships. */
  labels: LabelDefault[];
  overallThreshold: number;
  /** Labels that never count (never flagged, not in `overall`). */
  benign: string[];
  /** The ONNX file. */
  onnxPath: string;
  /** How a text becomes its result-cache key. */
  normalize: (text: string) => string;
  /** For a transformer: its folder as read from disk. */
  transformer?: TransformerFolder;
}

/** A default model name from a folder name: what MODEL_NAME allows. */
function nameFromFolder(dir: string): string {
  const name = path.basename(dir).replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return name || 'model';
}

/**
 * Reads a configured model's folder: the bundle manifest of the embedded kind, config.json and
 * friends of a Hugging Face transformer. Throws BundleError naming the file, or Error naming the key.
 */
export async function describeModel(source: ModelSource): Promise<ModelDescription> {
  if (source.kind === 'fasttext') {
    const { manifest, onnxPath } = loadBundle(source.dir);
    const featurizer = createFeaturizer(manifest.featurizer);
    return {
      name: source.name ?? manifest.name,
      version: manifest.version,
      kind: source.kind,
      labels: manifest.labels.map(({ name, threshold }) => ({ name, threshold })),
      overallThreshold: manifest.overall.threshold,
      benign: [],
      onnxPath,
      normalize: (text) => featurizer.normalize(text),
    };
  }
  const folder = readTransformerFolder(source.dir, source, source.key);
  for (const label of source.benign_labels) {
    if (!folder.labels.includes(label)) {
      throw new Error(`'${source.key}.benign_labels': the model has no label '${label}' (labels: ${folder.labels.join(', ')})`);
    }
  }
  return {
    name: source.name ?? nameFromFolder(source.dir),
    version: source.version ?? (await fileDigest(folder.onnxPath)),
    kind: source.kind,
    labels: folder.labels.map((name) => ({ name, threshold: TRANSFORMER_DEFAULT_THRESHOLD })),
    overallThreshold: TRANSFORMER_DEFAULT_THRESHOLD,
    benign: source.benign_labels,
    onnxPath: folder.onnxPath,
    // The tokenizer normalises inside the worker; only identical texts are known to score alike.
    normalize: (text) => text,
    transformer: folder,
  };
}
