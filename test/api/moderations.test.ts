import OpenAI from 'openai';
import request from 'supertest';
import { OPENAI_CATEGORIES } from '../../src/moderation/categories';
import { DEFAULT_MODEL, parseExposition, sampleValue, startHarness, type Harness } from '../support/harness';
import { writeTinyTransformer } from '../support/tiny-transformer';
import { tmpDir } from '../transformer/support';

const TOXIC = 'You are a stupid worthless idiot, shut up you moron';
const THREAT = 'I will find you and kill you';
const BENIGN = 'Thank you so much for the lovely dinner last night, see you on Sunday!';

let h: Harness;
let client: OpenAI;
let embedded: string;

beforeAll(async () => {
  const dir = tmpDir();
  writeTinyTransformer(dir, { labels: ['neutral', 'toxic', 'threat'], problemType: 'single_label_classification' });
  h = await startHarness({
    classifier: { limits: { max_texts: 4, max_text_chars: 500 }, batching: { max_queue: 64 } },
    models: [
      { kind: 'fasttext', path: DEFAULT_MODEL },
      // Its own mapping: toxic feeds harassment only; threat feeds violence and harassment/threatening.
      {
        kind: 'hf-transformer',
        name: 'tiny',
        path: dir,
        benign_labels: ['neutral'],
        categories: { harassment: ['toxic'], violence: ['threat'], 'harassment/threatening': ['threat'] },
        workers: 1,
        threads: 1,
      },
    ],
  });
  embedded = h.service.models.default.info.name;
  const { port } = h.server.address() as { port: number };
  // The official client, pointed at the service; no retries, so a 503 shows as one.
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'not-checked-here', maxRetries: 0 });
});
afterAll(() => h.close());

describe('POST /v1/moderations through the official openai client', () => {
  it('moderates one string: typed results in OpenAI’s shape, every category present', async () => {
    const res = await client.moderations.create({ input: TOXIC });
    expect(res.id).toMatch(/^modr-[0-9a-f]{32}$/);
    expect(res.model).toBe(embedded);
    expect(res.results).toHaveLength(1);
    const [r] = res.results;
    expect(Object.keys(r!.categories).sort()).toEqual([...OPENAI_CATEGORIES].sort());
    expect(Object.keys(r!.category_scores).sort()).toEqual([...OPENAI_CATEGORIES].sort());
    expect(r!.flagged).toBe(true);
    expect(r!.categories.harassment).toBe(true);
    expect(r!.category_scores.harassment).toBeGreaterThan(0.5);
    expect(r!.category_applied_input_types.harassment).toEqual(['text']);
  });

  it('moderates an array, one result per text in order, and agrees with /classify', async () => {
    const res = await client.moderations.create({ input: [BENIGN, THREAT, TOXIC] });
    expect(res.results.map((r) => r.flagged)).toEqual([false, true, true]);
    const classified = await request(h.server).post('/classify').send({ texts: [BENIGN, THREAT, TOXIC] }).expect(200);
    res.results.forEach((r, i) => {
      const { scores, labels } = classified.body.results[i];
      // Default mapping for the embedded model: harassment <- toxic, severe_toxic, insult; violence <- threat.
      expect(r.category_scores.harassment).toBe(Math.max(scores.toxic, scores.severe_toxic, scores.insult));
      expect(r.category_scores.violence).toBe(scores.threat);
      expect(r.categories['harassment/threatening']).toBe(labels.includes('threat'));
    });
  });

  it('reports categories the model cannot judge as not flagged with score 0 and no applied input type', async () => {
    const [r] = (await client.moderations.create({ input: TOXIC })).results;
    for (const category of ['sexual/minors', 'self-harm/instructions', 'illicit', 'illicit/violent', 'hate/threatening', 'violence/graphic'] as const) {
      expect(r!.categories[category]).toBe(false);
      expect(r!.category_scores[category]).toBe(0);
      expect(r!.category_applied_input_types[category]).toEqual([]);
    }
  });

  it('uses the model named in `model`, with its configured mapping; benign labels feed nothing', async () => {
    const res = await client.moderations.create({ model: 'tiny', input: ['you are the idiot', 'hello'] });
    expect(res.model).toBe('tiny');
    const classified = await request(h.server).post('/classify').send({ texts: ['you are the idiot', 'hello'], model: 'tiny' }).expect(200);
    res.results.forEach((r, i) => {
      const { scores, labels } = classified.body.results[i];
      expect(r.category_scores.harassment).toBe(scores.toxic);
      expect(r.category_scores.violence).toBe(scores.threat);
      expect(r.category_scores.hate).toBe(0);
      expect(r.categories.harassment).toBe(labels.includes('toxic'));
      expect(r.flagged).toBe(labels.includes('toxic') || labels.includes('threat'));
    });
  });

  it('reads the text parts of OpenAI’s multi-modal input as one text', async () => {
    const res = await client.moderations.create({ input: [{ type: 'text', text: 'You are a stupid' }, { type: 'text', text: 'worthless idiot' }] });
    expect(res.results).toHaveLength(1);
    const joined = await request(h.server).post('/classify').send({ text: 'You are a stupid\nworthless idiot' }).expect(200);
    const { scores } = joined.body.results[0];
    expect(res.results[0]!.category_scores.harassment).toBe(Math.max(scores.toxic, scores.severe_toxic, scores.insult));
  });

  it('surfaces errors as the client’s typed errors with our message: an unknown model is a 422 naming the available ones', async () => {
    const err = await client.moderations.create({ model: 'omni-moderation-latest', input: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    const { message, code, param, type } = err as InstanceType<typeof OpenAI.UnprocessableEntityError>;
    expect(message).toBe(`422 body.model: unknown model 'omni-moderation-latest'; available: ${embedded}, tiny.`);
    expect({ code, param, type }).toEqual({ code: 'unknown-model', param: 'model', type: 'invalid_request_error' });
  });

  it('answers errors as problem+json that also carry OpenAI’s `error` member', async () => {
    const res = await request(h.server).post('/v1/moderations').send({ input: 'hi', model: 'nope' }).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'https://content-moderator.dev/problems/unknown-model',
      status: 422,
      models: [embedded, 'tiny'],
      error: { message: res.body.detail, type: 'invalid_request_error', param: 'model', code: 'unknown-model' },
    });
    // /classify answers plain problem+json.
    expect((await request(h.server).post('/classify').send({ text: 'hi', model: 'nope' }).expect(422)).body.error).toBeUndefined();
  });

  it('lists the models with client.models.list()', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual([embedded, 'tiny']);
  });
});

