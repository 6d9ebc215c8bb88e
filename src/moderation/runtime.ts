import { statSync } from 'node:fs';
import type { LoadedConfig, ModelSource } from '../config/load';
import { ConfigError } from '../config/load';
import type { AppConfig } from '../config/schema';
import type { Logger } from '../logging';
import { BundleError } from '../model/bundle';
import { describeModel, type ModelDescription } from '../model/describe';
import { transformerSpec } from '../model/hf-folder';
import { autoWorkers } from '../model/pool-size';
import type { LongTexts } from '../model/token-windows';
import { InferenceError, WorkerPool } from '../model/worker-pool';
import type { TransformerSpec } from '../model/worker-protocol';
import { InferenceMetrics } from '../telemetry/inference-metrics';
import type { Telemetry } from '../telemetry/setup';
import { Batcher } from './batcher';
import { configuredCategories, defaultCategories, type CategoryMap } from './categories';
import { ModelRegistry } from './registry';
import { ResultCache } from './result-cache';
import { ModerationService } from './service';
import { resolveThresholds } from './thresholds';

/** What a served model is, as /v1/models and /v1/moderations tell it. */
export interface ServedModel {
  name: string;
  version: string;
  kind: ModelSource['kind'];
  /** Labels in model order with the thresholds in force; benign labels have threshold 1. */
  labels: Array<{ name: string; threshold: number; benign: boolean }>;
  overallThreshold: number;
  /** Which labels feed each OpenAI category (label indexes). */
  categories: CategoryMap;
  /** Tokens per model input and what happens to longer texts (transformers). */
  maxLength?: number;
  longTexts?: LongTexts;
  /** When the model file was written (Unix seconds). */
  created: number;
}

/** The running classification path of one model. */
export interface Moderation {
  info: ServedModel;
  service: ModerationService;
  pool: WorkerPool;
  batcher: Batcher;
  /** Stops taking work, lets queued batches finish, stops the workers. */
  close(): Promise<void>;
}

export interface ModerationOptions {
  telemetry: Pick<Telemetry, 'meter' | 'textHistograms'>;
  logger: Logger;
  /** True once the service is shutting down (the model then reports itself not ready). */
  stopping: () => boolean;
}

/** Max padded tokens per run when the config names none (TEI's default), and never less than one full input. */
const DEFAULT_MAX_BATCH_TOKENS = 16_384;
/** A transformer's run timeout when its entry names none (at least `classifier.inference_timeout_ms`). */
const TRANSFORMER_TIMEOUT_MS = 60_000;

/** How one model runs: its workers, threads, batching and timeout, from its entry over `classifier`'s defaults. */
function runSettings(source: ModelSource, classifier: AppConfig['classifier']) {
  const transformer = source.kind === 'hf-transformer';
  const workers = source.workers ?? (transformer ? 1 : classifier.workers);
  return {
    workers: workers || autoWorkers(),
    // The embedded model must run on one thread (its sums race otherwise); transformers gain from more.
    threads: transformer ? (source.threads ?? autoWorkers()) : classifier.threads_per_worker,
    batching: { ...classifier.batching, ...source.batching },
    // A transformer run of a full batch of long texts can take tens of seconds on one core.
    timeoutMs: source.inference_timeout_ms ?? (transformer ? Math.max(TRANSFORMER_TIMEOUT_MS, classifier.inference_timeout_ms) : classifier.inference_timeout_ms),
  };
}

/** Padded tokens per model run of a transformer: its `batching.max_batch_tokens`, or the default. */
export function maxBatchTokensOf(source: ModelSource & { kind: 'hf-transformer' }, maxLength: number): number {
  return source.batching?.max_batch_tokens ?? Math.max(DEFAULT_MAX_BATCH_TOKENS, maxLength);
}

function transformerSpecOf(source: ModelSource & { kind: 'hf-transformer' }, model: ModelDescription, maxBatchSize: number): TransformerSpec {
  const folder = model.transformer!;
  const maxBatchTokens = maxBatchTokensOf(source, folder.maxLength);
  if (maxBatchTokens < folder.maxLength) {
    throw new ConfigError(`'${source.key}.batching.max_batch_tokens': ${maxBatchTokens} cannot hold one input of the model's ${folder.maxLength} tokens (max_length)`);
  }
  return transformerSpec(folder, source, { maxBatchTokens, maxBatchSize });
}

