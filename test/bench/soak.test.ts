import { growthVerdict } from '../../bench/measure/soak';

const series = (minutes: number, rss: (t: number) => number) => Array.from({ length: minutes * 6 + 1 }, (_, i) => ({ t: i * 10, rssMb: rss(i * 10) }));

describe('the soak verdict on RSS samples', () => {
  it('is stable for a flat series with noise and a warm-up climb', () => {
    const v = growthVerdict(series(10, (t) => (t < 60 ? 100 + t / 2 : 130 + Math.sin(t) * 3)), 20);
    expect(v.verdict).toBe('stable');
    expect(Math.abs(v.slopeMbPerHour)).toBeLessThan(20);
  });

  it('is growing for a steady leak of 1 MB a minute after the warm-up', () => {
    const v = growthVerdict(series(10, (t) => 100 + t / 60), 20);
    expect(v.verdict).toBe('growing');
    expect(v.slopeMbPerHour).toBeCloseTo(60, 5);
    expect(v.thirdsMb).toBeGreaterThan(2);
    expect(v.newHighMb).toBeGreaterThan(1);
  });

  it('is stable when memory given back refills to its old plateau (the shape of the 2026-12-02 run)', () => {
    // Up to a plateau of 195 MB at 4 minutes, a drop to 163 MB, then a refill that levels off at 190 MB from 9 minutes on.
    const v = growthVerdict(series(14, (t) => (t < 240 ? 150 + (t * 45) / 240 : t < 270 ? 195 : Math.min(190, 163 + (t - 270) / 10))), 20);
    expect(v.slopeMbPerHour).toBeGreaterThan(20); // the slope alone would call it a leak
    expect(v.newHighMb).toBeLessThanOrEqual(2);
    expect(v.verdict).toBe('stable');
  });

  it('says stable, not growing, when there are too few samples to tell', () => {
    expect(growthVerdict([{ t: 0, rssMb: 100 }], 20).verdict).toBe('stable');
  });
});
