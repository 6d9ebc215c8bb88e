import type { RequestHandler } from 'express';
import { HttpProblem } from '../api/http-problem';

export interface GuardLimits {
  maxHeaders: number;
  maxBodyBytes: number;
}

/** The connection is closed after these answers: what is left of the request is not worth reading. */
const CLOSE = { Connection: 'close' };

/**
 * Refusals that need only the request head, before any route or body reading:
 * - HTTP/1.1 without Host (RFC 9112 requires a 400);
 * - more header fields than `server.max_headers` (431; node would keep the first 2000 and drop the
 *   rest silently, Content-Length included, and the body would then read as empty);
 * - a declared Content-Length over `classifier.limits.max_body_bytes` (413 at once, on any path,
 *   instead of after reading the body).
 */
export function requestGuard(limits: GuardLimits): RequestHandler {
  return (req, _res, next) => {
    // Node stops collecting header fields a little past its maxHeadersCount, so the true count is unknown.
    if (req.rawHeaders.length / 2 > limits.maxHeaders) {
      return next(
        new HttpProblem(431, 'too-many-headers', 'Too many header fields', `The request has more than ${limits.maxHeaders} header fields (server.max_headers).`, {
          limit: { name: 'server.max_headers', value: limits.maxHeaders },
        }, CLOSE),
      );
    }
    if (req.headers.host === undefined && req.httpVersion === '1.1') {
      return next(new HttpProblem(400, 'missing-host', 'Missing Host header', 'An HTTP/1.1 request must carry a Host header.', {}, CLOSE));
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      const length = Number(declared);
      if (length > limits.maxBodyBytes) {
        const name = 'classifier.limits.max_body_bytes';
        return next(
          new HttpProblem(413, 'body-too-large', 'Request body too large', `The request body is ${length} bytes; the limit (${name}) is ${limits.maxBodyBytes} bytes.`, {
            limit: { name, value: limits.maxBodyBytes, actual: length },
          }, CLOSE),
        );
      }
    }
    next();
  };
}
