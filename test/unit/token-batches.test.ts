import { planRuns } from '../../src/model/token-batches';
import { windowsOf } from '../../src/model/token-windows';

describe('token-budget runs (planRuns)', () => {
  it('sorts inputs by length and cuts runs where rows x the longest would exceed the budget', () => {
    // Budget 16 tokens: the three shortest (3, 3, 5) pad to 15; 8 with them would be 32, 8 with 10 would be 20.
    expect(planRuns([10, 3, 8, 3, 5], 16, 64)).toEqual([[1, 3, 4], [2], [0]]);
  });

  it('a run exactly at the budget is kept whole; one token over starts the next', () => {
    expect(planRuns([4, 4, 4, 4], 16, 64)).toEqual([[0, 1, 2, 3]]);
    expect(planRuns([4, 4, 4, 4, 4], 16, 64)).toEqual([[0, 1, 2, 3], [4]]);
    expect(planRuns([4, 4, 4, 5], 16, 64)).toEqual([[0, 1, 2], [3]]);
  });

  it('never puts more than maxRows inputs in a run', () => {
    expect(planRuns([1, 1, 1, 1, 1], 1000, 2)).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('short inputs do not share a run with a long one when the budget is tight', () => {
    const runs = planRuns([512, 5, 6, 7, 512, 4], 1024, 64);
    expect(runs).toEqual([[5, 1, 2, 3], [0, 4]]);
    // Padded tokens: 4 x 7 + 2 x 512, where one run would have padded 6 x 512.
    const padded = runs.reduce((sum, run) => sum + run.length * Math.max(...run.map((i) => [512, 5, 6, 7, 512, 4][i]!)), 0);
    expect(padded).toBe(4 * 7 + 2 * 512);
  });

  it('gives an input over the budget a run of its own, and nothing for no inputs', () => {
    expect(planRuns([3, 40, 3], 16, 64)).toEqual([[0, 2], [1]]);
    expect(planRuns([], 16, 64)).toEqual([]);
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
