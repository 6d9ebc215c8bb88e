import type { Meter } from '@opentelemetry/api';
import { MethodCollector } from './method-collector';
import { methodFor, outcomeOf } from './method-names';

/**
 * What the HTTP layer reports per request: the method_names counts and the in-flight gauge, both
 * plain numbers read by observable instruments at collection time (nothing to hash per request).
 */
export class RequestMetrics {
  readonly methods: MethodCollector;
  private inFlight = 0;

  constructor(meter: Meter) {
    this.methods = new MethodCollector(meter);
    meter
      .createObservableUpDownCounter('moderator.http.requests.in_flight', { description: 'HTTP requests being handled', unit: '{request}' })
      .addCallback((r) => r.observe(this.inFlight));
  }

  started(): void {
    this.inFlight++;
  }

  /** Called once per request when the response finished or the connection closed. */
  finished(httpMethod: string, path: string, status: number): void {
    this.inFlight--;
    const method = methodFor(httpMethod, path);
    if (method) this.methods.record(method, outcomeOf(status));
  }
}
