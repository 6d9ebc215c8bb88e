import request from 'supertest';
import { parseExposition, sampleValue, startHarness, type Harness } from '../support/harness';
import { newKey, writeKeyFile } from '../support/keys';

// Buckets that barely refill during a test (one token in 1000 s), so every count below is exact.
const SLOW = 0.001;
const keys = Object.fromEntries(['req', 'texts', 'chars', 'other', 'metrics'].map((id) => [id, newKey()]));

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    classifier: { limits: { max_texts: 4, max_text_chars: 100 } },
    auth: { enabled: true, keys_file: writeKeyFile(Object.entries(keys).map(([id, k]) => ({ id, sha256: k.sha256 }))) },
    rate_limits: {
      enabled: true,
      requests: { per_second: SLOW, burst: 3 },
      texts: { per_second: SLOW, burst: 5 },
      chars: { per_second: SLOW, burst: 400 },
    },
  });
});
afterAll(() => h.close());

const as = (id: string) => ({ Authorization: `Bearer ${keys[id]!.key}` });
const classify = (id: string, body: object) => request(h.server).post('/classify').set(as(id)).send(body);
const POLICY = '"requests";q=3;w=3000, "texts";q=5;w=5000, "chars";q=400;w=400000';

describe('rate limits per API key', () => {
  it('answers within the limit with the RateLimit fields, and over it with 429, Retry-After and the limit named', async () => {
    const first = await classify('req', { text: 'hello' }).expect(200);
    expect(first.headers['ratelimit-policy']).toBe(POLICY);
    // After the body is read, the texts and characters are charged too: the field shows all three.
    expect(first.headers['ratelimit']).toMatch(/^"requests";r=2;t=\d+, "texts";r=4;t=\d+, "chars";r=395;t=\d+$/);
    await classify('req', { text: 'hello' }).expect(200);
    await classify('req', { text: 'hello' }).expect(200);
    const refused = await classify('req', { text: 'hello' }).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['ratelimit']).toMatch(/^"requests";r=0;/);
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/\/rate-limited$/),
      status: 429,
      limit: { name: 'rate_limits.requests', value: 3, actual: 1 },
    });
    expect(refused.body.detail).toContain('rate_limits.requests');
  });

  it('counts what a request costs: texts, then characters', async () => {
    await classify('texts', { texts: ['a', 'b', 'c'] }).expect(200);
    const overTexts = await classify('texts', { texts: ['d', 'e', 'f'] }).expect(429);
    expect(overTexts.body.limit).toEqual({ name: 'rate_limits.texts', value: 5, actual: 3 });
    // Refused whole: the two texts left still serve a smaller request.
    await classify('texts', { texts: ['d', 'e'] }).expect(200);

    await classify('chars', { text: 'x'.repeat(100) }).expect(200);
    await classify('chars', { texts: ['x'.repeat(100), 'y'.repeat(100), 'z'.repeat(100)] }).expect(200);
    const overChars = await classify('chars', { text: 'w'.repeat(10) }).expect(429);
    expect(overChars.body.limit).toEqual({ name: 'rate_limits.chars', value: 400, actual: 10 });
  });

  it("keeps each key's buckets apart", async () => {
    for (let i = 0; i < 3; i++) await classify('other', { text: 'fine' }).expect(200);
    await classify('other', { text: 'fine' }).expect(429);
    await classify('metrics', { text: 'x' }).expect(200);
  });

  it('never limits the probes or the spec, which declares the 429; a bad body still costs its request', async () => {
    for (let i = 0; i < 10; i++) await request(h.server).get('/healthz').expect(200);
    for (let i = 0; i < 5; i++) await request(h.server).get('/openapi.json').set(as('metrics')).expect(200);
    const spec = (await request(h.server).get('/openapi.json').expect(200)).body;
    expect(spec.paths['/classify'].post.responses['429'].content['application/problem+json']).toBeDefined();
    await request(h.server).post('/classify').set(as('metrics')).set('content-type', 'application/json').send('{oops').expect(400);
  });

  it('counts refusals per key id and limit', async () => {
    const { samples } = parseExposition((await request(h.server).get('/metrics').expect(200)).text);
    expect(sampleValue(samples, 'moderator_client_rate_limited_total', { key_id: 'req', limit: 'requests' })).toBe(1);
    expect(sampleValue(samples, 'moderator_client_rate_limited_total', { key_id: 'texts', limit: 'texts' })).toBe(1);
    expect(sampleValue(samples, 'moderator_client_rate_limited_total', { key_id: 'chars', limit: 'chars' })).toBe(1);
    expect(sampleValue(samples, 'moderator_client_rate_limited_total', { key_id: 'chars', limit: 'requests' })).toBe(0);
  });
});

describe('rate limits without keys', () => {
  it('limits each client address, read behind clients.trust_proxy_hops proxies', async () => {
    const byAddress = await startHarness({
      clients: { trust_proxy_hops: 1 },
      rate_limits: { enabled: true, requests: { per_second: SLOW, burst: 2 }, texts: null, chars: null },
    });
    try {
      const from = (address: string) => request(byAddress.server).post('/classify').set('X-Forwarded-For', address).send({ text: 'hi' });
      await from('203.0.113.7').expect(200);
      await from('203.0.113.7').expect(200);
      const refused = await from('203.0.113.7').expect(429);
      expect(refused.headers['ratelimit-policy']).toBe('"requests";q=2;w=2000');
      await from('198.51.100.1').expect(200);
      const { samples } = parseExposition((await request(byAddress.server).get('/metrics').expect(200)).text);
      // Addresses are never label values: every client without a key is 'anonymous'.
      expect(sampleValue(samples, 'moderator_client_rate_limited_total', { key_id: 'anonymous', limit: 'requests' })).toBe(1);
    } finally {
      await byAddress.close();
    }
  });

  it('refuses at start-up a texts bucket smaller than one request may need, naming the key', async () => {
    await expect(startHarness({ rate_limits: { enabled: true, texts: { per_second: 10, burst: 100 } } })).rejects.toThrow(
      "'rate_limits.texts.burst': must be at least classifier.limits.max_texts (256)",
    );
  });
});
