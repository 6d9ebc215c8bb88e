import { performance } from 'node:perf_hooks';

/**
 * How late the event loop runs, in milliseconds, as a request sees it now.
 *
 * A timer ticks every `intervalMs`; each tick records how late it fired. While the loop is busy
 * (a burst of connections parsed in one long poll phase, a slow handler) no tick can fire, so the
 * lag building up since the last tick counts too: a request handled late in a burst sees it at once,
 * rather than after the burst, when a sampled histogram (monitorEventLoopDelay) would show it.
 */
export class EventLoopLag {
  private lastTick = performance.now();
  private lastLag = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly intervalMs = 20) {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lastLag = Math.max(0, now - this.lastTick - intervalMs);
      this.lastTick = now;
    }, intervalMs);
    this.timer.unref();
  }

  /** The larger of the last tick's lateness and the lateness building up since it. */
  current(): number {
    return Math.max(this.lastLag, performance.now() - this.lastTick - this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
