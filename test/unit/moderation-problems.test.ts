import { MODERATION_PROBLEMS, moderationProblem } from '../../src/api/moderation-problems';
import { ModerationError, type ModerationErrorKind } from '../../src/moderation/errors';

describe('moderation errors as problem+json', () => {
  const cases: Array<[ModerationErrorKind, string, number, string, string]> = [
    ['not_ready', 'the service is not ready: no inference worker is alive', 503, 'not-ready', 'The service is not ready: no inference worker is alive.'],
    ['shutting_down', 'the service is shutting down', 503, 'shutting-down', 'The service is shutting down. Retry on another instance.'],
    ['overloaded', 'the inference queue is full (4 of 4 texts waiting; this request adds 1)', 503, 'overloaded', 'the inference queue is full (4 of 4 texts waiting; this request adds 1); retry later.'],
    ['cancelled', 'the request was cancelled', 499, 'client-closed-request', 'The client disconnected before the result was ready.'],
    ['model_failed', 'the model run failed (timeout)', 503, 'inference-failed', 'The model run failed (timeout); retry.'],
  ];

  it('has one answer for every kind', () => {
    expect(Object.keys(MODERATION_PROBLEMS).sort()).toEqual(cases.map((c) => c[0]).sort());
  });

  it.each(cases)('%s -> its status, type and detail', (kind, message, status, slug, detail) => {
    const reason = kind === 'model_failed' ? 'timeout' : kind;
    const { problem, log } = moderationProblem(new ModerationError(kind, message, reason));
    const body = problem.toProblem('/classify', 'req-1');
    expect(body).toMatchObject({ status, detail, type: `https://content-moderator.dev/problems/${slug}`, instance: '/classify', request_id: 'req-1' });
    // Every answer a client can act on by retrying says when; a client that left gets nothing to act on.
    expect(problem.headers['Retry-After']).toBe(status === 503 ? '1' : undefined);
    // Only a failed model run is worth an error line of its own; the others are the client's or the load's.
    expect(log !== undefined).toBe(kind === 'model_failed');
  });
});
