import { autoWorkers } from '../../src/model/pool-size';

describe('automatic worker count (classifier.workers: 0)', () => {
  it.each([
    [1, 1],
    [2, 1],
    [3, 2],
    [4, 3],
    [8, 4],
    [64, 4],
  ])('on %i core(s): %i worker(s), keeping a core for HTTP, at most four', (cores, workers) => {
    expect(autoWorkers(cores)).toBe(workers);
  });
});
