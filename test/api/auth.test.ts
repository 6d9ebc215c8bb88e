import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { ConfigError } from '../../src/config/load';
import { parseExposition, sampleValue, startHarness, type Harness } from '../support/harness';
import { newKey, writeKeyFile } from '../support/keys';
import { poll } from '../support/server-process';

const alice = newKey();
const bob = newKey();
const carol = newKey();
const keysFile = writeKeyFile([
  { id: 'alice', sha256: alice.sha256 },
  { id: 'bob', sha256: bob.sha256 },
]);

let logs = '';
const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => ((logs += String(chunk)), done()) }));

let h: Harness;
beforeAll(async () => {
  h = await startHarness(
    { auth: { enabled: true, keys_file: keysFile, watch_seconds: 0.05, endpoints: { metrics: 'key', docs: 'off', openapi: 'open' } } },
    { logger },
  );
});
afterAll(() => h.close());

const classify = () => request(h.server).post('/classify').send({ text: 'hello there' });
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

async function metrics() {
  return parseExposition((await request(h.server).get('/metrics').set(bearer(alice.key)).expect(200)).text).samples;
}

describe('API keys', () => {
  it('refuses a request without a key: 401 problem+json with a Bearer challenge', async () => {
    const res = await classify().expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="content-moderator"');
    expect(res.body).toMatchObject({ type: expect.stringMatching(/\/unauthorized$/), status: 401, title: 'Unauthorized', request_id: res.headers['x-request-id'] });
    expect(res.body.detail).toContain('Authorization: Bearer');
  });

  it('refuses a wrong key with error="invalid_token", and never echoes it', async () => {
    const wrong = newKey().key;
    for (const headers of [bearer(wrong), { 'X-API-Key': wrong }, bearer(alice.key.slice(0, -1))]) {
      const res = await classify().set(headers).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="content-moderator", error="invalid_token"');
      expect(JSON.stringify(res.body)).not.toContain(wrong);
    }
  });

  it('accepts a valid key as a Bearer token or in X-API-Key, and refuses two different ones', async () => {
    await classify().set(bearer(alice.key)).expect(200);
    await classify().set('authorization', `bearer  ${alice.key}`).expect(200);
    await classify().set({ 'X-API-Key': bob.key }).expect(200);
    await classify().set({ ...bearer(alice.key), 'X-API-Key': alice.key }).expect(200);
    const res = await classify().set({ ...bearer(alice.key), 'X-API-Key': bob.key }).expect(401);
    expect(res.body.detail).toContain('different keys');
    // Another scheme is no key at all.
    await classify().set('Authorization', `Basic ${Buffer.from(`x:${alice.key}`).toString('base64')}`).expect(401);
  });

  it('keeps the probes open, and protects every other path by default (an unknown one too)', async () => {
    await request(h.server).get('/healthz').expect(200);
    await request(h.server).get('/readyz').expect(200);
    await request(h.server).get('/nothing-here').expect(401);
    await request(h.server).get('/nothing-here').set(bearer(alice.key)).expect(404);
    // Other spellings of an open path are not open.
    await request(h.server).get('/HEALTHZ').expect(401);
  });

  it('serves /metrics with a key only, /openapi.json open (declaring the key), and /docs not at all', async () => {
    await request(h.server).get('/metrics').expect(401);
    await request(h.server).get('/metrics').set(bearer(alice.key)).expect(200);
    await request(h.server).get('/docs/').set(bearer(alice.key)).expect(404);
    const spec = (await request(h.server).get('/openapi.json').expect(200)).body;
    expect(Object.keys(spec.components.securitySchemes)).toEqual(expect.arrayContaining(['bearer', 'apiKey']));
    expect(spec.paths['/classify'].post.responses['401']).toBeDefined();
    expect(spec.paths['/classify'].post.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(spec.paths['/healthz'].get.security ?? []).toEqual([]);
  });

  it('counts requests per key id and refusals by reason; logs the key id, never the key', async () => {
    const before = await metrics();
    await classify().set(bearer(bob.key)).expect(200);
    await classify().expect(401);
    await classify().set(bearer('nope')).expect(401);
    const after = await metrics();
    expect(sampleValue(after, 'moderator_client_requests_total', { key_id: 'bob' })).toBe(sampleValue(before, 'moderator_client_requests_total', { key_id: 'bob' }) + 1);
    expect(sampleValue(after, 'moderator_client_texts_total', { key_id: 'bob' })).toBe(sampleValue(before, 'moderator_client_texts_total', { key_id: 'bob' }) + 1);
    for (const reason of ['missing', 'invalid']) {
      expect(sampleValue(after, 'moderator_auth_failures_total', { reason })).toBe(sampleValue(before, 'moderator_auth_failures_total', { reason }) + 1);
    }
    expect(sampleValue(after, 'moderator_auth_keys')).toBe(2);
    // The scrapes themselves (with alice's key) are not API requests.
    expect(sampleValue(after, 'moderator_client_requests_total', { key_id: 'alice' })).toBe(sampleValue(before, 'moderator_client_requests_total', { key_id: 'alice' }));
    logger.flush();
    const lines = logs.split('\n').filter((l) => l.includes('"request completed"'));
    expect(lines.some((l) => (JSON.parse(l) as { req: { key_id?: string } }).req.key_id === 'bob')).toBe(true);
    for (const secret of [alice.key, bob.key, alice.key.slice(3, 23)]) expect(logs).not.toContain(secret);
  });

  it('refuses a revoked key once the keys are reloaded, and accepts a new one', async () => {
    writeKeyFile([{ id: 'alice', sha256: alice.sha256 }, { id: 'carol', sha256: carol.sha256 }], keysFile);
    expect(h.service.reloadKeys('test')).toEqual({ ok: true, keys: 2, added: ['carol'], removed: ['bob'], changed: [] });
    await classify().set(bearer(bob.key)).expect(401);
    await classify().set(bearer(carol.key)).expect(200);
    await classify().set(bearer(alice.key)).expect(200);
  });

  it('keeps the keys in use when the new file is broken, and logs why', async () => {
    writeKeyFile(`keys:\n  - id: alice\n    sha256: ${alice.key}\n`, keysFile);
    const result = h.service.reloadKeys('test');
    expect(result).toMatchObject({ ok: false, keys: 2 });
    await classify().set(bearer(carol.key)).expect(200);
    logger.flush();
    const line = logs.split('\n').find((l) => l.includes('API keys not reloaded'));
    expect(line).toContain("'keys[0].sha256': must be a SHA-256 digest");
    expect(logs).not.toContain(alice.key);
    expect(sampleValue(await metrics(), 'moderator_auth_key_reloads_total', { result: 'failure' })).toBeGreaterThanOrEqual(1);
  });

  it('picks up a changed key file by itself (auth.watch_seconds)', async () => {
    const dave = newKey();
    writeKeyFile([{ id: 'alice', sha256: alice.sha256 }, { id: 'dave', sha256: dave.sha256 }], keysFile);
    await poll('the new key to work', async () => ((await classify().set(bearer(dave.key))).status === 200 ? true : undefined), 10_000);
    await classify().set(bearer(carol.key)).expect(401);
  });
});

describe('API key configuration', () => {
  it('refuses to start with keys on and no key anywhere, naming the key', async () => {
    const empty = writeKeyFile([]);
    await expect(startHarness({ auth: { enabled: true, keys_file: empty, keys_env: 'MODERATOR_TEST_NO_KEYS' } })).rejects.toThrow(
      new ConfigError(`'auth.keys_file': no API keys in ${empty} or env MODERATOR_TEST_NO_KEYS; with auth.enabled every API request would be refused`),
    );
  });

  it('refuses a key file with a plain key in it, naming the entry', async () => {
    const file = writeKeyFile(`keys:\n  - id: a\n    sha256: ${alice.key}\n`);
    const started = startHarness({ auth: { enabled: true, keys_file: file } });
    await expect(started).rejects.toThrow(`'auth.keys_file': ${file}: 'keys[0].sha256': must be a SHA-256 digest`);
    await expect(started).rejects.not.toThrow(alice.key);
  });

  it('reads keys from the environment variable auth.keys_env names', async () => {
    process.env.MODERATOR_TEST_KEYS = `erin:${alice.sha256}`;
    const env = await startHarness({ auth: { enabled: true, keys_env: 'MODERATOR_TEST_KEYS' } });
    try {
      await request(env.server).post('/classify').set(bearer(alice.key)).send({ text: 'hi' }).expect(200);
      await request(env.server).post('/classify').send({ text: 'hi' }).expect(401);
    } finally {
      delete process.env.MODERATOR_TEST_KEYS;
      await env.close();
    }
  });
});
