import type { Problem } from './types';

export interface FieldError {
  field: string;
  message: string;
}

/** Errors listed in a 422 answer; the rest are counted (`errors_omitted`). */
export const MAX_LISTED_ERRORS = 20;
/** Errors named in its `detail`. */
const MAX_DETAILED_ERRORS = 3;
/** A field path or message longer than this is cut: both can carry what a client sent (a key name). */
const MAX_TEXT = 200;

function cut(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/**
 * The `detail` and members of a 422 answer for `total` field errors of which `first` are at hand
 * (at least the first MAX_LISTED_ERRORS), bounded: the first
 * MAX_LISTED_ERRORS in `errors`, each field and message cut to MAX_TEXT characters, the first few
 * in `detail`, and how many were left out. The answer's size then does not follow the request's.
 */
export function boundedErrors(first: readonly FieldError[], total = first.length): [detail: string, extra: Partial<Problem>] {
  const errors = first.slice(0, MAX_LISTED_ERRORS).map((e) => ({ field: cut(e.field), message: cut(e.message) }));
  const shown = errors.slice(0, MAX_DETAILED_ERRORS).map((e) => `${e.field}: ${e.message}`);
  const more = total - shown.length;
  const detail = `${shown.join('; ')}${more > 0 ? ` (and ${more} more error${more === 1 ? '' : 's'})` : ''}`;
  const omitted = total - errors.length;
  return [detail, omitted > 0 ? { errors, errors_omitted: omitted } : { errors }];
}
