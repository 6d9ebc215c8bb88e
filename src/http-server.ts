import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { Express } from 'express';
import { noteRequest } from './edge/client-errors';

/** Limits node's HTTP server enforces itself (the rest are the app's: src/edge/). */
export interface HttpServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderBytes: number;
  maxHeaders: number;
}

/**
 * The HTTP server for the express app, with requests and responses created with the app's
 * prototypes already in place.
 *
 * Express gives each req and res its own prototypes with `Object.setPrototypeOf` when dispatching.
 * In V8 that costs far more than the call: the objects get slow property access, allocation per
 * request doubles, and much of it survives young-generation GCs. On a bare express hello-world
 * at 1000 req/s it measured as ~100 µs of main-thread CPU per request, a quarter of the
 * allocations promoted, and 4-5 ms scavenge pauses; with the prototypes set at construction,
 * express finds them already equal, V8 returns early, and the pauses drop to under 1 ms.
 * One server per app: a second call would leave the first server's objects on the slow path
 * (still correct).
 */
export function createHttpServer(app: Express, limits?: HttpServerLimits): Server {
  // Subclasses whose prototype objects sit between the app's prototypes and their instances.
  // They become the app's prototypes, so anything express (or this app) puts on them still applies.
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse<AppRequest> {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as unknown as Express['request'];
  app.response = AppResponse.prototype as unknown as Express['response'];
  const handle = (req: AppRequest, res: AppResponse) => {
    noteRequest(res);
    app(req, res);
  };
  if (!limits) return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, handle);
  const server = createServer(
    {
      IncomingMessage: AppRequest,
      ServerResponse: AppResponse,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks both timeouts every 30 s by default, which would let a 10 s limit run to 40 s.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 4)),
      maxHeaderSize: limits.maxHeaderBytes,
      // A missing Host is refused by the app, as problem+json (node's own refusal is a bare 400).
      requireHostHeader: false,
    },
    handle,
  );
  // Header fields past this are left out of req.headers; the app refuses such requests (431) by counting rawHeaders.
  server.maxHeadersCount = limits.maxHeaders + 1;
  return server;
}
