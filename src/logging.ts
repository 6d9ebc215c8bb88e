import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

export type { Logger };

/** Structured JSON logs on stdout. Texts users send are never logged: ids, lengths, labels, timings only. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'content-moderator' } });
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Request logging with request ids (a sane incoming X-Request-Id is kept, else a new UUID). */
export function requestLogger(logger: Logger, quietPaths: ReadonlySet<string>): HttpLogger {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Probes and scrapes every few seconds would drown the log.
    autoLogging: { ignore: (req) => quietPaths.has((req.url ?? '').split('?')[0] ?? '') },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
        content_length: req.headers['content-length'],
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  });
}
