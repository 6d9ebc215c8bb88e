import { flameBoxes, flameGraphSvg } from '../../bench/profiles/flamegraph';
import type { CpuProfile } from '../../bench/profiles/profile-summary';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

/**
 * A hand-made profile: (root) -> (idle); (root) -> main -> { parse <&>, work -> tiny }; (root) -> (garbage collector).
 * Samples every 100 µs (a sample's time is the gap to the next one).
 */
function profile(): CpuProfile {
  const nodes = [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 7] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('main', 'node:internal/main', 10), children: [4, 5] },
    { id: 4, callFrame: frame('parse <&>', 'file:///x/node_modules/pkg/index.js', 4) },
    { id: 5, callFrame: frame('work', 'file:///x/app.js', 7), children: [6] },
    { id: 6, callFrame: frame('tiny', 'file:///x/app.js', 9) },
    { id: 7, callFrame: frame('(garbage collector)') },
  ];
  // 10 idle, 2 main (self), 3 parse, 4 work (self), 1 tiny, 2 gc (1200 µs busy), then idle again.
  const samples = [...Array(10).fill(2), 3, 3, 4, 4, 4, 5, 5, 5, 5, 6, 7, 7, 2];
  return { nodes, startTime: 0, endTime: samples.length * 100, samples, timeDeltas: samples.map(() => 100) };
}

describe('flame graph', () => {
  it('makes one box per call path as wide as its own and its callees\' time, without idle time', () => {
    const boxes = flameBoxes(profile(), undefined, 0);
    const byName = new Map(boxes.map((b) => [b.frame.functionName, b]));
    expect(byName.has('(idle)')).toBe(false);
    expect(byName.get('(root)')).toMatchObject({ us: 1200, depth: 0, x: 0 });
    expect(byName.get('main')).toMatchObject({ us: 1000, depth: 1, x: 0 });
    // Callees widest first, side by side inside their caller.
    expect(byName.get('work')).toMatchObject({ us: 500, depth: 2, x: 0 });
    expect(byName.get('parse <&>')).toMatchObject({ us: 300, depth: 2, x: 500 });
    expect(byName.get('tiny')).toMatchObject({ us: 100, depth: 3, x: 0 });
    expect(byName.get('(garbage collector)')).toMatchObject({ us: 200, depth: 1, x: 1000 });
  });

  it('drops boxes under minShare of the busy time, with their callees', () => {
    const names = flameBoxes(profile(), undefined, 0.1).map((b) => b.frame.functionName);
    expect(names).not.toContain('tiny'); // 100 of 1200 µs
    expect(names).toEqual(expect.arrayContaining(['(root)', 'main', 'work', 'parse <&>', '(garbage collector)']));
  });

  it('keeps only the samples inside a window', () => {
    // Sample i is taken at t = 100 (i + 1): the window holds the 4 "work" samples (t = 1600 .. 1900) and tiny's (2000).
    const boxes = flameBoxes(profile(), { fromUs: 1600, toUs: 2000 }, 0);
    expect(boxes[0]!.us).toBe(500);
    expect(boxes.map((b) => b.frame.functionName)).toEqual(['(root)', 'main', 'work', 'tiny']);
  });

  it('writes an SVG with a hover title per box and escapes names', () => {
    const svg = flameGraphSvg(profile(), { title: 'test <profile>', minShare: 0 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect /g)?.length).toBe(1 + 6); // the background and six boxes
    expect(svg).toContain('test &#60;profile&#62;');
    expect(svg).toContain('<title>parse &#60;&#38;&#62; (pkg/index.js:5): 0.3 ms, 25.0%</title>');
    expect(svg).not.toContain('parse <&>');
  });
});
