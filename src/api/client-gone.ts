import type { ServerResponse } from 'node:http';
import type { CancelSignal } from '../moderation/batcher';

/** nginx's "client closed request": what the logs and metrics say of a response the client left before it was sent. */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * The status to record once a response has closed: its own, or 499 when the client went away first.
 * At 'close' the handler may still be waiting (for the model), with the default 200 still set.
 */
export function statusAtClose(res: ServerResponse): number {
  return res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST;
}

/**
 * A signal that aborts when the response closes before it was sent: the client went away, so its
 * texts still queued need not cost a model run. Lighter than an AbortController, whose EventTarget
 * machinery showed in the per-request profile.
 */
export function whenClientGone(res: ServerResponse): CancelSignal {
  const listeners: Array<() => void> = [];
  const signal = {
    aborted: false,
    addEventListener(_type: 'abort', listener: () => void): void {
      listeners.push(listener);
    },
  };
  res.once('close', () => {
    if (res.writableFinished) return;
    signal.aborted = true;
    for (const listener of listeners.splice(0)) listener();
  });
  return signal;
}
