import { EventEmitter } from 'node:events';
import { Batcher, type BatchRunner } from '../../src/moderation/batcher';
import type { BatchOutput } from '../../src/model/worker-pool';

/**
 * A stand-in for the worker pool that records each batch and scores a text by its number, so the
 * batcher's grouping and routing of results can be checked exactly. (The real pool and model are
 * exercised by the API tests.)
 */
class RecordingRunner extends EventEmitter implements BatchRunner {
  batches: string[][] = [];
  private running = 0;
  private pending: Array<() => void> = [];
  /** When the last run ended: a run queued behind it (standby) starts then. */
  private lastEndNs = 0n;
  constructor(
    private readonly capacity: number,
    private readonly autoComplete = true,
    /** Extra batches the busy workers accept, queued behind their runs (the pool's is one per worker). */
    private readonly standby = 0,
  ) {
    super();
  }
  get idleCount() {
    return Math.max(0, this.capacity - this.running);
  }
  get standbyCount() {
    return this.running >= this.capacity ? Math.max(0, this.capacity + this.standby - this.running) : 0;
  }
  run(texts: string[]): Promise<BatchOutput> {
    this.batches.push(texts);
    this.running++;
    const calledNs = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const finish = () => {
        this.running--;
        const startedNs = calledNs > this.lastEndNs ? calledNs : this.lastEndNs;
        this.lastEndNs = process.hrtime.bigint();
        if (texts.includes('FAIL')) reject(new Error('model run failed'));
        else resolve({ scores: Float32Array.from(texts, Number), overall: Float32Array.from(texts, (t) => Number(t) / 1000), seconds: 0.001, startedNs });
        this.emit('idle');
      };
      if (this.autoComplete) setImmediate(finish);
      else this.pending.push(finish);
    });
  }
  completeOne() {
    this.pending.shift()?.();
  }
}

