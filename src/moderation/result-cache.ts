import { LRUCache } from 'lru-cache';
import type { TextScores } from './batcher';

/**
 * LRU of model outputs keyed by model version + normalised text: texts that normalise alike
 * get identical features, so they get identical scores.
 */
export class ResultCache {
  private readonly lru: LRUCache<string, TextScores>;

  constructor(
    private readonly modelVersion: string,
    maxEntries: number,
  ) {
    this.lru = new LRUCache({ max: maxEntries });
  }

  key(normalized: string): string {
    return `${this.modelVersion}\u0000${normalized}`;
  }

  get(key: string): TextScores | undefined {
    return this.lru.get(key);
  }

  set(key: string, value: TextScores): void {
    // Copy: the scores are a view into a whole batch's buffer, which the cache must not pin.
    this.lru.set(key, { scores: value.scores.slice(), overall: value.overall });
  }

  get size(): number {
    return this.lru.size;
  }
}
