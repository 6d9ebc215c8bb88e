/**
 * Load generators, both run from the bench process (the servers are child processes):
 * - `closedLoop`: autocannon, N keep-alive connections each sending its next request as soon as the
 *   previous answer arrives (max throughput at a concurrency), or with `overallRate`.
 * - `paced`: an open-loop generator on undici's Pool: requests leave at evenly spaced times whatever
 *   the answers do, and latency is counted from the time a request was *due* (no coordinated
 *   omission). This is the honest "p99 at half load" measurement: autocannon's `overallRate` resets
 *   a per-connection quota every second, so each second starts with a burst at full concurrency and
 *   then idles (mcollina/autocannon#174), which measures the burst, not the rate.
 */
import autocannon from 'autocannon';
import { Pool } from 'undici';

export interface LoadResult {
  /** 2xx answers per second. */
  rps: number;
  /** Texts classified per second (2xx answers x texts per request). */
  tps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  /** Non-2xx answers + socket errors + timeouts. */
  failed: number;
  /** What failed: HTTP status codes, 'errors', 'timeouts'. */
  failures: Record<string, number>;
  seconds: number;
  /** Requests per second actually offered (paced / rate-limited runs). */
  offeredRps?: number;
  /** Server CPU per 2xx answer, µs: whole process, and its main (HTTP) thread. Filled in by the caller. */
  cpuUsPerReq?: number;
  mainUsPerReq?: number;
  /** Server CPU use during the run, in cores (1 = one core busy all the time). */
  cpuCores?: number;
  /** The bench process (load generator) CPU use during the run, in cores. */
  clientCores?: number;
  /** Everything else on the machine during the run (other processes), in cores. */
  otherCores?: number;
  /** Time the server's threads were runnable but had no core, ms per second of the run: its main thread, its other threads. */
  mainWaitMsPerS?: number;
  othersWaitMsPerS?: number;
  /** The same for the load generator (the bench process's main thread): its own delay counts in every latency it measures. */
  clientWaitMsPerS?: number;
  /** The server's event-loop delay over the run, ms (telemetry-on service only; see scenario-run.ts loopDelayWindow). */
  loopDelayMs?: { p50: number; p99: number; max: number };
}

export interface Target {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  /** Pre-serialised JSON bodies, used round-robin (POST). */
  bodies?: readonly string[];
  textsPerRequest: number;
}

/** Percentile (0..100) of an ascending array, nearest-rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function summarize(latencies: number[], ok: number, failures: Record<string, number>, seconds: number, textsPerRequest: number): LoadResult {
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  const sorted = Float64Array.from(latencies).sort();
  const rps = ok / seconds;
  return {
    rps,
    tps: rps * textsPerRequest,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    ok,
    failed,
    failures,
    seconds,
  };
}

/** autocannon against one target; latencies are taken per response (float ms), not from its 1 ms-step histogram. */
export async function closedLoop(t: Target, opts: { connections: number; seconds: number; overallRate?: number }): Promise<LoadResult> {
  let i = 0;
  const bodies = t.bodies;
  const instance = autocannon({
    url: t.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    overallRate: opts.overallRate,
    ignoreCoordinatedOmission: opts.overallRate ? true : undefined,
    requests: [
      bodies
        ? {
            method: t.method,
            path: t.path,
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
          }
        : { method: t.method, path: t.path },
    ],
  });
  const latencies: number[] = [];
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const r = await instance;
  const ok = r['2xx'];
  const failures: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats)) if (!code.startsWith('2')) failures[code] = count;
  if (r.errors - r.timeouts > 0) failures.errors = r.errors - r.timeouts;
  if (r.timeouts) failures.timeouts = r.timeouts;
  const out = summarize(latencies, ok, failures, r.duration, t.textsPerRequest);
  if (opts.overallRate) out.offeredRps = (r.requests.sent ?? ok) / r.duration;
  return out;
}

/**
 * Open-loop load at `rate` requests/s for `seconds`, up to `maxSockets` keep-alive connections.
 * Latency = answer received - time the request was due.
 */
export async function paced(t: Target, opts: { rate: number; seconds: number; maxSockets: number; warmupSeconds?: number }): Promise<LoadResult> {
  // undici (the Node.js project's HTTP client, the one under fetch) through its lowest-level call:
  // a quarter to a third less CPU per request than node:http's client (docs/decisions/0005), and the
  // generator's own time counts in every latency it measures.
  const pool = new Pool(t.url, { connections: opts.maxSockets, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const bodies = t.bodies?.map((b) => Buffer.from(b));
  const headers = bodies ? { 'content-type': 'application/json' } : {};
  let bodyAt = 0;
  const send = (): Promise<number> =>
    new Promise((resolve) => {
      let status = 0;
      pool.dispatch(
        { path: t.path, method: t.method, headers, body: bodies ? bodies[bodyAt++ % bodies.length] : undefined },
        {
          onConnect: () => {},
          onHeaders: (statusCode) => {
            status = statusCode;
            return true;
          },
          onData: () => true,
          onComplete: () => resolve(status),
          onError: () => resolve(0),
        },
      );
    });

  const run = async (seconds: number, record: boolean) => {
    const latencies: number[] = [];
    let ok = 0;
    const failures: Record<string, number> = {};
    const intervalNs = 1e9 / opts.rate;
    const total = Math.max(1, Math.round(opts.rate * seconds));
    const start = process.hrtime.bigint();
    const inflight: Promise<void>[] = [];
    let issued = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        const now = Number(process.hrtime.bigint() - start);
        while (issued < total && issued * intervalNs <= now) {
          const due = issued * intervalNs;
          issued++;
          inflight.push(
            send().then((status) => {
              const ms = (Number(process.hrtime.bigint() - start) - due) / 1e6;
              if (status >= 200 && status < 300) {
                ok++;
                if (record) latencies.push(ms);
              } else {
                const key = status === 0 ? 'errors' : String(status);
                failures[key] = (failures[key] ?? 0) + 1;
              }
            }),
          );
        }
        if (issued >= total) done();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await Promise.all(inflight);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    return { latencies, ok, failures, elapsed, total };
  };

  try {
    if (opts.warmupSeconds) await run(opts.warmupSeconds, false);
    const r = await run(opts.seconds, true);
    const out = summarize(r.latencies, r.ok, r.failures, r.elapsed, t.textsPerRequest);
    out.offeredRps = r.total / opts.seconds;
    return out;
  } finally {
    await pool.destroy();
  }
}
