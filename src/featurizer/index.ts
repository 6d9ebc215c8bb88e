/**
 * The featurizer: text -> ONNX feeds. One module for training (training/) and serving (the
 * inference worker), so both hash exactly the same features. Pure TypeScript, no dependencies.
 *
 * Type `hashed-ngrams`, version 1 (fastText-style):
 *   normalizeText (normalize.ts)
 *   -> one "text" id (every text has at least one feature)
 *   -> word tokens (runs of letters/digits/'/_/<>/@, or runs of other non-space characters)
 *   -> hashed word n-grams (1..word_ngrams) over the first `max_words` tokens
 *   -> hashed character n-grams (char_ngrams[0]..char_ngrams[1] UTF-16 code units) over
 *      " " + the first `max_chars` code units + " "
 *   -> ids in [0, buckets), in two groups per text: g = 0 the text id and word n-grams, g = 1 the
 *      character n-grams. A group with n ids is pooled with scale 1/n ("mean") or 1/sqrt(n)
 *      ("sqrt"); an empty group has scale 0.
 *
 * Feeds (flat, no padding, so a long text does not widen the whole batch):
 *   `ids`      int32   [N]         every id of every text, text after text, words before chars;
 *   `segments` int64   [N, 1]      the segment of each id: 2 * row + group (ascending);
 *   `scale`    float32 [batch, 2]  the pooling scale of each text's two groups.
 * The model computes pooled[b, g] = scale[b, g] * sum of embedding[ids[i]] over i with
 * segments[i] = 2b + g, and reads the concatenation [pooled[b, 0], pooled[b, 1]].
 *
 * Hash: FNV-1a over UTF-16 code units (a 16-bit step per unit), started from
 * 2166136261 ^ seed and a kind tag (0 text, 1 char, 2 word, 3 word pair, 4 word triple), finished with the
 * MurmurHash3 fmix32 mixer; bucket = hash mod buckets. Word n-grams hash the pre-mix word hashes.
 */
import { normalizeText, type NormalizationOptions } from './normalize';

export type { NormalizationOptions } from './normalize';

export interface FeedTensor {
  type: 'int64' | 'int32' | 'float32';
  data: BigInt64Array | Int32Array | Float32Array;
  dims: number[];
}

export interface HashedNgramsSpec {
  readonly type: 'hashed-ngrams';
  readonly version: 1;
  /** Rows of the embedding table; ids are in [0, buckets). */
  readonly buckets: number;
  /** uint32 hash seed. */
  readonly seed: number;
  /** Longest word n-gram (1 = words only). */
  readonly word_ngrams: number;
  /** Shortest and longest character n-gram, in UTF-16 code units. */
  readonly char_ngrams: readonly [number, number];
  /** Character n-grams come from the first `max_chars` code units of the normalised text. */
  readonly max_chars: number;
  /** Word n-grams come from the first `max_words` tokens. */
  readonly max_words: number;
  readonly pooling: 'mean' | 'sqrt';
  readonly normalization: NormalizationOptions;
  /** ONNX input names. */
  readonly inputs: { readonly ids: string; readonly segments: string; readonly scale: string };
}

export type FeaturizerSpec = HashedNgramsSpec;

export interface Featurizer {
  readonly spec: FeaturizerSpec;
  readonly inputNames: readonly string[];
  /** The normalised text: every feature is a function of it (serving uses it as the result-cache key). */
  normalize(text: string): string;
  /** ONNX feeds for a batch (with `reuseOutput`, valid only until the next call). */
  featurize(texts: readonly string[]): Record<string, FeedTensor>;
}

export interface FeaturizerOptions {
  /**
   * Write each batch's feeds into arrays the featurizer keeps (grown as needed) instead of new
   * ones, so they are overwritten by the next `featurize` call. For a caller that is done with one
   * batch before it featurizes the next (the inference worker). Why: allocating and zeroing the
   * ~240 KB of a 64-text batch's feeds, and the garbage collections they bring on, cost 5-20% of
   * featurize's time (bench/README.md).
   */
  readonly reuseOutput?: boolean;
}

