/**
 * A small, hand-made set of bench measurements: every planned scenario in every repetition with the
 * same plain figures, which a test then changes where it wants to see the summary move.
 */
import type { InProcessResult, PacedResult } from '../../bench/measure/inprocess';
import type { LoadResult } from '../../bench/measure/load';
import { MEASUREMENTS_FORMAT, type Measurements, type RunRecord } from '../../bench/measurements';
import { plan, sameScenario, SERVERS, serviceConfig, TELEMETRY, type Scenario } from '../../bench/plan';

export const REPS = 3;
export const CONNS = [1, 8];
export const BATCH = 4;

export function loadResult(over: Partial<LoadResult> = {}): LoadResult {
  return {
    rps: 1000,
    tps: 1000,
    p50: 1,
    p90: 2,
    p99: 5,
    max: 9,
    ok: 4000,
    failed: 0,
    failures: {},
    seconds: 4,
    cpuUsPerReq: 100,
    mainUsPerReq: 60,
    cpuCores: 1,
    clientCores: 0.4,
    otherCores: 0,
    mainWaitMsPerS: 10,
    othersWaitMsPerS: 20,
    clientWaitMsPerS: 30,
    ...over,
  };
}

const inprocess = (batch: number): InProcessResult => ({ batch, texts: 10_000, seconds: 3, textsPerSec: 1000, featurizeUs: 100, inferUs: 300, cores: 1, otherCores: 0 });
const modelPaced = (): PacedResult => ({ batch: BATCH, rate: 100, runs: 400, p50Ms: 1, p90Ms: 2, p99Ms: 3, computeUs: 2000, backToBackUs: 1600, cores: 0.2, otherCores: 0 });

export function fixture(): Measurements {
  const p = plan({ smoke: false, reps: REPS, conns: CONNS, batchSize: BATCH, profile: false });
  const scenarios = [...SERVERS.flatMap((s) => p.sessions[s]), ...p.floors.flatMap((f) => f.scenarios)];
  const runs: RunRecord[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    for (const scenario of scenarios) {
      const tps = scenario.body === 'batch' || scenario.body === 'echoBatch' ? 1000 * BATCH : 1000;
      const loop = scenario.server === 'on' ? { loopDelayMs: { p50: 0.1, p99: 1, max: 2 } } : {};
      runs.push({ rep, scenario, result: loadResult({ tps, ...loop, ...(scenario.load.kind === 'closed' ? {} : { offeredRps: 500 }) }) });
    }
  }
  const starts = SERVERS.map((server) => ({ rep: 0, server, coldStartMs: 500, loggedStartupMs: 300, idleRssMb: 100, peakRssMb: 150 }));
  return {
    format: MEASUREMENTS_FORMAT,
    info: {
      startedAt: '2026-12-01T00:00:00.000Z',
      elapsedS: 600,
      smoke: false,
      reps: REPS,
      seconds: 4,
      conns: CONNS,
      batchSize: BATCH,
      machine: { cpu: 'test CPU', cores: 2, online: 2, memoryGiB: 8, os: 'Linux test', node: 'v20.0.0' },
      loadAvg: { start: [1, 1, 1], end: [1, 1, 1] },
      model: { name: 'm', version: '1', labels: 9, dir: 'models/default', fileMb: 20 },
      autoWorkers: 1,
      eventLoopSampleMs: 10,
      texts: { meanChars: 70, p50Chars: 60, maxChars: 240, singleBodies: 20_000, batchBodies: 400 },
      serviceConfigs: { off: serviceConfig('off', '/m'), on: serviceConfig('on', '/m'), cache: serviceConfig('cache', '/m') },
      flamesDir: 'flames',
    },
    runs,
    starts,
    inprocess: Array.from({ length: REPS }, (_, rep) => ({ rep, results: [inprocess(BATCH), inprocess(1)] })),
    modelFloors: Array.from({ length: REPS }, (_, rep) => TELEMETRY.map((of) => ({ rep, of, paced: modelPaced() }))).flat(),
    profiles: [],
    problems: [],
  };
}

/** Sets one figure of a scenario's result, one value per repetition. */
export function set(m: Measurements, sc: Scenario, over: (rep: number) => Partial<LoadResult>): void {
  const records = m.runs.filter((r) => sameScenario(r.scenario, sc));
  if (records.length !== REPS) throw new Error(`fixture: ${JSON.stringify(sc)} has ${records.length} records`);
  for (const r of records) r.result = { ...r.result, ...over(r.rep) };
}
