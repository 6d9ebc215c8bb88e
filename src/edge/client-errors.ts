import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AppConfig } from '../config/schema';
import { HttpProblem } from '../api/http-problem';
import type { Logger } from '../logging';
import type { EdgeMetrics } from '../telemetry/edge-metrics';
import type { Refusal } from './admission';
import { API_HEADERS } from './security-headers';

type Limits = Pick<AppConfig['server'], 'max_header_bytes' | 'headers_timeout_seconds' | 'request_timeout_seconds'>;

/** The last request handed to the app on each connection, by its response. */
const latest = new WeakMap<Socket, ServerResponse>();

/** Called by the HTTP server for every request it hands to the app. */
export function noteRequest(res: ServerResponse): void {
  latest.set(res.req.socket, res);
}

/** llhttp's reasons are fixed strings, never the client's bytes; bounded all the same. */
function reasonText(err: { reason?: unknown; message: string }): string {
  const reason = typeof err.reason === 'string' ? err.reason : err.message.replace(/^Parse Error: /, '');
  return reason.slice(0, 120).replace(/\.$/, '');
}


/** The answer to a request node's parser refused, or that did not arrive in time. `inBody`: its headers had arrived. */
export function clientErrorProblem(err: NodeJS.ErrnoException & { reason?: unknown }, inBody: boolean, limits: Limits): Refusal {
  const code = err.code ?? '';
  if (code === 'HPE_HEADER_OVERFLOW') {
    const value = limits.max_header_bytes;
    return {
      reason: 'header_fields_too_large',
      problem: new HttpProblem(431, 'header-fields-too-large', 'Request header fields too large', `The request line and headers exceed ${value} bytes (server.max_header_bytes).`, {
        limit: { name: 'server.max_header_bytes', value },
      }),
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const [key, what] = inBody ? (['request_timeout_seconds', 'The request did not arrive in full'] as const) : (['headers_timeout_seconds', "The request's headers did not arrive"] as const);
    const value = limits[key];
    return {
      reason: 'request_timeout',
      problem: new HttpProblem(408, 'request-timeout', 'Request timeout', `${what} within ${value} s (server.${key}).`, { limit: { name: `server.${key}`, value } }),
    };
  }
  // Content-Length and Transfer-Encoding disagreeing, repeated or malformed: the shapes request smuggling uses.
  if (/CONTENT_LENGTH|TRANSFER_ENCODING|CHUNK/.test(code)) {
    return { reason: 'bad_request', problem: new HttpProblem(400, 'invalid-framing', 'Invalid message framing', `The request's framing is invalid: ${reasonText(err)}.`) };
  }
  return { reason: 'bad_request', problem: new HttpProblem(400, 'malformed-request', 'Malformed request', `The request is not valid HTTP/1.1: ${reasonText(err)}.`) };
}

/** A whole HTTP/1.1 answer written on the socket, for a request the app never saw. */
function rawAnswer(problem: HttpProblem, requestId: string): string {
  const body = JSON.stringify(problem.toProblem(undefined, requestId));
  const head = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    ...API_HEADERS.map(([name, value]) => `${name}: ${value}`),
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

/** How long a refused connection may linger after its answer, for the client to read it. */
const LINGER_MS = 1000;

/**
 * Answers what node's HTTP parser refuses (bad framing, header overflow, header or request timeout) with
 * problem+json instead of node's bare 400/408/431, in the order the connection owes its answers:
 * - the failure is in the body of a request the app already has (bad chunk, request timeout): its own
 *   response answers, with its request id, logged and counted like any other, unless it has begun;
 * - else (the request line or headers): a raw answer with a new request id (the request's own id,
 *   method and path were never parsed), written after the answers still owed to earlier requests.
 * Either way the connection is then closed. A client that went away (ECONNRESET) gets nothing.
 */
export function answerClientErrors(server: Server, deps: { logger: Logger; metrics: Pick<EdgeMetrics, 'rejected'>; limits: Limits }): void {
  const handled = new WeakSet<Socket>();
  server.on('clientError', (err: NodeJS.ErrnoException & { reason?: unknown }, socket: Socket) => {
    // The parser repeats its error for every later chunk on the connection.
    if (handled.has(socket)) return;
    handled.add(socket);
    const code = err.code ?? '';
    if (!code.startsWith('HPE_') && code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.destroy();
      return;
    }
    const res = latest.get(socket);
    const inBody = res !== undefined && !res.req.complete;
    const { problem, reason } = clientErrorProblem(err, inBody, deps.limits);
    deps.metrics.rejected(reason);
    if (inBody) {
      if (res.headersSent) {
        socket.destroy();
        return;
      }
      const id = res.req.id ?? randomUUID();
      const body = JSON.stringify(problem.toProblem(res.req.url?.split('?')[0], id));
      res.statusCode = problem.status;
      res.setHeader('Connection', 'close');
      res.setHeader('Content-Type', 'application/problem+json');
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(body);
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
      return;
    }
    const id = randomUUID();
    deps.logger.warn({ req: { id }, res: { status: problem.status }, code }, 'request rejected');
    const answer = () => {
      if (socket.writable) socket.end(rawAnswer(problem, id));
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    };
    // A pipelining client is owed the answers to its earlier requests first.
    if (res !== undefined && !res.writableFinished && !res.destroyed) res.once('close', answer);
    else answer();
  });
}
