/** Messages between the main thread (worker-pool.ts) and an inference worker (inference-worker.ts). */
import type { LongTexts } from './token-windows';

/** Everything a worker needs to load and run a Hugging Face transformer classifier (transformer-session.ts). */
export interface TransformerSpec {
  onnxPath: string;
  tokenizerPath: string;
  tokenizerConfigPath?: string;
  configPath: string;
  padTokenId?: number;
  /** Columns of `logits` (config.json's id2label). */
  labels: number;
  activation: 'sigmoid' | 'softmax';
  /** Tokens per model input, special tokens included. */
  maxLength: number;
  longTexts: LongTexts;
  /** Tokens neighbouring windows share; undefined = a quarter of a window. */
  windowOverlap?: number;
  /** Padded tokens per model run. */
  maxBatchTokens: number;
  /** Inputs (windows) per model run. */
  maxBatchSize: number;
  /** Per label: whether it counts towards `overall` (benign labels do not). */
  counted: boolean[];
}

export interface WorkerInit {
  /** The model folder. */
  modelDir: string;
  /** Present for a Hugging Face transformer; absent for the embedded model's bundle (model.json). */
  transformer?: TransformerSpec;
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
      /**
       * Row-major [texts, columns] probabilities: one column per label, then for a transformer what
       * of the text it read (coverage.ts).
       */
      scores: Float32Array;
      /** Overall probability per text. */
      overall: Float32Array;
      /** Featurize + session.run, seconds. */
      seconds: number;
      /** process.hrtime.bigint() when the run began (one monotonic clock for every thread of the process). */
      startedNs: bigint;
    }
  | { type: 'run_error'; id: number; message: string };
