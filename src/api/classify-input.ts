import type { RequestHandler } from 'express';
import type { AppConfig } from '../config/schema';
import { HttpProblem } from './http-problem';
import { MAX_LISTED_ERRORS, boundedErrors, type FieldError } from './bounded-errors';
import { normalizedLength } from './text-expansion';
import type { ClassifyRequest } from './types';

function invalid(errors: FieldError[], total = errors.length): HttpProblem {
  return new HttpProblem(422, 'validation-error', 'Invalid request', ...boundedErrors(errors, total));
}

/** The texts of a request that passed schema validation: exactly one of `text` / `texts`. */
export function textsOf(body: ClassifyRequest): string[] {
  const hasText = body.text !== undefined;
  const hasTexts = body.texts !== undefined;
  if (hasText && hasTexts) throw invalid([{ field: 'body', message: "give either 'text' or 'texts', not both" }]);
  if (hasText) return [body.text!];
  if (!hasTexts) throw invalid([{ field: 'body', message: "one of 'text' (a string) or 'texts' (an array of strings) is required" }]);
  if (body.texts!.length === 0) throw invalid([{ field: 'body.texts', message: 'must hold at least one text' }]);
  return body.texts!;
}

type Limits = AppConfig['classifier']['limits'];

function tooLarge(slug: string, title: string, detail: string, name: keyof Limits, value: number, actual: number): HttpProblem {
  return new HttpProblem(413, slug, title, detail, { limit: { name: `classifier.limits.${name}`, value, actual } });
}

function tooManyTexts(count: number, limits: Limits): HttpProblem {
  const detail = `The request holds ${count} texts; the limit (classifier.limits.max_texts) is ${limits.max_texts}.`;
  return tooLarge('too-many-texts', 'Too many texts', detail, 'max_texts', limits.max_texts, count);
}

/** Batch size, text length and normalised length limits (body size is enforced by the JSON parser). */
export function checkLimits(texts: readonly string[], limits: Limits): void {
  if (texts.length > limits.max_texts) throw tooManyTexts(texts.length, limits);
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
  // After the length checks: the estimate reads every character, and a text within max_text_chars bounds it.
  const maxNormalized = limits.max_normalized_chars;
  for (let i = 0; i < texts.length; i++) {
    const normalized = normalizedLength(texts[i]!);
    if (normalized > maxNormalized) {
      throw tooLarge(
        'text-expands-too-much',
        'Text expands too much',
        `Text ${i} grows to ${normalized} characters under Unicode NFKC normalisation; the limit (classifier.limits.max_normalized_chars) is ${maxNormalized}.`,
        'max_normalized_chars',
        maxNormalized,
        normalized,
      );
    }
  }
}

interface BodyShape {
  /** The members the body may hold. */
  fields: ReadonlySet<string>;
  /** The member that may hold a list of texts. */
  list: string;
  /** What the body takes, for the messages. */
  takes: string;
}

/**
 * The checks on an API body that cost nothing per element, before the schema validator walks its
 * elements: an object (not an array or scalar), no unknown member (each listed once, up to a bound),
 * and at most max_texts texts. Without them a 1 MB `{"texts":[1,1,...]}` had each of its 524k elements
 * validated and reported (a 55 MB answer, seconds of blocked event loop).
 */
function checkShape(limits: Limits, shape: BodyShape): RequestHandler {
  return (req, _res, next) => {
    const body = req.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return next(invalid([{ field: 'body', message: `must be a JSON object with ${shape.takes}` }]));
    }
    const unknown: FieldError[] = [];
    let unknownCount = 0;
    for (const key in body) {
      if (shape.fields.has(key)) continue;
      if (++unknownCount <= MAX_LISTED_ERRORS) unknown.push({ field: `body.${key}`, message: `unknown property (the body takes ${shape.takes})` });
    }
    if (unknownCount > 0) return next(invalid(unknown, unknownCount));
    const texts = (body as Record<string, unknown>)[shape.list];
    if (Array.isArray(texts) && texts.length > limits.max_texts) return next(tooManyTexts(texts.length, limits));
    next();
  };
}

/** POST /classify: `text` or `texts`, and optionally `model`. */
export const checkClassifyShape = (limits: Limits): RequestHandler =>
  checkShape(limits, { fields: new Set(['text', 'texts', 'model']), list: 'texts', takes: "'text' or 'texts' (and optionally 'model')" });

/** POST /v1/moderations: `input` (a text, texts or text parts), and optionally `model`. */
export const checkModerationShape = (limits: Limits): RequestHandler =>
  checkShape(limits, { fields: new Set(['input', 'model']), list: 'input', takes: "'input' (and optionally 'model')" });
