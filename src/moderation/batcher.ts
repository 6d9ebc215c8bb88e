import type { BatchOutput } from '../model/worker-pool';
import { ModerationError } from './errors';

/** What the batcher needs from the inference side: run one batch, say how many can run now. */
export interface BatchRunner {
  /** Workers running nothing. */
  readonly idleCount: number;
  /** Busy workers that can hold one more batch, queued to start when their run ends. */
  readonly standbyCount: number;
  /** Runs a batch on an idle worker, or else queues it on a standby one. */
  run(texts: string[]): Promise<BatchOutput>;
  on(event: 'idle', listener: () => void): unknown;
}

export interface BatcherOptions {
  maxBatchSize: number;
  /** How long the oldest queued text may wait for others to join its batch. 0 = same tick only. */
  maxWaitUs: number;
  /** Texts allowed to wait; a submission that would exceed it is refused whole. */
  maxQueue: number;
}

export interface BatchHooks {
  /** After every successful model run: its size, its compute time, each text's queue wait (s). */
  onBatch?(size: number, computeSeconds: number, waitSeconds: Float64Array): void;
  /** A model run failed; every submission with a text in it was rejected. */
  onBatchError?(err: Error, size: number): void;
  /** A submission was refused at the queue. */
  onReject?(reason: RejectionReason, texts: number): void;
}

/** Raw model output for one text. */
export interface TextScores {
  scores: Float32Array;
  overall: number;
}

/** Why the queue refused a submission (the `reason` of its ModerationError, and a metric label). */
export type RejectionReason = 'queue_full' | 'shutting_down';

/**
 * What `submit` needs of a cancellation signal. An AbortSignal fits; the API uses a lighter one
 * (src/api/client-gone.ts), as an AbortController per request was a measurable cost.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}

const cancelled = () => new ModerationError('cancelled', 'the request was cancelled');

interface Submission {
  results: TextScores[];
  pending: number;
  /** Texts still waiting in the queue. */
  queued: number;
  /** Rejected (failed batch or cancelled): its texts still queued are skipped. */
  failed: boolean;
  resolve: (results: TextScores[]) => void;
  reject: (err: Error) => void;
}

interface Entry {
  text: string;
  submission: Submission;
  index: number;
  enqueuedNs: bigint;
}

/**
 * Dynamic micro-batching: texts from concurrent requests wait in one bounded queue and go to the
 * model together, up to `maxBatchSize` texts, after at most `maxWaitUs` once a worker is free.
 * When every worker is busy the queue simply fills, and the next free worker takes a full batch;
 * a full batch may also be queued on a busy worker (`standbyCount`), so that worker starts it
 * without waiting for the main thread. A partial batch is never queued that way: it may still grow.
 */
