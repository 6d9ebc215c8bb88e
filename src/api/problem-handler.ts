import type { ErrorRequestHandler } from 'express';
import { ValidateError } from '@tsoa/runtime';
import { ModerationError } from '../moderation/errors';
import { moderationProblem } from './moderation-problems';
import { HttpProblem, sendProblem } from './http-problem';
import { withOpenAIError } from './openai-errors';
import { MAX_LISTED_ERRORS, boundedErrors } from './bounded-errors';

/** Errors body-parser raises carry a `type` string; map them to our problems. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
  /** For request.timeout: the idle timeout that passed. */
  seconds?: number;
  length?: number;
  code?: string;
}

function limitName(limitKey: string): string {
  return `classifier.limits.${limitKey}`;
}

function jsonPosition(message: string): string {
  const match = /position (\d+)/.exec(message);
  return match ? ` (at position ${match[1]})` : '';
}

function fromBodyParser(err: BodyParserError): HttpProblem | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      // JSON.parse messages quote the body; the body may hold personal data, so keep only the position.
      // Also for valid JSON whose top level is not an object or array (`null`, `"x"`): strict parsing.
      return new HttpProblem(400, 'malformed-json', 'Malformed JSON', `The request body is not a valid JSON object or array${jsonPosition(err.message)}.`);
    case 'entity.too.large': {
      // Without a Content-Length (chunked, or compressed and inflating past the limit) the size is unknown.
      const size = err.length === undefined ? 'over the limit' : `${err.length} bytes`;
      return new HttpProblem(
        413,
        'body-too-large',
        'Request body too large',
        `The request body is ${size}; the limit (${limitName('max_body_bytes')}) is ${err.limit} bytes.`,
        { limit: { name: limitName('max_body_bytes'), value: err.limit ?? 0, actual: err.length } },
      );
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', err.message);
    case 'request.aborted':
      return new HttpProblem(400, 'request-aborted', 'Request aborted', 'The client closed the request before the body arrived.');
    case 'request.size.invalid':
      return new HttpProblem(400, 'body-length-mismatch', 'Request body length mismatch', 'The request body ended before or after its Content-Length.');
    case 'encoding.invalid':
      return new HttpProblem(400, 'undecodable-body', 'Undecodable request body', 'The request body does not decode as its Content-Encoding says.');
    case 'request.timeout': {
      const seconds = err.seconds ?? 0;
      return new HttpProblem(408, 'request-timeout', 'Request timeout', `No part of the request body arrived for ${seconds} s (server.body_idle_timeout_seconds).`, {
        limit: { name: 'server.body_idle_timeout_seconds', value: seconds },
      });
    }
    default:
      return undefined;
  }
}

/** tsoa names fields `body.texts`, `requestBody.texts` or `texts.$1`; say `body.texts[1]` for all. */
function bodyPath(field: string): string {
  const path = field.replace(/^(requestBody|body)\.?/, '').replace(/\.\$(\d+)/g, '[$1]');
  return path ? `body.${path}` : 'body';
}

function fromValidation(err: ValidateError): HttpProblem {
  const fields = Object.keys(err.fields);
  const errors = fields.slice(0, MAX_LISTED_ERRORS).map((field) => ({ field: bodyPath(field), message: err.fields[field]!.message }));
  if (errors.length === 0) return new HttpProblem(422, 'validation-error', 'Invalid request', 'The request does not match the schema.', { errors });
  return new HttpProblem(422, 'validation-error', 'Invalid request', ...boundedErrors(errors, fields.length));
}

type Logger = { error: (obj: object, msg: string) => void };

/** The problem for an error thrown while handling a request, or undefined when it is unexpected. */
function problemOf(err: unknown, logger: () => Logger): HttpProblem | undefined {
  if (err instanceof HttpProblem) return err;
  if (err instanceof ModerationError) {
    const { problem, log } = moderationProblem(err);
    if (log) logger().error({ reason: err.reason }, log);
    return problem;
  }
  if (err instanceof ValidateError) return fromValidation(err);
  if (err instanceof Error) return fromBodyParser(err as BodyParserError);
  return undefined;
}

/** The last error handler: everything becomes problem+json; unexpected errors are logged, never echoed. */
export function problemHandler(getLogger: (req: Parameters<ErrorRequestHandler>[1]) => Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    // The answer has begun (a request timeout answered by the HTTP layer, then the body reader gave up):
    // nothing more can be said on this response, and express's fallback would print the error to stderr.
    if (res.headersSent) return;
    let problem = problemOf(err, () => getLogger(req));
    if (!problem) {
      getLogger(req).error({ err }, 'unhandled error');
      problem = new HttpProblem(500, 'internal-error', 'Internal server error', 'The server failed to handle the request; it has been logged.');
    }
    const path = req.originalUrl.split('?')[0] ?? '/';
    const body = problem.toProblem(path, req.id?.toString());
    sendProblem(res, path.startsWith('/v1/') ? withOpenAIError(body) : body, problem.headers);
  };
}
