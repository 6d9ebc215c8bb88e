/**
 * Property-based tests of the HTTP API (fast-check): 10,240 generated requests per run (bodies,
 * headers, encodings and raw request heads) against the real service on 127.0.0.1. Whatever comes
 * in: never a 5xx other than 503 with Retry-After, never a crash, every error problem+json with its
 * request id and bounded in size.
 */
jest.setTimeout(300_000);
import http from 'node:http';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { startHarness, type Harness } from '../support/harness';
import { exchange } from '../support/raw-http';

const LIMITS = { max_text_chars: 200, max_texts: 8, max_body_bytes: 4096 };
/** A seed per run unless one is given (FC_SEED=...), printed by fast-check with any failure. */
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

let h: Harness;
let port: number;
let agent: http.Agent;
beforeAll(async () => {
  // Short timeouts: a generated head that announces a body it never sends is answered 408 in a second.
  h = await startHarness({ server: { headers_timeout_seconds: 1, request_timeout_seconds: 2, body_idle_timeout_seconds: 1 }, classifier: { limits: LIMITS } });
  port = (h.server.address() as { port: number }).port;
  agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
});
afterAll(async () => {
  agent.destroy();
  await h.close();
});

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send the body in two pieces without a Content-Length (chunked). */
  chunked: boolean;
}

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(r: Sent): Promise<Got> {
  return new Promise((resolve, reject) => {
    const headers = { ...r.headers };
    if (r.body !== undefined && !r.chunked) headers['content-length'] = String(r.body.length);
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (r.body !== undefined && r.chunked) {
      const half = Math.floor(r.body.length / 2);
      req.write(r.body.subarray(0, half));
      req.end(r.body.subarray(half));
    } else {
      req.end(r.body);
    }
  });
}

/** What must hold for every answer, whatever the request. */
function checkAnswer(got: Got, sent: Pick<Sent, 'method' | 'path'>): void {
  const where = `${sent.method} ${sent.path} -> ${got.status} ${got.body.slice(0, 300)}`;
  if (got.status >= 100 && got.status < 200) return; // 100 Continue: an interim answer, no headers of ours
  if (got.status >= 500) {
    if (got.status !== 503 || got.headers['retry-after'] === undefined) throw new Error(`a 5xx other than 503 + Retry-After: ${where}`);
  }
  if (got.headers['x-content-type-options'] !== 'nosniff') throw new Error(`no X-Content-Type-Options: ${where}`);
  if (got.status < 400 || sent.method === 'HEAD') return;
  if (got.body.length > 8192) throw new Error(`an error answer of ${got.body.length} bytes: ${where}`);
  if (!String(got.headers['content-type']).startsWith('application/problem+json')) throw new Error(`an error that is not problem+json: ${where}`);
  const problem = JSON.parse(got.body) as Record<string, unknown>;
  for (const key of ['type', 'title', 'detail']) if (typeof problem[key] !== 'string') throw new Error(`problem without ${key}: ${where}`);
  if (problem.status !== got.status) throw new Error(`problem status differs: ${where}`);
  if (typeof problem.request_id !== 'string' || problem.request_id !== got.headers['x-request-id']) throw new Error(`problem without its request id: ${where}`);
}

/** A /classify answer that succeeded holds one result per text. */
function checkClassified(got: Got, texts: number | undefined): void {
  if (got.status !== 200 || texts === undefined) return;
  const { results } = JSON.parse(got.body) as { results: unknown[] };
  if (results.length !== texts) throw new Error(`${results.length} results for ${texts} texts`);
}

// ---- generators --------------------------------------------------------------------------------