export class Batcher {
  /** Entries before `head` were taken; their slots are cleared so a finished request is not kept alive. */
  private queue: Array<Entry | undefined> = [];
  private head = 0;
  /** Queued texts of live submissions (the queue may also hold skipped texts of dead ones). */
  private live = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private stopped = false;
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly runner: BatchRunner,
    private readonly options: BatcherOptions,
    private readonly hooks: BatchHooks = {},
  ) {
    runner.on('idle', () => this.pump());
  }

  /** Texts waiting for a model run. */
  get depth(): number {
    return this.live;
  }

  /**
   * Queues texts; resolves with their scores in input order, or rejects as a whole: a ModerationError
   * `shutting_down` or `overloaded` when refused at the queue, `cancelled` when `signal` aborts before
   * the texts ran (they never run then), or the runner's error when their model run fails.
   */
  submit(texts: readonly string[], signal?: CancelSignal): Promise<TextScores[]> {
    if (this.stopped) return this.refuse('shutting_down', 'shutting_down', 'the service is shutting down', texts.length);
    if (this.depth + texts.length > this.options.maxQueue) {
      return this.refuse(
        'overloaded',
        'queue_full',
        `the inference queue is full (${this.depth} of ${this.options.maxQueue} texts waiting; this request adds ${texts.length})`,
        texts.length,
      );
    }
    if (texts.length === 0) return Promise.resolve([]);
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise<TextScores[]>((resolve, reject) => {
      const submission: Submission = { results: new Array(texts.length), pending: texts.length, queued: texts.length, failed: false, resolve, reject };
      const now = process.hrtime.bigint();
      for (let i = 0; i < texts.length; i++) this.queue.push({ text: texts[i]!, submission, index: i, enqueuedNs: now });
      this.live += texts.length;
      signal?.addEventListener('abort', () => this.fail(submission, cancelled()), { once: true });
      this.pump();
    });
  }

  /** Refuses new work; queued texts still run. */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once nothing is queued or running. */
  drained(): Promise<void> {
    if (this.depth === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fails every submission with texts still queued (no worker is left to run them). */
  failQueued(err: Error): void {
    // The submissions first: failing one may compact the queue array under a running index.
    const live = new Set<Submission>();
    for (let i = this.head; i < this.queue.length; i++) {
      const entry = this.queue[i];
      if (entry && !entry.submission.failed) live.add(entry.submission);
    }
    for (const submission of live) this.fail(submission, err);
  }

  /** Rejects a submission once; its texts still queued stop counting and are skipped at dispatch. */
  private fail(sub: Submission, err: Error): void {
    if (sub.failed) return;
    sub.failed = true;
    this.live -= sub.queued;
    sub.queued = 0;
    sub.reject(err);
    // Texts of failed submissions wait in the array until dispatch reaches them; while no worker is
    // free, clients that give up and retry would grow it without bound. Drop them once they are most of it.
    const dead = this.queue.length - this.head - this.live;
    if (dead > 1024 && dead > this.live) {
      this.queue = this.queue.slice(this.head).filter((e) => e !== undefined && !e.submission.failed);
      this.head = 0;
    }
    if (this.depth === 0 && this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private refuse(kind: 'shutting_down' | 'overloaded', reason: RejectionReason, message: string, texts: number): Promise<never> {
    this.hooks.onReject?.(reason, texts);
    return Promise.reject(new ModerationError(kind, message, reason));
  }

  private batchDone(): void {
    this.running--;
    if (this.depth === 0 && this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * Dispatches while a worker is free: a full batch at once; a partial one once its wait is over.
   * `deadline` is true when called by the wait timer: the timer is the wait, so its batch goes
   * even if the clock says a few microseconds are left (re-arming would spin the event loop).
   */
  private pump(deadline = false): void {
    while (this.depth > 0) {
      if (this.runner.idleCount > 0) {
        if (this.depth < this.options.maxBatchSize && !deadline && !this.waitElapsed()) {
          this.arm();
          return;
        }
      } else if (this.depth < this.options.maxBatchSize || this.runner.standbyCount === 0) {
        return;
      }
      this.dispatch();
    }
  }

  private waitElapsed(): boolean {
    const oldest = this.queue[this.head];
    if (!oldest) return true;
    return Number(process.hrtime.bigint() - oldest.enqueuedNs) >= this.options.maxWaitUs * 1000;
  }

  private arm(): void {
    if (this.timer) return;
    const fire = () => {
      this.timer = undefined;
      this.pump(true);
    };
    const oldest = this.queue[this.head]!;
    const leftUs = this.options.maxWaitUs - Number(process.hrtime.bigint() - oldest.enqueuedNs) / 1000;
    // max_wait_us 0 means "what arrives in this turn of the event loop"; timers have 1 ms resolution.
    this.timer = this.options.maxWaitUs === 0 ? setImmediate(fire) : setTimeout(fire, Math.max(1, Math.round(leftUs / 1000)));
  }

  private dispatch(): void {
    const batch: Entry[] = [];
    while (batch.length < this.options.maxBatchSize && this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      if (entry.submission.failed) continue;
      entry.submission.queued--;
      batch.push(entry);
    }
    this.live -= batch.length;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (batch.length === 0) return;
    this.running++;
    this.runner.run(batch.map((e) => e.text)).then(
      (out) => {
        this.batchDone();
        if (this.hooks.onBatch) {
          // Each text waited until the worker began the run (a batch queued on a busy worker waits there too).
          const waits = new Float64Array(batch.length);
          for (let i = 0; i < batch.length; i++) waits[i] = Math.max(0, Number(out.startedNs - batch[i]!.enqueuedNs) / 1e9);
          this.hooks.onBatch(batch.length, out.seconds, waits);
        }
        const labels = out.scores.length / batch.length;
        for (let i = 0; i < batch.length; i++) {
          const entry = batch[i]!;
          const sub = entry.submission;
          if (sub.failed) continue;
          sub.results[entry.index] = { scores: out.scores.subarray(i * labels, (i + 1) * labels), overall: out.overall[i]! };
          if (--sub.pending === 0) sub.resolve(sub.results);
        }
      },
      (err: Error) => {
        this.batchDone();
        this.hooks.onBatchError?.(err, batch.length);
        for (const entry of batch) this.fail(entry.submission, err);
      },
    );
  }
}
