/**
 * One scenario against one running server: the load, and around it what the server and the machine
 * did (CPU per answer, run-queue waits, the service's event-loop delay), then a drain so the next run
 * does not start behind this one's abandoned requests.
 */
import type { Body, Load, Scenario } from '../plan';
import { closedLoop, paced, type LoadResult, type Target } from './load';
import { cpuTimes, httpPost, machineCpu, metricValues, runQueueWait, type Running } from './servers';
import { makeBodies } from './texts';

/**
 * Request bodies: pre-serialised, varied, deterministic. Cache-miss runs cycle through enough distinct
 * texts that with the cache on almost nothing would repeat within a run; the cache-hit run cycles
 * through 500 texts that its warm-up has already classified.
 */
export interface Bodies {
  batchSize: number;
  single: string[];
  batch: string[];
  cached: string[];
}

export function makeRequestBodies(batchSize: number): Bodies {
  return { batchSize, single: makeBodies(20_000, 1, 1), batch: makeBodies(400, batchSize, 2), cached: makeBodies(500, 1, 3) };
}

export function requestTarget(url: string, body: Body, b: Bodies): Target {
  switch (body) {
    case 'hello':
      return { url, method: 'GET', path: '/hello', textsPerRequest: 1 };
    case 'echo':
      return { url, method: 'POST', path: '/echo', bodies: b.single, textsPerRequest: 1 };
    case 'echoBatch':
      return { url, method: 'POST', path: '/echo-batch', bodies: b.batch, textsPerRequest: b.batchSize };
    case 'single':
      return { url, method: 'POST', path: '/classify', bodies: b.single, textsPerRequest: 1 };
    case 'batch':
      return { url, method: 'POST', path: '/classify', bodies: b.batch, textsPerRequest: b.batchSize };
    case 'cached':
      return { url, method: 'POST', path: '/classify', bodies: b.cached, textsPerRequest: 1 };
  }
}

const LOOP_DELAY_METRICS = { p50: 'nodejs_eventloop_delay_p50', p99: 'nodejs_eventloop_delay_p99', max: 'nodejs_eventloop_delay_max' } as const;

/**
 * Starts measuring the service's event-loop delay from its own runtime metrics (the telemetry-on
 * service): every scrape of /metrics reads the instrumentation's histogram and resets it, so one
 * scrape before the run and one after give the delay over the run. Its timer fires every
 * `sampleMs` and the values include that period, which is taken off.
 */
async function loopDelayWindow(s: Running, sampleMs: number): Promise<() => Promise<LoadResult['loopDelayMs']>> {
  const names = Object.values(LOOP_DELAY_METRICS);
  await metricValues(`${s.url}/metrics`, names);
  return async () => {
    const v = await metricValues(`${s.url}/metrics`, names);
    const ms = (name: string) => Math.max(0, (v[name] ?? NaN) * 1000 - sampleMs);
    const out = { p50: ms(LOOP_DELAY_METRICS.p50), p99: ms(LOOP_DELAY_METRICS.p99), max: ms(LOOP_DELAY_METRICS.max) };
    return Object.values(out).every(Number.isFinite) ? out : undefined;
  };
}

/** The load itself; `rate` is the resolved rate of a paced or rate-limited run. */
function generate(t: Target, load: Load, seconds: number, rate: number): Promise<LoadResult> {
  if (load.kind === 'closed') return closedLoop(t, { connections: load.connections, seconds });
  if (load.kind === 'paced') return paced(t, { rate, seconds, maxSockets: load.connections, warmupSeconds: Math.min(1, seconds / 4) });
  return closedLoop(t, { connections: Math.min(load.connections, rate), seconds, overallRate: rate });
}

export interface ScenarioRunOptions {
  seconds: number;
  bodies: Bodies;
  /** Resolved rate (req/s) for paced and rate-limited loads. */
  rate: number;
  /** The service's event-loop sampling period, ms, when its runtime metrics are on (telemetry-on only). */
  loopDelaySampleMs?: number;
}

/** Runs a scenario and adds the server's CPU time per answer (robust to a busy machine, unlike req/s). */
export async function runScenario(s: Running, sc: Scenario, o: ScenarioRunOptions): Promise<{ result: LoadResult; drainStatus?: number }> {
  const loopDelay = o.loopDelaySampleMs !== undefined ? await loopDelayWindow(s, o.loopDelaySampleMs) : undefined;
  const before = cpuTimes(s.pid);
  const wait0 = runQueueWait(s.pid);
  const clientWait0 = runQueueWait(process.pid).mainMs;
  const machine0 = machineCpu();
  const client0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = await generate(requestTarget(s.url, sc.body, o.bodies), sc.load, o.seconds, o.rate);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const after = cpuTimes(s.pid);
  const wait1 = runQueueWait(s.pid);
  const clientWait1 = runQueueWait(process.pid).mainMs;
  const machine1 = machineCpu();
  const client = process.cpuUsage(client0);
  if (r.ok > 0) {
    r.cpuUsPerReq = ((after.processMs - before.processMs) * 1000) / r.ok;
    r.mainUsPerReq = ((after.mainMs - before.mainMs) * 1000) / r.ok;
  }
  r.mainWaitMsPerS = ((wait1.mainMs - wait0.mainMs) * 1000) / wallMs;
  r.othersWaitMsPerS = ((wait1.othersMs - wait0.othersMs) * 1000) / wallMs;
  r.clientWaitMsPerS = ((clientWait1 - clientWait0) * 1000) / wallMs;
  if (loopDelay) r.loopDelayMs = await loopDelay();
  r.cpuCores = (after.processMs - before.processMs) / wallMs;
  r.clientCores = (client.user + client.system) / 1000 / wallMs;
  r.otherCores = Math.max(0, (machine1.busyMs - machine0.busyMs) / wallMs - r.cpuCores - r.clientCores);
  const drainStatus = s.name === 'hello' ? undefined : await drain(s, o.bodies);
  return { result: r, drainStatus };
}

/**
 * Waits until the service has finished the work a run left behind: a load generator that stops
 * abandons its in-flight requests, whose texts may still be queued or running in the service, and the
 * next run would start behind them (or get 503 queue_full). One request queued behind them returns
 * when they are done. Returns its status.
 */
async function drain(s: Running, bodies: Bodies): Promise<number> {
  return (await httpPost(`${s.url}/classify`, bodies.single[0]!, 60_000)).status;
}
