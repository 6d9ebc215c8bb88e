import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createFeaturizer, parseFeaturizerSpec, GROUPS, type Featurizer, type FeedTensor, type HashedNgramsSpec } from '../../src/featurizer';
import { FEATURIZER_SPEC } from '../../training/config';
import { extractFeatures } from '../../training/model/features';
import { MODEL_DIR, sampleTexts } from './support';

/** Ids of "you are an idiot" under the committed spec (FNV-1a + fmix32, seed 0x9e3779b9, 2^18 buckets). */
const GOLDEN = { first: [192174, 203152, 174225, 84006, 12652, 196447, 151050, 131340], digest: 134096249 };

const committed = JSON.parse(readFileSync(path.join(MODEL_DIR, 'model.json'), 'utf8')) as { featurizer: HashedNgramsSpec };

describe('normalize', () => {
  const f = createFeaturizer(FEATURIZER_SPEC);
  const cases: [string, string][] = [
    // Unicode NFKC: full-width, mathematical bold, ligatures; zero-width characters dropped.
    ['ｆｕｃｋ you', 'fuck you'],
    ['𝐟𝐮𝐜𝐤 you', 'fuck you'],
    ['ﬁne', 'fine'],
    ['i\u200bd\u200bi\u200bo\u200bt', 'idiot'],
    // Case, accents / Zalgo marks on Latin letters, Cyrillic look-alikes inside Latin words.
    ['Hello World', 'hello world'],
    ['Zalgo: f̵̛u̶c̷k̸', 'zalgo: fuck'],
    ['fu\u0441k', 'fuck'],
    ['Привет', 'привет'],
    // URLs, e-mails, mentions, retweet markers, HTML entities, long numbers.
    ['see http://x.com/abc and www.foo.org now', 'see <url> and <url> now'],
    ['win at prizes.co.uk/claim', 'win at <url>'],
    ['mail me a.b@c.com', 'mail me <email>'],
    ['@John_Doe you are wrong', '@user you are wrong'],
    ['[USER] said [URL]', '@user said <url>'],
    ['RT @someone: hi &amp; bye &#128514;', '@user : hi & bye 😂'],
    ['call 08452810075 now', 'call <num> now'],
    ['born in 1984', 'born in 1984'],
    // Repeated characters (digits are never cut), emoji included.
    ['soooooo goooood!!!!!!', 'soo good!!'],
    ['lol 😂😂😂😂', 'lol 😂😂'],
    ['1000000 dollars', '<num> dollars'],
    // Obfuscations.
    ['f*ck you', 'fuck you'],
    ['you are sh1t', 'you are shit'],
    ['what an a$$hole', 'what an asshole'],
    ['f.u.c.k off', 'fuck off'],
    ['shut up b!tch', 'shut up bitch'],
    ['f**king hell', 'fucking hell'],
    ['h3ll0 1d10t', 'hell0 idiot'],
    ['n1gg3r', 'nigger'],
    ['fr33 c@sh', 'free cash'],
    ['ᴍᴏʀᴏɴ', 'moron'],
    // Left alone: ordinary punctuation and ordinals.
    ['e.g. the 2nd and 4th, well-known.', 'e.g. the 2nd and 4th, well-known.'],
    ['wow!!', 'wow!!'],
    // Whitespace, shouting marker.
    ['  lots \t of\n\nspace  ', 'lots of space'],
    ['STOP SHOUTING AT ME', 'stop shouting at me <shout>'],
    ['OK', 'ok'],
    ['', ''],
  ];
  it.each(cases)('%j -> %j', (input, expected) => {
    expect(f.normalize(input)).toBe(expected);
  });

  it('is idempotent: a normalised text normalises to itself', () => {
    for (const t of [...cases.map((c) => c[0]), ...sampleTexts(300)]) {
      const once = f.normalize(t);
      expect(f.normalize(once)).toBe(once);
    }
  });
});

