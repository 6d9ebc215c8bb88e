import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { manifestSchema, type ModelManifest } from './manifest';

/** A model bundle that failed to load; the message names the file and the field. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
}

export interface ModelBundle {
  readonly dir: string;
  readonly manifest: ModelManifest;
  readonly onnxPath: string;
}

/** Reads and validates `model.json` and checks the ONNX file it names exists. Cheap: no inference session. */
export function loadBundle(dir: string): ModelBundle {
  const manifestPath = path.join(dir, 'model.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new BundleError(`${manifestPath}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.map(String).join('.') || '(root)';
    throw new BundleError(`${manifestPath}: '${key}': ${issue?.message ?? 'invalid'}`);
  }
  const manifest = parsed.data;
  const names = new Set<string>();
  for (const label of manifest.labels) {
    if (names.has(label.name)) throw new BundleError(`${manifestPath}: 'labels': duplicate label '${label.name}'`);
    names.add(label.name);
  }
  const onnxPath = path.resolve(dir, manifest.onnx);
  if (!existsSync(onnxPath)) throw new BundleError(`${manifestPath}: 'onnx': file not found: ${onnxPath}`);
  return { dir, manifest, onnxPath };
}

/**
 * The bundle's files as they are on disk (sizes and modification times of model.json and the ONNX
 * file): a replacement worker checks that it still loads the bundle the service started with.
 */
export function bundleFingerprint(bundle: ModelBundle): string {
  return filesFingerprint([path.join(bundle.dir, 'model.json'), bundle.onnxPath]);
}

/** Sizes and modification times of a model's files (any kind), to tell whether they changed. */
export function filesFingerprint(files: readonly string[]): string {
  return files
    .map((file) => {
      const s = statSync(file);
      return `${s.size}:${s.mtimeMs}`;
    })
    .join('|');
}
