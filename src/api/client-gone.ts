import type { ServerResponse } from 'node:http';
import type { CancelSignal } from '../moderation/batcher';

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
