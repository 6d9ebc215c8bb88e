/**
 * The targets of issue #5 as data: each with its goal, the measured value (a median, with its range
 * over repetitions where there is one), whether it was met, and the figures of the same run that
 * bound it (floors at the same rate, CPU per request, ...), as numbers for the report's table.
 */
import { closed, floor, halfLoad, isHello, SERVICE_BODIES, TELEMETRY, type ServiceBody, type Telemetry } from '../plan';
import { median, type Runs, type Spread } from './stats';

/** How a figure is shown: a share as a percentage, a count after its label's words ("15 starts"). */
export type Unit = 'ratio' | 'share' | 'ms' | 'µs' | 'MB' | 'count';

/** One number of the report, with what it is and how many digits it is shown with. */
export interface Figure {
  label: string;
  value: number;
  unit: Unit;
  digits: number;
  /** Its range over the repetitions. */
  range?: Pick<Spread, 'min' | 'max'>;
}

export interface Target {
  name: string;
  goal: { op: '≥' | '≤'; value: number };
  /** The measured value, in the goal's unit; `range` is over repetitions. */
  measured: Figure;
  /** Where the measured value was taken (the offered rate of a half-load run). */
  atRps?: number;
  /** More about the measured value (e.g. the median of the starts). */
  context: Figure[];
  /** Figures of the same run that bound the measured one. */
  bounds: Figure[];
  met: boolean;
}

const fig = (label: string, value: number, unit: Unit, digits: number, range?: Spread): Figure =>
  range ? { label, value, unit, digits, range: { min: range.min, max: range.max } } : { label, value, unit, digits };

function target(name: string, op: '≥' | '≤', goal: number, measured: Figure, rest: Partial<Pick<Target, 'atRps' | 'context' | 'bounds'>> = {}): Target {
  const met = op === '≥' ? measured.value >= goal : measured.value <= goal;
  return { name, goal: { op, value: goal }, measured, context: [], bounds: [], ...rest, met };
}

/** Single texts against the plain express hello-world, both at the highest concurrency. */
function singleRatio(r: Runs, server: Telemetry): Target {
  const service = closed(server, 'single', r.top);
  const hello = closed('hello', 'hello', r.top);
  const ratio = r.perRep((rep) => (r.inRep(service, rep)?.rps ?? NaN) / (r.inRep(hello, rep)?.rps ?? NaN));
  const a = r.agg(service);
  const h = r.agg(hello);
  return target(`single-text req/s ÷ hello-world req/s at ${r.top} conns (telemetry ${server})`, '≥', 0.6, fig('ratio', ratio.median, 'ratio', 2, ratio), {
    bounds:
      a && h
        ? [
            fig('by server CPU per request', h.cpuUs / a.cpuUs, 'ratio', 2),
            fig('service CPU/request', a.cpuUs, 'µs', 0),
            fig('its main thread', a.mainUs, 'µs', 0),
            fig('hello-world CPU/request', h.cpuUs, 'µs', 0),
          ]
        : [],
  });
}

/** 64-text requests at their best concurrency against the model alone in-process. */
function batchRatio(r: Runs, server: Telemetry): Target {
  const ratio = r.perRep((rep) => r.bestBatchTps(server, rep) / (r.inprocessTps(rep, r.batchSize) ?? NaN));
  const best = r.bestBatch(server);
  const perText = (us: number) => us / r.batchSize;
  return target(
    `batched HTTP texts/s (best concurrency) ÷ in-process texts/s, batch ${r.batchSize} (telemetry ${server})`,
    '≥',
    0.8,
    fig('ratio', ratio.median, 'ratio', 2, ratio),
    {
      bounds: best
        ? [
            fig('model alone in-process, per text', r.inprocessUsPerText(), 'µs', 1),
            fig("service's threads but the main one, per text", perText(best.agg.cpuUs - best.agg.mainUs), 'µs', 1),
            fig('its main thread, per text', perText(best.agg.mainUs), 'µs', 1),
          ]
        : [],
    },
  );
}

/** p99 of a paced run at half of the session's best closed-loop rate, beside the floors measured at that rate. */
function halfLoadP99(r: Runs, server: Telemetry, body: ServiceBody): Target | undefined {
  const sc = halfLoad(server, body, r.top);
  const a = r.agg(sc);
  if (!a) return undefined;
  const of = { server, body };
  const http = r.agg(floor('hello', of, r.top));
  const bounds: Array<Figure | undefined> = [];
  if (body === 'single') {
    const app = r.agg(floor('helloApp', of, r.top));
    bounds.push(
      http && fig('hello-world p99', http.p99, 'ms', 2),
      app && fig('hello-world on src/http-server.ts p99', app.p99, 'ms', 2),
      fig('service CPU/request', a.cpuUs, 'µs', 0),
      app && fig("that hello-world's CPU/request", app.cpuUs, 'µs', 0),
    );
  } else {
    const model = r.modelFloor(server);
    bounds.push(
      http && fig(`express echo of ${r.batchSize} texts p99`, http.p99, 'ms', 2),
      model && fig('model alone p99', model.p99Ms, 'ms', 2),
      model && fig('worker busy at its paced cost', (model.rate * model.computeUs) / 1e6, 'share', 1),
    );
  }
  const text = body === 'single' ? '1 text' : `${r.batchSize} texts`;
  return target(`p99 at half of max throughput, ${text}/request, paced open loop (telemetry ${server})`, '≤', 10, fig('p99', a.p99, 'ms', 2, r.range(sc, (x) => x.p99)), {
    atRps: a.offered,
    bounds: bounds.filter((b): b is Figure => b !== undefined),
  });
}

