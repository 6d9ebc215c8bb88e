import { EventEmitter } from 'node:events';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunRequest, WorkerInit, WorkerMessage } from './worker-protocol';

export type FailureReason = 'worker_error' | 'worker_exit' | 'timeout';

/** A model run that failed; `reason` is what the failure metric and logs report. */
export class InferenceError extends Error {
  override readonly name = 'InferenceError';
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

export interface BatchOutput {
  /** Row-major [texts, labels] probabilities. */
  scores: Float32Array;
  overall: Float32Array;
  /** Featurize + inference inside the worker, seconds. */
  seconds: number;
}

export interface PoolOptions {
  modelDir: string;
  size: number;
  /** A run taking longer than this fails with reason `timeout` and its worker is replaced. */
  timeoutMs: number;
  /** Told of every worker that dies or hangs (the pool replaces it). */
  onWorkerFailure?: (reason: FailureReason, message: string) => void;
}

interface Job {
  id: number;
  resolve: (out: BatchOutput) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
}

/**
 * How the worker starts: compiled JS runs as is; the TS source (under jest or tsx) is loaded
 * through tsx's require hook, since a worker cannot start from a .ts file by itself.
 */
function workerEntry(): { script: string; eval: boolean } {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `inference-worker${ext}`);
  if (ext !== '.ts') return { script: file, eval: false };
  return { script: `require('tsx/cjs'); require(${JSON.stringify(file)});`, eval: true };
}

/**
 * A fixed set of inference worker threads, each with its own onnxruntime session. One batch per
 * worker at a time; `idle` is emitted whenever a worker can take another batch.
 */
export class WorkerPool extends EventEmitter<{ idle: [] }> {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closing = false;

  private constructor(private readonly options: PoolOptions) {
    super();
  }

  /** Starts `size` workers and resolves once every one has loaded the model. */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(Array.from({ length: options.size }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Workers loaded and alive. */
  get alive(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  get idleCount(): number {
    let n = 0;
    for (const slot of this.slots) if (slot.ready && !slot.job) n++;
    return n;
  }

  /** Runs one batch on an idle worker. Callers check idleCount first; with none idle this rejects. */
  run(texts: string[]): Promise<BatchOutput> {
    const slot = this.slots.find((s) => s.ready && !s.job);
    if (!slot || this.closing) return Promise.reject(new InferenceError('worker_error', 'no idle inference worker'));
    return new Promise<BatchOutput>((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => this.onTimeout(slot, id), this.options.timeoutMs);
      slot.job = { id, resolve, reject, timer };
      const request: RunRequest = { id, texts };
      slot.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const slots = this.slots.splice(0);
    for (const slot of slots) this.failJob(slot, new InferenceError('worker_exit', 'inference pool closed'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const entry = workerEntry();
    const init: WorkerInit = { modelDir: this.options.modelDir };
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      workerData: init,
      env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
    });
    const slot: Slot = { worker, ready: false };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (msg: WorkerMessage) => {
        switch (msg.type) {
          case 'ready':
            slot.ready = true;
            resolve();
            this.emit('idle');
            break;
          case 'init_error':
            reject(new Error(`inference worker could not load the model: ${msg.message}`));
            break;
          case 'result':
            this.settle(slot, msg.id, (job) => job.resolve({ scores: msg.scores, overall: msg.overall, seconds: msg.seconds }));
            break;
          case 'run_error':
            this.settle(slot, msg.id, (job) => job.reject(new InferenceError('worker_error', msg.message)));
            break;
        }
      });
      worker.on('error', (err) => {
        if (!slot.ready) reject(err);
        this.replace(slot, 'worker_error', err.message);
      });
      worker.on('exit', (code) => {
        if (!slot.ready) reject(new Error(`inference worker exited with code ${code} while loading`));
        this.replace(slot, 'worker_exit', `inference worker exited with code ${code}`);
      });
    });
  }

  private settle(slot: Slot, id: number, finish: (job: Job) => void): void {
    const job = slot.job;
    if (!job || job.id !== id) return;
    clearTimeout(job.timer);
    slot.job = undefined;
    finish(job);
    this.emit('idle');
  }

  private failJob(slot: Slot, err: InferenceError): void {
    const job = slot.job;
    if (!job) return;
    clearTimeout(job.timer);
    slot.job = undefined;
    job.reject(err);
  }

  private onTimeout(slot: Slot, id: number): void {
    if (slot.job?.id !== id) return;
    const message = `model run exceeded ${this.options.timeoutMs} ms`;
    this.failJob(slot, new InferenceError('timeout', message));
    void slot.worker.terminate();
    this.replace(slot, 'timeout', message);
  }

  /** Drops a dead or hung worker, fails its batch, and starts a fresh one in its place. */
  private replace(slot: Slot, reason: FailureReason, message: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    slot.ready = false;
    this.failJob(slot, new InferenceError(reason, message));
    if (this.closing) return;
    this.options.onWorkerFailure?.(reason, message);
    void slot.worker.terminate();
    this.spawn().catch((err: Error) => this.options.onWorkerFailure?.('worker_exit', `could not replace worker: ${err.message}`));
  }
}
