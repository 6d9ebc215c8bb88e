import type { AppConfig } from '../config/schema';
import { OPENAI_CATEGORIES } from '../moderation/categories';
import type { ServedModel } from '../moderation/runtime';
// The tsoa-generated spec (npm run generate); imported, not read from disk, so tsc copies it
// next to the compiled code.
import generated from '../generated/openapi.json';

type Json = Record<string, unknown>;

/** What each model judges of OpenAI's categories, as a paragraph of the spec. */
function categoriesOnThisServer(models: readonly ServedModel[]): string {
  return models
    .map((model) => {
      const names = model.labels.map((l) => l.name);
      const judged = OPENAI_CATEGORIES.filter((c) => model.categories[c]?.length).map((c) => `${c} (${model.categories[c]!.map((i) => names[i]).join(', ')})`);
      const not = OPENAI_CATEGORIES.filter((c) => !model.categories[c]?.length);
      return `Model \`${model.name}\` judges ${judged.join(', ') || 'no category'}; it cannot judge ${not.join(', ') || 'none'} (always false, score 0).`;
    })
    .join(' ');
}

/**
 * The spec as served: the generated one with this deployment's limits, model names and category
 * mappings written into the schemas (they come from app_conf.yml, so they cannot be in the generated file).
 */
export function servedSpec(config: AppConfig, version: string, models: readonly ServedModel[] = []): Json {
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
  if (models.length > 0) {
    const names = models.map((m) => m.name);
    for (const schema of ['ClassifyRequest', 'ModerationRequest']) {
      const model = spec.components.schemas[schema]?.properties.model;
      if (model) {
        model.enum = names;
        model.description = `${String(model.description ?? '')}\n\nModels on this server: ${names.join(', ')} (default ${names[0]}).`;
      }
    }
    const categories = spec.components.schemas.ModerationCategories;
    if (categories) categories.description = `${String(categories.description ?? '')}\n\nOn this server: ${categoriesOnThisServer(models)}`;
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
