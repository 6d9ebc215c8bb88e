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
  return spec;
}
