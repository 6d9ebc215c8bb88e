import { DataPointType, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { SCORE_BUCKETS } from '../../src/telemetry/buckets';
import { TextHistograms } from '../../src/telemetry/text-histograms';

/** A reader that only collects on demand. */
class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const ATTRS = { model_name: 'm', model_version: '1' };
// Boundary values on purpose: a bucket is (previous bound, bound].
const VALUES = [0, 0.05, 0.0500001, 0.1, 0.37, 0.95, 0.999, 1, 1.5, 0.25, 0.25];

describe('TextHistograms', () => {
  it('reports exactly what an SDK histogram with the same buckets reports, through the same reader', async () => {
    const perText = new TextHistograms({ name: 'test' });
    const reader = new TestReader({ metricProducers: [perText] });
    const provider = new MeterProvider({ readers: [reader] });
    const sdk = provider.getMeter('test').createHistogram('sdk.score', { unit: '1', advice: { explicitBucketBoundaries: SCORE_BUCKETS } });
    const ours = perText.create({ name: 'our.score', description: 'd', unit: '1', boundaries: SCORE_BUCKETS }, ATTRS);
    for (const v of VALUES) {
      sdk.record(v, ATTRS);
      ours.record(v);
    }
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const byName = (name: string) => all.find((m) => m.descriptor.name === name) as HistogramMetricData;
    const [a, b] = [byName('sdk.score'), byName('our.score')];
    expect(b.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(b.aggregationTemporality).toBe(a.aggregationTemporality);
    expect(b.dataPoints[0]!.attributes).toEqual(a.dataPoints[0]!.attributes);
    expect(b.dataPoints[0]!.value).toEqual(a.dataPoints[0]!.value);
    await provider.shutdown();
  });

  it('reports the series of one spec as one metric, with a data point per series (as the SDK does)', async () => {
    const perText = new TextHistograms({ name: 'test' });
    const reader = new TestReader({ metricProducers: [perText] });
    const provider = new MeterProvider({ readers: [reader] });
    const sdk = provider.getMeter('test').createHistogram('sdk.score', { unit: '1', advice: { explicitBucketBoundaries: SCORE_BUCKETS } });
    const spec = { name: 'our.score', description: 'd', unit: '1', boundaries: SCORE_BUCKETS };
    const series = [{ route: '/a', status: 200 }, { route: '/b', status: 404 }];
    const ours = series.map((attrs) => perText.create(spec, attrs));
    VALUES.forEach((v, i) => {
      sdk.record(v, series[i % 2]);
      ours[i % 2]!.record(v);
    });
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    expect(all.filter((m) => m.descriptor.name === 'our.score')).toHaveLength(1);
    const a = all.find((m) => m.descriptor.name === 'sdk.score') as HistogramMetricData;
    const b = all.find((m) => m.descriptor.name === 'our.score') as HistogramMetricData;
    expect(b.dataPoints).toHaveLength(2);
    for (const attrs of series) {
      const pa = a.dataPoints.find((p) => p.attributes.route === attrs.route)!;
      const pb = b.dataPoints.find((p) => p.attributes.route === attrs.route)!;
      expect(pb.attributes).toEqual(pa.attributes);
      expect(pb.value).toEqual(pa.value);
    }
    await provider.shutdown();
  });

  it('is cumulative: a later collection includes the earlier values', async () => {
    const perText = new TextHistograms({ name: 'test' });
    const h = perText.create({ name: 'wait', description: 'd', unit: 's', boundaries: [0.001, 0.01] }, ATTRS);
    h.record(0.0005);
    await perText.collect();
    h.record(0.005);
    h.record(0.5);
    const { resourceMetrics } = await perText.collect();
    const point = (resourceMetrics.scopeMetrics[0]!.metrics[0] as HistogramMetricData).dataPoints[0]!;
    expect(point.value).toMatchObject({ count: 3, buckets: { boundaries: [0.001, 0.01], counts: [1, 1, 1] }, min: 0.0005, max: 0.5 });
    expect(point.value.sum).toBeCloseTo(0.5055, 10);
  });
});