const nums = (n: number, from = 0) => Array.from({ length: n }, (_, i) => String(from + i));

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('Batcher', () => {
  it('sends a full batch at once, without waiting', () => {
    const runner = new RecordingRunner(1);
    const b = new Batcher(runner, { maxBatchSize: 4, maxWaitUs: 10_000_000, maxQueue: 100 });
    void b.submit(nums(4));
    expect(runner.batches).toEqual([['0', '1', '2', '3']]);
  });

  it('splits a large submission at max_batch_size and returns results in input order', async () => {
    const runner = new RecordingRunner(1);
    const b = new Batcher(runner, { maxBatchSize: 16, maxWaitUs: 1000, maxQueue: 100 });
    const results = await b.submit(nums(50));
    expect(runner.batches.map((x) => x.length)).toEqual([16, 16, 16, 2]);
    expect(results.map((r) => r.scores[0])).toEqual(nums(50).map(Number));
    expect(results.map((r) => r.overall)).toEqual(nums(50).map((t) => Math.fround(Number(t) / 1000)));
  });

  it('gathers texts from concurrent submissions into one batch within max_wait', async () => {
    const runner = new RecordingRunner(1);
    const b = new Batcher(runner, { maxBatchSize: 64, maxWaitUs: 50_000, maxQueue: 100 });
    const first = b.submit(['1']);
    await new Promise((r) => setImmediate(r));
    const second = b.submit(['2', '3']);
    const [a, c] = await Promise.all([first, second]);
    expect(runner.batches).toEqual([['1', '2', '3']]);
    expect(a.map((r) => r.scores[0])).toEqual([1]);
    expect(c.map((r) => r.scores[0])).toEqual([2, 3]);
  });

  it('holds a partial batch for max_wait before sending it', async () => {
    const runner = new RecordingRunner(1);
    const b = new Batcher(runner, { maxBatchSize: 64, maxWaitUs: 30_000, maxQueue: 100 });
    const started = process.hrtime.bigint();
    const done = b.submit(['1', '2']);
    await new Promise((r) => setImmediate(r));
    expect(runner.batches).toHaveLength(0);
    await done;
    const waitedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(runner.batches).toEqual([['1', '2']]);
    expect(waitedMs).toBeGreaterThanOrEqual(25);
  });

  it('fills the next batch while every worker is busy, up to max_batch_size', async () => {
    const runner = new RecordingRunner(1, false);
    const b = new Batcher(runner, { maxBatchSize: 8, maxWaitUs: 0, maxQueue: 100 });
    const all = [b.submit(['0'])];
    await until(() => runner.batches.length === 1);
    for (let i = 1; i <= 10; i++) all.push(b.submit([String(i)]));
    expect(b.depth).toBe(10);
    runner.completeOne();
    await until(() => runner.batches.length === 2);
    expect(runner.batches[1]).toEqual(nums(8, 1));
    runner.completeOne();
    await until(() => runner.batches.length === 3);
    expect(runner.batches[2]).toEqual(['9', '10']);
    runner.completeOne();
    expect((await Promise.all(all)).flat().map((r) => r.scores[0])).toEqual(nums(11).map(Number));
  });

  it('queues a full batch on a busy worker that has room, never a partial one', async () => {
    const runner = new RecordingRunner(1, false, 1);
    const b = new Batcher(runner, { maxBatchSize: 4, maxWaitUs: 1000, maxQueue: 100 });
    const all = [b.submit(nums(4, 0))];
    expect(runner.batches).toEqual([nums(4, 0)]); // idle worker: runs at once
    all.push(b.submit(nums(4, 4)));
    expect(runner.batches[1]).toEqual(nums(4, 4)); // full: queued behind the running batch at once
    all.push(b.submit(['8', '9']));
    await new Promise((r) => setTimeout(r, 5)); // max_wait has passed, but a partial batch may still grow
    expect(runner.batches).toHaveLength(2);
    all.push(b.submit(nums(4, 10)));
    expect(runner.batches).toHaveLength(2); // a full batch is there, but the worker holds two already
    runner.completeOne();
    await until(() => runner.batches.length === 3);
    expect(runner.batches[2]).toEqual(['8', '9', '10', '11']); // in arrival order, queued behind batch 2
    expect(b.depth).toBe(2);
    runner.completeOne(); // batch 2 ends, batch 3 runs: the partial batch stays queued
    await new Promise((r) => setTimeout(r, 5));
    expect(runner.batches).toHaveLength(3);
    runner.completeOne(); // the worker is idle
    await until(() => runner.batches.length === 4);
    expect(runner.batches[3]).toEqual(['12', '13']);
    runner.completeOne();
    expect((await Promise.all(all)).flat().map((r) => r.scores[0])).toEqual(nums(14).map(Number));
  });

  it('reports each text\'s wait up to the start of its run, including time queued on a busy worker', async () => {
    const runner = new RecordingRunner(1, false, 1);
    const waits: number[][] = [];
    const b = new Batcher(runner, { maxBatchSize: 2, maxWaitUs: 0, maxQueue: 100 }, { onBatch: (_n, _s, w) => waits.push([...w]) });
    const first = b.submit(['1', '2']);
    const second = b.submit(['3', '4']); // queued on the busy worker at once
    expect(runner.batches).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 20));
    runner.completeOne();
    await first;
    runner.completeOne();
    await second;
    expect(waits).toHaveLength(2);
    for (const w of waits[0]!) expect(w).toBeLessThan(0.015); // ran at once
    for (const w of waits[1]!) expect(w).toBeGreaterThanOrEqual(0.019); // waited for the first run to end
  });

  it('refuses a submission that would overflow the queue, whole, and reports it', async () => {
    const runner = new RecordingRunner(1, false);
    const rejected: Array<[string, number]> = [];
    const b = new Batcher(runner, { maxBatchSize: 2, maxWaitUs: 0, maxQueue: 3 }, { onReject: (reason, n) => rejected.push([reason, n]) });
    void b.submit(['a', 'b']); // dispatched at once (full batch)
    void b.submit(['c', 'd']); // waits: depth 2
    await expect(b.submit(['e', 'f'])).rejects.toMatchObject({ reason: 'queue_full' });
    expect(b.depth).toBe(2);
    expect(rejected).toEqual([['queue_full', 2]]);
    void b.submit(['g']); // fits exactly
    expect(b.depth).toBe(3);
    expect(rejected).toHaveLength(1);
  });

  it('rejects every submission with a text in a failed batch, and others still succeed', async () => {
    const runner = new RecordingRunner(1);
    const errors: number[] = [];
    const b = new Batcher(runner, { maxBatchSize: 3, maxWaitUs: 0, maxQueue: 100 }, { onBatchError: (_e, n) => errors.push(n) });
    const ok = b.submit(['4', '5', '6']);
    const bad = b.submit(['1', 'FAIL']);
    await expect(ok).resolves.toHaveLength(3);
    await expect(bad).rejects.toThrow('model run failed');
    expect(errors).toEqual([2]);
  });

  it('refuses new work after stop, and drains what was queued', async () => {
    const runner = new RecordingRunner(1);
    const b = new Batcher(runner, { maxBatchSize: 2, maxWaitUs: 0, maxQueue: 100 });
    const queued = b.submit(nums(5));
    b.stop();
    await expect(b.submit(['x'])).rejects.toEqual(expect.objectContaining({ kind: 'shutting_down' }));
    await b.drained();
    await expect(queued).resolves.toHaveLength(5);
    expect(b.depth).toBe(0);
  });
});

