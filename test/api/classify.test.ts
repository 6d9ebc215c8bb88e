import request from 'supertest';
import { startHarness, type Harness } from '../support/harness';

const TOXIC = 'You are a stupid worthless idiot, shut up you moron';
const BENIGN = 'Thank you so much for the lovely dinner last night, see you on Sunday!';
const LABELS = ['toxic', 'severe_toxic', 'obscene', 'threat', 'insult', 'identity_hate'];

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('POST /classify', () => {
  it('classifies one text with every label, an overall score, flagged and the model', async () => {
    const res = await request(h.server).post('/classify').send({ text: TOXIC }).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.model).toEqual({ name: h.moderation.service.model.name, version: h.moderation.service.model.version });
    expect(res.body.results).toHaveLength(1);
    const [r] = res.body.results;
    expect(r.index).toBe(0);
    for (const label of LABELS) {
      expect(r.scores[label]).toBeGreaterThanOrEqual(0);
      expect(r.scores[label]).toBeLessThanOrEqual(1);
    }
    expect(Object.keys(r.scores).sort()).toEqual([...h.moderation.service.labels].sort());
    expect(r.flagged).toBe(true);
    expect(r.labels).toContain('toxic');
    expect(r.overall).toBeGreaterThan(0.5);
  });

  it('scores toxic text far above benign text with the real model', async () => {
    const res = await request(h.server).post('/classify').send({ texts: [BENIGN, TOXIC] }).expect(200);
    const [benign, toxic] = res.body.results;
    expect(benign.flagged).toBe(false);
    expect(benign.labels).toEqual([]);
    expect(benign.overall).toBeLessThan(0.3);
    expect(toxic.flagged).toBe(true);
    expect(toxic.overall - benign.overall).toBeGreaterThan(0.5);
    expect(toxic.scores.toxic - benign.scores.toxic).toBeGreaterThan(0.5);
  });

  it('returns batch results in input order, matching single-text results', async () => {
    const texts = [BENIGN, TOXIC, 'I will find you and hurt you', 'have a nice day', TOXIC.toUpperCase(), ''];
    const batch = await request(h.server).post('/classify').send({ texts }).expect(200);
    expect(batch.body.results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 0; i < texts.length; i++) {
      const single = await request(h.server).post('/classify').send({ text: texts[i] }).expect(200);
      expect(batch.body.results[i].scores).toEqual(single.body.results[0].scores);
      expect(batch.body.results[i].overall).toBe(single.body.results[0].overall);
    }
  });

  it('keeps order across many concurrent requests (micro-batched together)', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => (i % 2 ? `${TOXIC} ${i}` : `${BENIGN} ${i}`));
    const responses = await Promise.all(texts.map((text) => request(h.server).post('/classify').send({ text })));
    responses.forEach((res, i) => {
      expect(res.status).toBe(200);
      expect(res.body.results[0].flagged).toBe(i % 2 === 1);
    });
  });

  it('sets an X-Request-Id header, keeping a sane incoming one', async () => {
    const own = await request(h.server).post('/classify').set('X-Request-Id', 'abc-123').send({ text: 'hi' }).expect(200);
    expect(own.headers['x-request-id']).toBe('abc-123');
    const fresh = await request(h.server).post('/classify').set('X-Request-Id', 'bad id with spaces').send({ text: 'hi' }).expect(200);
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('GET /healthz and /readyz', () => {
  it('answers alive and ready with the model', async () => {
    await request(h.server).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(h.server).get('/readyz').expect(200);
    const { model } = h.moderation.service;
    expect(ready.body).toEqual({ status: 'ready', model, models: [{ ...model, ready: true }] });
  });
});

describe('OpenAPI', () => {
  it('serves the spec with the configured limits and an example', async () => {
    const res = await request(h.server).get('/openapi.json').expect(200);
    const schema = res.body.components.schemas.ClassifyRequest;
    expect(schema.properties.texts.maxItems).toBe(h.config.classifier.limits.max_texts);
    expect(schema.properties.text.maxLength).toBe(h.config.classifier.limits.max_text_chars);
    expect(schema.description).toContain(`at most ${h.config.classifier.limits.max_texts} texts`);
    const post = res.body.paths['/classify'].post;
    expect(post.responses['200'].content['application/json'].examples).toBeDefined();
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '400', '413', '415', '422', '503']));
  });

  it('serves interactive docs at /docs', async () => {
    const res = await request(h.server).get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui');
    const init = await request(h.server).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"validatorUrl": null');
    expect(init.text).toContain('/classify');
  });
});

describe('threshold overrides from app_conf.yml', () => {
  let strict: Harness;
  beforeAll(async () => {
    const thresholds = Object.fromEntries([...h.moderation.service.labels, 'overall'].map((l) => [l, 1]));
    strict = await startHarness({ classifier: { thresholds } });
  });
  afterAll(() => strict.close());

  it('decide flagged and labels (scores unchanged)', async () => {
    const lenient = await request(h.server).post('/classify').send({ text: TOXIC }).expect(200);
    const res = await request(strict.server).post('/classify').send({ text: TOXIC }).expect(200);
    expect(res.body.results[0].flagged).toBe(false);
    expect(res.body.results[0].labels).toEqual([]);
    expect(res.body.results[0].scores).toEqual(lenient.body.results[0].scores);
  });
});

describe('result cache', () => {
  let cached: Harness;
  beforeAll(async () => {
    cached = await startHarness({ classifier: { cache: { enabled: true, max_entries: 100 } } });
  });
  afterAll(() => cached.close());

  async function hits(): Promise<number> {
    const text = (await request(cached.server).get('/metrics').expect(200)).text;
    return Number(/moderator_cache_lookups_total\{[^}]*result="hit"[^}]*\} (\d+)/.exec(text)![1]);
  }

  it('returns for a hit exactly what a miss returned, and what an uncached service returns', async () => {
    const texts = [TOXIC, BENIGN];
    const hits0 = await hits();
    const miss = await request(cached.server).post('/classify').send({ texts }).expect(200);
    expect(await hits()).toBe(hits0);
    const hit = await request(cached.server).post('/classify').send({ texts }).expect(200);
    expect(await hits()).toBe(hits0 + 2);
    expect(hit.body).toEqual(miss.body);
    const uncached = await request(h.server).post('/classify').send({ texts }).expect(200);
    expect(hit.body.results).toEqual(uncached.body.results);
  });

  it('serves texts that normalise alike from one entry, with the scores the model gives either', async () => {
    const hits0 = await hits();
    const lower = await request(cached.server).post('/classify').send({ text: 'you absolute moron' }).expect(200);
    const upper = await request(cached.server).post('/classify').send({ text: 'You  absolute   moron' }).expect(200);
    expect(await hits()).toBe(hits0 + 1);
    expect(upper.body).toEqual(lower.body);
    const direct = await request(h.server).post('/classify').send({ text: 'You  absolute   moron' }).expect(200);
    expect(direct.body.results).toEqual(upper.body.results);
  });
});