/** A model's description, thresholds and categories, or a ConfigError naming its key or file. */
async function resolveModel(source: ModelSource, file: string) {
  try {
    const model = await describeModel(source);
    const names = model.labels.map((l) => l.name);
    const thresholds = resolveThresholds(model.labels, model.overallThreshold, source.thresholds, `${source.key}.thresholds`, model.benign);
    const categories = source.categories
      ? configuredCategories(source.categories, names, model.benign, `${source.key}.categories`)
      : defaultCategories(names, model.benign);
    return { model, thresholds, categories };
  } catch (err) {
    if (err instanceof BundleError) throw new ConfigError(`'${source.pathKey}': ${err.message}`);
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
}

/**
 * Builds one model's classification path: description -> thresholds -> worker pool -> batcher ->
 * cache -> service, with its metrics (labelled with its name and version). Config errors name the
 * key; model errors name the folder and the reason.
 */
export async function startModel(
  source: ModelSource,
  { config, file }: Pick<LoadedConfig, 'config' | 'file'>,
  { telemetry, logger, stopping }: ModerationOptions,
): Promise<Moderation> {
  const { model, thresholds, categories } = await resolveModel(source, file);
  const { workers, threads, batching, timeoutMs } = runSettings(source, config.classifier);
  const transformer = source.kind === 'hf-transformer' ? transformerSpecOf(source, model, batching.max_batch_size) : undefined;
  let pool: WorkerPool;
  try {
    pool = await WorkerPool.start({
      modelDir: source.dir,
      transformer,
      size: workers,
      threads,
      timeoutMs,
      onWorkerFailure: (reason, message) => logger.error({ model: model.name, reason, message }, 'inference worker failed; replacing it'),
    });
  } catch (err) {
    throw new ConfigError(`'${source.pathKey}': ${source.dir}: ${(err as Error).message}`);
  }
  const unavailable = () => (pool.alive === 0 ? 'no inference worker is alive' : undefined);
  // Its hooks report to the metrics built next (they run only once texts are queued, after both exist).
  const batcher = new Batcher(
    pool,
    { maxBatchSize: batching.max_batch_size, maxWaitUs: batching.max_wait_us, maxQueue: batching.max_queue },
    {
      onBatch: (size, seconds, waits) => metrics.batch(size, seconds, waits),
      onBatchError: (err) => metrics.failed(err instanceof InferenceError ? err.reason : 'worker_error'),
      onReject: (reason, texts) => metrics.rejected(reason, texts),
    },
  );
  const labelNames = model.labels.map((l) => l.name);
  const metrics = new InferenceMetrics(telemetry.meter, telemetry.textHistograms, { name: model.name, version: model.version }, labelNames, {
    ready: () => !stopping() && unavailable() === undefined,
    queueDepth: () => batcher.depth,
    queueCapacity: batching.max_queue,
    workers: () => pool.alive,
  });
  // No worker left (replacements cannot load the model): texts already queued fail now (503) rather than wait.
  pool.on('unavailable', (message) => batcher.failQueued(new InferenceError('worker_exit', message)));
  const { cache } = config.classifier;
  const service = new ModerationService({
    model: { name: model.name, version: model.version },
    labels: labelNames,
    thresholds,
    batcher,
    metrics,
    unavailable,
    cache: cache.enabled ? { store: new ResultCache(model.version, cache.max_entries), normalize: model.normalize } : undefined,
  });
  logger.info(
    { model: model.name, version: model.version, kind: model.kind, labels: labelNames.length, workers, threads, cache: cache.enabled },
    'model loaded',
  );
  const info: ServedModel = {
    name: model.name,
    version: model.version,
    kind: model.kind,
    labels: model.labels.map((l, i) => ({ name: l.name, threshold: thresholds.labels[i]!, benign: model.benign.includes(l.name) })),
    overallThreshold: thresholds.overall,
    categories,
    maxLength: model.transformer?.maxLength,
    longTexts: source.kind === 'hf-transformer' ? source.long_texts : undefined,
    created: Math.floor(statSync(model.onnxPath).mtimeMs / 1000),
  };
  return {
    info,
    service,
    pool,
    batcher,
    async close() {
      batcher.stop();
      await batcher.drained();
      await pool.close();
    },
  };
}

/**
 * Starts every configured model, one after another (the default first); if one cannot load, those
 * already started are stopped and the error (naming the model's key, folder and reason) is thrown.
 */
export async function startModeration(loaded: LoadedConfig, options: ModerationOptions): Promise<ModelRegistry> {
  const started: Moderation[] = [];
  try {
    for (const source of loaded.models) {
      const moderation = await startModel(source, loaded, options);
      started.push(moderation);
      const { name } = moderation.info;
      const first = started.findIndex((m) => m.info.name === name);
      if (first < started.length - 1) {
        throw new ConfigError(`${loaded.file}: '${source.key}.name': '${name}' is already the name of ${loaded.models[first]!.key}; give each model its own name`);
      }
    }
  } catch (err) {
    await Promise.all(started.map((m) => m.close()));
    throw err;
  }
  return new ModelRegistry(started);
}
