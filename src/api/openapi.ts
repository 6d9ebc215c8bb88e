import type { AppConfig } from '../config/schema';
// The tsoa-generated spec (npm run generate); imported, not read from disk, so tsc copies it
// next to the compiled code.
import generated from '../generated/openapi.json';

type Json = Record<string, unknown>;

/**
 * The spec as served: the generated one with this deployment's limits written into the request
 * schema (they come from app_conf.yml, so they cannot be in the generated file).
 */
export function servedSpec(config: AppConfig, version: string): Json {
  const spec = structuredClone(generated) as Json & {
    info: Json;
    components: { schemas: Record<string, Json & { properties: Record<string, Json> }> };
  };
  const limits = config.classifier.limits;
  spec.info.version = version;
  const request = spec.components.schemas.ClassifyRequest;
  if (request) {
    const text = request.properties.text;
    const texts = request.properties.texts as Json & { items: Json };
    if (text) text.maxLength = limits.max_text_chars;
    if (texts) {
      texts.minItems = 1;
      texts.maxItems = limits.max_texts;
      texts.items = { ...texts.items, maxLength: limits.max_text_chars };
    }
    request.description =
      `${String(request.description ?? '')}\n\nLimits on this server: at most ${limits.max_texts} texts per request, ` +
      `${limits.max_text_chars} characters per text, ${limits.max_body_bytes} bytes per body; ` +
      'over a limit the answer is 413 problem+json naming it.';
  }
  describeAccess(spec, config);
  return spec;
}

const PROBE_PATHS = new Set(['/healthz', '/readyz']);

function problemResponse(description: string): Json {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
}

/**
 * API keys and rate limits as this server has them: with keys on, the spec declares both ways to
 * send one (Swagger UI then offers "Authorize") and every API operation may answer 401; with rate
 * limits on, 429. Probes stay open, as they are.
 */
function describeAccess(spec: Json & { components: Json }, config: AppConfig): void {
  const keys = config.auth.enabled;
  const limits = config.rate_limits.enabled;
  if (keys) {
    spec.components.securitySchemes = {
      ...(spec.components.securitySchemes as Json | undefined),
      bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`.' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key in `X-API-Key`.' },
    };
  }
  for (const [path, operations] of Object.entries(spec.paths as Record<string, Record<string, Json & { responses: Json }>>)) {
    if (PROBE_PATHS.has(path)) continue;
    for (const operation of Object.values(operations)) {
      if (keys) {
        operation.security = [{ bearer: [] }, { apiKey: [] }];
        operation.responses['401'] = problemResponse('No API key, or one that is not valid (see WWW-Authenticate)');
      }
      if (limits) operation.responses['429'] = problemResponse("Over the client's rate limit (see Retry-After, RateLimit and RateLimit-Policy)");
    }
  }
}
