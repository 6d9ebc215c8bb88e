import type { ModelManifest } from '../model/manifest';
import type { Featurizer } from '../featurizer';
import type { InferenceMetrics } from '../telemetry/inference-metrics';
import type { Batcher, CancelSignal, TextScores } from './batcher';
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

/**
 * The classification service: cache lookup, micro-batched inference for the misses, thresholds,
 * and the per-request metrics. Knows nothing of HTTP.
 */
export class ModerationService {
  readonly model: ModelInfo;
  private readonly labelNames: string[];

  constructor(
    manifest: ModelManifest,
    private readonly thresholds: Thresholds,
    private readonly batcher: Batcher,
    private readonly metrics: InferenceMetrics,
    private readonly cache?: { store: ResultCache; featurizer: Featurizer },
  ) {
    this.model = { name: manifest.name, version: manifest.version };
    this.labelNames = manifest.labels.map((l) => l.name);
  }

  get labels(): readonly string[] {
    return this.labelNames;
  }

  /**
   * Classifies texts; results are in input order. Rejects as a whole (queue full, model failure,
   * or `signal` aborted because the client went away).
   */
  async classify(texts: readonly string[], signal?: CancelSignal): Promise<Classification[]> {
    const raw = this.cache ? await this.classifyCached(texts, this.cache, signal) : await this.batcher.submit(texts, signal);
    const results = raw.map((r) => this.decide(r));
    this.metrics.texts(raw, results);
    return results;
  }

  private async classifyCached(
    texts: readonly string[],
    cache: { store: ResultCache; featurizer: Featurizer },
    signal?: CancelSignal,
  ): Promise<TextScores[]> {
    const out: TextScores[] = new Array(texts.length);
    const missIndex: number[] = [];
    const missKeys: string[] = [];
    const missTexts: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      const key = cache.store.key(cache.featurizer.normalize(texts[i]!));
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
      const fresh = await this.batcher.submit(missTexts, signal);
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
    const flagged = reaches(overall, this.thresholds.overall) || over.length > 0;
    return { scores: named, overall: round(overall), flagged, labels: over };
  }
}
