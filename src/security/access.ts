import type { Request, RequestHandler } from 'express';
import { HttpProblem } from '../api/http-problem';
import type { EndpointAccess } from '../config/schema';
import type { AuthFailureReason, ClientMetrics } from '../telemetry/client-metrics';
import { addressClient, keyClient } from './client';
import type { ApiKey } from './key-file';
import type { KeyStore } from './key-store';

/** What a path is, for access control: probes are always open; the auxiliary endpoints as configured; the rest is API. */
export type Area = 'probe' | 'metrics' | 'docs' | 'openapi' | 'api';
export type Endpoints = Record<Exclude<Area, 'probe' | 'api'>, EndpointAccess>;

const PROBES = new Set(['/healthz', '/readyz']);

/**
 * Exact paths only: any other spelling (`/METRICS`, `/healthz/`) is API, so it needs a key when keys
 * are on. Access is denied by default, and routes added later are protected without a list to keep.
 */
export function areaOf(path: string, metricsPath: string): Area {
  if (PROBES.has(path)) return 'probe';
  if (path === metricsPath) return 'metrics';
  if (path === '/openapi.json') return 'openapi';
  if (path === '/docs' || path.startsWith('/docs/')) return 'docs';
  return 'api';
}

export const REALM = 'content-moderator';

const DETAILS: Record<AuthFailureReason | 'conflict', string> = {
  missing: "This endpoint needs an API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
  invalid: 'The API key is not valid (unknown, revoked or mistyped).',
  conflict: 'Authorization and X-API-Key carry different keys; send one.',
};

function unauthorized(reason: AuthFailureReason | 'conflict'): HttpProblem {
  // RFC 6750: a request without credentials gets the bare challenge; a bad key gets error="invalid_token".
  const challenge = reason === 'missing' ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="invalid_token"`;
  return new HttpProblem(401, 'unauthorized', 'Unauthorized', DETAILS[reason], {}, { 'WWW-Authenticate': challenge });
}

const BEARER = /^Bearer +(\S+) *$/i;

/** The key a request presents, `undefined` when none, or `null` when its two headers disagree. */
export function presentedKey(req: Pick<Request, 'headers'>): string | undefined | null {
  const authorization = req.headers.authorization;
  const bearer = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  const header = req.headers['x-api-key'];
  const apiKey = typeof header === 'string' && header !== '' ? header : undefined;
  if (bearer !== undefined && apiKey !== undefined && bearer !== apiKey) return null;
  return bearer ?? apiKey;
}

export interface AccessOptions {
  /** The accepted keys; undefined when API keys are off. */
  keys?: KeyStore;
  endpoints: Endpoints;
  metricsPath: string;
  metrics: ClientMetrics;
  /** The client's address, as `clients.trust_proxy_hops` says to read it. */
  address: (req: Request) => string | undefined;
}

/**
 * Access control ahead of every route. API requests get `req.caller` (the key's identity, or the
 * address when keys are off); with keys on, an API request without a valid key, or an auxiliary
 * endpoint configured `key`, gets 401 problem+json with a `WWW-Authenticate` challenge.
 */
export function accessControl(options: AccessOptions): RequestHandler {
  const { keys, endpoints, metricsPath, metrics } = options;
  /** The key the request holds, or the 401 to answer. */
  const authenticate = (req: Request, keys: KeyStore): ApiKey | HttpProblem => {
    const presented = presentedKey(req);
    if (presented === null) {
      metrics.authFailed('invalid');
      return unauthorized('conflict');
    }
    if (presented === undefined) {
      metrics.authFailed('missing');
      return unauthorized('missing');
    }
    const key = keys.verify(presented);
    if (key) return key;
    metrics.authFailed('invalid');
    return unauthorized('invalid');
  };
  return (req, _res, next) => {
    const area = areaOf(req.path, metricsPath);
    if (area === 'probe') return next();
    if (area !== 'api') {
      // A key-protected endpoint only checks the key: no caller, so no rate limit and no per-key count.
      const checked = keys && endpoints[area] === 'key' ? authenticate(req, keys) : undefined;
      return next(checked instanceof HttpProblem ? checked : undefined);
    }
    if (keys) {
      const checked = authenticate(req, keys);
      if (checked instanceof HttpProblem) return next(checked);
      req.caller = keyClient(checked);
    } else {
      req.caller = addressClient(options.address(req));
    }
    metrics.admitted(req.caller.keyId);
    next();
  };
}
