import http from 'node:http';
import { gzipSync } from 'node:zlib';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { jsonBody } from '../../src/api/json-body';
import { closeServer, listenLocal } from '../support/local-server';

const LIMIT = 100;

/** An app that answers with what the parser made of the body, or with the parser's error. */
async function serve(parser: RequestHandler): Promise<{ port: number; server: http.Server }> {
  const app = express();
  app.post('/', parser, (req, res) => void res.json({ body: req.body as unknown }));
  const onError: ErrorRequestHandler = (err: { status?: number; type?: string; limit?: number; length?: number }, _req, res, _next) => {
    res.status(err.status ?? 500).json({ type: err.type, limit: err.limit, length: err.length });
  };
  app.use(onError);
  const server = http.createServer(app);
  return { port: await listenLocal(server), server };
}

interface Case {
  name: string;
  body: Buffer | string;
  headers?: Record<string, string>;
  /** Send without Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
}

function send(port: number, c: Case): Promise<{ status: number; json: unknown }> {
  const body = typeof c.body === 'string' ? Buffer.from(c.body) : c.body;
  const headers: Record<string, string | number> = { 'content-type': 'application/json', ...c.headers };
  if (!c.chunked) headers['content-length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    if (c.chunked) {
      req.write(body.subarray(0, 3));
      req.end(body.subarray(3));
    } else {
      req.end(body);
    }
  });
}

const CASES: Case[] = [
  { name: 'an object', body: '{"text":"hi","n":[1,2,{"a":null}]}' },
  { name: 'an array with spaces around', body: ' \n [1, 2] \t' },
  { name: 'an empty body', body: '' },
  { name: 'only whitespace', body: '  \n ' },
  { name: 'a top-level string (strict)', body: '"just a string"' },
  { name: 'a top-level null (strict)', body: 'null' },
  { name: 'broken JSON', body: '{"text": "x' },
  { name: 'a byte-order mark', body: '\ufeff{"a":1}' },
  { name: 'multi-byte UTF-8', body: '{"a":"é ü 😀 中文"}' },
  { name: 'an explicit utf-8 charset', body: '{"a":1}', headers: { 'content-type': 'application/json; charset=UTF-8' } },
  { name: 'a quoted charset', body: '{"a":1}', headers: { 'content-type': 'application/json;charset="utf-8"' } },
  { name: 'an unsupported charset', body: '{"a":1}', headers: { 'content-type': 'application/json; charset=latin1' } },
  { name: 'a gzip body', body: gzipSync('{"text":"zipped"}'), headers: { 'content-encoding': 'gzip' } },
  { name: 'an unknown content-encoding', body: '{"a":1}', headers: { 'content-encoding': 'snappy' } },
  { name: 'identity encoding', body: '{"a":1}', headers: { 'content-encoding': 'identity' } },
  { name: 'a body over the limit', body: JSON.stringify({ pad: 'x'.repeat(LIMIT) }) },
  { name: 'a body exactly at the limit', body: JSON.stringify({ pad: 'x'.repeat(LIMIT - 10) }) },
  { name: 'a chunked body', body: '{"text":"in pieces"}', chunked: true },
  { name: 'a chunked body over the limit', body: JSON.stringify({ pad: 'x'.repeat(LIMIT) }), chunked: true },
];

describe('jsonBody: the same answers as express.json for every kind of body', () => {
  let ours: { port: number; server: http.Server };
  let reference: { port: number; server: http.Server };
  beforeAll(async () => {
    ours = await serve(jsonBody({ maxBytes: LIMIT, idleTimeoutMs: 10_000 }));
    reference = await serve(express.json({ limit: LIMIT, strict: true }));
  });
  afterAll(async () => {
    await closeServer(ours.server);
    await closeServer(reference.server);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const [got, want] = await Promise.all([send(ours.port, c), send(reference.port, c)]);
    expect(got).toEqual(want);
  });

  it('parses the common case and refuses a non-object at the top level', async () => {
    expect(await send(ours.port, { name: 'ok', body: '{"text":"hi"}' })).toEqual({ status: 200, json: { body: { text: 'hi' } } });
    expect(await send(ours.port, { name: 'strict', body: '42' })).toMatchObject({ status: 400, json: { type: 'entity.parse.failed' } });
    expect(await send(ours.port, { name: 'too large', body: JSON.stringify({ pad: 'x'.repeat(LIMIT) }) })).toMatchObject({
      status: 413,
      json: { type: 'entity.too.large', limit: LIMIT },
    });
  });
});
