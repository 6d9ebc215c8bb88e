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
  return spec;
}
