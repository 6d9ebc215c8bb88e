import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { RequestHandler, Response } from 'express';
import getRawBody from 'raw-body';
import { countMembers, duplicateKey } from './duplicate-keys';
import { HttpProblem } from './http-problem';

const PLAIN_JSON = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/** The Content-Type of the fast path: JSON in UTF-8 (the default), without other parameters. */
export function isPlainJson(contentType: string): boolean {
  return PLAIN_JSON.test(contentType);
}

export interface BodyLimits {
  /** classifier.limits.max_body_bytes: after decompression. */
  maxBytes: number;
  /** server.body_idle_timeout_seconds, in ms: the longest gap between two pieces of the body. */
  idleTimeoutMs: number;
  /** Object members a body may hold in all (every object, nested ones included); more is a 422 before parsing. */
  maxMembers?: number;
}

/** An error shaped like body-parser's (status + type), so the problem handler maps both the same way. */
function bodyError(status: number, type: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { status, type }, extra);
}

/** body-parser's `strict`: only an object or an array is accepted at the top level. */
function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}

/**
 * The body as JSON: an object or array, every member name once, at most `maxMembers` object members
 * in all (an empty body is `{}`). The members are counted before parsing: JSON.parse building an
 * object of 90,000 keys cost the event loop over 50 ms per 100 KB of body, and no request of this
 * API has more than a few.
 */
export function parseJsonText(raw: string, maxMembers = Infinity): unknown {
  if (raw.length === 0) return {};
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const at = firstNonSpace(text);
  const first = at < 0 ? undefined : text[at];
  if (first !== '{' && first !== '[') throw bodyError(400, 'entity.parse.failed', `Unexpected token at position ${Math.max(at, 0)}`);
  const members = countMembers(text);
  if (members > maxMembers) {
    const message = `holds ${members} object members; no valid request has more than ${maxMembers}`;
    throw new HttpProblem(422, 'validation-error', 'Invalid request', `body: ${message}`, { errors: [{ field: 'body', message }] });
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (err) {
    // A body nested deeper than the parser's stack is refused as malformed, like any other it cannot read.
    throw bodyError(400, 'entity.parse.failed', (err as Error).message);
  }
  const duplicate = duplicateKey(text, body, members);
  if (duplicate !== undefined) {
    const message = 'given more than once (JSON member names must be unique)';
    throw new HttpProblem(422, 'validation-error', 'Invalid request', `${duplicate}: ${message}`, { errors: [{ field: duplicate, message }] });
  }
  return body;
}

/** A Map, not an object literal: a Content-Encoding of `constructor` must not find Object's. */
const DECODERS = new Map<string, () => NodeJS.ReadWriteStream>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

/**
 * Parses JSON request bodies into `req.body`: what `express.json({ limit, strict: true })` accepts,
 * with three differences a service on a network needs:
 * - a refusal is answered at once, with `Connection: close`, instead of after reading the rest of
 *   the body (body-parser drains it first: a 200 MB body was read in full before its 413);
 * - a body that stops arriving for `idleTimeoutMs` is refused (408);
 * - a member name given twice is refused (422 naming it), where JSON.parse keeps the last.
 *
 * The common request (application/json in UTF-8, a Content-Length, no Content-Encoding) is read by
 * hand: body-parser's generic machinery (type and charset negotiation, iconv, raw-body's stream
 * bookkeeping) cost about 25 µs of main-thread time per small request over this path, a sixth of
 * what a single-text /classify costs the main thread (bench/RESULTS.md). Compressed, chunked and
 * other-charset bodies go through raw-body (limit and length checks, charset decoding).
 */
export function jsonBody(limits: BodyLimits): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    const encoding = req.headers['content-encoding']?.toLowerCase() ?? 'identity';
    const type = req.headers['content-type'];
    // Neither Content-Length nor chunked: no body at all, which reads as an empty one.
    if (declared === undefined && req.headers['transfer-encoding'] === undefined) {
      req.body = {};
      return next();
    }
    let settled = false;
    let source: Readable = req;
    const timer = setTimeout(() => {
      const seconds = limits.idleTimeoutMs / 1000;
      settle(bodyError(408, 'request.timeout', `no part of the request body arrived for ${seconds} s`, { seconds }));
    }, limits.idleTimeoutMs);
    const settle = (err?: unknown, text?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      if (err !== undefined) {
        stopReading(req, source, res);
        return next(err);
      }
      try {
        req.body = parseJsonText(text ?? '', limits.maxMembers);
      } catch (parseErr) {
        return next(parseErr);
      }
      next();
    };
    const onData = () => timer.refresh();
    req.on('data', onData);

    const length = declared === undefined ? NaN : Number(declared);
    if (length <= limits.maxBytes && encoding === 'identity' && type !== undefined && isPlainJson(type)) {
      readPlain(req, length, settle);
      return;
    }
    const charset = (type === undefined ? undefined : CHARSET.exec(type)?.[1]?.toLowerCase()) ?? 'utf-8';
    if (!charset.startsWith('utf-')) {
      return settle(bodyError(415, 'charset.unsupported', `unsupported charset "${charset.slice(0, 40).toUpperCase()}"`));
    }
    if (encoding !== 'identity') {
      const decoder = DECODERS.get(encoding);
      if (!decoder) return settle(bodyError(415, 'encoding.unsupported', 'Content-Encoding must be gzip, deflate, br or identity'));
      const stream = decoder();
      stream.on('error', (err: NodeJS.ErrnoException) => settle(bodyError(400, 'encoding.invalid', err.message)));
      source = req.pipe(stream) as unknown as Readable;
    }
    getRawBody(source, { length: encoding === 'identity' ? declared : undefined, limit: limits.maxBytes, encoding: charset }, (err, text) =>
      err ? settle(err) : settle(undefined, text),
    );
  };
}

/** The fast path: UTF-8 JSON with a Content-Length within the limit. */
function readPlain(req: Readable, length: number, settle: (err?: unknown, text?: string) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    chunks.push(chunk);
  });
  req.once('error', () => settle(bodyError(400, 'request.aborted', 'request aborted')));
  req.once('end', () => {
    if (received !== length) return settle(bodyError(400, 'request.size.invalid', 'request size did not match content length'));
    settle(undefined, chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8'));
  });
}

/** After a refusal: no more of this body is read, and the connection closes once the answer is sent. */
function stopReading(req: Readable, source: Readable, res: Response): void {
  if (source !== req) {
    req.unpipe(source as unknown as NodeJS.WritableStream);
    source.destroy();
  }
  if (!(req as Readable & { complete?: boolean }).complete) {
    req.pause();
    if (!res.headersSent) res.setHeader('Connection', 'close');
  }
}
