/**
 * A CPU profile of the service under one closed-loop load: `node --cpu-prof` writes one profile per
 * thread; the main thread's and the busiest other thread's (the inference worker) are summarised over
 * the measured load only and drawn as flame graphs. The .cpuprofile files are deleted.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProfileRecord } from '../measurements';
import { scenarioName, type ProfileSpec } from '../plan';
import { flameGraphSvg } from '../profiles/flamegraph';
import { loadProfile, summarizeProfile, type ProfileWindow } from '../profiles/profile-summary';
import { closedLoop, type LoadResult } from './load';
import type { Bodies } from './scenario-run';
import { requestTarget } from './scenario-run';
import { cpuTimes, type Running } from './servers';

export interface ProfileRunOptions {
  seconds: number;
  bodies: Bodies;
  /** A scratch folder for the .cpuprofile files. */
  workDir: string;
  /** Where the flame graphs are drawn. */
  flamesDir: string;
  /** Starts the server with extra node flags and warms it up. */
  start(nodeArgs: string[]): Promise<Running>;
}

/** The categories and top functions kept in the measurements (the report shows 12 and 15). */
const TOP = 15;

export async function profileRun(spec: ProfileSpec, o: ProfileRunOptions): Promise<ProfileRecord> {
  const sc = spec.scenario;
  const dir = mkdtempSync(path.join(o.workDir, 'prof-'));
  try {
    const s = await o.start(['--cpu-prof', '--cpu-prof-dir', dir]);
    let result: LoadResult;
    let window: ProfileWindow;
    let mainCpuMs: number;
    try {
      const cpu0 = cpuTimes(s.pid);
      const fromUs = Number(process.hrtime.bigint() / 1000n);
      result = await closedLoop(requestTarget(s.url, sc.body, o.bodies), { connections: sc.load.connections, seconds: o.seconds });
      // The profile clock is CLOCK_MONOTONIC, as process.hrtime: only the measured load, no start-up, no warm-up.
      window = { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) };
      mainCpuMs = cpuTimes(s.pid).mainMs - cpu0.mainMs;
    } finally {
      await s.stop();
    }
    // node names each thread's profile CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main one.
    const byThread = readdirSync(dir)
      .map((f) => ({ file: path.join(dir, f), thread: Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(f)?.[1] ?? NaN) }))
      .filter((x) => Number.isFinite(x.thread));
    const mainFile = byThread.find((x) => x.thread === 0)?.file;
    if (!mainFile) throw new Error(`no main-thread .cpuprofile written for ${scenarioName(sc)}`);
    const load = `${result.rps.toFixed(0)} req/s, ${((window.toUs - window.fromUs) / 1000).toFixed(0)} ms of load`;
    const slug = scenarioName(sc).replace(/[^a-z0-9]+/gi, '-');
    const draw = (profile: ReturnType<typeof loadProfile>, who: string, file: string) => {
      writeFileSync(path.join(o.flamesDir, file), flameGraphSvg(profile, { title: `${spec.title}: ${who}, ${load}`, window }));
      const summary = summarizeProfile(profile, TOP, window);
      return { summary: { ...summary, categories: summary.categories.slice(0, TOP) }, flame: file };
    };
    const main = draw(loadProfile(mainFile), "the service's main thread", `${slug}.svg`);
    // The inference worker: the busiest other thread (one worker on this machine; a replaced one would have run less).
    const busiest = byThread
      .filter((x) => x.thread !== 0)
      .map((x) => ({ profile: loadProfile(x.file) }))
      .map((x) => ({ ...x, busyMs: summarizeProfile(x.profile, 1, window).busyMs }))
      .sort((a, b) => b.busyMs - a.busyMs)[0];
    const worker = busiest ? draw(busiest.profile, 'the inference worker', `${slug}-worker.svg`) : undefined;
    return { title: spec.title, scenario: sc, result, main, worker, mainCpuMs, windowMs: (window.toUs - window.fromUs) / 1000, seconds: o.seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true }); // never keep .cpuprofile files
  }
}
