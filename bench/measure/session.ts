/**
 * The session runs a plan and returns its records: each repetition starts every server afresh (the
 * order rotated, so slow phases of a shared machine hit every configuration), runs its scenarios and
 * the in-process model; then the latency floors at the rates the service's half-load runs offered,
 * and the profiles. Servers are child processes on 127.0.0.1; `kill()` stops any still running.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { autoWorkers } from '../../src/model/pool-size';
import { EVENT_LOOP_SAMPLE_MS } from '../../src/telemetry/setup';
import type { Measurements, ModelFloorRecord, ProfileRecord, RunRecord, StartRecord } from '../measurements';
import { MEASUREMENTS_FORMAT } from '../measurements';
import type { Options } from '../options';
import { halfLoad, isHello, sameScenario, scenarioName, SERVER_LABEL, serviceConfig, topConns, type Plan, type Scenario, type ServerKind, type ServiceBody, type Telemetry } from '../plan';
import { aggregate } from '../summary/stats';
import { compressionCost } from './compression';
import type { InProcessResult, PacedResult } from './inprocess';
import { benchModels } from './models';
import { closedLoop, paced, type LoadResult } from './load';
import { profileRun } from './profiling';
import { machineInfo, modelInfo } from './run-info';
import { makeRequestBodies, requestTarget, runScenario, type Bodies } from './scenario-run';
import { loggedStartupMs, memoryOf, metricValue, ROOT, spawnHello, spawnService, type Running } from './servers';
import { describeTexts, makeTexts } from './texts';

const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

export class Session {
  private readonly workDir = mkdtempSync(path.join(os.tmpdir(), 'moderator-bench-'));
  /** Flame graphs are drawn here; the caller publishes them beside the report once it is written. */
  readonly stagedFlames = path.join(this.workDir, 'flames');
  private readonly alive = new Set<Running>();
  private readonly bodies: Bodies;
  private readonly runs: RunRecord[] = [];
  private readonly starts: StartRecord[] = [];
  private readonly inprocess: Measurements['inprocess'] = [];
  private readonly modelFloors: ModelFloorRecord[] = [];
  private readonly profiles: ProfileRecord[] = [];
  private readonly problems: string[] = [];

  constructor(
    private readonly o: Options,
    private readonly plan: Plan,
    private readonly say: (line: string) => void,
  ) {
    this.bodies = makeRequestBodies(o.batchSize);
  }

  async run(): Promise<Measurements> {
    const startedAt = new Date();
    const loadStart = os.loadavg();
    const { o, plan } = this;
    const model = modelInfo(o.modelDir, ROOT); // fails early, naming the file, when the model is missing
    this.say(`bench: ${o.smoke ? 'SMOKE, ' : ''}${plan.reps} rep(s) x ${o.seconds} s per scenario, conns ${o.conns.join('/')}, model ${o.modelDir}`);
    for (let rep = 0; rep < plan.reps; rep++) {
      this.say(`\n== repetition ${rep + 1}/${plan.reps}`);
      for (let i = 0; i < plan.steps.length; i++) {
        const step = plan.steps[(i + rep) % plan.steps.length]!;
        if (step === 'inprocess') this.inProcess(rep);
        else await this.serverSession(rep, step);
      }
    }
    this.say('\n== latency floors');
    await this.floors();
    if (plan.profiles.length) {
      this.say('\n== profiles');
      mkdirSync(this.stagedFlames, { recursive: true });
      for (const spec of plan.profiles) {
        this.say(`- profiling ${scenarioName(spec.scenario)} (node --cpu-prof)`);
        const start = (nodeArgs: string[]) => this.startWarm(spec.scenario.server, nodeArgs);
        const p = await profileRun(spec, { seconds: o.seconds, bodies: this.bodies, workDir: this.workDir, flamesDir: this.stagedFlames, start });
        this.profiles.push(p);
        const top = p.main.summary.categories.slice(0, 4).map((c) => `${c.category} ${(c.share * 100).toFixed(0)}%`);
        this.say(`  ${p.result.rps.toFixed(0)} req/s under the profiler; top: ${top.join(', ')}`);
      }
    }
    this.say('\n== models: the embedded model beside transformers (in process, the service\'s classification path)');
    const models = await benchModels(
      o.smoke ? { models: ['embedded', 'tiny-distilbert'], batches: [1, 64], seconds: 0.3 } : { models: ['embedded', 'tiny-distilbert', 'minilm-l6'], batches: [1, 8, 64], seconds: o.seconds },
      (line) => this.say(`  ${line}`),
    );
    this.say('\n== response compression');
    const compression = await compressionCost({ requests: o.smoke ? 20 : 300, rounds: o.smoke ? 1 : 3, concurrency: 8, log: (line) => this.say(`  ${line}`) });
    const texts = describeTexts(makeTexts(2000, 1));
    return {
      format: MEASUREMENTS_FORMAT,
      info: {
        startedAt: startedAt.toISOString(),
        elapsedS: (Date.now() - startedAt.getTime()) / 1000,
        smoke: o.smoke,
        reps: plan.reps,
        seconds: o.seconds,
        conns: o.conns,
        batchSize: o.batchSize,
        machine: machineInfo(),
        loadAvg: { start: loadStart, end: os.loadavg() },
        model,
        ...(o.entry ? { entry: o.entry } : {}),
        autoWorkers: autoWorkers(),
        eventLoopSampleMs: EVENT_LOOP_SAMPLE_MS,
        texts: { meanChars: texts.meanChars, p50Chars: texts.p50Chars, maxChars: texts.maxChars, singleBodies: this.bodies.single.length, batchBodies: this.bodies.batch.length },
        serviceConfigs: { off: serviceConfig('off', o.modelDir), on: serviceConfig('on', o.modelDir), cache: serviceConfig('cache', o.modelDir) },
        flamesDir: path.relative(path.dirname(o.out), o.flamesDir),
      },
      runs: this.runs,
      starts: this.starts,
      inprocess: this.inprocess,
      modelFloors: this.modelFloors,
      profiles: this.profiles,
      models,
      compression,
      problems: this.problems,
    };
  }

  /** Stops every server still running and removes the scratch folder (on an interrupt, or when done). */
  kill(): void {
    for (const s of this.alive) s.child.kill('SIGKILL');
    this.cleanUp();
  }

  cleanUp(): void {
    rmSync(this.workDir, { recursive: true, force: true });
  }

  private async startServer(server: ServerKind, nodeArgs: string[] = []): Promise<Running> {
    const s = isHello(server)
      ? await spawnHello(this.workDir, server === 'helloApp')
      : await spawnService({ name: server, config: serviceConfig(server, this.o.modelDir), workDir: this.workDir, nodeArgs, entry: this.o.entry });
    this.alive.add(s);
    const stop = s.stop;
    s.stop = async () => {
      await stop();
      this.alive.delete(s);
      rmSync(s.logFile, { force: true });
    };
    return s;
  }

  private async warmUp(s: Running, server: ServerKind): Promise<void> {
    const seconds = this.o.warmupSeconds;
    const t = (body: Parameters<typeof requestTarget>[1]) => requestTarget(s.url, body, this.bodies);
    if (isHello(server)) {
      await closedLoop(t('hello'), { connections: 16, seconds });
    } else if (server === 'cache') {
      // Classify every cached body once, then warm the hit path.
      await paced(t('cached'), { rate: 2000, seconds: this.bodies.cached.length / 2000, maxSockets: 16 });
      await closedLoop(t('cached'), { connections: 16, seconds });
    } else {
      await closedLoop(t('single'), { connections: 16, seconds });
      await closedLoop(t('batch'), { connections: 4, seconds });
    }
  }

  private async startWarm(server: ServerKind, nodeArgs: string[] = []): Promise<Running> {
    const s = await this.startServer(server, nodeArgs);
    try {
      await this.warmUp(s, server);
    } catch (err) {
      await s.stop();
      throw err;
    }
    return s;
  }

  /** The median offered rate of a service's half-load runs of one request type so far (NaN before any). */
  private halfLoadRate(server: Telemetry, body: ServiceBody): number {
    const sc = halfLoad(server, body, topConns(this.o.conns));
    const offered = aggregate(this.runs.filter((r) => sameScenario(r.scenario, sc)).map((r) => r.result))?.offered;
    return Math.round(offered ?? NaN);
  }

  /** The rate of a paced or rate-limited scenario, from the records so far. */
  private rateOf(rep: number, sc: Scenario): number {
    const { load } = sc;
    if (load.kind === 'closed') return 0;
    if (load.rate.kind === 'floor') return this.halfLoadRate(load.rate.server, load.rate.body);
    // Half of this session's best closed-loop req/s for the body.
    const closedRuns = this.runs.filter((r) => r.rep === rep && r.scenario.server === sc.server && r.scenario.body === sc.body && r.scenario.load.kind === 'closed');
    return Math.max(1, Math.round(Math.max(0, ...closedRuns.map((r) => r.result.rps)) / 2));
  }

  private async measure(rep: number, s: Running, sc: Scenario): Promise<void> {
    const { result, drainStatus } = await runScenario(s, sc, {
      seconds: this.o.seconds,
      bodies: this.bodies,
      rate: this.rateOf(rep, sc),
      loopDelaySampleMs: sc.server === 'on' ? EVENT_LOOP_SAMPLE_MS : undefined,
    });
    this.runs.push({ rep, scenario: sc, result });
    if (drainStatus !== undefined && drainStatus !== 200) this.problems.push(`${scenarioName(sc)} (rep ${rep + 1}): the drain request after it answered ${drainStatus}`);
    this.say(progressLine(sc, result));
  }

  private async serverSession(rep: number, server: ServerKind): Promise<void> {
    this.say(`- ${SERVER_LABEL[server]}`);
    const s = await this.startServer(server);
    try {
      await new Promise((r) => setTimeout(r, this.o.smoke ? 200 : 1000)); // settle before the idle reading
      const idle = memoryOf(s.pid);
      const metricBytes = server === 'on' ? await metricValue(`${s.url}/metrics`, 'process_resident_memory_bytes') : undefined;
      await this.warmUp(s, server);
      for (const sc of this.plan.sessions[server]) await this.measure(rep, s, sc);
      this.starts.push({
        rep,
        server,
        coldStartMs: s.coldStartMs,
        ...(isHello(server) ? {} : { loggedStartupMs: loggedStartupMs(s.logFile) }),
        idleRssMb: idle.rssMb,
        ...(metricBytes === undefined ? {} : { idleRssMetricMb: metricBytes / 2 ** 20 }),
        peakRssMb: memoryOf(s.pid).hwmMb,
      });
      this.say(`  cold start ${s.coldStartMs.toFixed(0)} ms, idle RSS ${idle.rssMb.toFixed(1)} MB`);
    } finally {
      await s.stop();
    }
  }

  /**
   * The latency floors, at the median offered rate of the service's half-load runs: the hello-worlds
   * under the same paced load as the single-text runs, express parsing the same 64-text bodies and
   * answering as much JSON as the service (no model) at the batch runs' rates, and the model alone
   * (in-process, one thread) at those rates too.
   */
  private async floors(): Promise<void> {
    const o = this.o;
    for (const { server, scenarios } of this.plan.floors) {
      const runnable = scenarios.filter((sc) => Number.isFinite(this.rateOf(0, sc)));
      if (!runnable.length) continue;
      this.say(`- ${SERVER_LABEL[server]}, paced at the service's half-load rates`);
      const s = await this.startWarm(server);
      try {
        for (let rep = 0; rep < this.plan.reps; rep++) for (const sc of runnable) await this.measure(rep, s, sc);
      } finally {
        await s.stop();
      }
    }
    const batchRates = this.plan.modelFloors.map((of) => ({ of, rate: this.halfLoadRate(of, 'batch') })).filter((x) => Number.isFinite(x.rate));
    if (!batchRates.length) return;
    this.say(`- the model alone, ${o.batchSize} texts per run, paced at the service batch half-load rates`);
    for (let rep = 0; rep < this.plan.reps; rep++) {
      for (const { of, rate } of batchRates) {
        const { paced: p } = this.inProcessChild(['--seconds', String(o.seconds), '--batches', String(o.batchSize), '--paced', String(rate)]) as { paced: PacedResult };
        this.modelFloors.push({ rep, of, paced: p });
        this.say(
          `  ${fmt(p.rate)} runs/s (telemetry-${of} rate): p50 ${fmt(p.p50Ms, 2)} p99 ${fmt(p.p99Ms, 2)} ms; ${fmt(p.computeUs)} µs per run paced, ${fmt(p.backToBackUs)} back-to-back; cores: self ${fmt(p.cores, 2)}, other ${fmt(p.otherCores, 2)}`,
        );
      }
    }
  }

  /** Runs bench/measure/inprocess.ts in a child process (own event loop and heap) and returns its JSON line. */
  private inProcessChild(args: string[]): unknown {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'inprocess.ts'), '--model', this.o.modelDir, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`in-process benchmark failed: ${r.stderr || r.error?.message}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  }

  private inProcess(rep: number): void {
    this.say('- in-process model (one thread, no HTTP)');
    const seconds = this.o.smoke ? 0.5 : 3;
    const { results } = this.inProcessChild(['--seconds', String(seconds), '--batches', `${this.o.batchSize},1`]) as { results: InProcessResult[] };
    this.inprocess.push({ rep, results });
    for (const x of results) {
      this.say(
        `  batch ${String(x.batch).padStart(3)}: ${x.textsPerSec.toFixed(0).padStart(8)} texts/s  (featurize ${x.featurizeUs.toFixed(0)} µs + run ${x.inferUs.toFixed(0)} µs per batch); cores: self ${x.cores.toFixed(2)}, other ${x.otherCores.toFixed(2)}`,
      );
    }
  }
}

function progressLine(sc: Scenario, r: LoadResult): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
  return (
    `  ${scenarioName(sc).padEnd(22)} ${r.rps.toFixed(0).padStart(7)} req/s ${r.tps.toFixed(0).padStart(8)} texts/s  p50 ${f(r.p50)} ms  p99 ${f(r.p99)} ms` +
    (r.offeredRps ? `  (offered ${r.offeredRps.toFixed(0)} req/s)` : '') +
    (r.cpuUsPerReq !== undefined ? `  cpu ${r.cpuUsPerReq.toFixed(0)} µs/req (main ${r.mainUsPerReq!.toFixed(0)}); cores: server ${r.cpuCores!.toFixed(2)}, client ${r.clientCores!.toFixed(2)}, other ${r.otherCores!.toFixed(2)}` : '') +
    (r.failed ? `  FAILED ${r.failed} ${JSON.stringify(r.failures)}` : '')
  );
}
