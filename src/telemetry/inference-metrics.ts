import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { BATCH_SIZE_BUCKETS, INFERENCE_DURATION_BUCKETS, SCORE_BUCKETS } from './buckets';

const REJECTION_REASONS = ['queue_full', 'shutting_down'] as const;
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
 */
export class InferenceMetrics {
  private readonly model: Attributes;
  private readonly classified: Counter;
  private readonly flagged: Counter;
  private readonly labelFlagged: Counter;
  private readonly overall: Histogram;
  private readonly queueWait: Histogram;
  private readonly inference: Histogram;
  private readonly batchSize: Histogram;
  private readonly rejections: Counter;
  private readonly failures: Counter;
  private readonly cache: Counter;
  private readonly labelAttrs = new Map<string, Attributes>();
  private readonly hitAttrs: Attributes;
  private readonly missAttrs: Attributes;

  constructor(meter: Meter, model: ModelIdentity, labels: readonly string[], probes: InferenceProbes) {
    this.model = { model_name: model.name, model_version: model.version };
    this.hitAttrs = { ...this.model, result: 'hit' };
    this.missAttrs = { ...this.model, result: 'miss' };
    this.classified = meter.createCounter('moderator.texts.classified', { description: 'Texts scored (cache hits included)', unit: '{text}' });
    this.flagged = meter.createCounter('moderator.texts.flagged', { description: 'Texts whose flagged decision was true', unit: '{text}' });
    this.labelFlagged = meter.createCounter('moderator.label.flagged', { description: 'Texts over each label threshold', unit: '{text}' });
    this.overall = meter.createHistogram('moderator.overall.score', {
      description: 'Overall score (probability a text breaks any policy)',
      unit: '1',
      advice: { explicitBucketBoundaries: SCORE_BUCKETS },
    });
    this.queueWait = meter.createHistogram('moderator.queue.wait_seconds', {
      description: 'Time a text waited in the batch queue before its model run',
      unit: 's',
      advice: { explicitBucketBoundaries: INFERENCE_DURATION_BUCKETS },
    });
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
    this.rejections = meter.createCounter('moderator.queue.rejections', { description: 'Texts refused at the batch queue', unit: '{text}' });
    this.failures = meter.createCounter('moderator.inference.failures', { description: 'Failed model runs by reason', unit: '{run}' });
    this.cache = meter.createCounter('moderator.cache.lookups', { description: 'Result-cache lookups by result', unit: '{lookup}' });

    // Start every known series at 0 so rates and alerts see them before the first event.
    this.classified.add(0, this.model);
    this.flagged.add(0, this.model);
    for (const label of labels) this.labelFlagged.add(0, this.labelAttributes(label));
    for (const reason of REJECTION_REASONS) this.rejections.add(0, { ...this.model, reason });
    for (const reason of FAILURE_REASONS) this.failures.add(0, { ...this.model, reason });
    this.cache.add(0, this.hitAttrs);
    this.cache.add(0, this.missAttrs);

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
    for (const wait of waitSeconds) this.queueWait.record(wait, this.model);
  }

  /**
   * A request's classified texts: the score histogram per text (unrounded), counters once per
   * request and label (per-text adds cost measurable CPU on 64-text batches).
   */
  texts(raw: ReadonlyArray<{ overall: number }>, results: ReadonlyArray<{ flagged: boolean; labels: readonly string[] }>): void {
    let flagged = 0;
    let perLabel: Map<string, number> | undefined;
    for (let i = 0; i < results.length; i++) {
      this.overall.record(raw[i]!.overall, this.model);
      const r = results[i]!;
      if (r.flagged) flagged++;
      for (const label of r.labels) (perLabel ??= new Map()).set(label, (perLabel.get(label) ?? 0) + 1);
    }
    this.classified.add(results.length, this.model);
    if (flagged > 0) this.flagged.add(flagged, this.model);
    if (perLabel) for (const [label, n] of perLabel) this.labelFlagged.add(n, this.labelAttributes(label));
  }

  cacheLookups(hits: number, misses: number): void {
    if (hits > 0) this.cache.add(hits, this.hitAttrs);
    if (misses > 0) this.cache.add(misses, this.missAttrs);
  }

  rejected(reason: (typeof REJECTION_REASONS)[number], texts: number): void {
    this.rejections.add(texts, { ...this.model, reason });
  }

  failed(reason: (typeof FAILURE_REASONS)[number]): void {
    this.failures.add(1, { ...this.model, reason });
  }

  private labelAttributes(label: string): Attributes {
    let attrs = this.labelAttrs.get(label);
    if (!attrs) {
      attrs = { ...this.model, label };
      this.labelAttrs.set(label, attrs);
    }
    return attrs;
  }
}