/**
 * Telemetry's cost by throughput (1 − on/off), beside its own cost: telemetry works on the main thread
 * only, so its share is the main thread's extra CPU per request over the telemetry-off CPU per request,
 * and the hello-world's main thread (whose code never changes) shows how much that moves by itself.
 */
function telemetryCost(r: Runs, body: ServiceBody): Target {
  const best = r.bestBatch('off');
  const connections = body === 'single' ? r.top : (best?.connections ?? r.top);
  const offSc = closed('off', body, connections);
  const onSc = closed('on', body, connections);
  const cost =
    body === 'single'
      ? r.perRep((rep) => 1 - (r.inRep(onSc, rep)?.rps ?? NaN) / (r.inRep(offSc, rep)?.rps ?? NaN))
      : r.perRep((rep) => 1 - r.bestBatchTps('on', rep) / r.bestBatchTps('off', rep));
  const own = r.perRep((rep) => {
    const off = r.inRep(offSc, rep);
    const on = r.inRep(onSc, rep);
    return off && on ? ((on.mainUsPerReq ?? NaN) - (off.mainUsPerReq ?? NaN)) / (off.cpuUsPerReq ?? NaN) : NaN;
  });
  const off = r.agg(offSc);
  const on = r.agg(onSc);
  const hello = closed('hello', 'hello', r.top);
  const yardstick = r.range(hello, (x) => x.mainUsPerReq);
  const name =
    body === 'single'
      ? `telemetry cost, single text at ${r.top} conns (1 − on/off req/s)`
      : `telemetry cost, batch of ${r.batchSize}, best concurrency (1 − on/off texts/s)`;
  return target(name, '≤', 0.1, fig('cost', cost.median, 'share', 1, cost), {
    bounds:
      off && on
        ? [
            fig(`telemetry's own main-thread CPU ÷ off CPU/request${body === 'batch' ? `, ${connections} conns` : ''}`, own.median, 'share', 1, own),
            fig('main thread/request off', off.mainUs, 'µs', 0),
            fig('on', on.mainUs, 'µs', 0),
            fig('hello-world main thread/request', yardstick.median, 'µs', 0, yardstick),
          ]
        : [],
  });
}

function coldStart(r: Runs): Target {
  const starts = r.m.starts.filter((s) => !isHello(s.server));
  const slowest = starts.reduce((x, y) => (y.coldStartMs > x.coldStartMs ? y : x), starts[0]!);
  return target('cold start, spawn → /readyz 200 (worst of all service starts)', '≤', 2000, fig('worst', slowest?.coldStartMs ?? NaN, 'ms', 0), {
    context: [fig('median', median(starts.map((s) => s.coldStartMs)), 'ms', 0), fig('starts', starts.length, 'count', 0)],
    bounds: slowest ? [fig("slowest start's logged startup_ms", slowest.loggedStartupMs ?? NaN, 'ms', 0)] : [],
  });
}

function idleRss(r: Runs): Target {
  const starts = r.m.starts.filter((s) => !isHello(s.server));
  const worst = Math.max(...starts.map((s) => Math.max(s.idleRssMb, s.idleRssMetricMb ?? 0)));
  const byConfig = (['off', 'on', 'cache'] as const)
    .map((server) => ({ server, ss: starts.filter((s) => s.server === server) }))
    .filter((x) => x.ss.length > 0)
    .map(({ server, ss }) => fig(`idle VmRSS ${server}`, Math.max(...ss.map((s) => s.idleRssMb)), 'MB', 1));
  return target('idle RSS after start (worst of VmRSS and process_resident_memory_bytes)', '≤', 200, fig('worst', worst, 'MB', 1), {
    bounds: [...byConfig, fig('model file', r.m.info.model.fileMb, 'MB', 1)],
  });
}

export function targets(r: Runs): Target[] {
  return [
    ...TELEMETRY.map((server) => singleRatio(r, server)),
    ...TELEMETRY.map((server) => batchRatio(r, server)),
    ...TELEMETRY.flatMap((server) => SERVICE_BODIES.map((body) => halfLoadP99(r, server, body))).filter((t): t is Target => t !== undefined),
    telemetryCost(r, 'single'),
    telemetryCost(r, 'batch'),
    coldStart(r),
    idleRss(r),
  ];
}
