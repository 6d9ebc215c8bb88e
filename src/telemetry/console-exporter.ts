import type { ExportResult } from '@opentelemetry/core';
import {
  ConsoleMetricExporter,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
  type AggregationTemporality,
} from '@opentelemetry/sdk-metrics';

/**
 * ConsoleMetricExporter restricted to the metrics an operator reads on stdout (by default the
 * method_names counters): printing every histogram every few seconds would bury the logs.
 */
export class FilteredConsoleExporter implements PushMetricExporter {
  private readonly inner = new ConsoleMetricExporter();

  constructor(private readonly include: (metricName: string) => boolean) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const scopeMetrics = metrics.scopeMetrics
      .map((scope) => ({ ...scope, metrics: scope.metrics.filter((m) => this.include(m.descriptor.name)) }))
      .filter((scope) => scope.metrics.length > 0);
    this.inner.export({ ...metrics, scopeMetrics }, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality(instrumentType);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
