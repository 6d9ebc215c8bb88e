import type { Attributes, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import { BATCH_SIZE_BUCKETS, INFERENCE_DURATION_BUCKETS, SCORE_BUCKETS } from './buckets';
import type { PreAggregatedHistogram, TextHistograms } from './text-histograms';

const REJECTION_REASONS = ['queue_full', 'shutting_down', 'fair_share'] as const;
const FAILURE_REASONS = ['worker_error', 'worker_exit', 'timeout'] as const;

export interface ModelIdentity {
  name: string;
  version: string;
}

/** Live values the gauges read at collection time. */
export interface InferenceProbes {
  ready(): boolean;
  queueDepth(): number;
  queueCapacity: number;
  workers(): number;
}

/**
 * The model/inference instruments (names in docs/metrics.md). Every series carries the model's
 * name and version so a dashboard can tell a rollout apart.
 *
 * Counters are plain numbers on the request path, read by observable counters at each collection
 * (as the method_names counts are): a synchronous OpenTelemetry add hashes its attributes on every
 * call, which showed in the per-request profile. The per-text histograms are pre-aggregated the same
 * way (text-histograms.ts); the per-batch ones stay synchronous.
 */
export class InferenceMetrics {
  private readonly model: Attributes;
  private readonly overall: PreAggregatedHistogram;
  private readonly queueWait: PreAggregatedHistogram;
  private readonly inference: Histogram;
  private readonly batchSize: Histogram;
  private classifiedCount = 0;
  private flaggedCount = 0;
  private readonly labelCounts: Map<string, number>;
  private readonly rejectionCounts = new Map<(typeof REJECTION_REASONS)[number], number>(REJECTION_REASONS.map((r) => [r, 0]));
  private readonly failureCounts = new Map<(typeof FAILURE_REASONS)[number], number>(FAILURE_REASONS.map((r) => [r, 0]));
  private hits = 0;
  private misses = 0;

  constructor(meter: Meter, perText: TextHistograms, model: ModelIdentity, labels: readonly string[], probes: InferenceProbes) {
    const m: Attributes = { model_name: model.name, model_version: model.version };
    this.model = m;
    this.labelCounts = new Map(labels.map((l) => [l, 0]));
    const counter = (name: string, description: string, unit: string, observe: (r: ObservableResult) => void) =>
      meter.createObservableCounter(name, { description, unit }).addCallback(observe);

    // Every known series is observed from the start, at 0, so rates and alerts see it before the first event.
    counter('moderator.texts.classified', 'Texts scored (cache hits included)', '{text}', (r) => r.observe(this.classifiedCount, m));
    counter('moderator.texts.flagged', 'Texts whose flagged decision was true', '{text}', (r) => r.observe(this.flaggedCount, m));
    const labelAttrs = new Map(labels.map((label) => [label, { ...m, label }]));
    counter('moderator.label.flagged', 'Texts over each label threshold', '{text}', (r) => {
      for (const [label, n] of this.labelCounts) r.observe(n, labelAttrs.get(label) ?? { ...m, label });
    });
    counter('moderator.queue.rejections', 'Texts refused at the batch queue', '{text}', (r) => {
      for (const [reason, n] of this.rejectionCounts) r.observe(n, { ...m, reason });
    });
    counter('moderator.inference.failures', 'Failed model runs by reason', '{run}', (r) => {
      for (const [reason, n] of this.failureCounts) r.observe(n, { ...m, reason });
    });
    counter('moderator.cache.lookups', 'Result-cache lookups by result', '{lookup}', (r) => {
      r.observe(this.hits, { ...m, result: 'hit' });
      r.observe(this.misses, { ...m, result: 'miss' });
    });

    // Recorded once per text: pre-aggregated (text-histograms.ts), the same series on /metrics.
    this.overall = perText.create(
      { name: 'moderator.overall.score', description: 'Overall score (probability a text breaks any policy)', unit: '1', boundaries: SCORE_BUCKETS },
      m,
    );
    this.queueWait = perText.create(
      {
        name: 'moderator.queue.wait_seconds',
        description: 'Time a text waited before its model run began',
        unit: 's',
        boundaries: INFERENCE_DURATION_BUCKETS,
      },
      m,
    );
    this.inference = meter.createHistogram('moderator.inference.duration_seconds', {
      description: 'One model run (featurize + onnxruntime) in a worker thread',
      unit: 's',
      advice: { explicitBucketBoundaries: INFERENCE_DURATION_BUCKETS },
    });
    this.batchSize = meter.createHistogram('moderator.batch.size', {
      description: 'Texts per model run',
      unit: '{text}',
      advice: { explicitBucketBoundaries: BATCH_SIZE_BUCKETS },
    });

    meter
      .createObservableGauge('moderator.model.ready', { description: '1 when the model is loaded and the service is not shutting down' })
      .addCallback((r) => r.observe(probes.ready() ? 1 : 0, this.model));
    meter
      .createObservableGauge('moderator.queue.depth', { description: 'Texts waiting in the batch queue', unit: '{text}' })
      .addCallback((r) => r.observe(probes.queueDepth(), this.model));
    meter
      .createObservableGauge('moderator.queue.capacity', { description: 'Bound of the batch queue', unit: '{text}' })
      .addCallback((r) => r.observe(probes.queueCapacity, this.model));
    meter
      .createObservableGauge('moderator.workers', { description: 'Inference worker threads alive', unit: '{thread}' })
      .addCallback((r) => r.observe(probes.workers(), this.model));
  }

  batch(size: number, computeSeconds: number, waitSeconds: Float64Array): void {
    this.batchSize.record(size, this.model);
    this.inference.record(computeSeconds, this.model);
    for (const wait of waitSeconds) this.queueWait.record(wait);
  }

  /** A request's classified texts: the score histogram per text (unrounded), and the counts. */
  texts(raw: ReadonlyArray<{ overall: number }>, results: ReadonlyArray<{ flagged: boolean; labels: readonly string[] }>): void {
    for (let i = 0; i < results.length; i++) {
      this.overall.record(raw[i]!.overall);
      const r = results[i]!;
      if (r.flagged) this.flaggedCount++;
      for (const label of r.labels) this.labelCounts.set(label, (this.labelCounts.get(label) ?? 0) + 1);
    }
    this.classifiedCount += results.length;
  }

  cacheLookups(hits: number, misses: number): void {
    this.hits += hits;
    this.misses += misses;
  }

  rejected(reason: (typeof REJECTION_REASONS)[number], texts: number): void {
    this.rejectionCounts.set(reason, (this.rejectionCounts.get(reason) ?? 0) + texts);
  }

  failed(reason: (typeof FAILURE_REASONS)[number]): void {
    this.failureCounts.set(reason, (this.failureCounts.get(reason) ?? 0) + 1);
  }
}
