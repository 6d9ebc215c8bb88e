import { planRuns, RUN_COST_TOKENS } from '../../src/model/token-batches';
import { windowsOf } from '../../src/model/token-windows';

/** Padded tokens plus the per-run cost: what planRuns makes smallest. */
const costOf = (runs: number[][], lengths: readonly number[]) =>
  runs.reduce((sum, run) => sum + RUN_COST_TOKENS + run.length * Math.max(...run.map((i) => lengths[i]!)), 0);

describe('token-budget runs (planRuns)', () => {
  it('groups inputs of similar length: short ones do not pay for a long one’s padding', () => {
    // One run would compute 6 x 52 = 312 tokens; two runs of similar lengths compute 3 x 7 + 3 x 52 = 177.
    expect(planRuns([5, 50, 6, 52, 7, 49], 16_384, 64)).toEqual([
      [0, 2, 4],
      [5, 1, 3],
    ]);
    // Equal lengths never need padding: one run.
    expect(planRuns([9, 9, 9, 9], 16_384, 64)).toEqual([[0, 1, 2, 3]]);
    // A little padding is cheaper than another run.
    expect(planRuns([20, 21, 22], 16_384, 64)).toEqual([[0, 1, 2]]);
  });

  it('keeps each run within the token budget (rows x the longest row): at it is fine, one token over is not', () => {
    expect(planRuns([4, 4, 4, 4], 16, 64)).toEqual([[0, 1, 2, 3]]);
    expect(planRuns([4, 4, 4, 4, 4], 16, 64)).toHaveLength(2);
    expect(planRuns([4, 4, 4, 5], 16, 64).every((run) => run.length < 4)).toBe(true);
    // Three shortest pad to 15 (3 x 5); the cheapest split within 16 tokens is [3, 3] [5, 8] [10].
    expect(planRuns([10, 3, 8, 3, 5], 16, 64)).toEqual([[1, 3], [4, 2], [0]]);
  });

  it('never puts more than maxRows inputs in a run', () => {
    const runs = planRuns([1, 1, 1, 1, 1], 1000, 2);
    expect(runs).toHaveLength(3);
    expect(runs.every((run) => run.length <= 2)).toBe(true);
  });

  it('gives an input over the budget a run of its own, and nothing for no inputs', () => {
    expect(planRuns([3, 40, 3], 16, 64)).toEqual([[0, 2], [1]]);
    expect(planRuns([], 16, 64)).toEqual([]);
  });

  it('covers every input once, within the limits, never costing more than the greedy split in arrival order', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 200; trial++) {
      const lengths = Array.from({ length: 1 + Math.floor(random() * 80) }, () => 2 + Math.floor(random() * 120));
      const [maxTokens, maxRows] = [128 + Math.floor(random() * 2000), 1 + Math.floor(random() * 40)];
      const runs = planRuns(lengths, maxTokens, maxRows);
      expect(runs.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
      for (const run of runs) {
        expect(run.length).toBeLessThanOrEqual(maxRows);
        if (run.length > 1) expect(run.length * Math.max(...run.map((i) => lengths[i]!))).toBeLessThanOrEqual(maxTokens);
      }
      // The plain way: fill runs in arrival order until a limit is reached.
      const greedy: number[][] = [[]];
      lengths.forEach((length, i) => {
        const run = greedy.at(-1)!;
        const width = Math.max(length, ...run.map((k) => lengths[k]!));
        if (run.length > 0 && (run.length + 1 > maxRows || (run.length + 1) * width > maxTokens)) greedy.push([i]);
        else run.push(i);
      });
      expect(costOf(runs, lengths)).toBeLessThanOrEqual(costOf(greedy, lengths));
    }
  });
});

describe('windows of a long text (windowsOf)', () => {
  it('one window for a text that fits, however short', () => {
    expect(windowsOf(0, 6, 2, 'window')).toEqual({ starts: [0], size: 6, tokens: 0, read: 0 });
    expect(windowsOf(6, 6, 2, 'window')).toEqual({ starts: [0], size: 6, tokens: 6, read: 6 });
  });

  it('overlapping windows size - overlap apart, the last ending at the text end', () => {
    expect(windowsOf(7, 6, 2, 'window').starts).toEqual([0, 1]);
    expect(windowsOf(15, 6, 2, 'window').starts).toEqual([0, 4, 8, 9]);
    expect(windowsOf(16, 6, 2, 'window').starts).toEqual([0, 4, 8, 10]);
    expect(windowsOf(10, 6, 0, 'window').starts).toEqual([0, 4]);
  });

  it('every token is in some window, and neighbours share at least the overlap', () => {
    for (let tokens = 1; tokens < 60; tokens++) {
      for (const [size, overlap] of [
        [6, 2],
        [8, 0],
        [5, 4],
      ] as const) {
        const { starts, read } = windowsOf(tokens, size, overlap, 'window');
        expect(read).toBe(tokens);
        const covered = new Set(starts.flatMap((s) => Array.from({ length: Math.min(size, tokens) }, (_, k) => s + k)));
        expect(covered.size).toBe(tokens);
        for (let w = 1; w < starts.length; w++) expect(starts[w - 1]! + size - starts[w]!).toBeGreaterThanOrEqual(overlap);
      }
    }
  });

  it('truncate: the first window only, saying how much was read', () => {
    expect(windowsOf(15, 6, 2, 'truncate')).toEqual({ starts: [0], size: 6, tokens: 15, read: 6 });
  });

  it('refuses an overlap as large as the window', () => {
    expect(() => windowsOf(10, 4, 4, 'window')).toThrow('cannot overlap by 4');
  });
});
