import { OPENAI_CATEGORIES, type OpenAICategory } from '../moderation/categories';
import type { ServedModel } from '../moderation/runtime';
import type { Classification } from '../moderation/service';
import { HttpProblem } from './http-problem';
import type { ModerationRequest, ModerationResult } from './types';

function invalid(field: string, message: string): HttpProblem {
  return new HttpProblem(422, 'validation-error', 'Invalid request', `${field}: ${message}`, { errors: [{ field, message }] });
}

/**
 * The texts of an OpenAI moderation request: a string is one text, an array of strings one text
 * each; OpenAI's multi-modal form (parts) is one input, so its text parts are joined into one text.
 */
export function moderationTexts(input: ModerationRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  if (input.length === 0) throw invalid('body.input', 'must hold at least one text');
  if (input.every((item): item is string => typeof item === 'string')) return input;
  const parts: string[] = [];
  input.forEach((item, i) => {
    if (typeof item === 'string') throw invalid(`body.input[${i}]`, 'give either texts or input parts, not both');
    if (item.type !== 'text') throw invalid(`body.input[${i}]`, `'${item.type}' inputs are not supported: this service reads text only`);
    parts.push(item.text);
  });
  return [parts.join('\n')];
}

type CategoryRecord<T> = Record<OpenAICategory, T>;

/**
 * One classification as OpenAI's moderation result: each category scores the highest of the labels
 * feeding it and is flagged when one of them reached its threshold; a category no label feeds is
 * false with score 0 and no applied input type. `flagged` is true when any category is.
 */
export function toModerationResult(result: Classification, model: ServedModel): ModerationResult {
  const names = model.labels.map((l) => l.name);
  const categories = {} as CategoryRecord<boolean>;
  const scores = {} as CategoryRecord<number>;
  const applied = {} as CategoryRecord<Array<'text'>>;
  let flagged = false;
  for (const category of OPENAI_CATEGORIES) {
    const feeding = (model.categories[category] ?? []).map((i) => names[i]!);
    categories[category] = feeding.some((label) => result.labels.includes(label));
    scores[category] = feeding.reduce((max, label) => Math.max(max, result.scores[label] ?? 0), 0);
    applied[category] = feeding.length > 0 ? ['text'] : [];
    flagged ||= categories[category];
  }
  return { flagged, categories, category_scores: scores, category_applied_input_types: applied };
}
