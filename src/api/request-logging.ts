import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Express } from 'express';
import type { Logger } from '../logging';
import { onResponseClosed, statusAtClose } from './client-gone';

declare module 'http' {
  interface IncomingMessage {
    /** The request id (X-Request-Id), set by `useRequestLogging`. */
    id?: string;
    /** A logger bound to this request's id and path, from `useRequestLogging` (created on first use). */
    log?: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

const REQUEST_LOG = Symbol('request log');

/**
 * Request ids and one log line per request ("request completed" or, when the client went away first,
 * "request aborted"), at info, warn for 4xx, error for 5xx. A sane incoming X-Request-Id is kept, else
 * a new UUID; it is echoed in the response. `req.log` is a logger bound to the request, built only when
 * something asks for it (errors), by a getter on the app's request prototype: defining it on each
 * request object would slow every later property access on it.
 *
 * Hand-written rather than pino-http, which builds two child loggers and serialises the request for
 * every request: with its synchronous writes that measured as about a quarter of the main thread's
 * time per single-text request.
 */
export function useRequestLogging(app: Express, logger: Logger, quietPaths: ReadonlySet<string>): void {
  Object.defineProperty(app.request, 'log', {
    get(this: Express['request'] & { [REQUEST_LOG]?: Logger }): Logger {
      return (this[REQUEST_LOG] ??= logger.child({ req: { id: this.id, method: this.method, path: pathOf(this.url) } }));
    },
    configurable: true,
  });
  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const path = pathOf(req.url);
    // Probes and scrapes every few seconds would drown the log.
    if (quietPaths.has(path)) return next();
    const started = performance.now();
    onResponseClosed(res, () => {
      const status = statusAtClose(res);
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          // The API key's id (never the key), set by access control; absent for probes and before it.
          req: { id, method: req.method, path, content_length: req.headers['content-length'], key_id: req.caller?.keyId },
          res: { status },
          responseTime: Math.round((performance.now() - started) * 1000) / 1000,
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    });
    next();
  });
}
