/**
 * The summary of one run: every table of the report as rows of numbers (medians over repetitions,
 * ratios within them), computed from the measurements alone.
 */
import type { PacedResult } from '../measure/inprocess';
import type { Measurements } from '../measurements';
import { closed, isHello, plan, scenarioName, SERVERS, TELEMETRY, type Scenario, type ServerKind, type Telemetry } from '../plan';
import { median, Runs, type Agg } from './stats';
import { targets, type Figure, type Target } from './targets';

export interface ScenarioRow {
  scenario: Scenario;
  agg: Agg;
}

export interface Summary {
  targets: Target[];
  /** What the target ratios would be by CPU per request, or against other ceilings. */
  companions: Array<{ of: string; measure: string; value: Figure }>;
  closed: ScenarioRow[];
  /** The service's half-load runs, then the hello-world floors at their rates. */
  halfLoad: ScenarioRow[];
  /** The model alone, in-process, paced at each service's batch half-load rate (medians). */
  modelFloors: Array<{ of: Telemetry; paced: PacedResult }>;
  /** The telemetry-on service's runs that have its event-loop delay. */
  loopDelay: ScenarioRow[];
  inprocess: Array<{ batch: number; textsPerSec: number; featurizeUs: number; inferUs: number; cores: number; otherCores: number }>;
  starts: Array<{ server: ServerKind; n: number; coldMedian: number; coldMax: number; loggedMedian: number; idleRssMax: number; idleRssMetricMax?: number; peakRssMax: number }>;
  /** CPU per request at the highest concurrency (and a few more), against the hello-world's main thread. */
  cpu: Array<{ label: string; agg: Agg; mainVsHello: number }>;
  problems: string[];
}

const fig = (label: string, value: number, unit: Figure['unit'], digits: number): Figure => ({ label, value, unit, digits });

/** The planned scenarios of every server session, in the plan's order. */
function planned(m: Measurements): ReturnType<typeof plan> {
  const { smoke, reps, conns, batchSize } = m.info;
  return plan({ smoke, reps, conns, batchSize, profile: false });
}

function companions(r: Runs): Summary['companions'] {
  const rows: Summary['companions'] = [];
  const top = r.top;
  const hello = r.agg(closed('hello', 'hello', top));
  const echo = r.agg(closed('hello', 'echo', top));
  for (const server of TELEMETRY) {
    const of = `single-text ÷ hello-world (telemetry ${server})`;
    const sc = closed(server, 'single', top);
    const a = r.agg(sc);
    if (a && hello) rows.push({ of, measure: `hello-world server CPU per request ÷ /classify server CPU per request, ${top} conns`, value: fig('', hello.cpuUs / a.cpuUs, 'ratio', 2) });
    if (a && echo) rows.push({ of, measure: `req/s ÷ express.json echo req/s (a POST JSON ceiling), ${top} conns`, value: fig('', a.rps / echo.rps, 'ratio', 2) });
    const app = closed('helloApp', 'hello', top);
    const withServer = r.perRep((rep) => (r.inRep(sc, rep)?.rps ?? NaN) / (r.inRep(app, rep)?.rps ?? NaN));
    if (!Number.isNaN(withServer.median)) {
      rows.push({ of, measure: `req/s ÷ req/s of a hello-world served by src/http-server.ts as the service is (the ceiling with the same saving), ${top} conns`, value: fig('', withServer.median, 'ratio', 2) });
    }
  }
  const inUs = r.inprocessUsPerText();
  for (const server of TELEMETRY) {
    const best = r.bestBatch(server);
    if (!best) continue;
    const of = `batched ÷ in-process (telemetry ${server})`;
    rows.push({ of, measure: 'in-process µs per text ÷ server CPU µs per text (all threads)', value: fig('', inUs / (best.agg.cpuUs / r.batchSize), 'ratio', 2) });
    rows.push({ of, measure: 'in-process µs per text ÷ server CPU µs per text outside the main thread (the worker)', value: fig('', inUs / ((best.agg.cpuUs - best.agg.mainUs) / r.batchSize), 'ratio', 2) });
  }
  const off1 = r.agg(closed('off', 'single', top));
  const on1 = r.agg(closed('on', 'single', top));
  if (off1 && on1) rows.push({ of: 'telemetry cost, single text', measure: 'server CPU per request, on ÷ off − 1', value: fig('', on1.cpuUs / off1.cpuUs - 1, 'share', 1) });
  const offB = r.bestBatch('off');
  const onB = offB && r.agg(closed('on', 'batch', offB.connections));
  if (offB && onB) {
    rows.push({ of: `telemetry cost, batch of ${r.batchSize}`, measure: `server CPU per request, on ÷ off − 1, ${offB.connections} conns`, value: fig('', onB.cpuUs / offB.agg.cpuUs - 1, 'share', 1) });
  }
  return rows;
}

