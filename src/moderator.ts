import type { LoadedConfig } from './config/load';
import { ConfigError } from './config/load';
import type { AppContext } from './context';
import { Lifecycle } from './context';
import { loadBundle, BundleError } from './model/bundle';
import { createFeaturizer } from './featurizer';
import { autoWorkers } from './model/pool-size';
import { InferenceError, WorkerPool } from './model/worker-pool';
import { Batcher } from './moderation/batcher';
import { ResultCache } from './moderation/result-cache';
import { ModerationService } from './moderation/service';
import { resolveThresholds } from './moderation/thresholds';
import { InferenceMetrics } from './telemetry/inference-metrics';
import { RequestMetrics } from './telemetry/request-metrics';
import type { Telemetry } from './telemetry/setup';
import type { Logger } from './logging';

export interface Moderator {
  ctx: AppContext;
  pool: WorkerPool;
  batcher: Batcher;
  /** Stops taking work, lets queued batches finish, stops the workers. */
  close(): Promise<void>;
}

/**
 * Builds the classification path from config: bundle -> thresholds -> worker pool -> batcher ->
 * cache -> service, with its metrics. Config errors name the key; bundle errors name the file.
 */
export async function createModerator(loaded: LoadedConfig, telemetry: Telemetry, logger: Logger): Promise<Moderator> {
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
  const lifecycle = new Lifecycle(() => pool.alive);
  const { batching, cache } = config.classifier;
  const metrics = new InferenceMetrics(
    telemetry.meter,
    telemetry.textHistograms,
    { name: manifest.name, version: manifest.version },
    manifest.labels.map((l) => l.name),
    {
      ready: () => lifecycle.ready,
      queueDepth: () => batcher.depth,
      queueCapacity: batching.max_queue,
      workers: () => pool.alive,
    },
  );
  const batcher = new Batcher(
    pool,
    { maxBatchSize: batching.max_batch_size, maxWaitUs: batching.max_wait_us, maxQueue: batching.max_queue },
    {
      onBatch: (size, seconds, waits) => metrics.batch(size, seconds, waits),
      onBatchError: (err) => metrics.failed(err instanceof InferenceError ? err.reason : 'worker_error'),
      onReject: (reason, texts) => metrics.rejected(reason, texts),
    },
  );
  // No worker left (replacements cannot load the model): texts already queued fail now (503) rather than wait.
  pool.on('unavailable', (message) => batcher.failQueued(new InferenceError('worker_exit', message)));
  const cached = cache.enabled
    ? { store: new ResultCache(manifest.version, cache.max_entries), featurizer: createFeaturizer(manifest.featurizer) }
    : undefined;
  const service = new ModerationService(manifest, thresholds, batcher, metrics, cached);
  const requests = new RequestMetrics(telemetry.meter, telemetry.textHistograms);
  logger.info(
    { model: manifest.name, version: manifest.version, labels: manifest.labels.length, workers, threads, cache: cache.enabled },
    'model loaded',
  );
  return {
    ctx: { config, service, lifecycle, requests },
    pool,
    batcher,
    async close() {
      lifecycle.beginShutdown();
      batcher.stop();
      await batcher.drained();
      await pool.close();
    },
  };
}
