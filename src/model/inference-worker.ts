/**
 * Inference worker thread: featurizes a batch and runs the ONNX session off the main thread,
 * because onnxruntime-node's session.run does its native work synchronously.
 */
// onnxruntime-node reports usage unless this is set before it loads; workers load it themselves.
process.env.ORT_DISABLE_TELEMETRY = '1';

import { parentPort, workerData } from 'node:worker_threads';
import { bundleFingerprint, filesFingerprint, loadBundle } from './bundle';
import { ModelSession, type ModelOutput } from './model-session';
import { TransformerSession } from './transformer-session';
import type { RunRequest, WorkerInit, WorkerMessage } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');

function send(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function main(): Promise<void> {
  const { modelDir, transformer, threads, fingerprint: expected } = workerData as WorkerInit;
  const bundle = transformer ? undefined : loadBundle(modelDir);
  const fingerprint = bundle
    ? bundleFingerprint(bundle)
    : filesFingerprint([transformer!.configPath, transformer!.tokenizerPath, transformer!.onnxPath]);
  // A model edited in place under the running service would give new weights behind the main
  // thread's old description (labels, thresholds, version, cache keys): refuse it until a restart.
  if (expected !== undefined && fingerprint !== expected) {
    throw new Error(`${modelDir} changed on disk since the service started; restart the service to load it`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  // The session by kind: both take texts and give one row of scores and an overall score per text.
  const model: { classify(texts: readonly string[]): Promise<ModelOutput> } = bundle
    ? await ModelSession.open(ort, bundle, { threads })
    : await TransformerSession.open(ort, transformer!, { threads });

  async function run({ id, texts }: RunRequest): Promise<void> {
    const startedNs = process.hrtime.bigint();
    const { scores, overall } = await model.classify(texts);
    const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
    send({ type: 'result', id, scores, overall, seconds, startedNs }, [scores.buffer as ArrayBuffer, overall.buffer as ArrayBuffer]);
  }

  // The pool may queue a batch here while one runs (worker-pool.ts): run them one after another,
  // in order, so each run's time is its own.
  const pending: RunRequest[] = [];
  let busy = false;
  async function drain(): Promise<void> {
    busy = true;
    for (let request = pending.shift(); request; request = pending.shift()) {
      const { id } = request;
      await run(request).catch((err: unknown) => send({ type: 'run_error', id, message: (err as Error).message }));
    }
    busy = false;
  }
  port!.on('message', (request: RunRequest) => {
    pending.push(request);
    if (!busy) void drain();
  });
  send({ type: 'ready', fingerprint });
}

main().catch((err: unknown) => send({ type: 'init_error', message: (err as Error).message }));
