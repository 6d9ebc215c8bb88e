/**
 * In-process model throughput: featurize + onnxruntime run (+ activation), on ONE thread, no HTTP,
 * no worker messaging: the physical limit the HTTP numbers are compared with. It runs the same
 * ModelSession (src/model/model-session.ts) as the inference worker.
 *
 * Run by bench/run.ts as a child process (so it never shares an event loop with a load generator):
 *   node --import tsx bench/inprocess.ts --model DIR --seconds S --batches 64,1
 * Prints one JSON line: { results: [{ batch, texts, seconds, textsPerSec, featurizeShare, ... }] }.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';

import { loadBundle } from '../src/model/bundle';
import { ModelSession } from '../src/model/model-session';
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

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const modelDir = arg('model', 'models/default');
  const seconds = Number(arg('seconds', '3'));
  const batches = arg('batches', '64,1').split(',').map(Number);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const model = await ModelSession.open(ort, loadBundle(modelDir));
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

  const results: InProcessResult[] = [];
  for (const batch of batches) {
    let at = 0;
    const next = () => {
      if (at + batch > pool.length) at = 0;
      const slice = pool.slice(at, at + batch);
      at += batch;
      return slice;
    };
    // Warm-up: JIT and onnxruntime allocations.
    const warmUntil = Date.now() + Math.min(500, seconds * 250);
    while (Date.now() < warmUntil) await runBatch(next());
    let texts = 0;
    let featNs = 0;
    let inferNs = 0;
    let runs = 0;
    const machine0 = machineCpu();
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(seconds * 1e9));
    while (process.hrtime.bigint() < end) {
      const [f, i] = await runBatch(next());
      featNs += f;
      inferNs += i;
      texts += batch;
      runs++;
    }
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cores = (cpu.user + cpu.system) / 1e6 / elapsed;
    const otherCores = Math.max(0, (machineCpu().busyMs - machine0.busyMs) / 1000 / elapsed - cores);
    results.push({ batch, texts, seconds: elapsed, textsPerSec: texts / elapsed, featurizeUs: featNs / runs / 1e3, inferUs: inferNs / runs / 1e3, cores, otherCores });
  }
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`inprocess: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
