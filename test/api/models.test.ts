import path from 'node:path';
import request from 'supertest';
import { parseExposition, sampleValue, startHarness, type Harness } from '../support/harness';
import { referenceLogits, sigmoid, writeTinyTransformer, type TinyWeights } from '../support/tiny-transformer';
import { HfTokenizer } from '../../src/model/hf-tokenizer';
import { DISTILBERT, tmpDir } from '../transformer/support';

const TINY_LABELS = ['toxicity', 'threat', 'identity_attack'];
const round = (p: number) => Math.round(p * 1e6) / 1e6;

let h: Harness;
let weights: TinyWeights;
let tokenizer: HfTokenizer;
let embedded: string;

beforeAll(async () => {
  const dir = tmpDir();
  weights = writeTinyTransformer(dir, { labels: TINY_LABELS }).weights;
  tokenizer = HfTokenizer.load({ tokenizerPath: path.join(dir, 'tokenizer.json') });
  h = await startHarness({
    models: [
      { kind: 'fasttext', path: process.env.TEST_MODEL_DIR ?? path.resolve(__dirname, '../../models/default') },
      // max_length 16: texts of more than 14 tokens are read as windows.
      { kind: 'hf-transformer', name: 'tiny', path: dir, max_length: 16, thresholds: { threat: 0.3 }, workers: 1, threads: 1 },
      { kind: 'hf-transformer', name: 'distil', path: DISTILBERT, long_texts: 'truncate', max_length: 8, workers: 1, threads: 1 },
    ],
  });
  embedded = h.service.models.default.info.name;
});
afterAll(() => h.close());

/** The reference probabilities of a short text (one window) under the tiny model. */
const reference = (text: string) => Array.from(referenceLogits(weights, tokenizer.encode(text)), sigmoid);

describe('several models in one service', () => {
  it('classifies with the first model when a request names none', async () => {
    const res = await request(h.server).post('/classify').send({ text: 'You are a stupid idiot' }).expect(200);
    expect(res.body.model).toEqual(h.moderation.service.model);
    expect(res.body.model.name).toBe(embedded);
    expect(res.body.results[0].read).toBeUndefined();
  });

  it("classifies with the model named in 'model': scores as the reference forward pass gives them, and what was read", async () => {
    const texts = ['hello world', 'you are the idiot', ''];
    const res = await request(h.server).post('/classify').send({ texts, model: 'tiny' }).expect(200);
    expect(res.body.model).toEqual({ name: 'tiny', version: expect.stringMatching(/^[0-9a-f]{12}$/) });
    texts.forEach((text, i) => {
      const expected = reference(text);
      const result = res.body.results[i];
      expect(Object.keys(result.scores)).toEqual(TINY_LABELS);
      TINY_LABELS.forEach((label, j) => expect(Math.abs(result.scores[label] - round(expected[j]!))).toBeLessThanOrEqual(2e-6));
      // Thresholds: 0.5 by default, 0.3 for threat (configured); overall is the highest label.
      const over = TINY_LABELS.filter((label, j) => expected[j]! >= (label === 'threat' ? 0.3 : 0.5));
      expect(result.labels).toEqual(over);
      expect(result.flagged).toBe(over.length > 0 || Math.max(...expected) >= 0.5);
      expect(result.read).toEqual({ tokens: tokenizer.ids(text).length, tokens_read: tokenizer.ids(text).length, windows: 1, truncated: false });
    });
  });

  it('reads a long text whole as windows, or truncated where the model is configured so, and says which', async () => {
    const long = 'hello world you are the idiot and you will hate the world of love and the kill of you '.repeat(3);
    const windowed = await request(h.server).post('/classify').send({ text: long, model: 'tiny' }).expect(200);
    const tokens = tokenizer.ids(long).length;
    expect(tokens).toBeGreaterThan(50);
    // 14 text tokens per window, a quarter of them (3) shared with the next: 11 apart.
    expect(windowed.body.results[0].read).toEqual({ tokens, tokens_read: tokens, windows: Math.ceil((tokens - 14) / 11) + 1, truncated: false });
    const truncated = await request(h.server).post('/classify').send({ text: long, model: 'distil' }).expect(200);
    expect(truncated.body.results[0].read).toEqual({ tokens: expect.any(Number), tokens_read: 6, windows: 1, truncated: true });
  });

  it('answers 422 naming the available models for an unknown one', async () => {
    const res = await request(h.server).post('/classify').send({ text: 'hi', model: 'gpt-4' }).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'https://content-moderator.dev/problems/unknown-model',
      status: 422,
      detail: `body.model: unknown model 'gpt-4'; available: ${embedded}, tiny, distil.`,
      errors: [{ field: 'body.model' }],
      models: [embedded, 'tiny', 'distil'],
    });
  });

  it('GET /v1/models lists each model: name, version, kind, labels and thresholds, max length, categories, readiness', async () => {
    const res = await request(h.server).get('/v1/models').expect(200);
    expect(res.body.object).toBe('list');
    const [first, tiny, distil] = res.body.data;
    expect(first).toMatchObject({ id: embedded, object: 'model', name: embedded, kind: 'fasttext', default: true, ready: true, owned_by: 'content-moderator' });
    expect(first.max_length).toBeUndefined();
    expect(first.categories.harassment).toEqual(['toxic', 'severe_toxic', 'insult']);
    expect(tiny).toMatchObject({
      id: 'tiny',
      kind: 'hf-transformer',
      default: false,
      ready: true,
      max_length: 16,
      long_texts: 'window',
      overall_threshold: 0.5,
      labels: [
        { name: 'toxicity', threshold: 0.5, benign: false },
        { name: 'threat', threshold: 0.3, benign: false },
        { name: 'identity_attack', threshold: 0.5, benign: false },
      ],
    });
    expect(tiny.categories).toMatchObject({ harassment: ['toxicity'], 'harassment/threatening': ['threat'], violence: ['threat'], hate: ['identity_attack'], sexual: [] });
    expect(Number.isInteger(tiny.created)).toBe(true);
    expect(distil).toMatchObject({ id: 'distil', max_length: 8, long_texts: 'truncate', labels: [{ name: 'NEGATIVE' }, { name: 'POSITIVE' }] });
  });

  it("reports each model's readiness in /readyz", async () => {
    const res = await request(h.server).get('/readyz').expect(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.models.map((m: { name: string; ready: boolean }) => [m.name, m.ready])).toEqual([
      [embedded, true],
      ['tiny', true],
      ['distil', true],
    ]);
  });

  it('labels every inference metric with the model it is about', async () => {
    await request(h.server).post('/classify').send({ texts: ['a', 'b'], model: 'distil' }).expect(200);
    const { samples } = parseExposition((await request(h.server).get('/metrics').expect(200)).text);
    const models = h.service.models.all.map((m) => m.info);
    for (const { name, version } of models) {
      const labels = { model_name: name, model_version: version };
      expect(sampleValue(samples, 'moderator_model_ready', labels)).toBe(1);
      expect(sampleValue(samples, 'moderator_workers', labels)).toBe(1);
      expect(sampleValue(samples, 'moderator_texts_classified_total', labels)).toBeGreaterThan(0);
      expect(sampleValue(samples, 'moderator_batch_size_count', labels)).toBeGreaterThan(0);
    }
    expect(sampleValue(samples, 'moderator_label_flagged_total', { model_name: 'distil', label: 'NEGATIVE' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'moderator_api_models_calls_total', { method: 'models', outcome: 'success' })).toBeGreaterThanOrEqual(1);
  });

  it('names the models and what each judges of the OpenAI categories in the served spec', async () => {
    const spec = (await request(h.server).get('/openapi.json').expect(200)).body;
    expect(spec.components.schemas.ClassifyRequest.properties.model.enum).toEqual([embedded, 'tiny', 'distil']);
    expect(spec.components.schemas.ModerationRequest.properties.model.enum).toEqual([embedded, 'tiny', 'distil']);
    const categories: string = spec.components.schemas.ModerationCategories.description;
    expect(categories).toContain('Model `tiny` judges harassment (toxicity), harassment/threatening (threat), hate (identity_attack), violence (threat)');
    expect(categories).toContain('Model `distil` judges no category');
  });
});

