import { performance } from 'node:perf_hooks';

/**
 * How long the event loop has been busy in its current turn, in milliseconds, beyond a timer's
 * interval: the wait of the requests it is still to read in this turn.
 *
 * A timer ticks every `intervalMs`. While the loop works through a backlog (a burst of connections
 * parsed in one long poll phase, a slow handler) no tick can fire, so the time since the last tick
 * grows, and a request handled late in the burst sees it at once; a sampled histogram
 * (monitorEventLoopDelay) would show it only after the burst. How late the tick itself fired is left
 * out on purpose: on a busy machine the process is often descheduled for hundreds of milliseconds,
 * the tick then fires late, and refusing the request that follows would save nothing (with one
 * connection the bench's single-text runs got 503s that way).
 */
export class EventLoopLag {
  private lastTick = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly intervalMs = 20) {
    this.timer = setInterval(() => {
      this.lastTick = performance.now();
    }, intervalMs);
    this.timer.unref();
  }

  current(): number {
    return Math.max(0, performance.now() - this.lastTick - this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
