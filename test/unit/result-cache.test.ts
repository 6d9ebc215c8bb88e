import { ResultCache } from '../../src/moderation/result-cache';

const scores = (x: number) => ({ scores: Float32Array.from([x, x / 2, x / 4]), overall: x });

describe('ResultCache', () => {
  it('keys by model version and text, and keeps its own copy of the scores', () => {
    const cache = new ResultCache('1.2.0', 10);
    expect(cache.key('hello')).not.toBe(new ResultCache('1.3.0', 10).key('hello'));
    const batch = new Float32Array([0.1, 0.2, 0.3, 0.9, 0.8, 0.7]);
    cache.set(cache.key('hello'), { scores: batch.subarray(0, 3), overall: 0.5 });
    batch.fill(0);
    expect(Array.from(cache.get(cache.key('hello'))!.scores)).toEqual(Array.from(Float32Array.from([0.1, 0.2, 0.3])));
  });

  it('bounds its bytes as well as its entries: long crafted texts cannot fill memory', () => {
    const maxBytes = 200_000;
    const cache = new ResultCache('v', 10_000, maxBytes);
    for (let i = 0; i < 1000; i++) cache.set(cache.key(`${i} ${'x'.repeat(10_000)}`), scores(i / 1000));
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    expect(cache.size).toBeLessThanOrEqual(10);
    // Ordinary entries still fit, and the most recent long one is there.
    for (let i = 0; i < 100; i++) cache.set(cache.key(`short ${i}`), scores(0.5));
    expect(cache.get(cache.key('short 99'))?.overall).toBe(0.5);
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
  });

  it('does not store an entry larger than the whole budget', () => {
    const cache = new ResultCache('v', 10, 10_000);
    cache.set(cache.key('y'.repeat(20_000)), scores(1));
    expect(cache.size).toBe(0);
    cache.set(cache.key('small'), scores(1));
    expect(cache.size).toBe(1);
  });
});
