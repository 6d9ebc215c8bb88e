import type { LoadedConfig } from '../config/load';
import { ConfigError } from '../config/load';
import { createFeaturizer } from '../featurizer';
import type { Logger } from '../logging';
import { loadBundle, BundleError } from '../model/bundle';
import { autoWorkers } from '../model/pool-size';
import { InferenceError, WorkerPool } from '../model/worker-pool';
import { InferenceMetrics } from '../telemetry/inference-metrics';
import type { Telemetry } from '../telemetry/setup';
import { Batcher } from './batcher';
import { ResultCache } from './result-cache';
import { ModerationService } from './service';
import { resolveThresholds } from './thresholds';

/** The running classification path of one model. */
export interface Moderation {
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

/**
 * Builds the classification path from config: bundle -> thresholds -> worker pool -> batcher ->
 * cache -> service, with its metrics. Config errors name the key; bundle errors name the file.
 */
export async function startModeration(loaded: LoadedConfig, { telemetry, logger, stopping }: ModerationOptions): Promise<Moderation> {
  const { config, modelDir } = loaded;
  let bundle;
  let thresholds;
  try {
    bundle = loadBundle(modelDir);
    thresholds = resolveThresholds(bundle.manifest, config.classifier.thresholds);
  } catch (err) {
    if (err instanceof BundleError) throw new ConfigError(`'classifier.model_path': ${err.message}`);
    throw new ConfigError(`${loaded.file}: ${(err as Error).message}`);
  }
  const { manifest } = bundle;
  const workers = config.classifier.workers || autoWorkers();
  const threads = config.classifier.threads_per_worker;
  const pool = await WorkerPool.start({
    modelDir,
    size: workers,
    threads,
    timeoutMs: config.classifier.inference_timeout_ms,
    onWorkerFailure: (reason, message) => logger.error({ reason, message }, 'inference worker failed; replacing it'),
  });
  const { batching, cache } = config.classifier;
  const unavailable = () => (pool.alive === 0 ? 'no inference worker is alive' : undefined);
  // The batcher's depth is read at collection time, through the batcher built just below.
  let batcher: Batcher | undefined;
  const metrics = new InferenceMetrics(
    telemetry.meter,
    telemetry.textHistograms,
    { name: manifest.name, version: manifest.version },
    manifest.labels.map((l) => l.name),
    {
      ready: () => !stopping() && unavailable() === undefined,
      queueDepth: () => batcher?.depth ?? 0,
      queueCapacity: batching.max_queue,
      workers: () => pool.alive,
    },
  );
  batcher = new Batcher(
    pool,
    { maxBatchSize: batching.max_batch_size, maxWaitUs: batching.max_wait_us, maxQueue: batching.max_queue },
    {
      onBatch: (size, seconds, waits) => metrics.batch(size, seconds, waits),
      onBatchError: (err) => metrics.failed(err instanceof InferenceError ? err.reason : 'worker_error'),
      onReject: (reason, texts) => metrics.rejected(reason, texts),
    },
  );
  const queue = batcher;
  // No worker left (replacements cannot load the model): texts already queued fail now (503) rather than wait.
  pool.on('unavailable', (message) => queue.failQueued(new InferenceError('worker_exit', message)));
  const cached = cache.enabled
    ? { store: new ResultCache(manifest.version, cache.max_entries), featurizer: createFeaturizer(manifest.featurizer) }
    : undefined;
  const service = new ModerationService({ manifest, thresholds, batcher, metrics, unavailable, cache: cached });
  logger.info(
    { model: manifest.name, version: manifest.version, labels: manifest.labels.length, workers, threads, cache: cache.enabled },
    'model loaded',
  );
  return {
    service,
    pool,
    batcher,
    async close() {
      queue.stop();
      await queue.drained();
      await pool.close();
    },
  };
}
