import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { CancelSignal } from '../moderation/batcher';

/** Callbacks of the responses open on a connection, run if it closes first (one 'close' listener per socket). */
const openOnSocket = new WeakMap<Socket, Set<() => void>>();

/**
 * Calls `done` once, when the response closes, or when its connection closes first. A response
 * queued behind another on a pipelining connection gets no 'close' of its own when the client
 * leaves; without this its request would stay in flight in the metrics and never be logged.
 */
export function onResponseClosed(res: ServerResponse, done: () => void): void {
  const socket = res.req.socket as Socket | null;
  let pending: Set<() => void> | undefined;
  let called = false;
  const finish = () => {
    if (called) return;
    called = true;
    pending?.delete(finish);
    done();
  };
  res.once('close', finish);
  if (!socket) return;
  pending = openOnSocket.get(socket);
  if (!pending) {
    const set = new Set<() => void>();
    openOnSocket.set(socket, set);
    socket.once('close', () => {
      for (const callback of [...set]) callback();
    });
    pending = set;
  }
  pending.add(finish);
}

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
  onResponseClosed(res, () => {
    if (res.writableFinished) return;
    signal.aborted = true;
    for (const listener of listeners.splice(0)) listener();
  });
  return signal;
}
