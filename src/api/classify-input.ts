import type { AppConfig } from '../config/schema';
import { HttpProblem } from './http-problem';
import type { ClassifyRequest } from './types';

function invalid(field: string, message: string): HttpProblem {
  return new HttpProblem(422, 'validation-error', 'Invalid request', `${field}: ${message}`, { errors: [{ field, message }] });
}

/** The texts of a request that passed schema validation: exactly one of `text` / `texts`. */
export function textsOf(body: ClassifyRequest): string[] {
  const hasText = body.text !== undefined;
  const hasTexts = body.texts !== undefined;
  if (hasText && hasTexts) throw invalid('body', "give either 'text' or 'texts', not both");
  if (hasText) return [body.text!];
  if (!hasTexts) throw invalid('body', "one of 'text' (a string) or 'texts' (an array of strings) is required");
  if (body.texts!.length === 0) throw invalid('body.texts', 'must hold at least one text');
  return body.texts!;
}

type Limits = AppConfig['classifier']['limits'];

function tooLarge(slug: string, title: string, detail: string, name: keyof Limits, value: number, actual: number): HttpProblem {
  return new HttpProblem(413, slug, title, detail, { limit: { name: `classifier.limits.${name}`, value, actual } });
}

/** Batch size and text length limits (body size is enforced by the JSON parser). */
export function checkLimits(texts: readonly string[], limits: Limits): void {
  if (texts.length > limits.max_texts) {
    throw tooLarge(
      'too-many-texts',
      'Too many texts',
      `The request holds ${texts.length} texts; the limit (classifier.limits.max_texts) is ${limits.max_texts}.`,
      'max_texts',
      limits.max_texts,
      texts.length,
    );
  }
  for (let i = 0; i < texts.length; i++) {
    const length = texts[i]!.length;
    if (length > limits.max_text_chars) {
      throw tooLarge(
        'text-too-long',
        'Text too long',
        `Text ${i} has ${length} characters; the limit (classifier.limits.max_text_chars) is ${limits.max_text_chars}.`,
        'max_text_chars',
        limits.max_text_chars,
        length,
      );
    }
  }
}
