import type { ServerResponse } from 'node:http';
import type { AppConfig } from './config/schema';
import type { Admission } from './edge/admission';
import type { ModelRegistry } from './moderation/registry';
import type { ModerationService } from './moderation/service';
import type { RequestMetrics } from './telemetry/request-metrics';

/** Readiness as the probes and the shutdown sequence see it. */
export class Lifecycle {
  private shuttingDown = false;
  /** Responses being written: at shutdown they ask their client to close the connection. */
  private readonly open = new Set<ServerResponse>();
  /** @param unavailable why the model cannot run now, or undefined when it can */
  constructor(private readonly unavailable: () => string | undefined) {}

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

  /**
   * Undefined when ready (for /readyz), else why not. Shutting down makes the service not ready, but
   * requests that reached it before it stopped listening are still answered.
   */
  notReadyReason(): string | undefined {
    if (this.shuttingDown) return 'shutting down';
    return this.unavailable();
  }

  get stopping(): boolean {
    return this.shuttingDown;
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
  /** The default model's service (requests that name no model). */
  service: ModerationService;
  /** Every model served, by name. */
  models: ModelRegistry;
  lifecycle: Lifecycle;
  requests: RequestMetrics;
  admission: Admission;
}
