/**
 * In-process model throughput: featurize + onnxruntime run (+ activation), on ONE thread, no HTTP,
 * no worker messaging: the physical limit the HTTP numbers are compared with. It runs the same
 * ModelSession (src/model/model-session.ts) as the inference worker.
 *
 * Run by the bench session (bench/measure/session.ts) as a child process (so it never shares an event loop with a load generator):
 *   node --import tsx bench/measure/inprocess.ts --model DIR --seconds S --batches 64,1
 * Prints one JSON line: { results: [{ batch, texts, seconds, textsPerSec, featurizeShare, ... }] }.
 *
 * With `--paced RATE` it instead runs batches of the first size at RATE per second, evenly spaced and
 * open loop (a run that overruns delays the next, as in the inference worker), and prints
 * { paced: PacedResult }: the latency floor of the HTTP paced runs, with no HTTP, no messaging and
 * no other thread of ours competing for the cores.
 */
import { loadBundle } from '../../src/model/bundle';
import { ModelSession } from '../../src/model/model-session';
import { percentile } from './load';
import { intArg, intListArg, parseArgs, positiveArg } from '../../tools/cli-args';
import { machineCpu } from './servers';
import { makeTexts } from './texts';

export interface InProcessResult {
  batch: number;
  texts: number;
  seconds: number;
  textsPerSec: number;
  /** Mean wall time of one featurize() call per batch, µs. */
  featurizeUs: number;
  /** Mean wall time of one session.run (+ activation) per batch, µs. */
  inferUs: number;
  /** This process's CPU use during the measurement, in cores (≈ 1 when it got a whole core). */
  cores: number;
  /** Everything else on the machine during the measurement, in cores. */
  otherCores: number;
}

export interface PacedResult {
  batch: number;
  /** Runs per second offered. */
  rate: number;
  runs: number;
  /** Finish − due time of each run, ms: what a request would wait for the model alone. */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Mean featurize + run wall time per batch when paced, µs (compare with back-to-back). */
  computeUs: number;
  /** The same, back-to-back, measured just before in this process, µs. */
  backToBackUs: number;
  cores: number;
  otherCores: number;
}

/** Sleeps the thread until `hrtime` reaches `ns` (Atomics.wait: no spinning, sub-ms precision). */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepUntil(ns: bigint): void {
  const ms = Number(ns - process.hrtime.bigint()) / 1e6;
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** Starts measuring; the returned function gives this process's and the rest of the machine's cores over `elapsed` s. */
function cpuMeter(): (elapsed: number) => { cores: number; otherCores: number } {
  const machine0 = machineCpu();
  const cpu0 = process.cpuUsage();
  return (elapsed) => {
    const cpu = process.cpuUsage(cpu0);
    const cores = (cpu.user + cpu.system) / 1e6 / elapsed;
    return { cores, otherCores: Math.max(0, (machineCpu().busyMs - machine0.busyMs) / 1000 / elapsed - cores) };
  };
}

interface Args {
  modelDir: string;
  seconds: number;
  batches: number[];
  threads?: number;
  pacedRate: number;
}

/** The options, or exit 2 naming the bad one. */
function readArgs(): Args {
  try {
    const { values } = parseArgs(
      process.argv.slice(2),
      {
        values: {
          model: 'model bundle (default models/default)',
          seconds: 'seconds per batch size (default 3)',
          batches: 'batch sizes (default 64,1)',
          threads: "onnxruntime threads (default: ModelSession's)",
          paced: 'run batches of the first size at this many per second instead, open loop',
        },
      },
      'Usage: node --import tsx bench/measure/inprocess.ts [options]',
    );
    return {
      modelDir: values.model ?? 'models/default',
      seconds: positiveArg(values, 'seconds') ?? 3,
      batches: intListArg(values, 'batches') ?? [64, 1],
      threads: intArg(values, 'threads', 1),
      pacedRate: positiveArg(values, 'paced') ?? 0,
    };
  } catch (err) {
    process.stderr.write(`inprocess: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const { modelDir, seconds, batches, threads, pacedRate } = readArgs();
  process.env.ORT_DISABLE_TELEMETRY = '1'; // before onnxruntime-node is loaded: it phones home otherwise
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  // As the service's workers run it: ModelSession's default thread count unless --threads is given.
  const model = await ModelSession.open(ort, loadBundle(modelDir), threads ? { threads } : {});
  // Same seed family as the HTTP bodies, a different seed: similar length distribution.
  const pool = makeTexts(8192, 777);

  async function runBatch(texts: string[]): Promise<[number, number]> {
    const t0 = process.hrtime.bigint();
    const feeds = model.feeds(texts);
    const t1 = process.hrtime.bigint();
    await model.run(feeds, texts.length);
    const t2 = process.hrtime.bigint();
    return [Number(t1 - t0), Number(t2 - t1)];
  }

  let at = 0;
  const next = (batch: number) => {
    if (at + batch > pool.length) at = 0;
    const slice = pool.slice(at, at + batch);
    at += batch;
    return slice;
  };
  const warmUp = async (batch: number) => {
    // JIT and onnxruntime allocations.
    const warmUntil = Date.now() + Math.min(500, seconds * 250);
    while (Date.now() < warmUntil) await runBatch(next(batch));
  };
  /** Runs batches back-to-back for `ns` nanoseconds; featurize and run wall time summed apart. */
  const backToBack = async (batch: number, ns: bigint) => {
    let runs = 0;
    let featNs = 0;
    let inferNs = 0;
    const end = process.hrtime.bigint() + ns;
    while (process.hrtime.bigint() < end) {
      const [f, i] = await runBatch(next(batch));
      featNs += f;
      inferNs += i;
      runs++;
    }
    return { runs, featNs, inferNs };
  };

  if (pacedRate > 0) {
    const batch = batches[0]!;
    await warmUp(batch);
    const b2b = await backToBack(batch, 500_000_000n);
    const total = Math.max(1, Math.round(pacedRate * seconds));
    const intervalNs = 1e9 / pacedRate;
    const latencies: number[] = [];
    let computeNs = 0;
    const usage = cpuMeter();
    const start = process.hrtime.bigint();
    for (let k = 0; k < total; k++) {
      const due = start + BigInt(Math.round(k * intervalNs));
      sleepUntil(due);
      const [f, i] = await runBatch(next(batch));
      computeNs += f + i;
      latencies.push(Number(process.hrtime.bigint() - due) / 1e6);
    }
    const { cores, otherCores } = usage(Number(process.hrtime.bigint() - start) / 1e9);
    latencies.sort((a, b) => a - b);
    const paced: PacedResult = {
      batch,
      rate: pacedRate,
      runs: total,
      p50Ms: percentile(latencies, 50),
      p90Ms: percentile(latencies, 90),
      p99Ms: percentile(latencies, 99),
      computeUs: computeNs / total / 1e3,
      backToBackUs: (b2b.featNs + b2b.inferNs) / b2b.runs / 1e3,
      cores,
      otherCores,
    };
    process.stdout.write(`${JSON.stringify({ paced })}\n`);
    return;
  }

  const results: InProcessResult[] = [];
  for (const batch of batches) {
    await warmUp(batch);
    const usage = cpuMeter();
    const start = process.hrtime.bigint();
    const { runs, featNs, inferNs } = await backToBack(batch, BigInt(Math.round(seconds * 1e9)));
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    const texts = runs * batch;
    results.push({ batch, texts, seconds: elapsed, textsPerSec: texts / elapsed, featurizeUs: featNs / runs / 1e3, inferUs: inferNs / runs / 1e3, ...usage(elapsed) });
  }
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`inprocess: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
