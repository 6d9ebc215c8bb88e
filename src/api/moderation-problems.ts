import { ModerationError, type ModerationErrorKind } from '../moderation/errors';
import { CLIENT_CLOSED_REQUEST } from './client-gone';
import { HttpProblem } from './http-problem';

const RETRY_SOON = { 'Retry-After': '1' };

interface ProblemShape {
  status: number;
  slug: string;
  title: string;
  detail: (err: ModerationError) => string;
  headers?: Record<string, string>;
  /** Logged at error level with the request id (the answer itself says little). */
  log?: string;
}

const sentence = (message: string): string => `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;

/** Every kind of moderation failure, as the HTTP API answers it: the one table of the mapping. */
export const MODERATION_PROBLEMS: Record<ModerationErrorKind, ProblemShape> = {
  not_ready: { status: 503, slug: 'not-ready', title: 'Service not ready', detail: (e) => sentence(e.message), headers: RETRY_SOON },
  shutting_down: { status: 503, slug: 'shutting-down', title: 'Service shutting down', detail: (e) => `${sentence(e.message)} Retry on another instance.`, headers: RETRY_SOON },
  overloaded: { status: 503, slug: 'overloaded', title: 'Service overloaded', detail: (e) => `${e.message}; retry later.`, headers: RETRY_SOON },
  // Nobody reads it: the client left (the logs and metrics record 499 when the response closes).
  cancelled: {
    status: CLIENT_CLOSED_REQUEST,
    slug: 'client-closed-request',
    title: 'Client closed request',
    detail: () => 'The client disconnected before the result was ready.',
  },
  model_failed: {
    status: 503,
    slug: 'inference-failed',
    title: 'Model run failed',
    detail: (e) => `The model run failed (${e.reason}); retry.`,
    headers: RETRY_SOON,
    log: 'model run failed',
  },
};

/** The problem+json answer for a moderation failure, and what to log about it (if anything). */
export function moderationProblem(err: ModerationError): { problem: HttpProblem; log?: string } {
  const shape = MODERATION_PROBLEMS[err.kind];
  return { problem: new HttpProblem(shape.status, shape.slug, shape.title, shape.detail(err), {}, shape.headers ?? {}), log: shape.log };
}
