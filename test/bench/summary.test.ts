import { closed, floor, halfLoad } from '../../bench/plan';
import { renderMarkdown } from '../../bench/report/markdown';
import { margin, measured } from '../../bench/report/format';
import { median, Runs } from '../../bench/summary/stats';
import { summarise } from '../../bench/summary/summarise';
import type { Target } from '../../bench/summary/targets';
import { BATCH, CONNS, fixture, set } from './fixture';

const TOP = Math.max(...CONNS);
const byName = (targets: Target[], part: string): Target => {
  const found = targets.filter((t) => t.name.includes(part));
  if (found.length !== 1) throw new Error(`${found.length} targets named like '${part}'`);
  return found[0]!;
};
const bound = (t: Target, label: string) => t.bounds.find((b) => b.label === label)?.value;
/** Measurements as they come back from measurements.json (NaN becomes null, undefined disappears). */
const roundTrip = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('bench summary: medians and ratios', () => {
  it('takes the median of the finite values, NaN when there are none (JSON writes NaN as null)', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5, NaN, 1, undefined])).toBe(3);
    expect(median([null, NaN])).toBeNaN();
  });

  it('computes a target ratio inside each repetition, then its median and range', () => {
    const m = fixture();
    set(m, closed('hello', 'hello', TOP), (rep) => ({ rps: [100, 200, 400][rep] }));
    set(m, closed('off', 'single', TOP), (rep) => ({ rps: [90, 100, 380][rep] }));
    const t = byName(summarise(m).targets, 'single-text req/s ÷ hello-world req/s at 8 conns (telemetry off)');
    // Per repetition 0.9, 0.5, 0.95; the ratio of the medians would be 100 / 200 = 0.5.
    expect(t.measured.value).toBeCloseTo(0.9, 10);
    expect(t.measured.range).toEqual({ min: 0.5, max: 0.95 });
    expect(t.met).toBe(true);
    expect(measured(t)).toBe('0.90 (reps 0.50–0.95)');
  });

  it('compares batches at their best concurrency in each repetition with the model alone', () => {
    const m = fixture();
    // Telemetry off: 8 connections are best in repetitions 0 and 2, 1 connection in repetition 1.
    set(m, closed('off', 'batch', 1), (rep) => ({ tps: [700, 900, 600][rep] }));
    set(m, closed('off', 'batch', 8), (rep) => ({ tps: [800, 500, 1000][rep], cpuUsPerReq: 4000, mainUsPerReq: 1000 }));
    for (const x of m.inprocess) x.results[0]!.textsPerSec = 1000;
    const s = summarise(m);
    const t = byName(s.targets, `batch ${BATCH} (telemetry off)`);
    expect(t.measured.value).toBeCloseTo(0.9, 10); // 0.8, 0.9, 1.0
    expect(t.met).toBe(true);
    // Bounds per text: the model alone (100 + 300 µs per batch of 4), the worker (3000 / 4) and the main thread (1000 / 4).
    expect(bound(t, 'model alone in-process, per text')).toBe(100);
    expect(bound(t, "service's threads but the main one, per text")).toBe(750);
    expect(bound(t, 'its main thread, per text')).toBe(250);
    expect(s.cpu.find((row) => row.label.startsWith(`/classify ${BATCH} texts, telemetry off`))?.label).toBe(`/classify ${BATCH} texts, telemetry off, best (c8)`);
  });

  it('misses a ratio target below its goal and says by how much', () => {
    const m = fixture();
    set(m, closed('on', 'single', TOP), () => ({ rps: 500 }));
    const t = byName(summarise(m).targets, 'at 8 conns (telemetry on)');
    expect(t).toMatchObject({ met: false, measured: { value: 0.5 } });
    expect(margin(t)).toBe('17% short (needs ×1.20)');
  });
});

