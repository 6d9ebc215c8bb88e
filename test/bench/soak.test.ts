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
  });

  it('says stable, not growing, when there are too few samples to tell', () => {
    expect(growthVerdict([{ t: 0, rssMb: 100 }], 20).verdict).toBe('stable');
  });
});
