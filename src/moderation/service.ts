import { readCoverage, type TextCoverage } from '../model/coverage';
import { InferenceError } from '../model/worker-pool';
import type { InferenceMetrics } from '../telemetry/inference-metrics';
import type { Batcher, CancelSignal, QueueClient, TextScores } from './batcher';
import { ModerationError } from './errors';
import type { ResultCache } from './result-cache';
import type { Thresholds } from './thresholds';

export interface Classification {
  /** Probability per label, in model label order. */
  scores: Record<string, number>;
  /** Probability that the text breaks any policy. */
  overall: number;
  /** True when the overall score or any label reached its threshold. */
  flagged: boolean;
  /** Labels whose score reached their threshold, in model label order. */
  labels: string[];
  /** What of the text the model read (transformer models). */
  read?: TextCoverage;
}

export interface ModelInfo {
  name: string;
  version: string;
}

/**
 * A score reaches its threshold at or above it; a threshold of 1 switches the decision off (a
 * float32 probability can round up to exactly 1, which would otherwise still reach it).
 */
function reaches(p: number, threshold: number): boolean {
  return threshold < 1 && p >= threshold;
}

/** Six decimals: float32 noise beyond that is meaningless to clients. */
function round(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}

/** The result cache and how a text becomes its key (texts with the same key get the same scores). */
export interface ServiceCache {
  store: ResultCache;
  normalize: (text: string) => string;
}

export interface ServiceParts {
  model: ModelInfo;
  /** Label names, in model order (the columns of its scores). */
  labels: readonly string[];
  thresholds: Thresholds;
  batcher: Batcher;
  metrics: InferenceMetrics;
  /** Why the model cannot run now (no inference worker alive), or undefined when it can. */
  unavailable: () => string | undefined;
  cache?: ServiceCache;
}

/** A failure below the moderation layer, as one of its errors (the model's failures keep their reason). */
function asModerationError(err: unknown): unknown {
  if (err instanceof InferenceError) return new ModerationError('model_failed', `the model run failed (${err.reason})`, err.reason);
  return err;
}

/**
 * The classification service: cache lookup, micro-batched inference for the misses, thresholds,
 * and the per-request metrics. Knows nothing of HTTP; every failure it reports is a ModerationError.
 */
export class ModerationService {
  readonly model: ModelInfo;
  private readonly labelNames: string[];
  private readonly thresholds: Thresholds;
  private readonly batcher: Batcher;
  private readonly metrics: InferenceMetrics;
  private readonly cache?: ServiceCache;
  /** Why the model cannot run now, or undefined when it can. */
  readonly unavailable: () => string | undefined;

  constructor(parts: ServiceParts) {
    this.model = parts.model;
    this.labelNames = [...parts.labels];
    this.thresholds = parts.thresholds;
    this.batcher = parts.batcher;
    this.metrics = parts.metrics;
    this.cache = parts.cache;
    this.unavailable = parts.unavailable;
  }

  get labels(): readonly string[] {
    return this.labelNames;
  }

  /**
   * Classifies texts; results are in input order. Rejects as a whole with a ModerationError: not
   * ready, shutting down, queue full, model failure, or `signal` aborted because the client went away.
   * `client` (an opaque id and weight) is who asks: the queue serves clients fairly.
   */
  async classify(texts: readonly string[], signal?: CancelSignal, client?: QueueClient): Promise<Classification[]> {
    const reason = this.unavailable();
    if (reason) throw new ModerationError('not_ready', `the service is not ready: ${reason}`);
    let raw: TextScores[];
    try {
      raw = this.cache ? await this.classifyCached(texts, this.cache, signal, client) : await this.batcher.submit(texts, signal, client);
    } catch (err) {
      throw asModerationError(err);
    }
    const results = raw.map((r) => this.decide(r));
    this.metrics.texts(raw, results);
    return results;
  }

  private async classifyCached(
    texts: readonly string[],
    cache: ServiceCache,
    signal?: CancelSignal,
    client?: QueueClient,
  ): Promise<TextScores[]> {
    const out: TextScores[] = new Array(texts.length);
    const missIndex: number[] = [];
    const missKeys: string[] = [];
    const missTexts: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      const key = cache.store.key(cache.normalize(texts[i]!));
      const hit = cache.store.get(key);
      if (hit) {
        out[i] = hit;
      } else {
        missIndex.push(i);
        missKeys.push(key);
        missTexts.push(texts[i]!);
      }
    }
    this.metrics.cacheLookups(texts.length - missTexts.length, missTexts.length);
    if (missTexts.length > 0) {
      const fresh = await this.batcher.submit(missTexts, signal, client);
      for (let j = 0; j < fresh.length; j++) {
        out[missIndex[j]!] = fresh[j]!;
        cache.store.set(missKeys[j]!, fresh[j]!);
      }
    }
    return out;
  }

  private decide({ scores, overall }: TextScores): Classification {
    const named: Record<string, number> = {};
    const over: string[] = [];
    for (let j = 0; j < this.labelNames.length; j++) {
      const name = this.labelNames[j]!;
      const p = scores[j]!;
      named[name] = round(p);
      if (reaches(p, this.thresholds.labels[j]!)) over.push(name);
    }
    const result: Classification = { scores: named, overall: round(overall), flagged: reaches(overall, this.thresholds.overall) || over.length > 0, labels: over };
    const read = readCoverage(scores, this.labelNames.length);
    if (read) result.read = read;
    return result;
  }
}
