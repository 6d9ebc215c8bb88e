import type { Meter, UpDownCounter } from '@opentelemetry/api';
import { MethodCollector } from './method-collector';
import { methodFor, outcomeOf } from './method-names';

/** What the HTTP layer reports per request: the method_names counts and the in-flight gauge. */
export class RequestMetrics {
  readonly methods: MethodCollector;
  private readonly inFlight: UpDownCounter;

  constructor(meter: Meter) {
    this.methods = new MethodCollector(meter);
    this.inFlight = meter.createUpDownCounter('moderator.http.requests.in_flight', {
      description: 'HTTP requests being handled',
      unit: '{request}',
    });
  }

  started(): void {
    this.inFlight.add(1);
  }

  /** Called once per request when the response finished or the connection closed. */
  finished(httpMethod: string, path: string, status: number): void {
    this.inFlight.add(-1);
    const method = methodFor(httpMethod, path);
    if (method) this.methods.record(method, outcomeOf(status));
  }
}
