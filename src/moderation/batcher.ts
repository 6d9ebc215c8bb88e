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

/**
 * Why the queue refused texts (the `reason` of its ModerationError, and a metric label). `fair_share`:
 * texts of the client holding the largest share of a full queue, pushed out for another client's.
 */
export type RejectionReason = 'queue_full' | 'shutting_down' | 'fair_share';

/**
 * Who submits, as the queue sees it: an opaque id (the API layer uses the API key or the address;
 * the batcher knows nothing of either) and a weight, the client's share relative to others.
 */
export interface QueueClient {
  readonly id: string;
  readonly weight?: number;
}

/** Submissions without a client share one queue: among themselves, first come, first served. */
const NO_CLIENT: QueueClient = { id: '' };

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
  readonly texts: readonly string[];
  /** The next text to dispatch. */
  next: number;
  results: TextScores[];
  pending: number;
  /** Rejected (failed batch, cancelled or pushed out): its texts still queued are dropped. */
  failed: boolean;
  readonly enqueuedNs: bigint;
  readonly client: ClientQueue;
  resolve: (results: TextScores[]) => void;
  reject: (err: Error) => void;
}

/** One client's submissions, first in first out, and its place in the round-robin ring. */
interface ClientQueue {
  readonly id: string;
  weight: number;
  /** Submissions with texts still queued; those before `head` are fully dispatched. */
  submissions: Submission[];
  head: number;
  /** Texts queued. */
  queued: number;
  /** Texts it may still add to batches in its current turn. */
  credit: number;
  prev: ClientQueue;
  next: ClientQueue;
}

/** A text taken for a batch. */
interface Taken {
  submission: Submission;
  index: number;
}

/**
 * Dynamic micro-batching with fair queueing between clients. Texts of concurrent requests wait in
 * one bounded queue, per client, and go to the model together, up to `maxBatchSize` texts, after at
 * most `maxWaitUs` once a worker is free. Batches are filled round-robin over the clients with
 * texts waiting, `weight` texts per client per turn (deficit round-robin with a quantum of texts),
 * so one client's large batches delay another's single text by at most a turn of each client, not
 * by everything queued before it. When the queue is full, a client holding less than its share may
 * push out the newest not yet started submissions of the client holding the most (they fail as
 * overloaded, `fair_share`), so a client that floods the queue cannot lock others out of it either.
 *
 * When every worker is busy the queue simply fills, and the next free worker takes a full batch;
 * a full batch may also be queued on a busy worker (`standbyCount`), so that worker starts it
 * without waiting for the main thread. A partial batch is never queued that way: it may still grow.
 */
