import express, { type RequestHandler } from 'express';

const PLAIN_JSON = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;

/** The Content-Type of the fast path: JSON in UTF-8 (the default), without other parameters. */
export function isPlainJson(contentType: string): boolean {
  return PLAIN_JSON.test(contentType);
}

/** An error shaped like body-parser's, so the problem handler maps both the same way. */
function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type });
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
 * Parses JSON request bodies into `req.body`, like `express.json({ limit, strict: true })` does.
 *
 * The common request (application/json in UTF-8, a Content-Length within the limit, no
 * Content-Encoding) is read here; everything else (chunked or compressed bodies, other charsets,
 * bodies over the limit) goes to express.json itself, so its rules and errors still apply. Why:
 * body-parser's generic machinery (type and charset negotiation, iconv, raw-body's stream
 * bookkeeping) cost about 25 µs of main-thread time per small request over this path, a sixth of
 * what a single-text /classify costs the main thread (bench/RESULTS.md).
 */
export function jsonBody(limit: number): RequestHandler {
  const general = express.json({ limit, strict: true });
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    const length = declared === undefined ? NaN : Number(declared);
    const encoding = req.headers['content-encoding'];
    const type = req.headers['content-type'];
    if (!(length <= limit) || (encoding !== undefined && encoding.toLowerCase() !== 'identity') || type === undefined || !isPlainJson(type)) {
      // A request without any body (no Content-Length, not chunked) gets {} too, as an empty one does.
      return general(req, res, (err?: unknown) => {
        if (err === undefined && req.body === undefined) req.body = {};
        next(err);
      });
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      next(err);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.once('error', () => settle(bodyError(400, 'request.aborted', 'request aborted')));
    req.once('end', () => {
      if (received !== length) return settle(bodyError(400, 'request.size.invalid', 'request size did not match content length'));
      // An empty body is {} (as body-parser has it): the schema then names what is missing.
      if (received === 0) {
        req.body = {};
        return settle();
      }
      let text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const at = firstNonSpace(text);
      const first = at < 0 ? undefined : text[at];
      if (first !== '{' && first !== '[') return settle(bodyError(400, 'entity.parse.failed', `Unexpected token at position ${Math.max(at, 0)}`));
      try {
        req.body = JSON.parse(text) as unknown;
      } catch (err) {
        return settle(bodyError(400, 'entity.parse.failed', (err as Error).message));
      }
      settle();
    });
  };
}
