import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readMeasurements } from '../../bench/measurements';
import { renderMarkdown } from '../../bench/report/markdown';
import { summarise } from '../../bench/summary/summarise';

const BENCH = path.resolve(__dirname, '../../bench');

/** The committed report is generated: from the committed measurements, by `npm run bench:render`. */
describe('bench/RESULTS.md', () => {
  const m = readMeasurements(path.join(BENCH, 'measurements.json'));

  it('is what bench/measurements.json renders to (after a change to the summary or report: npm run bench:render)', () => {
    expect(readFileSync(path.join(BENCH, 'RESULTS.md'), 'utf8')).toBe(renderMarkdown(m, summarise(m)));
  });

  it('comes from a full run, with exactly its flame graphs beside it', () => {
    expect(m.info.smoke).toBe(false);
    expect(m.info.flamesDir).toBe('flames');
    const drawn = m.profiles.flatMap((p) => [p.main.flame, ...(p.worker ? [p.worker.flame] : [])]).sort();
    expect(drawn.length).toBeGreaterThan(0);
    expect(readdirSync(path.join(BENCH, 'flames')).sort()).toEqual(drawn);
  });
});
