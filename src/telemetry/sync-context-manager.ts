import { EventEmitter } from 'node:events';
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

/**
 * An OpenTelemetry context manager without asynchronous propagation: the context given to `with`
 * is active for the synchronous extent of the call, a bound function runs in its context, and a
 * bound event emitter emits every event in its context.
 *
 * Why not the default (AsyncLocalStorage): it turns on async hooks, which tax every promise and
 * callback of every request, and it wraps every listener added to a bound request or response.
 * That was most of the telemetry cost per request (docs/decisions/0008). The service records metrics
 * only (spans are never sampled) and needs no context of its own (request durations are recorded
 * by telemetry/request-metrics.ts); this manager keeps NodeSDK from installing the default one.
 */
export class SyncContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  bind<T>(ctx: Context, target: T): T {
    if (target instanceof EventEmitter) {
      this.bindEmitter(ctx, target);
      return target;
    }
    if (typeof target === 'function') {
      const fn = target as (...args: unknown[]) => unknown;
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const manager = this;
      return function bound(this: unknown, ...args: unknown[]) {
        return manager.with(ctx, fn, this, ...args);
      } as T;
    }
    return target;
  }

  /** One wrapper per emitter (on its `emit`), not one per listener. */
  private bindEmitter(ctx: Context, emitter: EventEmitter): void {
    const emit = emitter.emit;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    emitter.emit = function boundEmit(this: EventEmitter, ...args: Parameters<EventEmitter['emit']>) {
      return manager.with(ctx, emit, this, ...args);
    };
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}
