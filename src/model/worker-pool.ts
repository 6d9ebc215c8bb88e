import { EventEmitter } from 'node:events';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunRequest, TransformerSpec, WorkerInit, WorkerMessage } from './worker-protocol';

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
  /** process.hrtime.bigint() when the worker began the run (the end of the batch's wait). */
  startedNs: bigint;
}

export interface PoolOptions {
  modelDir: string;
  /** For a Hugging Face transformer: what the workers load instead of the bundle in modelDir. */
  transformer?: TransformerSpec;
  size: number;
  /** onnxruntime intra-op threads of each worker's session (ModelSession's default, 1, when absent). */
  threads?: number;
  /** A run taking longer than this fails with reason `timeout` and its worker is replaced. */
  timeoutMs: number;
  /** Told of every worker that dies or hangs (the pool replaces it). */
  onWorkerFailure?: (reason: FailureReason, message: string) => void;
}

interface Job {
  id: number;
  resolve: (out: BatchOutput) => void;
  reject: (err: Error) => void;
  /** Set while the job is the one its worker runs. */
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Batches sent to the worker, in order: the first is running, the others wait in the worker. */
  jobs: Job[];
}

/**
 * Batches a worker holds at most: the one it runs and one waiting behind it. Without the one
 * waiting, the worker idles between runs while its result travels to the main thread and the next
 * batch travels back: measured at 240-350 µs per 64-text run, 14-16% of the worker's time under
 * load (docs/decisions/0002).
 */
const JOBS_PER_WORKER = 2;
/** A replacement that fails to load is retried after 100 ms, then twice as long each time, up to 30 s. */
const RESPAWN_FIRST_MS = 100;
const RESPAWN_MAX_MS = 30_000;

/** Ready and running nothing. */
const isIdle = (slot: Slot): boolean => slot.ready && slot.jobs.length === 0;
/** Ready and able to take a batch now: idle, or busy with room for one more. */
const hasRoom = (slot: Slot): boolean => slot.ready && slot.jobs.length < JOBS_PER_WORKER;

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
 * A fixed set of inference worker threads, each with its own onnxruntime session. A worker runs
 * one batch at a time and may hold one more, queued behind it; `idle` is emitted whenever a worker
 * can take another batch.
 */
export class WorkerPool extends EventEmitter<{ idle: []; unavailable: [message: string] }> {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closing = false;
  /** Replacement workers in a row that failed to load (the model gone or unreadable since start-up). */
  private failedStarts = 0;
  /** The bundle as the first worker loaded it: replacements must load the same files. */
  private fingerprint: string | undefined;
  private readonly respawnTimers = new Set<NodeJS.Timeout>();

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

  /** Workers running nothing. */
  get idleCount(): number {
    let n = 0;
    for (const slot of this.slots) if (isIdle(slot)) n++;
    return n;
  }

  /** Busy workers that can hold one more batch, to start as soon as the one they run ends. */
  get standbyCount(): number {
    let n = 0;
    for (const slot of this.slots) if (hasRoom(slot) && !isIdle(slot)) n++;
    return n;
  }

  /**
   * Runs one batch: on an idle worker if there is one, else queued on a busy worker that has room
   * (callers check idleCount and standbyCount first; with neither this rejects).
   */
  run(texts: string[]): Promise<BatchOutput> {
    const slot = this.slots.find(isIdle) ?? this.slots.find(hasRoom);
    if (!slot || this.closing) return Promise.reject(new InferenceError('worker_error', 'no inference worker can take a batch'));
    return new Promise<BatchOutput>((resolve, reject) => {
      const job: Job = { id: this.nextId++, resolve, reject };
      slot.jobs.push(job);
      if (slot.jobs.length === 1) this.startTimer(slot, job);
      const request: RunRequest = { id: job.id, texts };
      slot.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.respawnTimers) clearTimeout(timer);
    this.respawnTimers.clear();
    const slots = this.slots.splice(0);
    for (const slot of slots) this.failJobs(slot, new InferenceError('worker_exit', 'inference pool closed'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /** The run timeout counts from when a job starts running, not from when it was queued. */
  private startTimer(slot: Slot, job: Job): void {
    job.timer = setTimeout(() => this.onTimeout(slot, job.id), this.options.timeoutMs);
  }

  private spawn(): Promise<void> {
    const entry = workerEntry();
    const { modelDir, transformer, threads } = this.options;
    const init: WorkerInit = { modelDir, transformer, threads, fingerprint: this.fingerprint };
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      workerData: init,
      env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
    });
    const slot: Slot = { worker, ready: false, jobs: [] };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (msg: WorkerMessage) => {
        switch (msg.type) {
          case 'ready':
            this.fingerprint ??= msg.fingerprint;
            slot.ready = true;
            resolve();
            this.emit('idle');
            break;
          case 'init_error':
            reject(new Error(`inference worker could not load the model: ${msg.message}`));
            break;
          case 'result':
            this.settle(slot, msg.id, (job) => job.resolve({ scores: msg.scores, overall: msg.overall, seconds: msg.seconds, startedNs: msg.startedNs }));
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

  /** A worker answers its batches in the order they were sent: `id` is the running one. */
  private settle(slot: Slot, id: number, finish: (job: Job) => void): void {
    const job = slot.jobs[0];
    if (!job || job.id !== id) return;
    clearTimeout(job.timer);
    slot.jobs.shift();
    const next = slot.jobs[0];
    if (next) this.startTimer(slot, next);
    finish(job);
    this.emit('idle');
  }

  /** Fails every batch the worker holds: the one it runs with `err`, any queued behind it as lost with the worker. */
  private failJobs(slot: Slot, err: InferenceError): void {
    const jobs = slot.jobs.splice(0);
    jobs.forEach((job, i) => {
      clearTimeout(job.timer);
      job.reject(i === 0 ? err : new InferenceError(err.reason === 'timeout' ? 'worker_exit' : err.reason, `${err.message}; this batch was queued on the same worker`));
    });
  }

  private onTimeout(slot: Slot, id: number): void {
    if (slot.jobs[0]?.id !== id) return;
    const message = `model run exceeded ${this.options.timeoutMs} ms`;
    this.failJobs(slot, new InferenceError('timeout', message));
    void slot.worker.terminate();
    this.replace(slot, 'timeout', message);
  }

  /** Drops a dead or hung worker, fails its batches, and starts a fresh one in its place. */
  private replace(slot: Slot, reason: FailureReason, message: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    slot.ready = false;
    this.failJobs(slot, new InferenceError(reason, message));
    if (this.closing) return;
    this.options.onWorkerFailure?.(reason, message);
    void slot.worker.terminate();
    this.respawn();
  }

  /**
   * Starts a replacement worker: at once after a failure at run time, but after a delay that doubles
   * with each replacement in a row that could not load the model, rather than reloading in a tight
   * loop. When none is left alive, `unavailable` tells the batcher to fail the texts it holds.
   */
  private respawn(): void {
    const start = () => {
      if (this.closing) return;
      this.spawn().then(
        () => {
          this.failedStarts = 0;
        },
        (err: Error) => {
          this.failedStarts++;
          const message = `could not replace worker: ${err.message}`;
          this.options.onWorkerFailure?.('worker_exit', message);
          if (this.alive === 0) this.emit('unavailable', message);
        },
      );
    };
    if (this.failedStarts === 0) return start();
    const timer = setTimeout(() => {
      this.respawnTimers.delete(timer);
      start();
    }, Math.min(RESPAWN_MAX_MS, RESPAWN_FIRST_MS * 2 ** (this.failedStarts - 1)));
    this.respawnTimers.add(timer);
  }
}
