import http from 'node:http';
import request from 'supertest';
import { parseExposition, sampleValue, startHarness, type Harness } from '../support/harness';
import { poll } from '../support/server-process';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    classifier: { limits: { max_text_chars: 50, max_texts: 4, max_body_bytes: 2048 } },
  });
});
afterAll(() => h.close());

function expectProblem(res: request.Response, status: number): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
  return body;
}

describe('error model (RFC 9457 problem+json)', () => {
  it('400 for malformed JSON, without echoing the body', async () => {
    const res = await request(h.server).post('/classify').set('Content-Type', 'application/json').send('{"text": "secret stuff');
    const body = expectProblem(res, 400);
    expect(body.detail).not.toContain('secret');
  });

  it('415 for a body that is not JSON', async () => {
    const res = await request(h.server).post('/classify').set('Content-Type', 'text/plain').send('hello');
    const body = expectProblem(res, 415);
    expect(body.detail).toContain('text/plain');
  });

  it('413 for a body over max_body_bytes, naming the limit', async () => {
    const texts = Array.from({ length: 4 }, () => 'x'.repeat(49));
    const res = await request(h.server).post('/classify').send({ texts, pad: 'y'.repeat(3000) });
    const body = expectProblem(res, 413);
    expect(body.detail).toContain('classifier.limits.max_body_bytes');
    expect(body.limit).toMatchObject({ name: 'classifier.limits.max_body_bytes', value: 2048 });
  });

  it('413 for a text over max_text_chars, naming the limit and the text', async () => {
    const res = await request(h.server).post('/classify').send({ texts: ['ok', 'z'.repeat(51)] });
    const body = expectProblem(res, 413);
    expect(body.detail).toContain('Text 1');
    expect(body.detail).toContain('classifier.limits.max_text_chars');
    expect(body.limit).toEqual({ name: 'classifier.limits.max_text_chars', value: 50, actual: 51 });
  });

  it('413 for too many texts, naming the limit', async () => {
    const res = await request(h.server).post('/classify').send({ texts: ['a', 'b', 'c', 'd', 'e'] });
    const body = expectProblem(res, 413);
    expect(body.limit).toEqual({ name: 'classifier.limits.max_texts', value: 4, actual: 5 });
  });

  it.each([
    [{ texts: 'not an array' }, 'body.texts'],
    [{ text: 42 }, 'body.text'],
    [{ texts: ['ok', 7] }, 'body.texts[1]'],
    [{ text: 'x', extra: true }, 'body.extra'],
    [{}, 'body'],
    [{ text: 'a', texts: ['b'] }, 'body'],
    [{ texts: [] }, 'body.texts'],
    [[1, 2], 'body'],
  ])('422 for %j, naming the field', async (payload, field) => {
    const res = await request(h.server).post('/classify').send(payload as object);
    const body = expectProblem(res, 422);
    expect(String(body.detail)).toContain(field);
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('404 problem for an unknown route', async () => {
    const body = expectProblem(await request(h.server).get('/nope'), 404);
    expect(body.detail).toContain('/nope');
  });

  it('500 without a stack trace or the error message for an unexpected failure', async () => {
    const service = h.moderator.ctx.service;
    const original = service.classify;
    service.classify = () => Promise.reject(new Error('internal detail /srv/secret.ts:12'));
    try {
      const body = expectProblem(await request(h.server).post('/classify').send({ text: 'hello' }), 500);
      expect(JSON.stringify(body)).not.toContain('internal detail');
    } finally {
      service.classify = original;
    }
  });

  // Last: closing the model cannot be undone, by design.
  it('503 with Retry-After once the model is gone, and /readyz says why', async () => {
    await h.moderator.close();
    const res = await request(h.server).post('/classify').send({ text: 'hello' });
    const body = expectProblem(res, 503);
    expect(res.headers['retry-after']).toBe('1');
    expect(body.detail).toContain('no inference worker');
    const ready = await request(h.server).get('/readyz').expect(503);
    expect(ready.body).toEqual({ status: 'not_ready', reason: 'shutting down' });
  });
});

describe('queue bound', () => {
  let small: Harness;
  beforeAll(async () => {
    small = await startHarness({ classifier: { batching: { max_queue: 2 } } });
  });
  afterAll(() => small.close());

  it('answers 503 with Retry-After at once when a request would overflow the queue', async () => {
    const res = await request(small.server).post('/classify').send({ texts: ['a', 'b', 'c'] });
    const body = expectProblem(res, 503);
    expect(res.headers['retry-after']).toBe('1');
    expect(body.detail).toContain('queue is full');
    const metrics = await request(small.server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/moderator_queue_rejections_total\{[^}]*reason="queue_full"[^}]*\} 3/);
    await request(small.server).post('/classify').send({ texts: ['a', 'b'] }).expect(200);
  });
});

describe('client disconnect', () => {
  // A batch wait of a second keeps a lone text queued long enough to leave while it waits.
  let slow: Harness;
  let port: number;
  beforeAll(async () => {
    slow = await startHarness({ classifier: { batching: { max_wait_us: 1_000_000 } } });
    port = (slow.server.address() as { port: number }).port;
  });
  afterAll(() => slow.close());

  async function metric(name: string): Promise<number> {
    const res = await request(slow.server).get('/metrics').expect(200);
    return sampleValue(parseExposition(res.text).samples, name);
  }

  it('drops the queued texts of a client that went away: they never reach the model', async () => {
    const body = JSON.stringify({ texts: ['left before the answer', 'this one too'] });
    const req = http.request({ port, host: '127.0.0.1', path: '/classify', method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', () => undefined);
    req.end(body);
    await poll('the texts to be queued', async () => ((await metric('moderator_queue_depth')) === 2 ? true : undefined));
    req.destroy();
    await poll('the queue to forget them', async () => ((await metric('moderator_queue_depth')) === 0 ? true : undefined));
    // A later request runs alone: the batch that the model sees holds its text only.
    await request(slow.server).post('/classify').send({ text: 'stayed' }).expect(200);
    expect(await metric('moderator_batch_size_count')).toBe(1);
    expect(await metric('moderator_batch_size_sum')).toBe(1);
  });
});