export const FEATURIZER_TYPE = 'hashed-ngrams';
/** Pooling groups per text: 0 = text id + word n-grams, 1 = character n-grams. */
export const GROUPS = 2;
export const FEATURIZER_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Spec validation (no zod here: this file runs in the inference worker's hot path and must stay dependency-free).

function fail(field: string, message: string): never {
  throw new Error(`featurizer spec: '${field}' ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function intField(obj: Record<string, unknown>, key: string, path: string, min: number, max: number): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(path, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function boolField(obj: Record<string, unknown>, key: string, path: string): boolean {
  const v = obj[key];
  if (typeof v !== 'boolean') fail(path, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(path ? `${path}.${key}` : key, 'is not a known field');
  }
}

const SPEC_KEYS = ['type', 'version', 'buckets', 'seed', 'word_ngrams', 'char_ngrams', 'max_chars', 'max_words', 'pooling', 'normalization', 'inputs'] as const;
const NORM_KEYS = ['nfkc', 'fold_lookalikes', 'lowercase', 'urls', 'mentions', 'long_number', 'max_repeat', 'deobfuscate', 'shout'] as const;

/** Validates an unknown value (e.g. model.json's "featurizer") as a spec; throws naming the bad field. */
export function parseFeaturizerSpec(raw: unknown): HashedNgramsSpec {
  if (!isObject(raw)) fail('(root)', 'must be an object');
  if (raw.type !== FEATURIZER_TYPE) fail('type', `must be "${FEATURIZER_TYPE}", got ${JSON.stringify(raw.type)}`);
  if (raw.version !== FEATURIZER_VERSION) {
    fail('version', `${JSON.stringify(raw.version)} is not supported by this featurizer (supports ${FEATURIZER_VERSION})`);
  }
  checkKeys(raw, SPEC_KEYS, '');
  const buckets = intField(raw, 'buckets', 'buckets', 1, 2 ** 30);
  const seed = intField(raw, 'seed', 'seed', 0, 0xffffffff);
  const wordNgrams = intField(raw, 'word_ngrams', 'word_ngrams', 0, 3);
  const cg = raw.char_ngrams;
  if (!Array.isArray(cg) || cg.length !== 2 || !cg.every((n) => Number.isInteger(n))) fail('char_ngrams', 'must be [min, max] integers');
  const [cmin, cmax] = cg as number[];
  if (cmin < 0 || cmax > 8 || (cmax !== 0 && cmin < 1) || cmin > cmax) fail('char_ngrams', `must satisfy 1 <= min <= max <= 8 (or [0, 0] for none), got [${cmin}, ${cmax}]`);
  const maxChars = intField(raw, 'max_chars', 'max_chars', 1, 1_000_000);
  const maxWords = intField(raw, 'max_words', 'max_words', 1, 1_000_000);
  if (raw.pooling !== 'mean' && raw.pooling !== 'sqrt') fail('pooling', `must be "mean" or "sqrt", got ${JSON.stringify(raw.pooling)}`);
  const n = raw.normalization;
  if (!isObject(n)) fail('normalization', 'must be an object');
  checkKeys(n, NORM_KEYS, 'normalization');
  const normalization: NormalizationOptions = {
    nfkc: boolField(n, 'nfkc', 'normalization.nfkc'),
    fold_lookalikes: boolField(n, 'fold_lookalikes', 'normalization.fold_lookalikes'),
    lowercase: boolField(n, 'lowercase', 'normalization.lowercase'),
    urls: boolField(n, 'urls', 'normalization.urls'),
    mentions: boolField(n, 'mentions', 'normalization.mentions'),
    long_number: intField(n, 'long_number', 'normalization.long_number', 0, 1000),
    max_repeat: intField(n, 'max_repeat', 'normalization.max_repeat', 0, 1000),
    deobfuscate: boolField(n, 'deobfuscate', 'normalization.deobfuscate'),
    shout: boolField(n, 'shout', 'normalization.shout'),
  };
  const inputs = raw.inputs;
  const inputKeys = ['ids', 'segments', 'scale'] as const;
  if (!isObject(inputs)) fail('inputs', 'must be an object { ids, segments, scale }');
  checkKeys(inputs, inputKeys, 'inputs');
  for (const key of inputKeys) {
    if (typeof inputs[key] !== 'string' || (inputs[key] as string).length === 0) fail(`inputs.${key}`, 'must be a non-empty string');
  }
  if (new Set(inputKeys.map((k) => inputs[k])).size !== inputKeys.length) fail('inputs', 'names must be distinct');
  if (wordNgrams === 0 && cmax === 0) fail('word_ngrams', 'and char_ngrams cannot both be off');
  return {
    type: FEATURIZER_TYPE,
    version: FEATURIZER_VERSION,
    buckets,
    seed,
    word_ngrams: wordNgrams,
    char_ngrams: [cmin, cmax],
    max_chars: maxChars,
    max_words: maxWords,
    pooling: raw.pooling,
    normalization,
    inputs: { ids: inputs.ids as string, segments: inputs.segments as string, scale: inputs.scale as string },
  };
}

// ---------------------------------------------------------------------------------------------
// Hashing

const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
const TAG_TEXT = 0;
const TAG_CHAR = 1;
const TAG_WORD = 2;
const TAG_PAIR = 3;
const TAG_TRIPLE = 4;

/** MurmurHash3's finaliser; returns an int32 (reinterpret as uint32 with `>>> 0`). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** BigInt segment numbers, cached (BigInt64Array.fill needs a bigint). */
const SEGMENT_VALUES: bigint[] = [];
function segmentValue(s: number): bigint {
  let v = SEGMENT_VALUES[s];
  if (v === undefined) {
    v = BigInt(s);
    if (s < 65536) SEGMENT_VALUES[s] = v;
  }
  return v;
}

/** Word-character classes by UTF-16 code unit: 0 = unknown yet, 1 = word, 2 = other, 3 = space. */
const CHAR_CLASS = new Uint8Array(65536);
const WORD_UNICODE_RE = /^[\p{L}\p{N}\p{M}]$/u;
function charClass(c: number): number {
  let k = CHAR_CLASS[c];
  if (k !== 0) return k;
  if (c === 32 || c === 9 || c === 10 || c === 13) k = 3;
  else if (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 39 /* ' */ || c === 95 /* _ */ || c === 60 /* < */ || c === 62 /* > */ || c === 64 /* @ */
  ) k = 1;
  else if (c < 128 || (c >= 0xd800 && c <= 0xdfff)) k = 2;
  else k = WORD_UNICODE_RE.test(String.fromCharCode(c)) ? 1 : 2;
  CHAR_CLASS[c] = k;
  return k;
}

class HashedNgramsFeaturizer implements Featurizer {
  readonly spec: HashedNgramsSpec;
  readonly inputNames: readonly string[];
  private scratch = new Int32Array(4096);
  /** " " + text + " " as code units, reused across texts. */
  private codes = new Uint16Array(1024);
  private readonly seedState: number;
  /** buckets - 1 when buckets is a power of two (then uint32 mod buckets = h & mask), else -1. */
  private readonly mask: number;

  /** With reuseOutput: the segments and scale arrays handed out last time (ids are a view of `scratch`). */
  private segmentsOut: BigInt64Array | undefined;
  private scaleOut: Float32Array | undefined;

  constructor(
    spec: HashedNgramsSpec,
    private readonly reuseOutput: boolean,
  ) {
    this.spec = spec;
    this.inputNames = [spec.inputs.ids, spec.inputs.segments, spec.inputs.scale];
    this.seedState = (FNV_OFFSET ^ spec.seed) >>> 0;
    this.mask = (spec.buckets & (spec.buckets - 1)) === 0 ? spec.buckets - 1 : -1;
  }

  /** uint32(h) mod buckets. */
  private bucket(h: number): number {
    return this.mask >= 0 ? h & this.mask : (h >>> 0) % this.spec.buckets;
  }

  normalize(text: string): string {
    return normalizeText(text, this.spec.normalization);
  }

  /** Upper bound of ids for a normalised text of `len` code units. */
  private capacity(len: number): number {
    const { char_ngrams: [cmin, cmax], max_chars: maxChars, max_words: maxWords, word_ngrams: wn } = this.spec;
    const chars = Math.min(len, maxChars) + 2;
    const charIds = cmax === 0 ? 0 : Math.max(0, (cmax - cmin + 1) * chars);
    const words = Math.min(maxWords, len);
    return 1 + charIds + words * wn;
  }

  /** End of the word group of the last `extract` call. */
  private wordsEnd = 0;

  /** Appends the ids of one normalised text to `out` from `at` (words, then chars); returns the new end. */
  private extract(norm: string, out: Int32Array, at: number): number {
    const { word_ngrams: wn, char_ngrams: [cmin, cmax], max_chars: maxChars, max_words: maxWords } = this.spec;
    const s0 = this.seedState;
    let n = at;
    const len = norm.length;
    out[n++] = this.bucket(fmix32(Math.imul(s0 ^ TAG_TEXT, FNV_PRIME)));

    // Word n-grams.
    if (wn > 0) {
      let prev1 = 0; // hash of the previous token, 0 = none
      let prev2 = 0;
      let tokens = 0;
      let i = 0;
      while (i < len && tokens < maxWords) {
        let cls = charClass(norm.charCodeAt(i));
        if (cls === 3) { i++; continue; }
        let h = Math.imul(s0 ^ TAG_WORD, FNV_PRIME);
        const kind = cls;
        while (i < len) {
          const c = norm.charCodeAt(i);
          cls = charClass(c);
          if (cls !== kind) break;
          h = Math.imul(h ^ c, FNV_PRIME);
          i++;
        }
        tokens++;
        out[n++] = this.bucket(fmix32(h));
        if (wn >= 2 && prev1 !== 0) {
          let p = Math.imul(s0 ^ TAG_PAIR, FNV_PRIME);
          p = Math.imul(p ^ (prev1 & 0xffff), FNV_PRIME);
          p = Math.imul(p ^ (prev1 >>> 16), FNV_PRIME);
          p = Math.imul(p ^ (h & 0xffff), FNV_PRIME);
          p = Math.imul(p ^ (h >>> 16), FNV_PRIME);
          out[n++] = this.bucket(fmix32(p));
          if (wn >= 3 && prev2 !== 0) {
            let t = Math.imul(s0 ^ TAG_TRIPLE, FNV_PRIME);
            t = Math.imul(t ^ (prev2 & 0xffff), FNV_PRIME);
            t = Math.imul(t ^ (prev2 >>> 16), FNV_PRIME);
            t = Math.imul(t ^ (prev1 & 0xffff), FNV_PRIME);
            t = Math.imul(t ^ (prev1 >>> 16), FNV_PRIME);
            t = Math.imul(t ^ (h & 0xffff), FNV_PRIME);
            t = Math.imul(t ^ (h >>> 16), FNV_PRIME);
            out[n++] = this.bucket(fmix32(t));
          }
        }
        prev2 = prev1;
        prev1 = h === 0 ? 1 : h;
      }
    }

    this.wordsEnd = n;

    // Character n-grams over " " + text[0, max_chars) + " ".
    if (cmax > 0) {
      const m = Math.min(len, maxChars);
      const total = m + 2;
      if (this.codes.length < total) this.codes = new Uint16Array(total * 2);
      const codes = this.codes;
      codes[0] = 32;
      for (let j = 0; j < m; j++) codes[j + 1] = norm.charCodeAt(j);
      codes[m + 1] = 32;
      const start = Math.imul(s0 ^ TAG_CHAR, FNV_PRIME);
      const mask = this.mask;
      for (let i = 0; i + cmin <= total; i++) {
        let h = start;
        const end = Math.min(total, i + cmax);
        let j = i;
        for (; j < i + cmin - 1; j++) h = Math.imul(h ^ codes[j], FNV_PRIME);
        for (; j < end; j++) {
          h = Math.imul(h ^ codes[j], FNV_PRIME);
          const f = fmix32(h);
          out[n++] = mask >= 0 ? f & mask : (f >>> 0) % this.spec.buckets;
        }
      }
    }
    return n;
  }

  /** Texts -> ids in CSR form: segment 2t + g holds ids[offsets[2t + g] .. offsets[2t + g + 1]). */
  private extractAll(texts: readonly string[]): { ids: Int32Array; offsets: Int32Array } {
    const offsets = new Int32Array(GROUPS * texts.length + 1);
    let need = 0;
    const norms = new Array<string>(texts.length);
    for (let t = 0; t < texts.length; t++) {
      const norm = this.normalize(texts[t]);
      norms[t] = norm;
      need += this.capacity(norm.length);
    }
    if (this.scratch.length < need) this.scratch = new Int32Array(Math.max(need, this.scratch.length * 2));
    const ids = this.scratch;
    let n = 0;
    for (let t = 0; t < texts.length; t++) {
      offsets[GROUPS * t] = n;
      n = this.extract(norms[t], ids, n);
      offsets[GROUPS * t + 1] = this.wordsEnd;
    }
    offsets[GROUPS * texts.length] = n;
    return { ids, offsets };
  }

  featurize(texts: readonly string[]): Record<string, FeedTensor> {
    const batch = texts.length;
    const segs = GROUPS * batch;
    const { ids: flat, offsets } = this.extractAll(texts);
    const total = offsets[segs];
    let ids: Int32Array;
    let segments: BigInt64Array;
    let scale: Float32Array;
    if (this.reuseOutput) {
      ids = flat.subarray(0, total);
      if (!this.segmentsOut || this.segmentsOut.length < total) this.segmentsOut = new BigInt64Array(Math.max(total, flat.length));
      if (!this.scaleOut || this.scaleOut.length < segs) this.scaleOut = new Float32Array(segs);
      segments = this.segmentsOut.subarray(0, total);
      scale = this.scaleOut.subarray(0, segs);
    } else {
      ids = new Int32Array(total);
      ids.set(flat.subarray(0, total));
      segments = new BigInt64Array(total);
      scale = new Float32Array(segs);
    }
    const sqrt = this.spec.pooling === 'sqrt';
    for (let s = 0; s < segs; s++) {
      const from = offsets[s];
      const to = offsets[s + 1];
      if (to > from) segments.fill(segmentValue(s), from, to);
      const count = to - from;
      scale[s] = count === 0 ? 0 : sqrt ? 1 / Math.sqrt(count) : 1 / count;
    }
    const { inputs } = this.spec;
    return {
      [inputs.ids]: { type: 'int32', data: ids, dims: [total] },
      [inputs.segments]: { type: 'int64', data: segments, dims: [total, 1] },
      [inputs.scale]: { type: 'float32', data: scale, dims: [batch, GROUPS] },
    };
  }
}

/** Validates `spec` (e.g. model.json's "featurizer") and builds the featurizer it describes. */
export function createFeaturizer(spec: unknown, options: FeaturizerOptions = {}): Featurizer {
  return new HashedNgramsFeaturizer(parseFeaturizerSpec(spec), options.reuseOutput ?? false);
}
