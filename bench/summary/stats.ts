/**
 * Medians over repetitions and ratios within them, found by scenario value in a run's records.
 * Pure functions of the measurements: the report is rendered from them, and so are the tests.
 */
import type { LoadResult } from '../measure/load';
import type { PacedResult } from '../measure/inprocess';
import type { Measurements, RunRecord } from '../measurements';
import { closed, sameScenario, type Scenario, type ServerKind, type Telemetry } from '../plan';

/** Finite number or NaN: JSON turns NaN into null, and a missing figure must stay missing. */
const num = (x: number | null | undefined): number => (typeof x === 'number' && Number.isFinite(x) ? x : NaN);

/** The median of the finite values (NaN when there are none). */
export function median(xs: ReadonlyArray<number | null | undefined>): number {
  const s = xs.map(num).filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median and range of the finite values. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}
export function spread(xs: ReadonlyArray<number | null | undefined>): Spread {
  const s = xs.map(num).filter(Number.isFinite);
  return s.length ? { median: median(s), min: Math.min(...s), max: Math.max(...s) } : { median: NaN, min: NaN, max: NaN };
}

/** A scenario's figures, medians over its repetitions (failed: the sum). */
export interface Agg {
  rps: number;
  tps: number;
  p50: number;
  p90: number;
  p99: number;
  failed: number;
  /** req/s range over repetitions. */
  min: number;
  max: number;
  offered?: number;
  cpuUs: number;
  mainUs: number;
  cores: number;
  clientCores: number;
  otherCores: number;
  /** Run-queue wait, ms per second: the server's main thread, its other threads, the load generator. */
  mainWait: number;
  othersWait: number;
  clientWait: number;
  /** The service's event-loop delay over the run, ms (NaN without telemetry). */
  loopP50: number;
  loopP99: number;
  loopMax: number;
  n: number;
}

export function aggregate(rs: readonly LoadResult[]): Agg | undefined {
  if (rs.length === 0) return undefined;
  const m = (f: (r: LoadResult) => number | undefined) => median(rs.map(f));
  const offered = rs.map((r) => r.offeredRps).filter((x): x is number => typeof x === 'number');
  const rps = spread(rs.map((r) => r.rps));
  return {
    rps: rps.median,
    tps: m((r) => r.tps),
    p50: m((r) => r.p50),
    p90: m((r) => r.p90),
    p99: m((r) => r.p99),
    failed: rs.reduce((a, r) => a + r.failed, 0),
    min: rps.min,
    max: rps.max,
    offered: offered.length ? median(offered) : undefined,
    cpuUs: m((r) => r.cpuUsPerReq),
    mainUs: m((r) => r.mainUsPerReq),
    cores: m((r) => r.cpuCores),
    clientCores: m((r) => r.clientCores),
    otherCores: m((r) => r.otherCores),
    mainWait: m((r) => r.mainWaitMsPerS),
    othersWait: m((r) => r.othersWaitMsPerS),
    clientWait: m((r) => r.clientWaitMsPerS),
    loopP50: m((r) => r.loopDelayMs?.p50),
    loopP99: m((r) => r.loopDelayMs?.p99),
    loopMax: m((r) => r.loopDelayMs?.max),
    n: rs.length,
  };
}

/** Queries over one run's measurements. */
export class Runs {
  constructor(readonly m: Measurements) {}

  get reps(): number {
    return this.m.info.reps;
  }
  get top(): number {
    return Math.max(...this.m.info.conns);
  }
  get batchSize(): number {
    return this.m.info.batchSize;
  }

  records(sc: Scenario): RunRecord[] {
    return this.m.runs.filter((r) => sameScenario(r.scenario, sc));
  }
  results(sc: Scenario): LoadResult[] {
    return this.records(sc).map((r) => r.result);
  }
  agg(sc: Scenario): Agg | undefined {
    return aggregate(this.results(sc));
  }
  /** The scenario's result in one repetition. */
  inRep(sc: Scenario, rep: number): LoadResult | undefined {
    return this.records(sc).find((r) => r.rep === rep)?.result;
  }
  /** A figure computed inside each repetition, then its median and range over the repetitions. */
  perRep(f: (rep: number) => number | undefined): Spread {
    return spread(Array.from({ length: this.reps }, (_, rep) => f(rep)));
  }
  /** A figure of one scenario over its repetitions. */
  range(sc: Scenario, f: (r: LoadResult) => number | undefined): Spread {
    return spread(this.results(sc).map(f));
  }

  /** The batch scenario with the most texts/s (medians) for one server, and its concurrency. */
  bestBatch(server: ServerKind): { agg: Agg; connections: number } | undefined {
    return this.m.info.conns
      .map((connections) => ({ connections, agg: this.agg(closed(server, 'batch', connections)) }))
      .filter((x): x is { connections: number; agg: Agg } => x.agg !== undefined)
      .sort((x, y) => y.agg.tps - x.agg.tps)[0];
  }
  /** The best batch texts/s of one repetition over the concurrencies. */
  bestBatchTps(server: ServerKind, rep: number): number {
    return Math.max(0, ...this.m.info.conns.map((c) => this.inRep(closed(server, 'batch', c), rep)?.tps ?? 0));
  }

  /** In-process texts/s at a batch size in one repetition. */
  inprocessTps(rep: number, batch: number): number | undefined {
    return this.m.inprocess.find((x) => x.rep === rep)?.results.find((r) => r.batch === batch)?.textsPerSec;
  }
  /** The model alone, in-process: featurize + run µs per text at the bench's batch size (median). */
  inprocessUsPerText(): number {
    const xs = this.m.inprocess.map((x) => x.results.find((r) => r.batch === this.batchSize));
    return median(xs.map((x) => (x ? (x.featurizeUs + x.inferUs) / this.batchSize : NaN)));
  }

  /** Medians over repetitions of the model-alone paced runs at one service's batch half-load rate. */
  modelFloor(of: Telemetry): PacedResult | undefined {
    const xs = this.m.modelFloors.filter((x) => x.of === of).map((x) => x.paced);
    if (!xs.length) return undefined;
    const m = (f: (p: PacedResult) => number) => median(xs.map(f));
    return {
      batch: xs[0]!.batch,
      rate: m((p) => p.rate),
      runs: m((p) => p.runs),
      p50Ms: m((p) => p.p50Ms),
      p90Ms: m((p) => p.p90Ms),
      p99Ms: m((p) => p.p99Ms),
      computeUs: m((p) => p.computeUs),
      backToBackUs: m((p) => p.backToBackUs),
      cores: m((p) => p.cores),
      otherCores: m((p) => p.otherCores),
    };
  }
}
