/** Messages between the main thread (worker-pool.ts) and an inference worker (inference-worker.ts). */

export interface WorkerInit {
  /** The model bundle folder. */
  modelDir: string;
  /** onnxruntime intra-op threads of the worker's session (ModelSession's default when absent). */
  threads?: number;
  /** For a replacement: the bundle's fingerprint when the first worker loaded it (bundle.ts). */
  fingerprint?: string;
}

export interface RunRequest {
  id: number;
  texts: string[];
}

export type WorkerMessage =
  | { type: 'ready'; fingerprint: string }
  | { type: 'init_error'; message: string }
  | {
      type: 'result';
      id: number;
      /** Row-major [texts, labels] probabilities. */
      scores: Float32Array;
      /** Overall probability per text. */
      overall: Float32Array;
      /** Featurize + session.run, seconds. */
      seconds: number;
      /** process.hrtime.bigint() when the run began (one monotonic clock for every thread of the process). */
      startedNs: bigint;
    }
  | { type: 'run_error'; id: number; message: string };
