import type { ServerResponse } from 'node:http';
import type { AppConfig } from './config/schema';
import type { ModerationService } from './moderation/service';
import type { RequestMetrics } from './telemetry/request-metrics';

/** Readiness as the probes and the shutdown sequence see it. */
export class Lifecycle {
  private shuttingDown = false;
  /** Responses being written: at shutdown they ask their client to close the connection. */
  private readonly open = new Set<ServerResponse>();
  constructor(private readonly workersAlive: () => number) {}

  /**
   * A response starts (and `responseDone` when it closes). Once shutdown has begun, every answer
   * says `Connection: close`, so a keep-alive client does not send the next request on a
   * connection the server is about to close.
   */
  responseStarted(res: ServerResponse): void {
    if (this.shuttingDown) res.setHeader('Connection', 'close');
    else this.open.add(res);
  }

  responseDone(res: ServerResponse): void {
    this.open.delete(res);
  }

  /** Undefined when ready (for /readyz), else why not. */
  notReadyReason(): string | undefined {
    if (this.shuttingDown) return 'shutting down';
    return this.unavailableReason();
  }

  /**
   * Undefined when classify requests can be served, else why not. Shutting down is not a reason:
   * requests that reached the server before it stopped listening are still answered.
   */
  unavailableReason(): string | undefined {
    return this.workersAlive() === 0 ? 'no inference worker is alive' : undefined;
  }

  get ready(): boolean {
    return this.notReadyReason() === undefined;
  }

  beginShutdown(): void {
    this.shuttingDown = true;
    for (const res of this.open) if (!res.headersSent) res.setHeader('Connection', 'close');
    this.open.clear();
  }
}

/** Everything a request handler needs; built once by the server (or a test) and given to the app. */
export interface AppContext {
  config: AppConfig;
  service: ModerationService;
  lifecycle: Lifecycle;
  requests: RequestMetrics;
}
