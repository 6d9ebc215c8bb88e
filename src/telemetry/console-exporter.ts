import type { Attributes } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/** One data point as the console reporter prints it: a number, or a histogram's summary. */
export type ConsolePoint =
  | { attributes: Attributes; value: number }
  | { attributes: Attributes; count: number; sum: number | undefined; min: number | undefined; max: number | undefined };

/** One metric as the console reporter prints it. */
export interface ConsoleMetric {
  name: string;
  unit: string;
  type: 'counter' | 'updown_counter' | 'gauge' | 'histogram';
  points: ConsolePoint[];
}

function typeOf(m: MetricData): ConsoleMetric['type'] {
  if (m.dataPointType === DataPointType.SUM) return m.isMonotonic ? 'counter' : 'updown_counter';
  if (m.dataPointType === DataPointType.GAUGE) return 'gauge';
  return 'histogram';
}

function pointsOf(m: MetricData): ConsolePoint[] {
  if (m.dataPointType === DataPointType.SUM || m.dataPointType === DataPointType.GAUGE) {
    return m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }));
  }
  // Histograms as count / sum / min / max: stdout is for a glance, the buckets are on /metrics.
  return m.dataPoints.map((p) => ({ attributes: p.attributes, count: p.value.count, sum: p.value.sum, min: p.value.min, max: p.value.max }));
}

/**
 * The console reporter: at each export, the included metrics (by default the method_names
 * counters) as one record handed to `write`, which the server logs as one JSON line on stdout
 * among the request lines. (The SDK's ConsoleMetricExporter prints multi-line object dumps,
 * which break a JSON-lines log.)
 */
export class ConsoleJsonExporter implements PushMetricExporter {
  constructor(
    private readonly include: (metricName: string) => boolean,
    private readonly write: (metrics: ConsoleMetric[]) => void,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const out: ConsoleMetric[] = [];
    for (const scope of metrics.scopeMetrics) {
      for (const m of scope.metrics) {
        if (!this.include(m.descriptor.name)) continue;
        out.push({ name: m.descriptor.name, unit: m.descriptor.unit, type: typeOf(m), points: pointsOf(m) });
      }
    }
    if (out.length > 0) this.write(out);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Running totals, as the Prometheus reporter shows them. */
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
