import request from 'supertest';
import { parseExposition, sampleValue, startHarness, type Harness } from '../support/harness';
import { METHOD_NAMES, method_names } from '../../src/telemetry/method-names';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ classifier: { cache: { enabled: true } } });
});
afterAll(() => h.close());

const promName = (metric: string) => `${metric.replace(/\./g, '_')}_total`;

async function scrape() {
  const res = await request(h.server).get('/metrics').expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return parseExposition(res.text);
}

describe('method_names collector on /metrics', () => {
  it('has one counter per method_names entry, typed counter, present before any call', async () => {
    const { samples, types } = await scrape();
    for (const method of METHOD_NAMES) {
      const name = promName(method_names[method].metric);
      expect(types.get(name)).toBe('counter');
      expect(sampleValue(samples, name, { method, outcome: 'success' })).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts N calls as N, by outcome', async () => {
    const before = (await scrape()).samples;
    const name = promName(method_names.classify.metric);
    const ok0 = sampleValue(before, name, { outcome: 'success' });
    const bad0 = sampleValue(before, name, { outcome: 'client_error' });
    const health0 = sampleValue(before, promName(method_names.healthz.metric), { outcome: 'success' });
    const N = 7;
    for (let i = 0; i < N; i++) await request(h.server).post('/classify').send({ text: `hello ${i}` }).expect(200);
    for (let i = 0; i < 3; i++) await request(h.server).post('/classify').send({ texts: 5 }).expect(422);
    for (let i = 0; i < 2; i++) await request(h.server).get('/healthz').expect(200);
    const after = (await scrape()).samples;
    expect(sampleValue(after, name, { outcome: 'success' })).toBe(ok0 + N);
    expect(sampleValue(after, name, { outcome: 'client_error' })).toBe(bad0 + 3);
    expect(sampleValue(after, promName(method_names.healthz.metric), { outcome: 'success' })).toBe(health0 + 2);
    // All answered: nothing in flight, and the scrape reading the gauge does not count itself.
    expect(sampleValue(after, 'moderator_http_requests_in_flight')).toBe(0);
  });

  it('labels a non-standard HTTP method _OTHER, so clients cannot mint label values', async () => {
    await request(h.server).purge('/classify').expect(405);
    await request(h.server).search('/classify').expect(405);
    const { samples } = await scrape();
    const other = { http_request_method: '_OTHER', http_response_status_code: '405' };
    expect(sampleValue(samples, 'http_server_request_duration_seconds_count', other)).toBe(2);
    expect(samples.some((x) => ['PURGE', 'SEARCH'].includes(x.labels.http_request_method ?? ''))).toBe(false);
  });
});

describe('inference metrics on /metrics', () => {
  it('reports texts, batches, queue and compute time, flagged by label, cache, with model labels', async () => {
    const model = h.moderation.service.model;
    const m = { model_name: model.name, model_version: model.version };
    const before = (await scrape()).samples;
    const texts0 = sampleValue(before, 'moderator_texts_classified_total', m);
    const toxic = 'you are a stupid idiot and a moron';
    await request(h.server).post('/classify').send({ texts: [toxic, 'lovely weather today'] }).expect(200);
    await request(h.server).post('/classify').send({ text: toxic }).expect(200);
    const { samples, types } = await scrape();
    expect(sampleValue(samples, 'moderator_texts_classified_total', m)).toBe(texts0 + 3);
    expect(sampleValue(samples, 'moderator_label_flagged_total', { ...m, label: 'toxic' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, 'moderator_texts_flagged_total', m)).toBeGreaterThanOrEqual(2);
    // The second request repeats a text of the first: a cache hit.
    expect(sampleValue(samples, 'moderator_cache_lookups_total', { ...m, result: 'hit' })).toBeGreaterThanOrEqual(1);
    for (const hist of ['moderator_batch_size', 'moderator_queue_wait_seconds', 'moderator_inference_duration_seconds', 'moderator_overall_score']) {
      expect(types.get(hist)).toBe('histogram');
      expect(sampleValue(samples, `${hist}_count`, m)).toBeGreaterThan(0);
      expect(sampleValue(samples, `${hist}_bucket`, { ...m, le: '+Inf' })).toBe(sampleValue(samples, `${hist}_count`, m));
    }
    expect(sampleValue(samples, 'moderator_model_ready', m)).toBe(1);
    expect(sampleValue(samples, 'moderator_workers', m)).toBe(1);
    expect(sampleValue(samples, 'moderator_queue_depth', m)).toBe(0);
    expect(sampleValue(samples, 'moderator_queue_capacity', m)).toBe(h.config.classifier.batching.max_queue);
  });

  it('does not export any text a user sent', async () => {
    const secret = 'my-secret-phone-number-555-0199';
    await request(h.server).post('/classify').send({ text: secret }).expect(200);
    const res = await request(h.server).get('/metrics').expect(200);
    expect(res.text).not.toContain('555-0199');
  });
});
