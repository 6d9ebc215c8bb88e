import { LRUCache } from 'lru-cache';
import type { TextScores } from './batcher';

/**
 * The cache's memory bound besides its entry count: keys are whole normalised texts (up to
 * max_text_chars, and NFKC can multiply a text's length), so a few crafted long ones could
 * otherwise outweigh thousands of ordinary entries (~350 bytes for a tweet).
 */
export const CACHE_MAX_BYTES = 32 * 1024 * 1024;
/** Per entry besides its key: the scores, the entry object, the LRU's bookkeeping (an estimate). */
const ENTRY_OVERHEAD_BYTES = 160;

/**
 * LRU of model outputs keyed by model version + normalised text: texts that normalise alike
 * get identical features, so they get identical scores.
 */
export class ResultCache {
  private readonly lru: LRUCache<string, TextScores>;

  constructor(
    private readonly modelVersion: string,
    maxEntries: number,
    maxBytes = CACHE_MAX_BYTES,
  ) {
    this.lru = new LRUCache({
      max: maxEntries,
      maxSize: maxBytes,
      // UTF-16 keys: two bytes per code unit.
      sizeCalculation: (value, key) => key.length * 2 + value.scores.byteLength + ENTRY_OVERHEAD_BYTES,
    });
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

  /** Estimated bytes held (see CACHE_MAX_BYTES). */
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
