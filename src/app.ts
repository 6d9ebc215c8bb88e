import express, { type Express, type Request, type RequestHandler } from 'express';
import { constants as zlibConstants } from 'node:zlib';
import compression from 'compression';
import swaggerUi from 'swagger-ui-express';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { AppContext } from './context';
import { RegisterRoutes } from './generated/routes';
import { HttpProblem } from './api/http-problem';
import { problemHandler } from './api/problem-handler';
import { routeMethods, unmatched } from './api/unmatched';
import { isPlainJson, jsonBody } from './api/json-body';
import { onResponseClosed, statusAtClose } from './api/client-gone';
import { servedSpec } from './api/openapi';
import type { Logger } from './logging';
import { useRequestLogging } from './api/request-logging';
import type { AppConfig } from './config/schema';
import { accessControl } from './security/access';
import { rateLimits } from './security/rate-limits';
import type { Security } from './security/security';
import { checkClassifyShape, checkModerationShape } from './api/classify-input';
import { requestGuard } from './edge/request-guard';
import { securityHeaders } from './edge/security-headers';

const DOCS_PATH = '/docs';
/** Object members an API body may hold: it has two or three fields; far more only costs JSON.parse time (src/api/json-body.ts). */
const MAX_BODY_MEMBERS = 64;

export interface AppOptions {
  logger: Logger;
  /** Serve the Prometheus exposition from this app (when it is not on a port of its own). */
  prometheus?: PrometheusExporter;
  /** Version reported in the spec. */
  version: string;
  /** API keys, rate limits and per-client metrics (src/security/). */
  security: Security;
}

/**
 * The matched route template (e.g. `/classify`), or undefined when no route matched (404, 405). A
 * request refused before routing (timeouts, limits, load shedding) counts under the route its method
 * and path name, so a dashboard filtered to /classify sees its refusals too.
 */
function routeOf(req: Request, routes: () => Map<string, string[]>): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return req.baseUrl + path;
  return routes().get(req.path)?.includes(req.method) ? req.path : undefined;
}

/**
 * Counts every request for the method_names collector, the in-flight gauge and the duration
 * histogram (http.server.request.duration, labelled with the matched route), once, at its end.
 * The scrape of `metricsPath` is not user traffic and is not counted at all: an idle instance
 * shows 0 requests in flight, not the scrape that reads the gauge.
 */
function observeRequests(ctx: AppContext, metricsPath: string, app: Express): RequestHandler {
  let known: Map<string, string[]> | undefined;
  const routes = () => (known ??= routeMethods(app));
  return (req, res, next) => {
    if (req.path === metricsPath) return next();
    const started = performance.now();
    ctx.requests.started();
    ctx.lifecycle.responseStarted(res);
    // Once per response, after 'finish' or when the client went away first.
    onResponseClosed(res, () => {
      ctx.lifecycle.responseDone(res);
      ctx.requests.finished({
        method: req.method,
        path: req.path,
        route: routeOf(req, routes),
        status: statusAtClose(res),
        httpVersion: req.httpVersion,
        seconds: (performance.now() - started) / 1000,
      });
    });
    next();
  };
}

/** 415 for a body that is not JSON (express.json would otherwise skip it and the schema error would mislead). */
const requireJson: RequestHandler = (req, _res, next) => {
  const type = req.headers['content-type'];
  // The usual header needs no parsing; anything else goes through type-is.
  if (!(type !== undefined && isPlainJson(type)) && req.is('application/json') === false) {
    return next(new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `Content-Type must be application/json, got ${type ?? '(none)'}.`));
  }
  next();
};

/**
 * gzip or br for clients that accept them, above `compression.min_bytes` (the library's filter
 * decides by Content-Type; every answer here is JSON, problem+json, Prometheus text or Swagger UI's assets).
 */
function compress(config: AppConfig['compression']): RequestHandler | undefined {
  if (!config.enabled) return undefined;
  return compression({
    threshold: config.min_bytes,
    level: config.gzip_level,
    brotli: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: config.brotli_quality } },
  });
}

/** The express app: what the server listens with and what the API tests drive with supertest. */
export function createApp(ctx: AppContext, options: AppOptions): Express {
  const { config } = ctx;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // One spelling per path: /CLASSIFY and /classify/ are 404s (with a hint), not aliases.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.locals.ctx = ctx;

  const metricsPath = config.metrics.prometheus.path;
  const { limits } = config.classifier;
  const quietPaths = new Set(['/healthz', '/readyz', metricsPath]);
  app.use(securityHeaders(DOCS_PATH));
  useRequestLogging(app, options.logger, quietPaths);
  app.use(observeRequests(ctx, metricsPath, app));
  const compressor = compress(config.compression);
  if (compressor) app.use(compressor);
  app.use(requestGuard({ maxHeaders: config.server.max_headers, maxBodyBytes: limits.max_body_bytes }));

  // Who is asking (API key or address), then their request rate, then the service's own load; probes pass untouched.
  const { security } = options;
  const hops = config.clients.trust_proxy_hops;
  if (hops > 0) app.set('trust proxy', hops);
  app.use(
    accessControl({
      keys: security.keys,
      endpoints: config.auth.endpoints,
      metricsPath,
      metrics: security.metrics,
      address: hops > 0 ? (req) => req.ip : (req) => req.socket.remoteAddress,
    }),
  );
  const rates = rateLimits({ limiter: security.limiter, metrics: security.metrics });
  app.use(rates.chargeRequest);
  app.use(ctx.admission.middleware(quietPaths));

  // The API first: every layer ahead of a route is a path match that each request pays for.
  // Only for POST: another method gets 405 from `unmatched`, whatever its body.
  const parseJson = jsonBody({ maxBytes: limits.max_body_bytes, idleTimeoutMs: config.server.body_idle_timeout_seconds * 1000, maxMembers: MAX_BODY_MEMBERS });
  const chargeTexts = rates.chargeTexts(limits.max_texts);
  app.post('/classify', requireJson, parseJson, checkClassifyShape(limits), chargeTexts);
  app.post('/v1/moderations', requireJson, parseJson, checkModerationShape(limits), chargeTexts);
  RegisterRoutes(app);

  const served = config.auth.endpoints;
  if (options.prometheus && served.metrics !== 'off') {
    const exporter = options.prometheus;
    app.get(metricsPath, (req, res) => exporter.getMetricsRequestHandler(req, res));
  }

  const spec = servedSpec(config, options.version, ctx.models.all.map((m) => m.info));
  if (served.openapi !== 'off') {
    app.get('/openapi.json', (_req, res) => {
      res.json(spec);
    });
  }
  if (served.docs !== 'off') {
    app.use(
      DOCS_PATH,
      swaggerUi.serve,
      // validatorUrl null: Swagger UI would otherwise send the spec to an online validator from the browser.
      swaggerUi.setup(spec, { customSiteTitle: 'content-moderator API', swaggerOptions: { validatorUrl: null } }),
    );
  }

  app.use(unmatched(app));
  app.use(problemHandler((req) => req.log ?? options.logger));
  return app;
}