describe('bench summary: targets carry their floors', () => {
  it('puts the p99 floors measured at the same rate beside a half-load p99', () => {
    const m = fixture();
    set(m, halfLoad('off', 'batch', TOP), (rep) => ({ p99: [9, 12, 30][rep], offeredRps: 250 }));
    set(m, floor('hello', { server: 'off', body: 'batch' }, TOP), () => ({ p99: 2.5 }));
    const t = byName(summarise(m).targets, `p99 at half of max throughput, ${BATCH} texts/request, paced open loop (telemetry off)`);
    expect(t).toMatchObject({ met: false, atRps: 250, goal: { op: '≤', value: 10 } });
    expect(t.measured).toMatchObject({ value: 12, range: { min: 9, max: 30 } });
    expect(bound(t, `express echo of ${BATCH} texts p99`)).toBe(2.5);
    expect(bound(t, 'model alone p99')).toBe(3);
    // The model alone at 100 runs/s, 2000 µs each when paced: the worker is busy a fifth of the time.
    expect(bound(t, 'worker busy at its paced cost')).toBeCloseTo(0.2, 10);
    expect(margin(t)).toBe('2.0 ms over (×1.20)');
    expect(measured(t)).toBe('12.00 ms at 250 req/s (reps 9.00–30.00 ms)');
  });

  it("bounds a single-text p99 by both hello-worlds' p99 at that rate", () => {
    const m = fixture();
    set(m, floor('hello', { server: 'on', body: 'single' }, TOP), () => ({ p99: 14 }));
    set(m, floor('helloApp', { server: 'on', body: 'single' }, TOP), () => ({ p99: 2, cpuUsPerReq: 40 }));
    const t = byName(summarise(m).targets, 'p99 at half of max throughput, 1 text/request, paced open loop (telemetry on)');
    expect(t.met).toBe(true); // 5 ms
    expect(margin(t)).toBe('5.0 ms to spare');
    expect(t.bounds.map((b) => [b.label, b.value])).toEqual([
      ['hello-world p99', 14],
      ['hello-world on src/http-server.ts p99', 2],
      ['service CPU/request', 100],
      ["that hello-world's CPU/request", 40],
    ]);
  });

  it("gives telemetry's cost by throughput and its own main-thread share, per repetition", () => {
    const m = fixture();
    set(m, closed('off', 'single', TOP), (rep) => ({ rps: 1000, mainUsPerReq: 60, cpuUsPerReq: 100 + rep }));
    set(m, closed('on', 'single', TOP), (rep) => ({ rps: [950, 800, 1020][rep], mainUsPerReq: 65 }));
    const t = byName(summarise(m).targets, 'telemetry cost, single text');
    expect(t.measured.value).toBeCloseTo(0.05, 10); // 0.05, 0.2, -0.02
    expect(t.measured.range!.min).toBeCloseTo(-0.02, 10);
    expect(t.met).toBe(true);
    expect(margin(t)).toBe('5.0 points to spare');
    expect(bound(t, "telemetry's own main-thread CPU ÷ off CPU/request")).toBeCloseTo(5 / 101, 10);
  });

  it('judges cold start and memory on the service starts only, memory by the worse of its two readings', () => {
    const m = fixture();
    m.starts.find((s) => s.server === 'hello')!.coldStartMs = 9000;
    m.starts.find((s) => s.server === 'on')!.coldStartMs = 2100;
    m.starts.find((s) => s.server === 'on')!.idleRssMetricMb = 180;
    const s = summarise(roundTrip(m));
    const start = byName(s.targets, 'cold start');
    expect(start).toMatchObject({ met: false, measured: { value: 2100 } });
    expect(measured(start)).toBe('2100 ms (median 500 ms, 3 starts)');
    expect(margin(start)).toBe('100 ms over (×1.05)');
    expect(byName(s.targets, 'idle RSS')).toMatchObject({ met: true, measured: { value: 180 } });
  });

  it('lists failed runs and empty model runs as problems', () => {
    const m = fixture();
    set(m, closed('cache', 'cached', TOP), (rep) => (rep === 1 ? { failed: 3, failures: { 503: 3 } } : {}));
    m.inprocess[2]!.results[1]!.textsPerSec = 0;
    m.problems.push('off/single/c8 (rep 1): the drain request after it answered 503');
    expect(summarise(m).problems).toEqual([
      'cache/cached/c8 (rep 2): 3 failed requests {"503":3}',
      'in-process batch 1 (rep 3): no throughput',
      'off/single/c8 (rep 1): the drain request after it answered 503',
    ]);
  });
});

describe('bench report', () => {
  it('states the targets as a table, floors beside each figure, with no paragraphs of interpretation', () => {
    const m = fixture();
    set(m, halfLoad('on', 'batch', TOP), () => ({ p99: 11 }));
    const md = renderMarkdown(m, summarise(m));
    const rows = md.split('\n').filter((l) => l.startsWith('| p99 at half of max throughput'));
    expect(rows).toHaveLength(4);
    expect(rows[3]).toBe(
      `| p99 at half of max throughput, ${BATCH} texts/request, paced open loop (telemetry on) | ≤ 10 ms | 11.00 ms at 500 req/s (reps 11.00–11.00 ms) | express echo of ${BATCH} texts p99: 5.00 ms; model alone p99: 3.00 ms; worker busy at its paced cost: 20.0% | **MISSED**: 1.0 ms over (×1.10) |`,
    );
    expect(md).not.toMatch(/What bounds|NaN|undefined/);
    for (const heading of ['## Targets', '## Throughput and latency, closed loop (autocannon)', '## Latency at half of the maximum throughput', '## Event-loop delay under load (telemetry on)', '## Cold start and memory', '## CPU accounting at the highest concurrency']) {
      expect(md).toContain(`\n${heading}\n`);
    }
  });

  it('renders a figure missing from the run as –, also after the JSON round trip', () => {
    const m = fixture();
    set(m, closed('on', 'single', 1), () => ({ p99: NaN }));
    const md = renderMarkdown(roundTrip(m), summarise(roundTrip(m)));
    expect(md).toContain(`| service, telemetry on | POST /classify, 1 text | 1 | 1000 (1000–1000) | 1000 | 1.00 | – |`);
    expect(new Runs(roundTrip(m)).agg(closed('on', 'single', 1))!.p99).toBeNaN();
  });
});
