/**
 * Inference worker thread: featurizes a batch and runs the ONNX session off the main thread,
 * because onnxruntime-node's session.run does its native work synchronously.
 */
// onnxruntime-node reports usage unless this is set before it loads; workers load it themselves.
process.env.ORT_DISABLE_TELEMETRY = '1';

import { parentPort, workerData } from 'node:worker_threads';
import type { InferenceSession as Session, Tensor as OrtTensor } from 'onnxruntime-node';
import { loadBundle } from './bundle';
import { createFeaturizer } from './featurizer';
import { toProbabilities } from './activation';
import type { RunRequest, WorkerInit, WorkerMessage } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');

function send(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function main(): Promise<void> {
  const { modelDir } = workerData as WorkerInit;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const bundle = loadBundle(modelDir);
  const { manifest } = bundle;
  const featurizer = createFeaturizer(manifest.featurizer);
  // One intra-op thread per worker: parallelism comes from the pool, not from each session.
  const session: Session = await ort.InferenceSession.create(bundle.onnxPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const labelCount = manifest.labels.length;
  const scoresName = manifest.outputs.scores.name;
  const overallName = 'name' in manifest.outputs.overall ? manifest.outputs.overall.name : undefined;
  const fetches = overallName ? [scoresName, overallName] : [scoresName];
  for (const name of fetches) {
    if (!session.outputNames.includes(name)) {
      throw new Error(`model.json names output '${name}' but ${bundle.onnxPath} has ${session.outputNames.join(', ')}`);
    }
  }

  function feedsFor(texts: readonly string[]): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const [name, feed] of Object.entries(featurizer.featurize(texts))) feeds[name] = new ort.Tensor(feed.type, feed.data, feed.dims);
    return feeds;
  }

  async function run({ id, texts }: RunRequest): Promise<void> {
    const started = process.hrtime.bigint();
    const out = await session.run(feedsFor(texts), fetches);
    const scores = toProbabilities(out[scoresName].data as Float32Array, texts.length, labelCount, manifest.outputs.scores.activation);
    const overall = new Float32Array(texts.length);
    if (overallName) {
      overall.set(out[overallName].data as Float32Array);
    } else {
      for (let i = 0; i < texts.length; i++) {
        let max = 0;
        for (let j = 0; j < labelCount; j++) max = Math.max(max, scores[i * labelCount + j]);
        overall[i] = max;
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    send({ type: 'result', id, scores, overall, seconds }, [scores.buffer as ArrayBuffer, overall.buffer as ArrayBuffer]);
  }

  // The first run initialises onnxruntime's kernels (hundreds of ms); pay it before reporting ready.
  await session.run(feedsFor(['warm-up']), fetches);

  port!.on('message', (request: RunRequest) => {
    run(request).catch((err: unknown) => send({ type: 'run_error', id: request.id, message: (err as Error).message }));
  });
  send({ type: 'ready', labels: manifest.labels.map((l) => l.name) });
}

main().catch((err: unknown) => send({ type: 'init_error', message: (err as Error).message }));