const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 250 }),
  fc.constantFrom('', ' ', '\u0000', '\ufdfa'.repeat(12), '\ud800', 'you are a worthless idiot', 'ｈｅｌｌｏ', '😀'.repeat(120)),
);
/** Bodies that are valid, nearly valid, or anything else JSON can say. */
const classifyBody = fc.oneof(
  fc.record({ text }).map((b) => ({ json: JSON.stringify(b), texts: 1 as number | undefined })),
  fc.array(text, { minLength: 1, maxLength: 10 }).map((texts) => ({ json: JSON.stringify({ texts }), texts: texts.length as number | undefined })),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ json: JSON.stringify(v) ?? 'null', texts: undefined })),
  fc.dictionary(fc.constantFrom('text', 'texts', 'Text', 'extra', '__proto__', 'constructor', ''), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((v) => ({
    json: JSON.stringify(v),
    texts: undefined,
  })),
  fc.tuple(fc.constantFrom('text', 'texts', 'x'), fc.jsonValue({ maxDepth: 1 }), fc.jsonValue({ maxDepth: 1 })).map(([k, a, b]) => ({
    json: `{"${k}": ${JSON.stringify(a)}, "${k}": ${JSON.stringify(b)}}`,
    texts: undefined,
  })),
  // Valid JSON with one character inserted or removed somewhere.
  fc
    .tuple(fc.record({ texts: fc.array(text, { maxLength: 3 }) }), fc.nat(), fc.constantFrom('', '{', '}', '"', ',', ':', '\\', '[', ']', '\u0000', 'é'))
    .map(([v, at, ch]) => {
      const s = JSON.stringify(v);
      const i = at % (s.length + 1);
      return { json: `${s.slice(0, i)}${ch}${s.slice(ch === '' ? i + 1 : i)}`, texts: undefined };
    }),
  fc.string({ unit: 'binary', maxLength: 300 }).map((s) => ({ json: s, texts: undefined })),
);

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/).map((v) => v.trim());
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  fc.constantFrom('application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf-16le', 'application/json; charset=latin1', 'Application/JSON', 'text/plain', 'application/problem+json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
  headerValue,
);
const encodings = ['gzip', 'deflate', 'br', 'identity'] as const;
// Brotli at quality 4: its default (11) spends most of this test compressing the bombs.
const compressors: Record<(typeof encodings)[number], (b: Buffer) => Buffer> = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }),
  identity: (b) => b,
};

