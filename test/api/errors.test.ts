import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
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

/** A POST to /classify written as given: several pieces without a Content-Length go chunked. */
function rawPost(headers: Record<string, string>, pieces: Array<string | Buffer>): Promise<{ status: number; type: string; text: string }> {
  const { port } = h.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const one = pieces.length === 1 ? { 'content-length': String(Buffer.byteLength(pieces[0]!)) } : {};
    const req = http.request({ host: '127.0.0.1', port, path: '/classify', method: 'POST', headers: { ...headers, ...one } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', text }));
    });
    req.on('error', reject);
    for (const p of pieces) req.write(p);
    req.end();
  });
}

/** A POST to /classify with neither Content-Length nor Transfer-Encoding (node's client always sends one). */
function bodylessPost(): Promise<{ status: number; type: string; text: string }> {
  const { port } = h.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    let raw = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n');
    });
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (raw += d));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', text = ''] = raw.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]), type: /^content-type: (.*)$/im.exec(head)?.[1] ?? '', text });
    });
  });
}

function expectRawProblem(res: { status: number; type: string; text: string }, status: number): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.type).toMatch(/^application\/problem\+json/);
  return JSON.parse(res.text) as Record<string, unknown>;
}

describe('error model (RFC 9457 problem+json)', () => {
  it('400 for malformed JSON, without echoing the body', async () => {
    const res = await request(h.server).post('/classify').set('Content-Type', 'application/json').send('{"text": "secret stuff');
    const body = expectProblem(res, 400);
    expect(body.detail).not.toContain('secret');
    expect(body.detail).toBe('The request body is not a valid JSON object or array (at position 22).');
  });

  it('the same 422 for a POST without a body as for an empty one', async () => {
    const none = expectRawProblem(await bodylessPost(), 422);
    const empty = expectProblem(await request(h.server).post('/classify').set('Content-Type', 'application/json').send(''), 422);
    expect(none.detail).toBe(empty.detail);
    expect(none.errors).toEqual([expect.objectContaining({ field: 'body' })]);
  });

  it('400 for valid JSON that is not an object or array at the top level', async () => {
    const res = await request(h.server).post('/classify').set('Content-Type', 'application/json').send('null');
    expect(expectProblem(res, 400).detail).toBe('The request body is not a valid JSON object or array (at position 0).');
  });

  it('415 for a body that is not JSON', async () => {
    const res = await request(h.server).post('/classify').set('Content-Type', 'text/plain').send('hello');
    const body = expectProblem(res, 415);
    expect(body.detail).toContain('text/plain');
    // Refused before the controller, still counted under its route (a dashboard filtered to /classify sees it).
    const metrics = parseExposition((await request(h.server).get('/metrics').expect(200)).text);
    const labels = { http_route: '/classify', http_response_status_code: '415' };
    expect(sampleValue(metrics.samples, 'http_server_request_duration_seconds_count', labels)).toBe(1);
  });

  it('413 for a body over max_body_bytes, naming the limit', async () => {
    const texts = Array.from({ length: 4 }, () => 'x'.repeat(49));
    const res = await request(h.server).post('/classify').send({ texts, pad: 'y'.repeat(3000) });
    const body = expectProblem(res, 413);
    expect(body.detail).toContain('classifier.limits.max_body_bytes');
    expect(body.limit).toMatchObject({ name: 'classifier.limits.max_body_bytes', value: 2048 });
  });

  it('413 for a chunked body (no Content-Length) over max_body_bytes, naming the limit and its value', async () => {
    const json = JSON.stringify({ text: 'x', pad: 'y'.repeat(3000) });
    const res = await rawPost({ 'content-type': 'application/json' }, [json.slice(0, 1000), json.slice(1000)]);
    const body = expectRawProblem(res, 413);
    expect(body.detail).toBe('The request body is over the limit; the limit (classifier.limits.max_body_bytes) is 2048 bytes.');
    expect(body.limit).toEqual({ name: 'classifier.limits.max_body_bytes', value: 2048 });
  });

  it('400, not 500, for a gzip body that does not inflate', async () => {
    const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    const body = expectRawProblem(await rawPost(headers, ['{"text":"x"}']), 400);
    expect(body.type).toMatch(/undecodable-body$/);
    expect((await rawPost(headers, [gzipSync('{"text":"x"}')])).status).toBe(200);
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

  it.each([
    ['get', '/classify', 'POST, OPTIONS'],
    ['put', '/classify', 'POST, OPTIONS'],
    ['delete', '/classify', 'POST, OPTIONS'],
    ['post', '/healthz', 'GET, HEAD, OPTIONS'],
    ['post', '/metrics', 'GET, HEAD, OPTIONS'],
  ] as const)('405 with Allow for %s %s, a known path asked with another method', async (method, path, allow) => {
    const res = await request(h.server)[method](path);
    const body = expectProblem(res, 405);
    expect(res.headers.allow).toBe(allow);
    expect(body.detail).toBe(`${path} does not answer ${method.toUpperCase()}; it answers ${allow}.`);
  });

  it('204 with Allow for OPTIONS on a known path, 404 on an unknown one', async () => {
    const res = await request(h.server).options('/classify').expect(204);
    expect(res.headers.allow).toBe('POST, OPTIONS');
    expectProblem(await request(h.server).options('/nope'), 404);
  });

  it('500 without a stack trace or the error message for an unexpected failure', async () => {
    const service = h.moderation.service;
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
    await h.moderation.close();
    const res = await request(h.server).post('/classify').send({ text: 'hello' });
    const body = expectProblem(res, 503);
    expect(res.headers['retry-after']).toBe('1');
    expect(body.detail).toContain('no inference worker');
    const ready = await request(h.server).get('/readyz').expect(503);
    const { name, version } = h.moderation.service.model;
    expect(ready.body).toEqual({
      status: 'not_ready',
      reason: 'no inference worker is alive',
      models: [{ name, version, ready: false, reason: 'no inference worker is alive' }],
    });
  });
});

describe('queue bound', () => {
  // A queue of 4 that a partial batch waits in for a second: long enough to send more while it is full.
  let small: Harness;
  beforeAll(async () => {
    small = await startHarness({ classifier: { limits: { max_texts: 4 }, batching: { max_queue: 4, max_wait_us: 1_000_000 } } });
  });
  afterAll(() => small.close());

  async function metricsText(): Promise<string> {
    return (await request(small.server).get('/metrics').expect(200)).text;
  }

  it('answers 503 with Retry-After at once when a request would overflow the queue', async () => {
    const waiting = request(small.server).post('/classify').send({ texts: ['a', 'b', 'c'] }).then((r) => r);
    await poll('three texts to be queued', async () => (/^moderator_queue_depth(\{[^}]*\})? 3$/m.test(await metricsText()) ? true : undefined));
    const res = await request(small.server).post('/classify').send({ texts: ['d', 'e'] });
    const body = expectProblem(res, 503);
    expect(res.headers['retry-after']).toBe('1');
    expect(body.detail).toContain('queue is full');
    expect(await metricsText()).toMatch(/moderator_queue_rejections_total\{[^}]*reason="queue_full"[^}]*\} 2/);
    // One more text still fits; the refused request left nothing behind.
    const [first, fits] = await Promise.all([waiting, request(small.server).post('/classify').send({ text: 'f' })]);
    expect([first.status, fits.status]).toEqual([200, 200]);
    expect(first.body.results).toHaveLength(3);
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

  async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const res = await request(slow.server).get('/metrics').expect(200);
    return sampleValue(parseExposition(res.text).samples, name, labels);
  }

  it('drops the queued texts of a client that went away: they never reach the model', async () => {
    const body = JSON.stringify({ texts: ['left before the answer', 'this one too'] });
    const req = http.request({ port, host: '127.0.0.1', path: '/classify', method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', () => undefined);
    req.end(body);
    await poll('the texts to be queued', async () => ((await metric('moderator_queue_depth')) === 2 ? true : undefined));
    req.destroy();
    await poll('the queue to forget them', async () => ((await metric('moderator_queue_depth')) === 0 ? true : undefined));
    // Counted as 499 (client closed request), not as the 200 the response held when the socket closed.
    const closed = { http_route: '/classify', http_response_status_code: '499' };
    expect(await metric('http_server_request_duration_seconds_count', closed)).toBe(1);
    // A later request runs alone: the batch that the model sees holds its text only.
    await request(slow.server).post('/classify').send({ text: 'stayed' }).expect(200);
    expect(await metric('moderator_batch_size_count')).toBe(1);
    expect(await metric('moderator_batch_size_sum')).toBe(1);
  });

  it('counts every request of a pipelining client that leaves as 499, none left in flight, none run', async () => {
    const closed = { http_route: '/classify', http_response_status_code: '499' };
    const before = await metric('http_server_request_duration_seconds_count', closed).catch(() => 0); // absent before any 499
    const runs = await metric('moderator_batch_size_count').catch(() => 0);
    const body = '{"text":"pipelined"}';
    const one = `POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(one + one + one);
    await poll('the three texts to be queued', async () => ((await metric('moderator_queue_depth')) === 3 ? true : undefined));
    socket.destroy();
    await poll('the queue to forget them', async () => ((await metric('moderator_queue_depth')) === 0 ? true : undefined));
    await poll('nothing in flight', async () => ((await metric('moderator_http_requests_in_flight')) === 0 ? true : undefined));
    expect(await metric('http_server_request_duration_seconds_count', closed)).toBe(before + 3);
    expect(await metric('moderator_batch_size_count').catch(() => 0)).toBe(runs);
  });
});
