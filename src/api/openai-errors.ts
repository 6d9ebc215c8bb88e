import type { Problem } from './types';

/**
 * A problem of an OpenAI-compatible endpoint (/v1/...), with OpenAI's `error` member beside the
 * problem+json fields: OpenAI's clients take their error message, code and param from it, and
 * without it say only "422 status code (no body)".
 */
export function withOpenAIError(problem: Problem): Problem {
  const field = problem.errors?.[0]?.field;
  return {
    ...problem,
    error: {
      message: problem.detail,
      type: problem.status >= 500 ? 'server_error' : 'invalid_request_error',
      param: field?.startsWith('body.') ? field.slice('body.'.length).replace(/\[\d+\]$/, '') : null,
      code: problem.type.slice(problem.type.lastIndexOf('/') + 1),
    },
  };
}