describe('Batcher cancellation', () => {
  it('drops the queued texts of a cancelled submission and frees their queue space', async () => {
    const runner = new RecordingRunner(1, false);
    const b = new Batcher(runner, { maxBatchSize: 4, maxWaitUs: 0, maxQueue: 8 });
    const first = b.submit(['1', '2', '3', '4']); // runs at once
    const abort = new AbortController();
    const cancelled = b.submit(['x1', 'x2', 'x3'], abort.signal);
    const kept = b.submit(['5', '6']);
    expect(b.depth).toBe(5);
    abort.abort();
    await expect(cancelled).rejects.toEqual(expect.objectContaining({ kind: 'cancelled' }));
    expect(b.depth).toBe(2);
    runner.completeOne();
    await until(() => runner.batches.length === 2);
    expect(runner.batches[1]).toEqual(['5', '6']);
    runner.completeOne();
    await expect(first).resolves.toHaveLength(4);
    await expect(kept).resolves.toHaveLength(2);
  });

  it('does not keep the texts of cancelled submissions while no worker is free (clients retrying)', async () => {
    const runner = new RecordingRunner(1, false);
    const b = new Batcher(runner, { maxBatchSize: 4, maxWaitUs: 0, maxQueue: 8 });
    const running = b.submit(['1', '2', '3', '4']); // takes the only worker, which never finishes here
    const kept = b.submit(['5']);
    for (let i = 0; i < 5000; i++) {
      const abort = new AbortController();
      const gaveUp = b.submit(['r1', 'r2', 'r3'], abort.signal);
      abort.abort();
      await expect(gaveUp).rejects.toEqual(expect.objectContaining({ kind: 'cancelled' }));
    }
    expect(b.depth).toBe(1);
    // 15 000 texts were queued and cancelled; the queue holds what is live, not all of them.
    const clients = (b as unknown as { clients: Map<string, { submissions: unknown[] }> }).clients;
    expect([...clients.values()].reduce((n, c) => n + c.submissions.length, 0)).toBeLessThan(5);
    runner.completeOne();
    await until(() => runner.batches.length === 2);
    expect(runner.batches[1]).toEqual(['5']);
    runner.completeOne();
    await expect(running).resolves.toHaveLength(4);
    await expect(kept).resolves.toHaveLength(1);
  });

  it('fails every queued submission when no worker is left, and is drained', async () => {
    const runner = new RecordingRunner(1, false);
    const b = new Batcher(runner, { maxBatchSize: 2, maxWaitUs: 0, maxQueue: 8 });
    const running = b.submit(['1', '2']);
    const waiting = [b.submit(['3']), b.submit(['4', '5'])];
    b.failQueued(new Error('no inference worker'));
    for (const w of waiting) await expect(w).rejects.toThrow('no inference worker');
    expect(b.depth).toBe(0);
    runner.completeOne();
    await expect(running).resolves.toHaveLength(2);
    await b.drained();
  });

  it('fails every queued submission when no worker is left, even when the queue is long enough to be compacted meanwhile', async () => {
    const b = new Batcher(new RecordingRunner(0), { maxBatchSize: 64, maxWaitUs: 0, maxQueue: 5000 });
    const waiting = Array.from({ length: 600 }, (_, i) => b.submit([`${i}a`, `${i}b`, `${i}c`]));
    expect(b.depth).toBe(1800);
    b.failQueued(new Error('no inference worker'));
    const outcomes = await Promise.allSettled(waiting);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(600);
    expect(b.depth).toBe(0);
  });

  it('resolves drained() when the last queued texts are cancelled rather than run', async () => {
    const runner = new RecordingRunner(0); // no worker: nothing ever runs
    const b = new Batcher(runner, { maxBatchSize: 4, maxWaitUs: 0, maxQueue: 8 });
    const abort = new AbortController();
    const cancelled = b.submit(['a', 'b'], abort.signal);
    const drained = b.drained();
    abort.abort();
    await expect(cancelled).rejects.toEqual(expect.objectContaining({ kind: 'cancelled' }));
    await drained;
  });

  it('rejects at once a submission whose signal already aborted', async () => {
    const b = new Batcher(new RecordingRunner(1), { maxBatchSize: 4, maxWaitUs: 0, maxQueue: 8 });
    await expect(b.submit(['a'], AbortSignal.abort())).rejects.toEqual(expect.objectContaining({ kind: 'cancelled' }));
    expect(b.depth).toBe(0);
  });
});