describe('POST /v1/moderations errors (problem+json)', () => {
  const post = (body: unknown) => request(h.server).post('/v1/moderations').send(body as object);

  it.each([
    ['no input', {}, 'body.input'],
    ['an empty array', { input: [] }, 'body.input'],
    ['an input that is neither text nor parts', { input: 42 }, 'body.input'],
    ['an image part', { input: [{ type: 'image_url', image_url: { url: 'https://example.com/x.png' } }] }, 'body.input[0]'],
    ['texts mixed with parts', { input: ['a', { type: 'text', text: 'b' }] }, 'body.input'],
    ['an unknown property', { input: 'a', user: 'x' }, 'body.user'],
  ])('422 naming the field for %s', async (_what, body, field) => {
    const res = await post(body).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('413 naming the limit for too many texts or a text too long', async () => {
    expect((await post({ input: ['a', 'b', 'c', 'd', 'e'] }).expect(413)).body.limit).toEqual({ name: 'classifier.limits.max_texts', value: 4, actual: 5 });
    expect((await post({ input: 'x'.repeat(501) }).expect(413)).body.limit).toMatchObject({ name: 'classifier.limits.max_text_chars', value: 500 });
  });

  it('415 for a body that is not JSON, 405 with Allow for another method', async () => {
    await request(h.server).post('/v1/moderations').set('content-type', 'text/plain').send('hi').expect(415);
    const res = await request(h.server).get('/v1/moderations').expect(405);
    expect(res.headers.allow).toBe('POST, OPTIONS');
  });

  it('counts the calls in method_names by outcome', async () => {
    const { samples } = parseExposition((await request(h.server).get('/metrics').expect(200)).text);
    // The calls above: 5 answered, 11 refused (two unknown models, six 422s, two 413s, one 415; the 405 is no call of the method).
    expect(sampleValue(samples, 'moderator_api_moderations_calls_total', { method: 'moderations', outcome: 'success' })).toBe(5);
    expect(sampleValue(samples, 'moderator_api_moderations_calls_total', { method: 'moderations', outcome: 'client_error' })).toBe(11);
  });
});
