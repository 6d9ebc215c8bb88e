import { metrics, type Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import type { AppConfig } from '../config/schema';
import { ConsoleJsonExporter, type ConsoleMetric } from './console-exporter';
import { GC_DURATION_BUCKETS } from './buckets';
import { method_names, METHOD_NAMES } from './method-names';
import { registerProcessMetrics } from './process-metrics';
import { SyncContextManager } from './sync-context-manager';
import { TextHistograms } from './text-histograms';

const SERVICE_NAME = 'content-moderator';
const METER_NAME = 'content-moderator';
/**
 * Instrumentations enabled from auto-instrumentations-node (OTEL_NODE_ENABLED_INSTRUMENTATIONS form).
 * Not `http`: request-metrics.ts records http.server.request.duration itself, for a fraction of
 * what the instrumentation cost per request (docs/decisions/0006).
 */
const ENABLED_INSTRUMENTATIONS = ['runtime-node'];
/**
 * The runtime instrumentation samples event-loop delay with a timer of this period, and its
 * nodejs_eventloop_delay_* values include the period: an idle loop reads about this much.
 */
export const EVENT_LOOP_SAMPLE_MS = 10;

export interface Telemetry {
  readonly meter: Meter;
  /** Per-text histograms, pre-aggregated and read by every reporter (see text-histograms.ts). */
  readonly textHistograms: TextHistograms;
  /** Present when the `prometheus` reporter is on; serves the exposition. */
  readonly prometheus?: PrometheusExporter;
  /** Pushes pending console output and stops every reader. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** Service version for the resource (target_info). */
  version: string;
  /**
   * Sample the Node runtime through NodeSDK (the runtime instrumentation). The server does so,
   * in-process tests pass false.
   */
  instrument: boolean;
  /** Where the console reporter's records go (the server logs each as one JSON line on stdout). */
  writeConsoleMetrics: (metrics: ConsoleMetric[]) => void;
}

const METHOD_METRICS = new Set<string>(METHOD_NAMES.map((m) => method_names[m].metric));

/** Views that give SDK and instrumentation metrics Prometheus-style names and second-based buckets. */
function views(): ViewOptions[] {
  return [
    {
      instrumentName: 'v8js.gc.duration',
      name: 'v8js.gc.duration_seconds',
      aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: GC_DURATION_BUCKETS } },
    },
  ];
}

/** True when /metrics is served by the express app (no port of its own, or the app's port). */
export function metricsOnAppPort(config: AppConfig): boolean {
  const own = config.metrics.prometheus.port;
  return own === null || own === config.server.port;
}

function readers(app: AppConfig, textHistograms: TextHistograms, writeConsole: (metrics: ConsoleMetric[]) => void): { readers: IMetricReader[]; prometheus?: PrometheusExporter } {
  const config = app.metrics;
  const readers: IMetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  for (const reporter of new Set(config.reporters)) {
    if (reporter === 'console') {
      const include = config.console_metrics === 'all' ? () => true : (name: string) => METHOD_METRICS.has(name);
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: new ConsoleJsonExporter(include, writeConsole),
          metricProducers: [textHistograms],
          exportIntervalMillis: config.interval_seconds * 1000,
          // Collection reads plain counters, so it is quick; the timeout must stay below the interval.
          exportTimeoutMillis: Math.min(config.interval_seconds * 1000, 30_000),
        }),
      );
    } else {
      prometheus = new PrometheusExporter({
        endpoint: config.prometheus.path,
        // On the app port the express app serves it; a separate port gets the exporter's own server.
        preventServerStart: metricsOnAppPort(app),
        port: config.prometheus.port ?? undefined,
        withoutScopeInfo: true,
        metricProducers: [textHistograms],
      });
      readers.push(prometheus);
    }
  }
  return { readers, prometheus };
}

/**
 * Starts OpenTelemetry metrics: one MeterProvider with the reporters from config. With
 * `instrument`, NodeSDK also registers the runtime instrumentation
 * (and nothing else: no traces, no logs, no OTLP, no resource detectors that call out).
 */
export function startTelemetry(config: AppConfig, options: TelemetryOptions): Telemetry {
  const textHistograms = new TextHistograms({ name: METER_NAME, version: options.version });
  const { readers: metricReaders, prometheus } = readers(config, textHistograms, options.writeConsoleMetrics);
  const resource = resourceFromAttributes({ 'service.name': SERVICE_NAME, 'service.version': options.version });
  const telemetry = (meter: Meter, shutdown: () => Promise<void>): Telemetry => {
    registerProcessMetrics(meter);
    return { meter, textHistograms, prometheus, shutdown };
  };

  // No reporter = telemetry off: no SDK, no instrumentation patches (what `npm run bench` compares against).
  if (!options.instrument || metricReaders.length === 0) {
    const provider = new MeterProvider({ resource, readers: metricReaders, views: views() });
    return telemetry(provider.getMeter(METER_NAME, options.version), () => provider.shutdown());
  }

  // Required lazily: in-process tests never pay for loading the SDK and instrumentations.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NodeSDK, tracing } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node') as typeof import('@opentelemetry/auto-instrumentations-node');
  // Only what the service needs: the full set makes start-up several times slower.
  process.env.OTEL_NODE_ENABLED_INSTRUMENTATIONS = ENABLED_INSTRUMENTATIONS.join(',');
  delete process.env.OTEL_NODE_DISABLED_INSTRUMENTATIONS;
  const instrumentations = getNodeAutoInstrumentations({
    '@opentelemetry/instrumentation-runtime-node': { enabled: config.metrics.runtime, monitoringPrecision: EVENT_LOOP_SAMPLE_MS },
  });
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    resourceDetectors: [],
    metricReaders,
    views: views(),
    spanProcessors: [],
    // Metrics only: no spans are recorded.
    sampler: new tracing.AlwaysOffSampler(),
    logRecordProcessors: [],
    textMapPropagator: null,
    // No async context propagation: nothing here needs it, and async hooks cost every request.
    contextManager: new SyncContextManager(),
    instrumentations,
  });
  sdk.start();
  return telemetry(metrics.getMeter(METER_NAME, options.version), () => sdk.shutdown());
}