describe('featurize', () => {
  const f = createFeaturizer(committed.featurizer);

  it('produces the documented feeds: ids int32 [N], segments int64 [N, 1], scale float32 [batch, 2]', () => {
    const texts = ['hello world', '', 'you idiot 😂'];
    const feeds = f.featurize(texts);
    expect(Object.keys(feeds).sort()).toEqual([...f.inputNames].sort());
    const { ids, segments, scale } = committed.featurizer.inputs;
    expect(feeds[ids].type).toBe('int32');
    expect(feeds[ids].data).toBeInstanceOf(Int32Array);
    expect(feeds[segments].type).toBe('int64');
    expect(feeds[segments].data).toBeInstanceOf(BigInt64Array);
    expect(feeds[scale].type).toBe('float32');
    expect(feeds[scale].data).toBeInstanceOf(Float32Array);
    const n = feeds[ids].data.length;
    expect(feeds[ids].dims).toEqual([n]);
    expect(feeds[segments].dims).toEqual([n, 1]);
    expect(feeds[scale].dims).toEqual([3, GROUPS]);
    const idData = feeds[ids].data as Int32Array;
    for (const id of idData) expect(id >= 0 && id < committed.featurizer.buckets).toBe(true);
    const seg = Array.from(feeds[segments].data as BigInt64Array, Number);
    expect(seg).toEqual([...seg].sort((a, b) => a - b));
    // Every text has its text id in the word group, so the word scale is never 0; the empty text has no char n-grams... except the boundary pair.
    const sc = feeds[scale].data as Float32Array;
    for (let t = 0; t < 3; t++) expect(sc[GROUPS * t]).toBeGreaterThan(0);
  });

  it('is deterministic and independent of batch composition', () => {
    const texts = sampleTexts(100);
    const whole = f.featurize(texts);
    const again = f.featurize(texts);
    for (const k of f.inputNames) expect(again[k].data).toEqual(whole[k].data);
    // Text 7 alone gets the same ids and scales as inside the batch.
    const { ids, segments, scale } = committed.featurizer.inputs;
    const alone = f.featurize([texts[7]]);
    const seg = whole[segments].data as BigInt64Array;
    const inBatch = (whole[ids].data as Int32Array).filter((_, i) => seg[i] === 14n || seg[i] === 15n);
    expect(Array.from(alone[ids].data as Int32Array)).toEqual(Array.from(inBatch));
    expect(Array.from(alone[scale].data as Float32Array)).toEqual(Array.from((whole[scale].data as Float32Array).slice(14, 16)));
  });

  it('with reuseOutput gives the same feeds as fresh arrays, batch after batch of any size', () => {
    // The inference worker's featurizer writes every batch into the same growing buffers; a
    // smaller batch after a larger one must not carry the larger one's tail.
    const texts = sampleTexts(300);
    const reusing = createFeaturizer(committed.featurizer, { reuseOutput: true });
    const shared: Array<FeedTensor['data']> = [];
    for (const [from, to] of [[0, 64], [64, 67], [100, 300], [7, 8], [0, 0], [200, 264]]) {
      const batch = texts.slice(from, to);
      const got = reusing.featurize(batch);
      const expected = f.featurize(batch);
      for (const k of f.inputNames) {
        expect(got[k].dims).toEqual(expected[k].dims);
        expect(got[k].data).toEqual(expected[k].data);
      }
      shared.push(got[committed.featurizer.inputs.segments].data);
    }
    // And it does reuse: the segments of later batches live in the buffer of an earlier one.
    expect(new Set(shared.map((d) => d.buffer)).size).toBeLessThan(shared.length);
  });

  it('depends on the text only through normalize(text) (serving caches results by the normalised text)', () => {
    for (const t of ['Hello   WORLD', 'hello world', 'HeLLo wOrLd!!!!!', 'f*ck', 'fuck', 'STOP IT RIGHT NOW', ...sampleTexts(100)]) {
      const a = f.featurize([t]);
      const b = f.featurize([f.normalize(t)]);
      for (const k of f.inputNames) expect(b[k].data).toEqual(a[k].data);
    }
  });

  it('keeps the committed hashing stable (golden ids: a change here breaks models/default)', () => {
    const { ids } = committed.featurizer.inputs;
    const got = Array.from(f.featurize(['you are an idiot'])[ids].data as Int32Array);
    // FNV-1a/fmix32 of the text tag, the words, the pairs and the char n-grams, in that order.
    // 1 text id + 4 words + 3 word pairs + char 2..5-grams over " you are an idiot " (18 code units).
    expect(got.length).toBe(1 + 4 + 3 + (17 + 16 + 15 + 14));
    let h = 0;
    for (const id of got) h = Math.imul(h ^ id, 16777619) >>> 0;
    expect({ first: got.slice(0, 8), digest: h }).toEqual(GOLDEN);
  });

  it('training-side features equal serving-side features for the committed spec', () => {
    // The trainer runs extractFeatures (training/model/features.ts) over its corpus; serving calls
    // featurize in the worker. Both must see identical ids, segments and scales.
    const texts = sampleTexts(300);
    const serving: Featurizer = createFeaturizer(committed.featurizer);
    const training = extractFeatures(createFeaturizer(committed.featurizer), texts, 37);
    const { ids, segments, scale } = committed.featurizer.inputs;
    for (let start = 0; start < texts.length; start += 64) {
      const batch = texts.slice(start, start + 64);
      const feeds = serving.featurize(batch);
      const segFrom = GROUPS * start;
      const segTo = GROUPS * (start + batch.length);
      const from = training.offsets[segFrom];
      const to = training.offsets[segTo];
      expect(Array.from(feeds[ids].data as Int32Array)).toEqual(Array.from(training.ids.subarray(from, to)));
      expect(Array.from(feeds[scale].data as Float32Array)).toEqual(Array.from(training.scale.subarray(segFrom, segTo)));
      const seg = Array.from(feeds[segments].data as BigInt64Array, Number);
      const expected: number[] = [];
      for (let s = segFrom; s < segTo; s++) for (let i = training.offsets[s]; i < training.offsets[s + 1]; i++) expected.push(s - segFrom);
      expect(seg).toEqual(expected);
    }
  });
});

