import { cpSync, mkdtempSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InferenceError, WorkerPool } from '../../src/model/worker-pool';
import { loadBundle } from '../../src/model/bundle';
import { DEFAULT_MODEL } from '../support/harness';
import { poll } from '../support/server-process';

describe('WorkerPool (real model, real worker threads)', () => {
  it('scores a batch: one row of probabilities per text and an overall score each', async () => {
    const pool = await WorkerPool.start({ modelDir: DEFAULT_MODEL, size: 2, timeoutMs: 10_000 });
    try {
      expect(pool.alive).toBe(2);
      expect(pool.idleCount).toBe(2);
      const out = await pool.run(['hello', 'you idiot', 'buy now']);
      expect(out.scores.length).toBe(3 * loadBundle(DEFAULT_MODEL).manifest.labels.length);
      expect(out.overall.length).toBe(3);
      for (const p of [...out.scores, ...out.overall]) expect(p >= 0 && p <= 1).toBe(true);
      expect(out.seconds).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  it('queues one more batch on a busy worker and answers both, in order, the second after the first', async () => {
    const pool = await WorkerPool.start({ modelDir: DEFAULT_MODEL, size: 1, timeoutMs: 10_000 });
    try {
      const small = ['you idiot', 'have a nice day'];
      const alone = await pool.run(small);
      const first = pool.run(Array.from({ length: 128 }, (_, i) => `text number ${i} `.repeat(20)));
      expect({ idle: pool.idleCount, standby: pool.standbyCount }).toEqual({ idle: 0, standby: 1 });
      const second = pool.run(small);
      expect({ idle: pool.idleCount, standby: pool.standbyCount }).toEqual({ idle: 0, standby: 0 });
      await expect(pool.run(['a third'])).rejects.toMatchObject({ name: 'InferenceError', reason: 'worker_error' });
      const [a, b] = await Promise.all([first, second]);
      expect(a.overall.length).toBe(128);
      expect(Array.from(b.scores)).toEqual(Array.from(alone.scores));
      expect(Array.from(b.overall)).toEqual(Array.from(alone.overall));
      // The second run began after the first ended, and its own time does not include the wait.
      expect(b.startedNs).toBeGreaterThanOrEqual(a.startedNs + BigInt(Math.floor(a.seconds * 1e9)));
      expect(b.seconds).toBeLessThan(a.seconds);
      expect(pool.idleCount).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('fails the batch of a worker that dies and replaces the worker', async () => {
    const failures: string[] = [];
    const pool = await WorkerPool.start({ modelDir: DEFAULT_MODEL, size: 1, timeoutMs: 10_000, onWorkerFailure: (r) => failures.push(r) });
    try {
      const running = pool.run(Array.from({ length: 256 }, (_, i) => `text number ${i} `.repeat(50)));
      const queued = pool.run(['queued behind it']);
      // Kill the only worker mid-run (as an out-of-memory or native crash would).
      void (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots[0]!.worker.terminate();
      await expect(running).rejects.toMatchObject({ name: 'InferenceError', reason: 'worker_exit' });
      await expect(queued).rejects.toMatchObject({ name: 'InferenceError', reason: 'worker_exit' });
      expect(failures).toEqual(['worker_exit']);
      await poll('a replacement worker', () => (pool.alive === 1 ? true : undefined));
      await expect(pool.run(['still works'])).resolves.toMatchObject({ overall: expect.any(Float32Array) });
    } finally {
      await pool.close();
    }
  });

  it('retries a replacement that cannot load the model after growing delays, says when none is left, and recovers', async () => {
    // A bundle that disappears after start-up (deleted, unmounted): replacements cannot load it.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pool-model-'));
    cpSync(DEFAULT_MODEL, dir, { recursive: true });
    const failures: Array<{ at: number; message: string }> = [];
    const unavailable: string[] = [];
    const pool = await WorkerPool.start({ modelDir: dir, size: 1, timeoutMs: 10_000, onWorkerFailure: (_r, message) => failures.push({ at: Date.now(), message }) });
    pool.on('unavailable', (message) => unavailable.push(message));
    try {
      renameSync(path.join(dir, 'model.onnx'), path.join(dir, 'model.onnx.away'));
      void (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots[0]!.worker.terminate();
      const attempts = () => failures.filter((f) => f.message.startsWith('could not replace worker'));
      await poll('four failed replacements', () => (attempts().length >= 4 ? true : undefined), 15_000);
      // Not a tight loop: 100, 200, 400 ms at least between tries.
      const at = attempts().map((f) => f.at);
      for (let k = 1; k < 4; k++) expect(at[k]! - at[k - 1]!).toBeGreaterThanOrEqual(100 * 2 ** (k - 1) - 20);
      expect(unavailable.length).toBeGreaterThanOrEqual(1);
      expect(pool.alive).toBe(0);
      renameSync(path.join(dir, 'model.onnx.away'), path.join(dir, 'model.onnx'));
      await poll('a replacement that loads', () => (pool.alive === 1 ? true : undefined), 15_000);
      await expect(pool.run(['back again'])).resolves.toMatchObject({ overall: expect.any(Float32Array) });
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('refuses to load a bundle edited in place since start-up into a replacement worker', async () => {
    // New weights behind the main thread's old manifest (labels, thresholds, version) would be wrong answers.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pool-model-'));
    cpSync(DEFAULT_MODEL, dir, { recursive: true });
    const failures: string[] = [];
    const pool = await WorkerPool.start({ modelDir: dir, size: 1, timeoutMs: 10_000, onWorkerFailure: (_r, message) => failures.push(message) });
    try {
      const onnx = path.join(dir, 'model.onnx');
      const later = new Date(statSync(onnx).mtimeMs + 60_000);
      utimesSync(onnx, later, later);
      void (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots[0]!.worker.terminate();
      const refused = await poll('the replacement to refuse the edited bundle', () => failures.find((m) => m.includes('changed on disk since the service started')));
      expect(refused).toContain('restart the service');
      expect(pool.alive).toBe(0);
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('times out a run that takes too long, replacing its worker', async () => {
    const pool = await WorkerPool.start({ modelDir: DEFAULT_MODEL, size: 1, timeoutMs: 1 });
    try {
      // 256 texts of 2,000 characters take far longer than 1 ms to featurize and score.
      const slow = pool.run(Array.from({ length: 256 }, (_, i) => `slow ${i} `.repeat(250)));
      const queued = pool.run(['queued behind it']);
      const err = await slow.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InferenceError);
      expect((err as InferenceError).reason).toBe('timeout');
      // The batch queued behind it is lost with the worker, reported as such rather than as a timeout of its own.
      await expect(queued).rejects.toMatchObject({ name: 'InferenceError', reason: 'worker_exit', message: expect.stringContaining('queued on the same worker') });
      await poll('a replacement worker', () => (pool.alive === 1 ? true : undefined));
    } finally {
      await pool.close();
    }
  });

  it('gives the same scores for the same batch every time (one onnxruntime thread: its sums do not race)', async () => {
    // With two threads, 12 runs in 200 of this batch came out wrong (docs/decisions/0003): the guard against going back.
    const texts = Array.from({ length: 128 }, (_, i) => `message ${i}: ${'you are such an idiot '.repeat(1 + (i % 7))} #${i}`);
    const pool = await WorkerPool.start({ modelDir: DEFAULT_MODEL, size: 1, timeoutMs: 10_000 });
    try {
      const first = await pool.run(texts);
      for (let k = 0; k < 40; k++) {
        const again = await pool.run(texts);
        expect(Array.from(again.scores)).toEqual(Array.from(first.scores));
        expect(Array.from(again.overall)).toEqual(Array.from(first.overall));
      }
    } finally {
      await pool.close();
    }
  });

  it('refuses to start with a clear error when the model cannot load', async () => {
    await expect(WorkerPool.start({ modelDir: '/nonexistent', size: 1, timeoutMs: 1000 })).rejects.toThrow(/could not load the model/);
  });
});