export class Batcher {
  private readonly clients = new Map<string, ClientQueue>();
  /** The client whose turn it is; the ring links every client with texts queued. */
  private cursor: ClientQueue | undefined;
  /** Queued texts of live submissions. */
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
   * Queues texts for `client`; resolves with their scores in input order, or rejects as a whole: a
   * ModerationError `shutting_down` or `overloaded` when refused at the queue (or pushed out of it
   * for a client with less queued), `cancelled` when `signal` aborts before the texts ran (they
   * never run then), or the runner's error when their model run fails.
   */
  submit(texts: readonly string[], signal?: CancelSignal, client: QueueClient = NO_CLIENT): Promise<TextScores[]> {
    if (this.stopped) return this.refuse('shutting_down', 'shutting_down', 'the service is shutting down', texts.length);
    const weight = Math.max(1, Math.floor(client.weight ?? 1));
    if (this.depth + texts.length > this.options.maxQueue && !this.makeRoom(client.id, weight, texts.length)) {
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
      const queue = this.clientQueue(client.id, weight);
      const submission: Submission = {
        texts,
        next: 0,
        results: new Array(texts.length),
        pending: texts.length,
        failed: false,
        enqueuedNs: process.hrtime.bigint(),
        client: queue,
        resolve,
        reject,
      };
      queue.submissions.push(submission);
      queue.queued += texts.length;
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
    const live: Submission[] = [];
    for (const queue of this.clients.values()) live.push(...queue.submissions.slice(queue.head));
    for (const submission of live) this.fail(submission, err);
  }

  /** The client's queue, linked into the ring just before the cursor (its turn comes after every waiting client's). */
  private clientQueue(id: string, weight: number): ClientQueue {
    let queue = this.clients.get(id);
    if (queue) {
      queue.weight = weight;
      return queue;
    }
    queue = { id, weight, submissions: [], head: 0, queued: 0, credit: 0 } as unknown as ClientQueue;
    const at = this.cursor;
    if (at) {
      queue.prev = at.prev;
      queue.next = at;
      at.prev.next = queue;
      at.prev = queue;
    } else {
      queue.prev = queue;
      queue.next = queue;
      this.cursor = queue;
    }
    this.clients.set(id, queue);
    return queue;
  }

  /** Unlinks a client with nothing queued. */
  private dropClient(queue: ClientQueue): void {
    this.clients.delete(queue.id);
    if (queue.next === queue) {
      this.cursor = undefined;
      return;
    }
    queue.prev.next = queue.next;
    queue.next.prev = queue.prev;
    if (this.cursor === queue) this.cursor = queue.next;
  }

  /**
   * Makes room for `texts` texts of client `id` in a full queue by pushing out the newest not yet
   * started submissions of the client with the largest weighted share, as long as that client would
   * still hold more than the newcomer afterwards. True when the texts now fit.
   */
  private makeRoom(id: string, weight: number, texts: number): boolean {
    const own = ((this.clients.get(id)?.queued ?? 0) + texts) / weight;
    const needed = this.depth + texts - this.options.maxQueue;
    let largest: ClientQueue | undefined;
    for (const queue of this.clients.values()) if (queue.id !== id && (!largest || queue.queued / queue.weight > largest.queued / largest.weight)) largest = queue;
    if (!largest) return false;
    const victims: Submission[] = [];
    let freed = 0;
    for (let i = largest.submissions.length - 1; i >= largest.head && freed < needed; i--) {
      const victim = largest.submissions[i]!;
      if (victim.next > 0) break;
      if ((largest.queued - freed - victim.texts.length) / largest.weight < own) break;
      victims.push(victim);
      freed += victim.texts.length;
    }
    if (freed < needed) return false;
    const pushedOut = new ModerationError('overloaded', 'the inference queue is full and this client holds the largest share of it', 'fair_share');
    for (const victim of victims) {
      this.hooks.onReject?.('fair_share', victim.texts.length - victim.next);
      this.fail(victim, pushedOut);
    }
    return true;
  }

  /** Rejects a submission once; its texts still queued stop counting and are dropped. */
  private fail(sub: Submission, err: Error): void {
    if (sub.failed) return;
    sub.failed = true;
    const left = sub.texts.length - sub.next;
    if (left > 0) {
      const queue = sub.client;
      const at = queue.submissions.indexOf(sub, queue.head);
      if (at >= 0) queue.submissions.splice(at, 1);
      queue.queued -= left;
      this.live -= left;
      if (queue.queued === 0 && this.clients.get(queue.id) === queue) this.dropClient(queue);
    }
    sub.reject(err);
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

  /**
   * When the oldest queued text arrived. Only asked while fewer than `maxBatchSize` texts wait, so
   * fewer clients than that have any: the scan is short.
   */
  private oldestNs(): bigint | undefined {
    let oldest: bigint | undefined;
    for (const queue of this.clients.values()) {
      const first = queue.submissions[queue.head];
      if (first && (oldest === undefined || first.enqueuedNs < oldest)) oldest = first.enqueuedNs;
    }
    return oldest;
  }

  private waitElapsed(): boolean {
    const oldest = this.oldestNs();
    if (oldest === undefined) return true;
    return Number(process.hrtime.bigint() - oldest) >= this.options.maxWaitUs * 1000;
  }

  private arm(): void {
    if (this.timer) return;
    const fire = () => {
      this.timer = undefined;
      this.pump(true);
    };
    const leftUs = this.options.maxWaitUs - Number(process.hrtime.bigint() - (this.oldestNs() ?? process.hrtime.bigint())) / 1000;
    // max_wait_us 0 means "what arrives in this turn of the event loop"; timers have 1 ms resolution.
    this.timer = this.options.maxWaitUs === 0 ? setImmediate(fire) : setTimeout(fire, Math.max(1, Math.round(leftUs / 1000)));
  }

  /** Takes up to `maxBatchSize` texts round-robin over the clients, `weight` texts per turn. */
  private take(): Taken[] {
    const batch: Taken[] = [];
    const max = this.options.maxBatchSize;
    while (batch.length < max && this.cursor) {
      const queue = this.cursor;
      if (queue.credit <= 0) queue.credit = queue.weight;
      while (queue.credit > 0 && batch.length < max && queue.queued > 0) {
        const submission = queue.submissions[queue.head]!;
        batch.push({ submission, index: submission.next++ });
        if (submission.next === submission.texts.length) queue.submissions[queue.head++] = undefined as unknown as Submission;
        queue.queued--;
        queue.credit--;
      }
      if (queue.queued === 0) {
        queue.credit = 0;
        this.dropClient(queue);
      } else if (queue.credit === 0) {
        this.cursor = queue.next;
      }
      // Else the batch is full mid-turn: the client goes on with the next batch.
      if (queue.head > 1024 && queue.head * 2 > queue.submissions.length) {
        queue.submissions = queue.submissions.slice(queue.head);
        queue.head = 0;
      }
    }
    this.live -= batch.length;
    return batch;
  }

  private dispatch(): void {
    const batch = this.take();
    if (batch.length === 0) return;
    this.running++;
    this.runner.run(batch.map((e) => e.submission.texts[e.index]!)).then(
      (out) => {
        this.batchDone();
        if (this.hooks.onBatch) {
          // Each text waited until the worker began the run (a batch queued on a busy worker waits there too).
          const waits = new Float64Array(batch.length);
          for (let i = 0; i < batch.length; i++) waits[i] = Math.max(0, Number(out.startedNs - batch[i]!.submission.enqueuedNs) / 1e9);
          this.hooks.onBatch(batch.length, out.seconds, waits);
        }
        const labels = out.scores.length / batch.length;
        for (let i = 0; i < batch.length; i++) {
          const { submission: sub, index } = batch[i]!;
          if (sub.failed) continue;
          sub.results[index] = { scores: out.scores.subarray(i * labels, (i + 1) * labels), overall: out.overall[i]! };
          if (--sub.pending === 0) sub.resolve(sub.results);
        }
      },
      (err: Error) => {
        this.batchDone();
        this.hooks.onBatchError?.(err, batch.length);
        for (const { submission } of batch) this.fail(submission, err);
      },
    );
  }
}