describe('a model that goes down', () => {
  // Last in this file: closing a model cannot be undone.
  it('makes the service not ready, naming the model, while the others keep answering', async () => {
    await h.service.models.find('tiny')!.close();
    const ready = await request(h.server).get('/readyz').expect(503);
    expect(ready.body.reason).toBe("model 'tiny': no inference worker is alive");
    expect(ready.body.models.map((m: { name: string; ready: boolean }) => [m.name, m.ready])).toEqual([
      [embedded, true],
      ['tiny', false],
      ['distil', true],
    ]);
    expect((await request(h.server).post('/classify').send({ text: 'hi', model: 'tiny' })).status).toBe(503);
    await request(h.server).post('/classify').send({ text: 'hi', model: 'distil' }).expect(200);
  });
});

describe('the result cache with a transformer', () => {
  it('serves a repeated text from the cache, with what was read', async () => {
    const dir = tmpDir();
    writeTinyTransformer(dir, { labels: TINY_LABELS });
    const cached = await startHarness({ classifier: { cache: { enabled: true } }, models: [{ kind: 'hf-transformer', name: 'tiny', path: dir, workers: 1, threads: 1 }] });
    try {
      const first = await request(cached.server).post('/classify').send({ text: 'you are the idiot' }).expect(200);
      const again = await request(cached.server).post('/classify').send({ texts: ['you are the idiot', 'you are the idiot '] }).expect(200);
      expect(again.body.results[0]).toEqual(first.body.results[0]);
      expect(again.body.results[0].read).toEqual({ tokens: 4, tokens_read: 4, windows: 1, truncated: false });
      const { samples } = parseExposition((await request(cached.server).get('/metrics').expect(200)).text);
      // The same text is a hit; a text differing by a space is not (tokenizers may read spaces).
      expect(sampleValue(samples, 'moderator_cache_lookups_total', { model_name: 'tiny', result: 'hit' })).toBe(1);
      expect(sampleValue(samples, 'moderator_cache_lookups_total', { model_name: 'tiny', result: 'miss' })).toBe(2);
    } finally {
      await cached.close();
    }
  });
});