function cpuRows(r: Runs): Summary['cpu'] {
  const c = r.top;
  const hello = r.agg(closed('hello', 'hello', c));
  const cases: Array<[string, Scenario]> = [
    [`hello-world GET, ${c} conns`, closed('hello', 'hello', c)],
    [`hello-world GET served by src/http-server.ts, ${c} conns`, closed('helloApp', 'hello', c)],
    [`express.json echo, ${c} conns`, closed('hello', 'echo', c)],
    [`/classify 1 text, telemetry off, ${c} conns`, closed('off', 'single', c)],
    [`/classify 1 text, telemetry on, ${c} conns`, closed('on', 'single', c)],
    [`/classify 1 text, cache hit, telemetry off, ${c} conns`, closed('cache', 'cached', c)],
    [`/classify 1 text, telemetry off, 1 conn`, closed('off', 'single', Math.min(...r.m.info.conns))],
  ];
  for (const server of TELEMETRY) {
    const best = r.bestBatch(server);
    if (best) cases.push([`/classify ${r.batchSize} texts, telemetry ${server}, best (c${best.connections})`, closed(server, 'batch', best.connections)]);
  }
  return cases.flatMap(([label, sc]) => {
    const agg = r.agg(sc);
    return agg ? [{ label, agg, mainVsHello: hello ? agg.mainUs / hello.mainUs : NaN }] : [];
  });
}

function rowsOf(r: Runs, scenarios: readonly Scenario[]): ScenarioRow[] {
  return scenarios.flatMap((scenario) => {
    const agg = r.agg(scenario);
    return agg ? [{ scenario, agg }] : [];
  });
}

/** Failed or empty runs, a model that gave no throughput, and what the session noted. */
function problems(m: Measurements): string[] {
  const out: string[] = [];
  for (const { rep, scenario, result } of m.runs) {
    const name = `${scenarioName(scenario)} (rep ${rep + 1})`;
    if (result.ok === 0) out.push(`${name}: no successful answer`);
    if (result.failed > 0) out.push(`${name}: ${result.failed} failed requests ${JSON.stringify(result.failures)}`);
  }
  for (const { rep, results } of m.inprocess) {
    for (const x of results) if (!(x.textsPerSec > 0)) out.push(`in-process batch ${x.batch} (rep ${rep + 1}): no throughput`);
  }
  return [...out, ...m.problems];
}

export function summarise(m: Measurements): Summary {
  const r = new Runs(m);
  const p = planned(m);
  const service = TELEMETRY.flatMap((server) => p.sessions[server].filter((sc) => sc.load.kind !== 'closed'));
  const floors = p.floors.flatMap((f) => f.scenarios);
  const byBatch = (batch: number) => m.inprocess.map((x) => x.results.find((y) => y.batch === batch)).filter((x) => x !== undefined);
  return {
    targets: targets(r),
    companions: companions(r),
    closed: rowsOf(r, SERVERS.flatMap((server) => p.sessions[server].filter((sc) => sc.load.kind === 'closed'))),
    halfLoad: rowsOf(r, [...service, ...floors]),
    modelFloors: TELEMETRY.flatMap((of) => {
      const paced = r.modelFloor(of);
      return paced ? [{ of, paced }] : [];
    }),
    loopDelay: rowsOf(r, p.sessions.on).filter((x) => Number.isFinite(x.agg.loopP99)),
    inprocess: [r.batchSize, 1].flatMap((batch) => {
      const xs = byBatch(batch);
      if (!xs.length) return [];
      const med = (f: (x: (typeof xs)[number]) => number) => median(xs.map(f));
      return [{ batch, textsPerSec: med((x) => x.textsPerSec), featurizeUs: med((x) => x.featurizeUs), inferUs: med((x) => x.inferUs), cores: med((x) => x.cores), otherCores: med((x) => x.otherCores) }];
    }),
    starts: SERVERS.flatMap((server) => {
      const ss = m.starts.filter((s) => s.server === server);
      if (!ss.length) return [];
      const metric = ss.map((s) => s.idleRssMetricMb).filter((x): x is number => typeof x === 'number');
      return [
        {
          server,
          n: ss.length,
          coldMedian: median(ss.map((s) => s.coldStartMs)),
          coldMax: Math.max(...ss.map((s) => s.coldStartMs)),
          loggedMedian: isHello(server) ? NaN : median(ss.map((s) => s.loggedStartupMs)),
          idleRssMax: Math.max(...ss.map((s) => s.idleRssMb)),
          idleRssMetricMax: metric.length ? Math.max(...metric) : undefined,
          peakRssMax: Math.max(...ss.map((s) => s.peakRssMb)),
        },
      ];
    }),
    cpu: cpuRows(r),
    problems: problems(m),
  };
}
