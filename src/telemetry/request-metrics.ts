import type { Attributes, Meter } from '@opentelemetry/api';
import { HTTP_DURATION_BUCKETS } from './buckets';
import { MethodCollector } from './method-collector';
import { methodFor, outcomeOf } from './method-names';
import type { PreAggregatedHistogram, HistogramSpec, TextHistograms } from './text-histograms';

/** http.server.request.duration as the OpenTelemetry semantic conventions define it, in seconds. */
const HTTP_DURATION: HistogramSpec = {
  name: 'http.server.request.duration_seconds',
  description: 'Duration of HTTP server requests.',
  unit: 's',
  boundaries: HTTP_DURATION_BUCKETS,
};

/** One finished request, as the HTTP layer saw it. */
export interface FinishedRequest {
  method: string;
  path: string;
  /** The matched route template; undefined when no route matched. */
  route: string | undefined;
  status: number;
  httpVersion: string;
  seconds: number;
}

/** The HTTP methods of the semantic conventions; any other becomes `_OTHER` in the label. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/**
 * What the HTTP layer reports per request: the method_names counts, the in-flight gauge and the
 * request duration histogram (semconv names and labels). All are plain numbers read at collection
 * time, nothing is hashed per request. The duration used to come from the OpenTelemetry http
 * instrumentation, which cost about two thirds of telemetry's CPU per single-text request
 * (docs/decisions/0006); recording it here costs a map lookup and a bucket search.
 */
export class RequestMetrics {
  readonly methods: MethodCollector;
  private inFlight = 0;
  private readonly durations = new Map<string, PreAggregatedHistogram>();

  constructor(
    meter: Meter,
    private readonly perRequest: TextHistograms,
  ) {
    this.methods = new MethodCollector(meter);
    meter
      .createObservableUpDownCounter('moderator.http.requests.in_flight', { description: 'HTTP requests being handled', unit: '{request}' })
      .addCallback((r) => r.observe(this.inFlight));
  }

  started(): void {
    this.inFlight++;
  }

  /** Called once per request when the response finished or the connection closed. */
  finished(r: FinishedRequest): void {
    this.inFlight--;
    const method = methodFor(r.method, r.path);
    if (method) this.methods.record(method, outcomeOf(r.status));
    // A client can send any method name: those outside the standard set share one label, as semconv says.
    this.duration(KNOWN_METHODS.has(r.method) ? r.method : '_OTHER', r.route, r.status, r.httpVersion).record(r.seconds);
  }

  private duration(method: string, route: string | undefined, status: number, httpVersion: string): PreAggregatedHistogram {
    const key = `${method} ${status} ${httpVersion} ${route ?? ''}`;
    let h = this.durations.get(key);
    if (!h) {
      const attributes: Attributes = {
        'http.request.method': method,
        'url.scheme': 'http',
        'network.protocol.version': httpVersion,
        ...(route === undefined ? {} : { 'http.route': route }),
        'http.response.status_code': status,
      };
      h = this.perRequest.create(HTTP_DURATION, attributes);
      this.durations.set(key, h);
    }
    return h;
  }
}
