import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request as undiciRequest } from 'undici';
import { parseExposition, startHarness, type Harness } from '../support/harness';

/** Raw requests (undici does not decode bodies), so the bytes on the wire are what is checked. */
async function fetchRaw(h: Harness, path: string, headers: Record<string, string>, body?: object) {
  const address = h.server.address() as { port: number };
  const res = await undiciRequest(`http://127.0.0.1:${address.port}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, bytes };
}

function decode(encoding: unknown, bytes: Buffer): string {
  if (encoding === 'gzip') return gunzipSync(bytes).toString('utf8');
  if (encoding === 'br') return brotliDecompressSync(bytes).toString('utf8');
  return bytes.toString('utf8');
}

const batch = { texts: Array.from({ length: 64 }, (_, i) => `a perfectly ordinary sentence number ${i}`) };

describe('response compression', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ compression: { min_bytes: 1024 } });
  });
  afterAll(() => h.close());

  it.each([
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
  ])('answers a 64-text request to Accept-Encoding "%s" with %s, the same JSON', async (accept, expected) => {
    const plain = await fetchRaw(h, '/classify', {}, batch);
    const packed = await fetchRaw(h, '/classify', { 'accept-encoding': accept }, batch);
    expect(packed.status).toBe(200);
    expect(packed.headers['content-encoding']).toBe(expected);
    expect(packed.headers['vary']).toMatch(/accept-encoding/i);
    expect(packed.bytes.length).toBeLessThan(plain.bytes.length / 3);
    expect(JSON.parse(decode(expected, packed.bytes))).toEqual(JSON.parse(plain.bytes.toString('utf8')));
  });

  it('sends the body as it is to a client that does not ask, or asks for identity only', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }] as Array<Record<string, string>>) {
      const res = await fetchRaw(h, '/classify', headers, batch);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(res.bytes.toString('utf8')).results).toHaveLength(64);
    }
  });

  it('leaves answers below compression.min_bytes alone', async () => {
    const res = await fetchRaw(h, '/classify', { 'accept-encoding': 'gzip, br' }, { text: 'short' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.bytes.length).toBeLessThan(1024);
  });

  it('compresses /metrics for a scraper that accepts gzip', async () => {
    const res = await fetchRaw(h, '/metrics', { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(parseExposition(decode('gzip', res.bytes)).samples.length).toBeGreaterThan(50);
  });
});

describe('response compression switched off', () => {
  it('never encodes when compression.enabled is false', async () => {
    const h = await startHarness({ compression: { enabled: false } });
    try {
      const res = await fetchRaw(h, '/classify', { 'accept-encoding': 'gzip, br' }, batch);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(res.bytes.toString('utf8')).results).toHaveLength(64);
    } finally {
      await h.close();
    }
  });
});
