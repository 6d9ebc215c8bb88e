import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TransformerModelEntry } from '../config/schema';
import { BundleError } from './bundle';
import type { TransformerSpec } from './worker-protocol';

/**
 * A Hugging Face sequence classifier folder as Optimum exports it, read on the main thread: what
 * the service needs to describe the model (labels, activation, maximum length) and where its files
 * are. The tokenizer and the ONNX session are loaded by the inference workers (transformer-session.ts).
 */
export interface TransformerFolder {
  dir: string;
  configPath: string;
  tokenizerPath: string;
  /** tokenizer_config.json, when the folder has one. */
  tokenizerConfigPath?: string;
  onnxPath: string;
  /** config.json's id2label, in id order (the columns of `logits`). */
  labels: string[];
  activation: 'sigmoid' | 'softmax';
  /** Tokens per model input, special tokens included. */
  maxLength: number;
  /** config.json's pad_token_id, for tokenizers that do not name a padding token. */
  padTokenId?: number;
}

type Json = Record<string, unknown>;

function readJson(file: string): Json {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BundleError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BundleError(`${file}: not a JSON object`);
  return raw as Json;
}

/** config.json's id2label as a list in id order; ids must be 0..n-1. */
function labelsOf(config: Json, file: string): string[] {
  const id2label = config.id2label;
  if (typeof id2label !== 'object' || id2label === null || Object.keys(id2label).length === 0) {
    throw new BundleError(`${file}: 'id2label': missing; a sequence classifier's config.json names its labels there`);
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  const labels: string[] = new Array(entries.length);
  for (const [id, label] of entries) {
    const index = Number(id);
    if (!Number.isInteger(index) || index < 0 || index >= entries.length || typeof label !== 'string' || label === '') {
      throw new BundleError(`${file}: 'id2label': ids must be 0..${entries.length - 1} with a label name each (got '${id}': ${JSON.stringify(label)})`);
    }
    labels[index] = label;
  }
  const seen = new Set<string>();
  for (const label of labels) {
    if (seen.has(label)) throw new BundleError(`${file}: 'id2label': label '${label}' appears twice`);
    seen.add(label);
  }
  return labels;
}

/**
 * Hugging Face's own rule: multi_label_classification -> sigmoid per label; single_label_classification,
 * or no problem_type with several labels -> softmax; a single logit -> sigmoid. Regression is not a classifier.
 */
function activationOf(config: Json, labels: number, file: string): 'sigmoid' | 'softmax' {
  const problem = config.problem_type;
  if (problem === 'multi_label_classification') return 'sigmoid';
  if (problem === 'single_label_classification') return 'softmax';
  if (problem === 'regression') {
    throw new BundleError(`${file}: 'problem_type': regression models give scores, not probabilities; set 'activation' to serve it anyway`);
  }
  return labels === 1 ? 'sigmoid' : 'softmax';
}

/** transformers writes model_max_length = 1e30 when a tokenizer has no limit of its own. */
const NO_LIMIT = 1_000_000;

/**
 * Tokens per input: tokenizer_config.json's model_max_length, else the position embeddings of
 * config.json (RoBERTa-style models start positions after the padding id, so they have two fewer).
 */
function maxLengthOf(config: Json, tokenizerConfig: Json | undefined, entry: TransformerModelEntry, key: string, dir: string): number {
  const positions = typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings : undefined;
  const offset = /roberta|camembert/.test(String(config.model_type ?? '')) ? (typeof config.pad_token_id === 'number' ? config.pad_token_id : 1) + 1 : 0;
  const usable = positions === undefined ? undefined : positions - offset;
  if (entry.max_length !== undefined) {
    if (usable !== undefined && entry.max_length > usable) {
      throw new BundleError(`'${key}.max_length': ${entry.max_length} is more than the model's ${usable} positions (config.json max_position_embeddings)`);
    }
    return entry.max_length;
  }
  const declared = tokenizerConfig?.model_max_length;
  const fromTokenizer = typeof declared === 'number' && declared > 0 && declared < NO_LIMIT ? declared : undefined;
  const found = fromTokenizer !== undefined && usable !== undefined ? Math.min(fromTokenizer, usable) : (fromTokenizer ?? usable);
  if (found === undefined) {
    throw new BundleError(`${dir}: cannot tell the model's maximum length (no model_max_length in tokenizer_config.json, no max_position_embeddings in config.json): set '${key}.max_length'`);
  }
  return found;
}

/** The ONNX file: the one configured, else model.onnx, else onnx/model.onnx (Optimum's two layouts). */
function onnxFileOf(dir: string, entry: TransformerModelEntry, key: string): string {
  if (entry.onnx_file !== undefined) {
    const file = path.resolve(dir, entry.onnx_file);
    if (!existsSync(file)) throw new BundleError(`'${key}.onnx_file': file not found: ${file}`);
    return file;
  }
  for (const candidate of ['model.onnx', path.join('onnx', 'model.onnx')]) {
    const file = path.join(dir, candidate);
    if (existsSync(file)) return file;
  }
  const others = [dir, path.join(dir, 'onnx')].flatMap((d) =>
    existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.onnx')).map((f) => path.relative(dir, path.join(d, f))) : [],
  );
  const hint = others.length > 0 ? ` (found ${others.join(', ')}: name one in '${key}.onnx_file')` : '';
  throw new BundleError(`${dir}: no model.onnx or onnx/model.onnx${hint}`);
}

/** Reads config.json and tokenizer_config.json, finds the ONNX file; errors name the file or key. */
export function readTransformerFolder(dir: string, entry: TransformerModelEntry, key: string): TransformerFolder {
  const configPath = path.join(dir, 'config.json');
  const config = readJson(configPath);
  const tokenizerPath = path.join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) throw new BundleError(`${dir}: no tokenizer.json (export the model with its fast tokenizer)`);
  const tokenizerConfigPath = path.join(dir, 'tokenizer_config.json');
  const tokenizerConfig = existsSync(tokenizerConfigPath) ? readJson(tokenizerConfigPath) : undefined;
  const labels = labelsOf(config, configPath);
  return {
    dir,
    configPath,
    tokenizerPath,
    tokenizerConfigPath: tokenizerConfig ? tokenizerConfigPath : undefined,
    onnxPath: onnxFileOf(dir, entry, key),
    labels,
    activation: entry.activation ?? activationOf(config, labels.length, configPath),
    maxLength: maxLengthOf(config, tokenizerConfig, entry, key, dir),
    padTokenId: typeof config.pad_token_id === 'number' ? config.pad_token_id : undefined,
  };
}

/** The first 12 hex digits of a file's SHA-256: a version that changes whenever the weights do. */
export async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 12);
}

/** What a worker loads for a transformer: the folder as read, the entry's reading of long texts, the run limits. */
export function transformerSpec(
  folder: TransformerFolder,
  entry: Pick<TransformerModelEntry, 'long_texts' | 'window_overlap' | 'benign_labels'>,
  runs: { maxBatchTokens: number; maxBatchSize: number },
): TransformerSpec {
  return {
    onnxPath: folder.onnxPath,
    tokenizerPath: folder.tokenizerPath,
    tokenizerConfigPath: folder.tokenizerConfigPath,
    configPath: folder.configPath,
    padTokenId: folder.padTokenId,
    labels: folder.labels.length,
    activation: folder.activation,
    maxLength: folder.maxLength,
    longTexts: entry.long_texts,
    windowOverlap: entry.window_overlap,
    ...runs,
    counted: folder.labels.map((label) => !entry.benign_labels.includes(label)),
  };
}