describe('spec validation', () => {
  const bad = (patch: Record<string, unknown>) => ({ ...FEATURIZER_SPEC, ...patch });
  it.each([
    [bad({ type: 'wordpiece' }), /'type'/],
    [bad({ version: 2 }), /'version'.*not supported/],
    [bad({ buckets: 0 }), /'buckets'/],
    [bad({ buckets: 1.5 }), /'buckets'/],
    [bad({ char_ngrams: [5, 2] }), /'char_ngrams'/],
    [bad({ pooling: 'max' }), /'pooling'/],
    [bad({ extra: 1 }), /'extra' is not a known field/],
    [bad({ normalization: { ...FEATURIZER_SPEC.normalization, lowercase: 'yes' } }), /'normalization.lowercase'/],
    [bad({ normalization: { ...FEATURIZER_SPEC.normalization, stemming: true } }), /'normalization.stemming'/],
    [bad({ inputs: { ids: 'x', segments: 'x', scale: 'y' } }), /'inputs'.*distinct/],
    [bad({ inputs: { ids: 'x', segments: 'y' } }), /'inputs.scale'/],
    ['nope', /'\(root\)'/],
  ])('rejects %#', (spec, message) => {
    expect(() => createFeaturizer(spec)).toThrow(message);
  });

  it('accepts the committed spec and round-trips it', () => {
    expect(parseFeaturizerSpec(committed.featurizer)).toEqual(committed.featurizer);
    expect(createFeaturizer(committed.featurizer).spec).toEqual(committed.featurizer);
  });
});