describe('the HTTP API under generated requests', () => {
  it('bodies: 4,000 generated /classify bodies (valid, almost valid, any JSON, not JSON)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(classifyBody, { minLength: 10, maxLength: 10 }), async (bodies) => {
        const sent = bodies.map((b) => ({ method: 'POST', path: '/classify', headers: { 'content-type': 'application/json' }, body: Buffer.from(b.json), chunked: false }));
        const got = await Promise.all(sent.map(send));
        got.forEach((g, i) => {
          checkAnswer(g, sent[i]!);
          checkClassified(g, bodies[i]!.texts);
        });
      }),
      { numRuns: 400, seed },
    );
  });

  it('headers: 3,000 generated methods, paths and header sets', async () => {
    const request = fc.record({
      method: fc.oneof({ weight: 5, arbitrary: fc.constant('POST') }, fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), fc.stringMatching(/^[A-Z]{1,10}$/)),
      path: fc.oneof(
        { weight: 5, arbitrary: fc.constant('/classify') },
        fc.constantFrom('/CLASSIFY', '/classify/', '/healthz', '/readyz', '/metrics', '/openapi.json', '/docs', '/', '/classify?x=1', '//classify', '/classify%00'),
        fc.webPath(),
      ),
      contentType,
      requestId: fc.option(fc.oneof(fc.uuid(), headerValue), { nil: undefined }),
      extra: fc.dictionary(token.map((t) => `x-${t}`.toLowerCase()), headerValue, { maxKeys: 110 }),
      body: classifyBody,
      chunked: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 10, maxLength: 10 }), async (requests) => {
        const sent: Sent[] = requests.map((r) => ({
          method: r.method,
          path: r.path,
          headers: { ...r.extra, 'content-type': r.contentType, ...(r.requestId === undefined ? {} : { 'x-request-id': r.requestId }) },
          body: ['GET', 'HEAD'].includes(r.method) ? undefined : Buffer.from(r.body.json),
          chunked: r.chunked,
        }));
        const got = await Promise.all(sent.map(send));
        got.forEach((g, i) => checkAnswer(g, sent[i]!));
      }),
      { numRuns: 300, seed },
    );
  });

  it('encodings: 2,000 bodies compressed (or not) and declared (or not) as gzip, deflate, br, identity or otherwise', async () => {
    const request = fc.record({
      body: classifyBody,
      actual: fc.constantFrom(...encodings),
      declared: fc.oneof(fc.constantFrom(...encodings, undefined, 'GZIP', 'x-gzip', 'compress', 'zstd', 'gzip, br'), token),
      chunked: fc.boolean(),
      bomb: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 10, maxLength: 10 }), async (requests) => {
        const sent: Sent[] = requests.map((r) => {
          // A bomb: JSON padded with whitespace far past max_body_bytes, then compressed.
          const raw = Buffer.from(r.bomb ? `${r.body.json}${' '.repeat(200_000)}` : r.body.json);
          return {
            method: 'POST',
            path: '/classify',
            headers: { 'content-type': 'application/json', ...(r.declared === undefined ? {} : { 'content-encoding': r.declared }) },
            body: compressors[r.actual](raw),
            chunked: r.chunked,
          };
        });
        const got = await Promise.all(sent.map(send));
        got.forEach((g, i) => {
          checkAnswer(g, sent[i]!);
          const r = requests[i]!;
          if (r.bomb && r.actual !== 'identity' && g.status === 200) throw new Error('a bomb was read past the limit');
        });
      }),
      { numRuns: 200, seed },
    );
  });

  it('raw request heads: 1,240 generated request lines and header blocks on raw sockets', async () => {
    const line = fc.oneof(
      fc.constantFrom('POST /classify HTTP/1.1', 'GET /healthz HTTP/1.1', 'GET /readyz HTTP/1.0', 'POST /classify HTTP/1.0', 'POST /classify HTTP/2.0', 'GET / HTTP/1.1', 'PRI * HTTP/2.0'),
      fc.tuple(fc.stringMatching(/^[A-Za-z]{0,8}$/), fc.stringMatching(/^[\x21-\x7e]{0,20}$/), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/1.2', 'http/1.1', '')).map((p) => p.join(' ')),
    );
    const field = fc.oneof(
      fc.tuple(token, headerValue).map(([n, v]) => `${n}: ${v}`),
      fc.constantFrom('Content-Length: 2', 'Content-Length: 0', 'Content-Length: -1', 'Content-Length: 1e3', 'Content-Length: 99999999999999999999', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: identity', 'Content-Type: application/json', 'Host:', 'Host: a b', 'Connection: close', 'Expect: 100-continue', 'Upgrade: websocket', ' folded', 'no colon', ': empty name', 'X: \u0000'),
    );
    const body = fc.constantFrom('', '{}', '0\r\n\r\n', '2\r\n{}\r\n0\r\n\r\n', '{"text":"hi"}', 'zz\r\n');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(line, fc.array(field, { maxLength: 8 }), body), { minLength: 40, maxLength: 40 }), async (cases) => {
        const done = await Promise.all(
          cases.map(([l, fields, b]) => exchange(port, [`${l}\r\nHost: 127.0.0.1\r\n${fields.map((f) => `${f}\r\n`).join('')}Connection: close\r\n\r\n${b}`], { waitMs: 3000 })),
        );
        done.forEach((x, i) => {
          // A head that announces a body it never sends is answered 408 after a second; any answer must be right.
          for (const a of x.answers) checkAnswer({ status: a.status, headers: a.headers, body: a.body }, { method: cases[i]![0].split(' ')[0] ?? '', path: cases[i]![0] });
        });
      }),
      { numRuns: 31, seed },
    );
  });

  it('is still up and ready afterwards', async () => {
    const ready = await send({ method: 'GET', path: '/readyz', headers: {}, chunked: false });
    expect(ready.status).toBe(200);
  });
});