describe('Batcher fairness between clients', () => {
  const A = { id: 'a' };
  const B = { id: 'b' };
  const named = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  /** Completes runs one by one until every submission has settled. */
  async function runAll(runner: RecordingRunner, submissions: Array<Promise<unknown>>): Promise<void> {
    let settled = false;
    void Promise.allSettled(submissions).then(() => (settled = true));
    while (!settled) {
      runner.completeOne();
      await new Promise((r) => setImmediate(r));
    }
  }

  it("puts another client's single text in the next batch, ahead of a large backlog queued before it", async () => {
    const runner = new RecordingRunner(1, false);
    const b = new Batcher(runner, { maxBatchSize: 64, maxWaitUs: 0, maxQueue: 4096 });
    const busy = b.submit(named('x', 64), undefined, A); // takes the only worker
    const backlog = [0, 1, 2, 3].map((k) => b.submit(named(`a${k}-`, 64), undefined, A));
    const single = b.submit(['b0'], undefined, B);
    expect(b.depth).toBe(257);
    runner.completeOne();
    await until(() => runner.batches.length === 2);
    // First come, first served would run B's text after all 256 of A's, in the 5th batch.
    expect(runner.batches[1]).toContain('b0');
    expect(runner.batches[1]).toHaveLength(64);
    await runAll(runner, [busy, single, ...backlog]);
    await expect(single).resolves.toHaveLength(1);
    await expect(busy).resolves.toHaveLength(64);
    for (const r of await Promise.all(backlog)) expect(r).toHaveLength(64);
  });

  it('fills batches round-robin, one text per client per turn, each client in its own order', async () => {
    const runner = new RecordingRunner(1, false);
    const b = new Batcher(runner, { maxBatchSize: 4, maxWaitUs: 0, maxQueue: 100 });
    const all = [b.submit(named('x', 4), undefined, A)];
    all.push(b.submit(named('a', 5), undefined, A), b.submit(named('b', 2), undefined, B), b.submit(named('c', 1), undefined, { id: 'c' }));
    runner.completeOne();
    await until(() => runner.batches.length === 2);
    expect(runner.batches[1]).toEqual(['a0', 'b0', 'c0', 'a1']);
    runner.completeOne();
    await until(() => runner.batches.length === 3);
    expect(runner.batches[2]).toEqual(['b1', 'a2', 'a3', 'a4']);
    await runAll(runner, all);
    expect((await Promise.all(all)).map((r) => r.length)).toEqual([4, 5, 2, 1]);
  });

  it('gives a client of weight 3 three texts per turn to one of weight 1', async () => {
    const runner = new RecordingRunner(1, false);
    const b = new Batcher(runner, { maxBatchSize: 8, maxWaitUs: 0, maxQueue: 100 });
    const all = [b.submit(named('x', 8), undefined, A)];
    all.push(b.submit(named('h', 12), undefined, { id: 'heavy', weight: 3 }), b.submit(named('l', 12), undefined, { id: 'light', weight: 1 }));
    runner.completeOne();
    await until(() => runner.batches.length === 2);
    expect(runner.batches[1]).toEqual(['h0', 'h1', 'h2', 'l0', 'h3', 'h4', 'h5', 'l1']);
    await runAll(runner, all);
    expect((await Promise.all(all)).map((r) => r.length)).toEqual([8, 12, 12]);
  });

  it("pushes out the newest submission of the client holding most of a full queue to admit another client's texts", async () => {
    const runner = new RecordingRunner(1, false);
    const rejected: Array<[string, number]> = [];
    const b = new Batcher(runner, { maxBatchSize: 4, maxWaitUs: 0, maxQueue: 8 }, { onReject: (reason, n) => rejected.push([reason, n]) });
    const running = b.submit(named('x', 4), undefined, A);
    const older = b.submit(named('a', 4), undefined, A);
    const newest = b.submit(named('n', 4), undefined, A);
    expect(b.depth).toBe(8);
    // A itself cannot push out its own texts: the queue is full for it.
    await expect(b.submit(['a-more'], undefined, A)).rejects.toMatchObject({ kind: 'overloaded', reason: 'queue_full' });
    const fromB = b.submit(['b0', 'b1'], undefined, B);
    await expect(newest).rejects.toMatchObject({ kind: 'overloaded', reason: 'fair_share' });
    expect(b.depth).toBe(6);
    expect(rejected).toEqual([
      ['queue_full', 1],
      ['fair_share', 4],
    ]);
    // Nor can A push B out in turn: B holds less than A.
    await expect(b.submit(named('m', 3), undefined, A)).rejects.toMatchObject({ reason: 'queue_full' });
    await runAll(runner, [running, older, fromB]);
    await expect(running).resolves.toHaveLength(4);
    await expect(older).resolves.toHaveLength(4);
    await expect(fromB).resolves.toHaveLength(2);
  });
});
