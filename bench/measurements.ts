/**
 * The raw measurements of one run, as the session records them: written as JSON beside the report,
 * so the summary and the report can be computed again from them without running any load
 * (`npm run bench:render`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { CompressionRecord } from './measure/compression';
import type { PacedResult, InProcessResult } from './measure/inprocess';
import type { ModelBenchRecord } from './measure/models';
import type { LoadResult } from './measure/load';
import type { ProfileSummary } from './profiles/profile-summary';
import type { Scenario, ServerKind, ServiceKind, Telemetry } from './plan';

export const MEASUREMENTS_FORMAT = 1;

/** One scenario run in one repetition. */
export interface RunRecord {
  rep: number;
  scenario: Scenario;
  result: LoadResult;
}

/** One start of a server: its cold start and memory. */
export interface StartRecord {
  rep: number;
  server: ServerKind;
  coldStartMs: number;
  loggedStartupMs?: number;
  idleRssMb: number;
  /** process_resident_memory_bytes from /metrics (telemetry on only), MB. */
  idleRssMetricMb?: number;
  peakRssMb: number;
}

export interface InProcessRecord {
  rep: number;
  results: InProcessResult[];
}

/** The model alone, paced at one service's batch half-load rate (the batch latency floor). */
export interface ModelFloorRecord {
  rep: number;
  of: Telemetry;
  paced: PacedResult;
}

export interface ThreadProfile {
  summary: ProfileSummary;
  /** The flame graph's file name, in the flames folder beside the report. */
  flame: string;
}

export interface ProfileRecord {
  title: string;
  scenario: Scenario;
  result: LoadResult;
  main: ThreadProfile;
  /** The inference worker over the same window (the service runs one; the hello-worlds none). */
  worker?: ThreadProfile;
  /** CPU time the main thread really got during the window (from /proc), ms. */
  mainCpuMs: number;
  windowMs: number;
  seconds: number;
}

/** What the report says about the machine, the model and the setup, recorded when the run was made. */
export interface RunInfo {
  startedAt: string;
  elapsedS: number;
  smoke: boolean;
  reps: number;
  seconds: number;
  conns: number[];
  batchSize: number;
  machine: { cpu: string; cores: number; online: number; memoryGiB: number; os: string; node: string };
  loadAvg: { start: number[]; end: number[] };
  model: { name: string; version: string; labels: number; dir: string; fileMb: number };
  /** The service entry, when a candidate build was measured instead of dist/src/server.js. */
  entry?: string;
  /** Inference workers the service started (`workers: 0`) on this machine. */
  autoWorkers: number;
  eventLoopSampleMs: number;
  texts: { meanChars: number; p50Chars: number; maxChars: number; singleBodies: number; batchBodies: number };
  serviceConfigs: Record<ServiceKind, Record<string, unknown>>;
  /** The flames folder, relative to the report. */
  flamesDir: string;
}

export interface Measurements {
  format: typeof MEASUREMENTS_FORMAT;
  info: RunInfo;
  runs: RunRecord[];
  starts: StartRecord[];
  inprocess: InProcessRecord[];
  modelFloors: ModelFloorRecord[];
  profiles: ProfileRecord[];
  /** The embedded model beside transformers, through the service's classification path (absent in older files). */
  models?: ModelBenchRecord[];
  /** The CPU cost of response compression (absent in older files). */
  compression?: CompressionRecord[];
  /** What went wrong while measuring beyond failed requests (e.g. a drain request that did not answer 200). */
  problems: string[];
}

export function writeMeasurements(file: string, m: Measurements): void {
  writeFileSync(file, `${JSON.stringify(m, null, 1)}\n`);
}

/** Reads a measurements file, or throws naming the file and what is wrong with it. */
export function readMeasurements(file: string): Measurements {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read measurements from ${file}: ${(err as Error).message}`);
  }
  const m = data as Partial<Measurements> | null;
  if (m?.format !== MEASUREMENTS_FORMAT) throw new Error(`${file}: not bench measurements of format ${MEASUREMENTS_FORMAT} (format: ${JSON.stringify(m?.format)})`);
  for (const key of ['runs', 'starts', 'inprocess', 'modelFloors', 'profiles', 'problems'] as const) {
    if (!Array.isArray(m[key])) throw new Error(`${file}: "${key}" must be an array`);
  }
  if (typeof m.info !== 'object' || m.info === null) throw new Error(`${file}: "info" is missing`);
  return m as Measurements;
}
