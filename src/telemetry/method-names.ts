/**
 * The statically defined `method_names` map: every API method the collector counts, the metric
 * that reports it, and how an HTTP request is recognised as a call of it. Each entry becomes one
 * OpenTelemetry observable counter (see method-collector.ts), read at every collection.
 *
 * The metric name is in OpenTelemetry form; the Prometheus exporter turns dots into underscores
 * and appends `_total`, so `moderator.api.classify.calls` is `moderator_api_classify_calls_total`.
 */
export const method_names = {
  classify: {
    route: { method: 'POST', path: '/classify' },
    metric: 'moderator.api.classify.calls',
    description: 'Calls of POST /classify, by outcome',
  },
  moderations: {
    route: { method: 'POST', path: '/v1/moderations' },
    metric: 'moderator.api.moderations.calls',
    description: 'Calls of POST /v1/moderations (OpenAI-compatible), by outcome',
  },
  models: {
    route: { method: 'GET', path: '/v1/models' },
    metric: 'moderator.api.models.calls',
    description: 'Calls of GET /v1/models, by outcome',
  },
  healthz: {
    route: { method: 'GET', path: '/healthz' },
    metric: 'moderator.api.healthz.calls',
    description: 'Calls of GET /healthz (liveness), by outcome',
  },
  readyz: {
    route: { method: 'GET', path: '/readyz' },
    metric: 'moderator.api.readyz.calls',
    description: 'Calls of GET /readyz (readiness), by outcome',
  },
  openapi: {
    route: { method: 'GET', path: '/openapi.json' },
    metric: 'moderator.api.openapi.calls',
    description: 'Calls of GET /openapi.json (the OpenAPI spec), by outcome',
  },
} as const;

export type MethodName = keyof typeof method_names;
export const METHOD_NAMES = Object.keys(method_names) as MethodName[];

export const OUTCOMES = ['success', 'client_error', 'server_error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function outcomeOf(status: number): Outcome {
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'success';
}

const byRoute = new Map<string, MethodName>(
  METHOD_NAMES.map((name) => [`${method_names[name].route.method} ${method_names[name].route.path}`, name]),
);

/** The API method an HTTP request calls, or undefined for paths outside the map. */
export function methodFor(httpMethod: string, path: string): MethodName | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return byRoute.get(`${httpMethod} ${trimmed}`);
}
