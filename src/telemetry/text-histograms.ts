import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type HistogramMetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';

export interface HistogramSpec {
  /** Instrument-style name, as a synchronous histogram would have it (e.g. `moderator.queue.wait_seconds`). */
  name: string;
  description: string;
  unit: string;
  /** Explicit bucket upper bounds, ascending. */
  boundaries: readonly number[];
}

/**
 * One cumulative histogram series in plain numbers: recording is a bucket search and four
 * additions, with no attributes to hash (the series' attributes are fixed when it is made).
 */
export class PreAggregatedHistogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  private min = Infinity;
  private max = -Infinity;

  constructor(
    readonly spec: HistogramSpec,
    readonly attributes: Attributes,
  ) {
    this.counts = new Array<number>(spec.boundaries.length + 1).fill(0);
  }

  record(value: number): void {
    const bounds = this.spec.boundaries;
    // Buckets are (previous bound, bound], as OpenTelemetry's explicit-bucket aggregation has them.
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  point(startTime: HrTime, endTime: HrTime): HistogramMetricData['dataPoints'][number] {
    return {
      attributes: this.attributes,
      startTime,
      endTime,
      value: {
        buckets: { boundaries: [...this.spec.boundaries], counts: [...this.counts] },
        sum: this.sum,
        count: this.count,
        ...(this.count > 0 ? { min: this.min, max: this.max } : {}),
      },
    };
  }
}

/**
 * Histograms recorded once per text (overall score, queue wait) or per request (HTTP duration),
 * pre-aggregated here and handed to every metric reader by this MetricProducer at collection. Why:
 * a synchronous Histogram.record hashes its attributes on every call, which for a 64-text request
 * was about a quarter of the main thread's time (docs/decisions/0009). On /metrics they look exactly
 * like SDK histograms: same names, units, buckets and labels; series of one spec form one metric.
 */
export class TextHistograms implements MetricProducer {
  private readonly histograms: PreAggregatedHistogram[] = [];
  private readonly startTime = hrTime();

  constructor(private readonly scope: { name: string; version?: string }) {}

  /** A new series; it is reported from the next collection on. */
  create(spec: HistogramSpec, attributes: Attributes): PreAggregatedHistogram {
    const histogram = new PreAggregatedHistogram(spec, attributes);
    this.histograms.push(histogram);
    return histogram;
  }

  private metrics(endTime: HrTime): HistogramMetricData[] {
    const bySpec = new Map<HistogramSpec, HistogramMetricData>();
    for (const h of this.histograms) {
      let metric = bySpec.get(h.spec);
      if (!metric) {
        const { name, description, unit } = h.spec;
        metric = {
          descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: [],
        };
        bySpec.set(h.spec, metric);
      }
      metric.dataPoints.push(h.point(this.startTime, endTime));
    }
    return [...bySpec.values()];
  }

  collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    return Promise.resolve({
      // The reader keeps the SDK's resource; this one is ignored.
      resourceMetrics: {
        resource: emptyResource(),
        scopeMetrics: [{ scope: this.scope, metrics: this.metrics(endTime) }],
      },
      errors: [],
    });
  }
}
