import type { Response } from 'express';
import type { Problem } from './types';

const TYPE_BASE = 'https://content-moderator.dev/problems/';

/** An error that maps to one problem+json response. Throw it from anywhere in a request. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Partial<Problem> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  /** `instance`: the request path, when it is known (a request refused by the HTTP parser has none). */
  toProblem(instance: string | undefined, requestId?: string): Problem {
    return { type: TYPE_BASE + this.slug, title: this.title, status: this.status, detail: this.detail, instance, ...this.extra, request_id: requestId };
  }
}

export function sendProblem(res: Response, problem: Problem, headers: Record<string, string> = {}): void {
  res.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem));
}
