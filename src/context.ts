import type { AppConfig } from './config/schema';
import type { ModerationService } from './moderation/service';
import type { RequestMetrics } from './telemetry/request-metrics';

/** Readiness as the probes and the shutdown sequence see it. */
export class Lifecycle {
  private shuttingDown = false;
  constructor(private readonly workersAlive: () => number) {}

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
  }
}

/** Everything a request handler needs; built once by the server (or a test) and given to the app. */
export interface AppContext {
  config: AppConfig;
  service: ModerationService;
  lifecycle: Lifecycle;
  requests: RequestMetrics;
}
